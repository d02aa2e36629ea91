import ArgumentParser
import Foundation
import GFLContracts
import Primitives
import RPCClient

/// `gfl bench contracts`: the gas of every Controller and Storage operation, measured on a chain: receipts'
/// gasUsed for transactions, eth_estimateGas (21000 intrinsic included) for views. Contracts/README.md's table
/// comes from this command.
struct BenchContracts: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "contracts",
        abstract: "Measure the gas of the GFL contracts' operations (a Markdown table).",
        discussion: """
        Without --rpc it runs the project's EVM in-process (the node's EVM and rules, so the same gas). With --rpc it
        runs against a node (e.g. `gfl node --http.port 8545`), deploying and funding from dev account 0 of the test
        mnemonic; that takes one transaction per operation, about 2×nodes+50 in all.
        """)

    @Option(help: "JSON-RPC URL of a node to measure on (default: the in-process EVM).") var rpc: String?
    @Option(help: "Ring size (1…256).") var nodes: Int = 256
    @Option(help: "Trusted nodes (every nodes/trusted-th node).") var trusted: Int = 16
    @Flag(help: "Print JSON lines {\"operation\", \"min\", \"avg\", \"max\", \"count\"} instead of Markdown.") var json = false

    /// Gas samples per operation, in first-seen order.
    struct Samples {
        var order: [String] = []
        var values: [String: [UInt64]] = [:]
        mutating func add(_ op: String, _ gas: UInt64) {
            if values[op] == nil { order.append(op) }
            values[op, default: []].append(gas)
        }
    }

    func run() async throws {
        guard (2...256).contains(nodes) else { throw ValidationError("--nodes must be 2…256") }
        guard (1...nodes).contains(trusted) else { throw ValidationError("--trusted must be 1…nodes") }
        let deployer = try HDWallet.accounts(mnemonic: HDWallet.testMnemonic, count: 1)[0]
        let chain: any ChainAccess
        if let rpc {
            guard let url = URL(string: rpc) else { throw ValidationError("--rpc \(rpc) is not a URL") }
            chain = RPCChain(url: url)
        } else {
            chain = EmbeddedChain()
        }
        var keys: [PrivateKey] = []
        for i in 0..<nodes { keys.append(try PrivateKey(secret: Keccak256.hash("gfl-bench-contracts/\(i)"))) }
        let owner = deployer
        if let rpc = chain as? RPCChain { try await fund(rpc, from: deployer, keys) }

        var s = Samples()
        let t0 = Date()
        func tx(_ op: String, _ body: () async throws -> ContractReceipt) async throws {
            s.add(op, try await body().gasUsed)
        }
        let gfl = try await GFLDeployment.deploy(on: chain, from: deployer)
        let c = gfl.controller
        try await tx("createJob") {
            try await c.createJob(jobCid: "QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG", description: "benchmark job",
                                  rounds: 2, maxNodes: UInt256(UInt64(nodes)), heartbeatTimeout: 5, roundTimeout: 1000,
                                  aggregationTimeout: 2, trustedCount: 0, from: owner)
        }
        let job = UInt256.one
        let storage = try await gfl.storage(ofJob: job)
        for (i, k) in keys.enumerated() {
            let op = i == nodes - 1 ? "join (last, into \(nodes - 1))" : "join"
            try await tx(op) {
                try await c.join(jobId: job, publicKey: k.publicKey.uncompressed, dataSize: UInt256(UInt64(i + 1)),
                                 apiUrl: "http://127.0.0.1:5001", from: k)
            }
        }
        let step = nodes / trusted
        let trustedKeys = stride(from: 0, to: nodes, by: step).prefix(trusted).map { keys[$0] }
        for k in trustedKeys { try await tx("setTrusted") { try await c.setTrusted(jobId: job, node: k.address, trusted: true, from: owner) } }
        try await tx("startJob (owner-set trusted)") { try await c.startJob(jobId: job, from: owner) }
        try await tx("heartbeat") { try await c.heartbeat(jobId: job, from: keys[0]) }

        // Views on the full ring.
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<8 {
            let p = UInt256(l0: rng.next(), l1: rng.next(), l2: rng.next(), l3: rng.next())
            s.add("firstTrustedClockwise (view, \(nodes) nodes)", try await c.binding.estimateGas(
                ControllerContract.Functions.firstTrustedClockwise, [.uint(job), .uint(p)]))
        }
        let trustedSet = Set(trustedKeys.map(\.address))
        for k in keys.prefix(8) {
            s.add("nextTrusted (view)", try await c.binding.estimateGas(ControllerContract.Functions.nextTrusted, [.uint(job), .address(k.address)]))
            s.add("successor (view)", try await c.binding.estimateGas(ControllerContract.Functions.successor, [.uint(job), .address(k.address)]))
        }
        s.add("ring (view, \(nodes) nodes)", try await c.binding.estimateGas(ControllerContract.Functions.ring, [.uint(job)]))

        // One round: submissions, ring steps, distillation, selection, global model.
        let ref = [UInt8](repeating: 0xA5, count: 62)
        let untrusted = keys.filter { !trustedSet.contains($0.address) }
        var byTrusted: [Address: [Address]] = [:]
        for k in untrusted.prefix(32) {
            let to = try await c.firstTrustedClockwise(jobId: job, position: ControllerContract.ringPosition(of: k.address))
            try await tx("submit (62-byte ref)") { try await storage.submit(round: 1, to: to, ref: ref, from: k) }
            byTrusted[to, default: []].append(k.address)
        }
        try await tx("postKey (113-byte ECIES blob)") {
            try await storage.postKey(to: trustedKeys[0].address, encryptedKey: [UInt8](repeating: 7, count: 113), from: untrusted[0])
        }
        for k in trustedKeys {
            let next = try await c.nextTrusted(jobId: job, node: k.address)
            let batch = Array(repeating: k.address, count: 8)
            try await tx("forward (batch of 8 refs)") {
                try await storage.forward(round: 1, phase: 1, step: 1, to: next, origins: batch,
                                          refs: Array(repeating: ref, count: 8), from: k)
            }
        }
        for k in trustedKeys { try await tx("postDistilled") { try await storage.postDistilled(round: 1, ref: ref, from: k) } }
        try await tx("selectAggregator (\(trusted) trusted)") { try await c.selectAggregator(jobId: job, round: 1, from: keys[0]) }
        try await chain.mine(blocks: 3)
        try await tx("reselectAggregator") { try await c.reselectAggregator(jobId: job, round: 1, from: keys[0]) }
        let aggregator = try await c.aggregatorOf(jobId: job, round: 1)
        guard let aggKey = keys.first(where: { $0.address == aggregator }) else { throw CLIError("aggregator is not a bench key") }
        try await tx("postGlobal (next round)") { try await storage.postGlobal(round: 1, ref: ref, from: aggKey) }
        for k in trustedKeys { try await tx("postDistilled") { try await storage.postDistilled(round: 2, ref: ref, from: k) } }
        try await tx("selectAggregator (\(trusted) trusted)") { try await c.selectAggregator(jobId: job, round: 2, from: keys[0]) }
        let agg2 = try await c.aggregatorOf(jobId: job, round: 2)
        guard let agg2Key = keys.first(where: { $0.address == agg2 }) else { throw CLIError("aggregator is not a bench key") }
        try await tx("postGlobal (last round: finishes the job)") { try await storage.postGlobal(round: 2, ref: ref, from: agg2Key) }

        // Monitoring: heartbeats go stale, then nodes are reported down (each removal shifts the sorted lists).
        try await chain.mine(blocks: 6)
        try await c.heartbeat(jobId: job, from: keys[0])
        for k in keys.dropFirst().prefix(16) { try await tx("reportDown") { try await c.reportDown(jobId: job, node: k.address, from: keys[0]) } }

        // The data-size rule: a second job whose start picks the trusted nodes.
        for (label, t) in [("t=\(trusted)", trusted), ("t=\(nodes)", nodes)] {
            try await tx("createJob") {
                try await c.createJob(jobCid: "Qm", description: "", rounds: 1, maxNodes: UInt256(UInt64(nodes)), heartbeatTimeout: 5,
                                      roundTimeout: 10, aggregationTimeout: 2, trustedCount: UInt256(UInt64(t)), from: owner)
            }
            let id = try await c.jobCount()
            for k in keys { _ = try await c.join(jobId: id, publicKey: k.publicKey.uncompressed, dataSize: 1, apiUrl: "", from: k) }
            try await tx("startJob (largest data sizes, \(label), \(nodes) nodes)") { try await c.startJob(jobId: id, from: owner) }
        }
        let seconds = Date().timeIntervalSince(t0)
        report(s, seconds: seconds, on: rpc ?? "in-process EVM")
    }

    func report(_ s: Samples, seconds: Double, on: String) {
        if !json {
            print("Gas of the GFL contracts on \(on): \(nodes) nodes, \(trusted) trusted (\(String(format: "%.1f", seconds)) s).")
            print("")
            print("| operation | min | avg | max | n |")
            print("|---|---:|---:|---:|---:|")
        }
        for op in s.order {
            let v = s.values[op] ?? []
            guard let lo = v.min(), let hi = v.max() else { continue }
            let avg = v.reduce(0, +) / UInt64(v.count)
            if json {
                print("{\"operation\":\(jsonString(op)),\"min\":\(lo),\"avg\":\(avg),\"max\":\(hi),\"count\":\(v.count)}")
            } else {
                print("| \(op) | \(lo) | \(avg) | \(hi) | \(v.count) |")
            }
        }
    }

    /// Ten ETH to each key from dev account 0, signed with consecutive nonces; waits for the last receipt.
    func fund(_ rpc: RPCChain, from deployer: PrivateKey, _ keys: [PrivateKey]) async throws {
        let sender = TransactionSender(client: rpc.client, key: deployer)
        let fees = try await rpc.client.suggestedFees()
        var nonce = try await rpc.client.nonce(deployer.address)
        var last: Hash32?
        for k in keys {
            var options = SendOptions(gas: 21_000, nonce: nonce)
            options.maxFeePerGas = fees.maxFee
            options.maxPriorityFeePerGas = fees.priorityFee
            last = try await sender.send(to: k.address, value: UInt256(10_000_000_000_000_000_000 as UInt64), options: options)
            nonce += 1
        }
        if let last { _ = try await rpc.client.waitForReceipt(last) }
    }
}
