import ArgumentParser
import Chain
import Dispatch
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import Node
import Primitives
import RPC
import Storage

/// `gfl bench chain`: block import throughput in-process (decode, parallel sender recovery, validation, execution,
/// state root, receipts, LevelDB commit) for ETH and ERC-20 transfers from many senders in blocks of 1, 100 and
/// 1,000 transactions; then end-to-end over HTTP (eth_sendRawTransaction, instant mining) with M clients.
struct BenchChain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chain",
        abstract: "Chain import throughput (tx/s, Mgas/s) in-process and over JSON-RPC."
    )

    @Option(help: "Transactions per in-process workload.") var txs = 20_000
    @Option(help: "Distinct senders (and as many recipients).") var senders = 256
    @Option(help: "Comma-separated block sizes.") var blocks = "1,100,1000"
    @Option(help: "Concurrent HTTP clients.") var clients = 4
    @Option(name: .customLong("http-txs"), help: "Transactions sent over HTTP (0 skips the HTTP workload).")
    var httpTxs = 4_000
    @Flag(help: "fsync every block's batch (the node's default; slow on most disks).") var sync = false
    @Flag(help: "One JSON object per workload: {\"workload\", \"txs\", \"seconds\", \"tx_per_s\", \"mgas_per_s\"}.")
    var json = false

    static let gwei = UInt256(1_000_000_000)

    func run() throws {
        guard txs > 0, senders > 0, clients > 0 else { throw ValidationError("counts must be positive") }
        let keys = (0..<senders).map { i in
            // Deterministic distinct keys: keccak of the index (never zero, below n for practical purposes).
            try! PrivateKey(secret: Keccak256.hash(Array("gfl-bench-\(i)".utf8)))
        }
        let from = keys.map { $0.publicKey.address }
        let to = (0..<senders).map { Address(hi: 0xbe7c, mid: 0, lo: UInt64($0 + 1)) }
        let sizes = blocks.split(separator: ",").compactMap { Int($0) }.filter { $0 > 0 }
        guard !sizes.isEmpty else { throw ValidationError("--blocks needs positive sizes") }
        for blockSize in sizes {
            try report("eth-transfer/block-\(blockSize)", importRun(keys: keys, blockSize: blockSize) { i, nonce in
                .dynamicFee(chainId: 31337, nonce: nonce, maxPriorityFeePerGas: Self.gwei, maxFeePerGas: Self.gwei.multipliedReportingOverflow(by: 10).0,
                            gasLimit: 21_000, to: to[i % to.count], value: UInt256(UInt64(1 + i)))
            })
        }
        for blockSize in sizes {
            try report("erc20-transfer/block-\(blockSize)", importRun(keys: keys, blockSize: blockSize, token: true) { i, nonce in
                .dynamicFee(chainId: 31337, nonce: nonce, maxPriorityFeePerGas: Self.gwei, maxFeePerGas: Self.gwei.multipliedReportingOverflow(by: 10).0,
                            gasLimit: 100_000, to: Self.tokenAddress(from[0]),
                            data: Self.selector("transfer(address,uint256)") + to[i % to.count].word.bytes + UInt256(UInt64(1 + i)).bytes)
            })
        }
        if httpTxs > 0 { try report("http-eth-transfer/clients-\(clients)", httpRun(keys: keys, to: to)) }
        _ = from
    }

    /// `produce`: seconds inside `produceBlock` (execution, roots, commit); the rest is waiting for sender recovery.
    struct Outcome { var txs: Int; var seconds: Double; var gas: UInt64; var produce: Double? = nil }

    func report(_ name: String, _ o: Outcome) {
        let tps = Double(o.txs) / o.seconds, mgas = Double(o.gas) / o.seconds / 1e6
        if json {
            print(#"{"workload":"\#(name)","txs":\#(o.txs),"seconds":\#(format2(o.seconds)),"tx_per_s":\#(format2(tps)),"mgas_per_s":\#(format2(mgas))}"#)
        } else {
            let split = o.produce.map { "  (producing blocks \(format2($0)) s)" } ?? ""
            print(name.padded(32) + "\(o.txs) txs  \(format2(o.seconds)) s  \(format2(tps)) tx/s  \(format2(mgas)) Mgas/s" + split)
        }
    }

    static func selector(_ sig: String) -> [UInt8] { Array(Keccak256.hash(Array(sig.utf8)).bytes[0..<4]) }
    static func tokenAddress(_ deployer: Address) -> Address { Address.create(sender: deployer, nonce: 0) }

    /// A genesis funding every sender, with a gas limit that fits 1,000 ERC-20 transfers per block.
    func genesis(_ funded: [Address]) -> Genesis {
        var alloc: [Address: GenesisAccount] = [:]
        let ether = UInt256(1_000_000_000_000_000_000)
        for a in funded { alloc[a] = GenesisAccount(balance: ether.multipliedReportingOverflow(by: 1_000_000).0) }
        let config = ChainConfig(chainId: 31337, forkBlocks: ["londonBlock": 0, "berlinBlock": 0],
                                 forkTimes: ["shanghaiTime": 0, "cancunTime": 0])
        return Genesis(config: config, timestamp: 0, gasLimit: 120_000_000, baseFeePerGas: Self.gwei, alloc: alloc)
    }

    func openChain(_ g: Genesis) throws -> (Blockchain, String) {
        let dir = NSTemporaryDirectory() + "gfl-bench-chain-\(UUID().uuidString)"
        var o = ChainOptions()
        o.instantMining = false
        o.historyLimit = 0
        return (try Blockchain(store: try LevelDBStore(path: dir, sync: sync), genesis: g, options: o), dir)
    }

    /// Signs the workload (not timed), then imports it block by block from raw bytes (timed).
    func importRun(keys: [PrivateKey], blockSize: Int, token: Bool = false,
                   make: (Int, UInt64) -> Chain.Transaction) throws -> Outcome {
        let (chain, dir) = try openChain(genesis(keys.map { $0.publicKey.address }))
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var nonces = [UInt64](repeating: 0, count: keys.count)
        if token {
            // Deploy the token from sender 0 and give every sender a balance (setup, not timed).
            let code = try Self.tokenCode() + UInt256.max.bytes
            var setup: [PooledTransaction] = []
            let deploy = Chain.Transaction.dynamicFee(chainId: 31337, nonce: 0, maxPriorityFeePerGas: Self.gwei,
                                                      maxFeePerGas: Self.gwei.multipliedReportingOverflow(by: 10).0,
                                                      gasLimit: 3_000_000, to: nil, data: code).signed(with: keys[0])
            setup.append(PooledTransaction(tx: deploy, sender: keys[0].publicKey.address))
            nonces[0] = 1
            let tokenAddr = Self.tokenAddress(keys[0].publicKey.address)
            for k in keys.dropFirst() {
                let t = Chain.Transaction.dynamicFee(chainId: 31337, nonce: nonces[0], maxPriorityFeePerGas: Self.gwei,
                                                     maxFeePerGas: Self.gwei.multipliedReportingOverflow(by: 10).0, gasLimit: 100_000, to: tokenAddr,
                                                     data: Self.selector("transfer(address,uint256)") + k.publicKey.address.word.bytes
                                                         + UInt256(UInt64(1) << 60).bytes).signed(with: keys[0])
                setup.append(PooledTransaction(tx: t, sender: keys[0].publicKey.address))
                nonces[0] += 1
            }
            _ = try chain.produceBlock(from: setup, timestamp: nil)
        }
        var raws: [[UInt8]] = []
        raws.reserveCapacity(txs)
        let signers = (0..<txs).map { $0 % keys.count }
        let unsigned = (0..<txs).map { i -> Chain.Transaction in
            let s = signers[i]
            let t = make(i, nonces[s])
            nonces[s] += 1
            return t
        }
        // Signing is setup: spread it over the cores too.
        let signed = UnsafeMutableBufferPointer<[UInt8]>.allocate(capacity: txs)
        signed.initialize(repeating: [])
        defer { signed.deallocate() }
        let out = SignedSlots(base: signed.baseAddress!)
        DispatchQueue.concurrentPerform(iterations: txs) { i in out.base[i] = unsigned[i].signed(with: keys[signers[i]]).encoded }
        raws = Array(signed)

        let input = raws
        // Decode, validate and recover senders ahead of execution, as an importer does: block k executes on this
        // thread while the next blocks are prepared on all cores (recovery, ~50 µs a signature here, is most of
        // the work). Preparations run one after another on a serial queue, up to two blocks ahead, so the cores
        // never wait for the executor to ask for more; chunks of 32 keep each block's recovery tail short.
        let lookAhead = blockSize >= 16 ? 2 : 0
        let prepQueue = DispatchQueue(label: "bench.prepare")
        func prepare(_ lo: Int) -> (PreparedBlock, DispatchGroup) {
            let hi = min(lo + blockSize, input.count)
            let box = PreparedBlock(count: hi - lo)
            let group = DispatchGroup()
            let chunks = (hi - lo + 31) / 32
            let work: @Sendable () -> Void = {
                DispatchQueue.concurrentPerform(iterations: chunks) { c in
                    for i in (lo + c * 32)..<min(lo + c * 32 + 32, hi) {
                        box.set(i - lo, Result { () throws -> PooledTransaction in
                            let tx = try SignedTransaction(decoding: input[i])
                            return PooledTransaction(tx: tx, sender: try tx.validate(chainId: 31337))
                        })
                    }
                }
            }
            // Tiny blocks are prepared inline: a thread hand-off costs more than it overlaps.
            if lookAhead > 0 { prepQueue.async(group: group, execute: work) } else { work() }
            return (box, group)
        }
        let t0 = DispatchTime.now().uptimeNanoseconds
        var gas: UInt64 = 0
        var produce: UInt64 = 0
        var pending: [(PreparedBlock, DispatchGroup)] = []
        var lo = 0
        func fill() {
            while pending.count <= lookAhead && lo < input.count { pending.append(prepare(lo)); lo += blockSize }
        }
        fill()
        while !pending.isEmpty {
            let (box, group) = pending.removeFirst()
            group.wait()
            let block = try box.take()
            fill()
            let p0 = DispatchTime.now().uptimeNanoseconds
            let (b, receipts) = try chain.produceBlock(from: block, timestamp: nil)
            produce += DispatchTime.now().uptimeNanoseconds - p0
            guard b.transactions.count == block.count, receipts.allSatisfy({ $0.succeeded }) else {
                throw ValidationError("bench block \(b.number): \(b.transactions.count) of \(block.count) transactions included")
            }
            gas += b.header.gasUsed
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        return Outcome(txs: raws.count, seconds: seconds, gas: gas, produce: Double(produce) / 1e9)
    }

    static func tokenCode() throws -> [UInt8] {
        let candidates = ["../shared/evm-benchmarks/erc20/Token.bin", "shared/evm-benchmarks/erc20/Token.bin"]
        for c in candidates {
            if let text = try? String(contentsOfFile: c, encoding: .utf8) {
                return try Hex.decode(text.trimmingCharacters(in: .whitespacesAndNewlines))
            }
        }
        throw ValidationError("Token.bin not found (run from the repository root, next to ../shared)")
    }

    /// An in-process node (instant mining, LevelDB) on a free loopback port, fed by `clients` threads.
    func httpRun(keys: [PrivateKey], to: [Address]) throws -> Outcome {
        let g = genesis(keys.map { $0.publicKey.address })
        let dir = NSTemporaryDirectory() + "gfl-bench-http-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var o = ChainOptions()
        o.historyLimit = 0
        let chain = try Blockchain(store: try LevelDBStore(path: dir, sync: sync), genesis: g, options: o)
        let handler = RPCHandler(chain: chain)
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let portBox = PortBox()
        let app = RPCServer.application(handler: handler, host: "127.0.0.1", port: 0, logger: logger) { p in portBox.set(p) }
        Task { try? await app.runService() }
        guard let port = portBox.wait(seconds: 20) else { throw ValidationError("bench HTTP server did not start") }
        let url = URL(string: "http://127.0.0.1:\(port)/")!
        // Each client owns a disjoint set of senders, so nonces never collide.
        let perClient = max(1, httpTxs / clients)
        var bodies: [[Data]] = []
        for c in 0..<clients {
            var list: [Data] = []
            var nonces: [Int: UInt64] = [:]
            for j in 0..<perClient {
                let s = (c + clients * (j % max(1, keys.count / clients))) % keys.count
                let n = nonces[s, default: 0]
                nonces[s] = n + 1
                let tx = Chain.Transaction.dynamicFee(chainId: 31337, nonce: n, maxPriorityFeePerGas: Self.gwei,
                                                      maxFeePerGas: Self.gwei.multipliedReportingOverflow(by: 10).0, gasLimit: 21_000,
                                                      to: to[j % to.count], value: .one).signed(with: keys[s])
                list.append(Data(#"{"jsonrpc":"2.0","id":1,"method":"eth_sendRawTransaction","params":["\#(Hex.encode(tx.encoded))"]}"#.utf8))
            }
            bodies.append(list)
        }
        let requests = bodies
        let errors = ErrorCount()
        let t0 = DispatchTime.now().uptimeNanoseconds
        DispatchQueue.concurrentPerform(iterations: clients) { c in
            let session = URLSession(configuration: .ephemeral)
            for body in requests[c] {
                var req = URLRequest(url: url)
                req.httpMethod = "POST"
                req.httpBody = body
                req.setValue("application/json", forHTTPHeaderField: "Content-Type")
                let sem = DispatchSemaphore(value: 0)
                session.dataTask(with: req) { d, _, e in
                    if e != nil || d.map({ String(decoding: $0, as: UTF8.self).contains("\"error\"") }) ?? true { errors.add() }
                    sem.signal()
                }.resume()
                sem.wait()
            }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        if errors.count > 0 { throw ValidationError("\(errors.count) HTTP requests failed") }
        let n = clients * perClient
        return Outcome(txs: n, seconds: seconds, gas: UInt64(n) * 21_000)
    }
}

/// One block's prepared transactions: each slot is written by exactly one worker before the group is left, and
/// read only after it.
private final class PreparedBlock: @unchecked Sendable {
    let slots: UnsafeMutablePointer<Result<PooledTransaction, any Error>>
    let count: Int
    init(count: Int) { self.count = count; slots = .allocate(capacity: count) }
    deinit { slots.deinitialize(count: count); slots.deallocate() }
    func set(_ i: Int, _ r: Result<PooledTransaction, any Error>) { (slots + i).initialize(to: r) }
    func take() throws -> [PooledTransaction] {
        var out: [PooledTransaction] = []
        out.reserveCapacity(count)
        for i in 0..<count { out.append(try slots[i].get()) }
        return out
    }
}

private struct SignedSlots: @unchecked Sendable { let base: UnsafeMutablePointer<[UInt8]> }

private final class PortBox: @unchecked Sendable {
    let sem = DispatchSemaphore(value: 0)
    var port = 0
    func set(_ p: Int) { port = p; sem.signal() }
    func wait(seconds: Double) -> Int? { sem.wait(timeout: .now() + seconds) == .success ? port : nil }
}

private final class ErrorCount: @unchecked Sendable {
    let lock = NSLock()
    var count = 0
    func add() { lock.lock(); count += 1; lock.unlock() }
}
