import ArgumentParser
import ContentStore
import ContentStoreServer
import Chain
import Dispatch
import Foundation
import Logging
import Node
import Primitives
import RPC
import Storage

/// `gfl node`: a local Ethereum-compatible chain served over JSON-RPC (HTTP).
struct NodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "node",
        abstract: "Run a local chain node with Ethereum JSON-RPC over HTTP.",
        discussion: """
        Blocks and state persist in LevelDB under --datadir; a restart continues from the last committed block.
        By default a block is mined for every transaction (like anvil); --block-time N mines every N seconds,
        --no-automine mines only on evm_mine. The ten accounts of the test mnemonic are unlocked for
        eth_sendTransaction.
        """
    )

    @Option(name: .customLong("datadir"), help: "Directory of the chain database.") var datadir = "gfl-chain"
    @Option(name: .customLong("genesis"), help: "Genesis file in geth's format.") var genesis = "genesis/dev.json"
    @Option(name: .customLong("http.addr"), help: "Address to listen on.") var httpAddr = "127.0.0.1"
    @Option(name: .customLong("http.port"), help: "Port to listen on (0 picks a free one).") var httpPort = 8545
    @Option(name: .customLong("block-time"), help: "Mine a block every N seconds instead of one per transaction.")
    var blockTime: Double?
    @Flag(name: .customLong("no-automine"), help: "Mine only on evm_mine.") var noAutomine = false
    @Option(name: .customLong("dev-accounts"), help: "How many test-mnemonic accounts to unlock.") var devAccounts = 10
    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error, critical.")
    var logLevel = "info"
    @Flag(name: .customLong("no-sync"), help: "Do not fsync each block (faster; a power loss may drop recent blocks).")
    var noSync = false

    func run() throws {
        guard let level = Logger.Level(rawValue: logLevel) else { throw ValidationError("unknown --log-level \(logLevel)") }
        if let bt = blockTime, !(bt > 0) { throw ValidationError("--block-time must be positive") }
        LoggingSystem.bootstrap { label in
            var h = StreamLogHandler.standardError(label: label)
            h.logLevel = level
            return h
        }
        let log = Logger(label: "gfl.node")
        let g: Genesis
        do { g = try Genesis(contentsOf: URL(fileURLWithPath: genesis)) } catch {
            throw ValidationError("genesis \(genesis): \(error)")
        }
        try FileManager.default.createDirectory(atPath: datadir, withIntermediateDirectories: true)
        let store = try LevelDBStore(path: datadir + "/chaindata", sync: !noSync)
        var options = ChainOptions()
        options.instantMining = blockTime == nil && !noAutomine
        let chain = try Blockchain(store: store, genesis: g, options: options)
        let head = chain.head
        log.info("chain opened", metadata: ["chainId": "\(chain.chainId)", "head": "\(head.number)",
                                            "hash": "\(head.hash)", "datadir": "\(datadir)"])
        let keys = try HDWallet.accounts(mnemonic: HDWallet.testMnemonic, count: max(0, devAccounts))
        let handler = RPCHandler(chain: chain, devKeys: keys)
        chain.onBlock = { [subscriptions = handler.subscriptions] block in
            log.info("mined block", metadata: ["number": "\(block.number)", "hash": "\(block.hash)",
                                               "txs": "\(block.transactions.count)", "gasUsed": "\(block.header.gasUsed)"])
            subscriptions.publish(block.number)
        }
        let miner = blockTime.map { bt in
            IntervalMiner(chain: chain, interval: bt) { log.error("mining failed", metadata: ["error": "\($0)"]) }
        }
        defer { miner?.stop() }
        let host = httpAddr
        var serverLog = Logger(label: "gfl.rpc")
        serverLog.logLevel = level > .notice ? level : .notice
        // The content store's kubo-shaped API shares the port: /api/v0/… next to JSON-RPC on /.
        let router = StoreServer.router(store: try BlockStore(path: datadir + "/store", sync: !noSync))
        RPCServer.addRoutes(to: router, handler: handler)
        let app = RPCServer.application(router: router, host: host, port: httpPort, logger: serverLog,
                                        webSocket: handler) { port in
            log.info("listening on http://\(host):\(port) (JSON-RPC on / over HTTP and WebSocket, content store API on /api/v0)")
        }
        try Self.block { try await app.runService() }
    }

    /// Runs async work from this synchronous command (the root command is synchronous) and waits for it.
    private static func block(_ body: @escaping @Sendable () async throws -> Void) throws {
        let failure = FailureBox()
        let done = DispatchSemaphore(value: 0)
        Task {
            do { try await body() } catch { failure.set(error) }
            done.signal()
        }
        done.wait()
        if let e = failure.get() { throw e }
    }
}

/// The error of an async body, read after its semaphore.
private final class FailureBox: @unchecked Sendable {
    private let lock = NSLock()
    private var error: (any Error)?
    func set(_ e: any Error) { lock.lock(); error = e; lock.unlock() }
    func get() -> (any Error)? { lock.lock(); defer { lock.unlock() }; return error }
}
