// swift-tools-version: 6.0
// GFL: a blockchain-based decentralised federated-learning system (see README.md and DESIGN.md).
import PackageDescription

/// Release builds of hot paths (interpreter loop, UInt256, Keccak, GEMM) skip exclusivity checks;
/// everything else keeps Swift's defaults.
let fast: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

let package = Package(
    name: "GFL",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "gfl", targets: ["gfl"]),
        .library(name: "Primitives", targets: ["Primitives"]),
        .library(name: "Storage", targets: ["Storage"]),
        .library(name: "ContentStore", targets: ["ContentStore"]),
        .library(name: "ContentStoreServer", targets: ["ContentStoreServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // HTTP server for the content store's kubo-shaped API (and later the node's JSON-RPC).
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.5.0"),
    ],
    targets: [
        // Native libraries, installed by tools/setup from Debian's packages.
        .systemLibrary(name: "CSecp256k1", path: "Sources/CSecp256k1", pkgConfig: "libsecp256k1",
                       providers: [.apt(["libsecp256k1-dev"])]),
        .systemLibrary(name: "CLevelDB", path: "Sources/CLevelDB", providers: [.apt(["libleveldb-dev"])]),
        .systemLibrary(name: "COpenSSL", path: "Sources/COpenSSL", pkgConfig: "libcrypto",
                       providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS", providers: [.apt(["libopenblas-dev"])]),

        // Ethereum primitives: UInt256, hex, Address, Keccak, RLP, secp256k1, ABI, keystore.
        .target(name: "Primitives", dependencies: ["CSecp256k1", "COpenSSL"], swiftSettings: fast),

        // Key-value storage: LevelDB (shipped) and in-memory (tests), atomic batches.
        .target(name: "Storage", dependencies: ["CLevelDB"]),

        // Content-addressed model store: UnixFS/dag-pb DAGs with IPFS-exact CIDs, LevelDB blocks, pins, GC,
        // peer fetching and a client for kubo's HTTP API. No HTTP framework here (see ContentStoreServer).
        .target(name: "ContentStore", dependencies: ["Primitives", "Storage", "COpenSSL"], swiftSettings: fast),

        // The content store's HTTP API in kubo's shape, on Hummingbird.
        .target(name: "ContentStoreServer", dependencies: [
            "ContentStore", .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
        ]),

        .executableTarget(name: "gfl", dependencies: [
            "Primitives", "Storage", "ContentStore", "ContentStoreServer",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: fast),

        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "StorageTests", dependencies: ["Storage"]),
        .testTarget(name: "ContentStoreTests", dependencies: [
            "ContentStore", "ContentStoreServer", "Primitives", "Storage", "TestSupport",
            .product(name: "Hummingbird", package: "hummingbird"), .product(name: "Logging", package: "swift-log"),
        ], exclude: ["Vectors"]),
        .testTarget(name: "PrimitivesTests", dependencies: ["Primitives", "TestSupport"], exclude: ["Vectors"]),
    ]
)
