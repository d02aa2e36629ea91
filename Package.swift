// swift-tools-version: 6.0
// GFL: a blockchain-based decentralised federated-learning system (see README.md and DESIGN.md).
import PackageDescription

/// Release builds of hot paths (interpreter loop, UInt256, Keccak, GEMM) skip exclusivity checks;
/// everything else keeps Swift's defaults.
let fast: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked", "-cross-module-optimization"],
                                          .when(configuration: .release))]

let package = Package(
    name: "GFL",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "gfl", targets: ["gfl"]),
        .library(name: "Primitives", targets: ["Primitives"]),
        .library(name: "Storage", targets: ["Storage"]),
        .library(name: "Chain", targets: ["Chain"]),
        .library(name: "RPCClient", targets: ["RPCClient"]),
        .library(name: "Trie", targets: ["Trie"]),
        .library(name: "EVM", targets: ["EVM"]),
        .library(name: "Execution", targets: ["Execution"]),
        .library(name: "ContentStore", targets: ["ContentStore"]),
        .library(name: "ContentStoreServer", targets: ["ContentStoreServer"]),
        .library(name: "GFLContracts", targets: ["GFLContracts"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // HTTP server for the content store's kubo-shaped API (and later the node's JSON-RPC).
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        // WebSocket upgrade on the node's HTTP port (eth_subscribe).
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.5.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.0.0"),
    ],
    targets: [
        // Native libraries, installed by tools/setup from Debian's packages.
        .systemLibrary(name: "CSecp256k1", path: "Sources/CSecp256k1", pkgConfig: "libsecp256k1",
                       providers: [.apt(["libsecp256k1-dev"])]),
        .systemLibrary(name: "CLevelDB", path: "Sources/CLevelDB", providers: [.apt(["libleveldb-dev"])]),
        .systemLibrary(name: "COpenSSL", path: "Sources/COpenSSL", pkgConfig: "libcrypto",
                       providers: [.apt(["libssl-dev"])]),
        // OpenSSL's BIGNUM, for the MODEXP precompile.
        .systemLibrary(name: "CBigNum", path: "Sources/CBigNum", pkgConfig: "libcrypto",
                       providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"])]),

        // Ethereum primitives: UInt256, hex, Address, Keccak, RLP, secp256k1, ABI, keystore.
        .target(name: "Primitives", dependencies: ["CSecp256k1", "COpenSSL"], swiftSettings: fast),

        // Key-value storage: LevelDB (shipped) and in-memory (tests), atomic batches.
        .target(name: "Storage", dependencies: ["CLevelDB"]),

        // Merkle Patricia Trie (plain and secure) over the key-value protocol.
        .target(name: "Trie", dependencies: ["Primitives", "Storage"], swiftSettings: fast),

        // The Cancun EVM: Host protocol, journaled state, interpreter, precompiles.
        .target(name: "EVM", dependencies: ["Primitives", "CSecp256k1", "COpenSSL", "CBigNum"], swiftSettings: fast),

        // Transaction-level execution and the state-test runner.
        .target(name: "Execution", dependencies: ["EVM", "Trie", "Primitives"], swiftSettings: fast),

        // Chain data: transactions, receipts, bloom, headers, blocks, genesis.
        .target(name: "Chain", dependencies: ["Primitives"], swiftSettings: fast),

        // JSON-RPC client for any Ethereum node: what the wallet, deploy, explorer and trainers talk through.
        .target(name: "RPCClient", dependencies: ["Primitives", "Chain"]),

        // The learning engine: tensors and kernels on OpenBLAS, models, training, data, federated blocks.
        // Release builds target AVX2/FMA (Haswell, 2013, and later x86-64) so SIMD16 loops use 256-bit registers.
        .target(name: "Learning", dependencies: ["COpenBLAS", "CZlib"],
                swiftSettings: fast + [.unsafeFlags(["-target-cpu", "haswell"], .when(platforms: [.linux], configuration: .release))]),

        // Content-addressed model store: UnixFS/dag-pb DAGs with IPFS-exact CIDs, LevelDB blocks, pins, GC,
        // peer fetching and a client for kubo's HTTP API. No HTTP framework here (see ContentStoreServer).
        .target(name: "ContentStore", dependencies: ["Primitives", "Storage", "COpenSSL"], swiftSettings: fast),

        // The content store's HTTP API in kubo's shape, on Hummingbird.
        .target(name: "ContentStoreServer", dependencies: [
            "ContentStore", .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        // The chain node: LevelDB chain database, trie-rooted state, transaction pool, block production.
        .target(name: "Node", dependencies: ["Primitives", "Storage", "Chain", "Trie", "EVM", "Execution"],
                swiftSettings: fast),

        // Ethereum JSON-RPC 2.0 over HTTP (Hummingbird) for the node.
        .target(name: "RPC", dependencies: [
            "Node", "Chain", "Primitives", "EVM",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        // Typed bindings of Contracts/*.vy (generated by tools/gen/bindings.py) and the job-level layer on them.
        .target(name: "GFLContracts", dependencies: ["Primitives", "Chain", "RPCClient", "EVM", "Execution"]),

        // RDFL trainers, the in-process cluster behind `gfl demo`, baselines and reports.
        .target(name: "Federation", dependencies: [
            "Primitives", "Chain", "RPCClient", "GFLContracts", "ContentStore", "ContentStoreServer", "Learning",
            "Node", "RPC", "Storage",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // The web explorer: server-rendered pages over JSON-RPC (blocks, transactions, addresses, GFL jobs).
        .target(name: "ExplorerWeb", dependencies: ["Primitives", "RPCClient", "GFLContracts", "EVM", .product(name: "Hummingbird", package: "hummingbird"), .product(name: "Logging", package: "swift-log")]),

        .executableTarget(name: "gfl", dependencies: [
            "Primitives", "Chain", "EVM", "Execution", "RPCClient", "Learning", "Storage", "ContentStore",
            "ContentStoreServer", "Node", "RPC", "GFLContracts",
            "Federation",
            "ExplorerWeb",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: fast),

        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "StorageTests", dependencies: ["Storage"]),
        .testTarget(name: "TrieTests", dependencies: ["Trie", "Storage", "TestSupport"]),
        .testTarget(name: "EVMTests", dependencies: ["EVM", "Execution", "Trie", "TestSupport"], exclude: ["known-failures.txt", "Vectors"]),
        .testTarget(name: "ContentStoreTests", dependencies: [
            "ContentStore", "ContentStoreServer", "Primitives", "Storage", "TestSupport",
            .product(name: "Hummingbird", package: "hummingbird"), .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ], exclude: ["Vectors"]),
        .testTarget(name: "PrimitivesTests", dependencies: ["Primitives", "TestSupport"], exclude: ["Vectors"]),
        .testTarget(name: "NodeTests", dependencies: ["Node", "Chain", "Storage", "Primitives", "EVM", "TestSupport"]),
        .testTarget(name: "RPCTests", dependencies: ["RPC", "Node", "Chain", "Primitives", "TestSupport"]),
        .testTarget(name: "CLITests", dependencies: ["TestSupport"]),
        .testTarget(name: "ContractsTests", dependencies: ["GFLContracts", "Chain", "RPCClient", "Primitives", "TestSupport", "Learning", "Federation"]),
        .testTarget(name: "ChainTests", dependencies: ["Chain", "Primitives", "TestSupport"], exclude: ["Vectors"]),
        .testTarget(name: "FederationTests", dependencies: [
            "Federation", "Chain", "GFLContracts", "Learning", "Primitives", "ContentStore", "TestSupport"]),
        .testTarget(name: "LearningTests", dependencies: ["Learning", "TestSupport"], exclude: ["Vectors"]),
        .testTarget(name: "ExplorerTests", dependencies: ["ExplorerWeb", "GFLContracts", "RPCClient", "Primitives", "TestSupport"]),
    ]
)
