import Chain
import ContentStore
import ContentStoreServer
import Foundation
import GFLContracts
import Learning
import Logging
import Node
import Primitives
import RPC
import RPCClient
import Storage

/// A whole GFL deployment in one process, for `gfl demo` and `gfl job run`: a chain node (LevelDB in a data
/// directory, a block per transaction, JSON-RPC and the store API on a loopback port), the contracts, the model
/// provider, and one `RDFLNode` per data provider with its own key, store and data shard — the same code the
/// `gfl trainer` processes run, as tasks instead of processes, talking to the node over real JSON-RPC and to
/// each other's stores over HTTP.
public final class LocalCluster: @unchecked Sendable {
    /// Faults and options of a run.
    public struct Options: Sendable {
        public var job: JobConfig
        public var workDirectory: String
        public var genesisPath = "genesis/dev.json"
        public var datasetDirectory = FashionMNIST.defaultDirectory
        /// The job's data split, when the caller already loaded it (from `datasetDirectory`); nil: loaded here.
        public var data: FederatedData?
        /// Ring indices (0 = first clockwise from position 0) of the trusted nodes; nil: by data size.
        public var trustedRingIndices: [Int]?
        /// The Controller picks the trusted nodes by declared data size at start and refills places lost to
        /// failures (`trustedCount > 0` on chain); `trustedRingIndices`, if given, names the nodes that rule picks
        /// (for fault injection and the evaluator) and the run stops if the chain picked others. False with
        /// indices: the owner marks them, and the Controller never replaces them.
        public var trustedByDataSize = false
        /// Crash (stop, and stop the store of) the node with this ring index when this round starts.
        public var killTrusted: (round: Int, ringIndex: Int)?
        /// Crash the first aggregator the Controller selects in this round, before it posts the global model.
        public var killAggregatorAtRound: Int?
        /// Ring index of a slow node and its extra seconds per round.
        public var slowNode: (ringIndex: Int, seconds: Double)?
        /// Mine a block every this many seconds instead of one per transaction.
        public var blockTime: Double?
        public init(job: JobConfig, workDirectory: String) { self.job = job; self.workDirectory = workDirectory }
    }

    /// What a progress display shows.
    public struct Progress: Sendable {
        public var round: Int
        public var phases: [(name: String, phase: String, trusted: Bool)]
        public var finishedRounds: [RoundMetrics]
        public var events: [String]
    }

    public let options: Options
    public init(options: Options) { self.options = options }

    /// Runs the job to the end and writes the report into `workDirectory/report`.
    public func run(progress: (@Sendable (Progress) -> Void)? = nil) async throws -> RunReport {
        let t0 = now()
        var job = options.job
        try job.validate()
        let dir = options.workDirectory
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)

        // Keys: the model provider is dev account 0, data providers the next accounts of the test mnemonic; the
        // nodes are named A, B, … in ring order, as in the paper's figure.
        let keys = try HDWallet.accounts(mnemonic: HDWallet.testMnemonic, count: job.nodes + 1)
        let owner = keys[0]
        let nodeKeys = Array(keys[1...]).sorted { ControllerContract.ringPosition(of: $0.address) < ControllerContract.ringPosition(of: $1.address) }

        // The chain node.
        var genesis: Genesis
        do { genesis = try Genesis(contentsOf: URL(fileURLWithPath: options.genesisPath)) } catch {
            throw FederationError.config("genesis \(options.genesisPath): \(error) (run from the repository root or pass --genesis)")
        }
        let funding = UInt256.exp(UInt256(10), UInt256(21))
        let unfunded = keys.map(\.address).filter { genesis.alloc[$0] == nil }
        for a in unfunded { genesis.alloc[a] = GenesisAccount(balance: funding) }
        try FileManager.default.createDirectory(atPath: dir + "/chain", withIntermediateDirectories: true)
        try Self.writeGenesis(from: options.genesisPath, adding: unfunded, balance: funding, to: dir + "/chain/genesis.json",
                              expected: genesis)
        let kv = try LevelDBStore(path: dir + "/chain/chaindata", sync: false)
        var chainOptions = ChainOptions()
        chainOptions.instantMining = options.blockTime == nil
        let blockchain = try Blockchain(store: kv, genesis: genesis, options: chainOptions)
        if let interval = options.blockTime, !(interval > 0) { throw FederationError.config("block time must be positive") }
        let miner = options.blockTime.map { IntervalMiner(chain: blockchain, interval: $0) }
        defer { miner?.stop() }
        let router = StoreServer.router(store: try BlockStore(path: dir + "/chain/store"))
        RPCServer.addRoutes(to: router, handler: RPCHandler(chain: blockchain))
        var log = Logger(label: "gfl.demo.rpc")
        log.logLevel = .critical
        let bound = AsyncStream<Int>.makeStream()
        let app = RPCServer.application(router: router, host: "127.0.0.1", port: 0, logger: log) { p in
            bound.continuation.yield(p); bound.continuation.finish()
        }
        let server = ServerTask(app, label: "gfl.demo.rpc")
        defer { server.stop() }
        var it = bound.stream.makeAsyncIterator()
        guard let port = await it.next() else { throw FederationError.chain("the node did not start") }
        let rpcURL = "http://127.0.0.1:\(port)"
        let chain = RPCChain(url: URL(string: rpcURL)!)

        // Contracts, the job file in the node's store, the job.
        let deployment = try await GFLDeployment.deploy(on: chain, from: owner)
        try await Self.deployStrategyContracts(for: &job, on: chain, owner: owner, controller: deployment.controller.address)
        let jobBytes = [UInt8](job.encoded())
        let jobCid = try await StoreClient(url: rpcURL).add(bytes: jobBytes, name: "job.json").Hash
        let byDataSize = options.trustedByDataSize || options.trustedRingIndices == nil
        let created = try await deployment.createJob(job.jobSpec(cid: jobCid, trustedByDataSize: byDataSize), from: owner)
        try await Self.configureDistillation(job: job, jobId: created.jobId, on: chain, owner: owner)

        // Data: the same split every strategy uses for this seed.
        let shards = try options.data ?? FederatedData.load(job: job, directory: options.datasetDirectory)
        let compute = ComputePool(width: ComputePool.cores)
        let evaluator = Self.evaluator(job: job, options: options, sizes: shards.train.map(\.count))
        let collector = RecordCollector()
        let aggregatorCrash = OneShot()
        var nodes: [RDFLNode] = []
        for (i, key) in nodeKeys.enumerated() {
            let store = try NodeStore(path: dir + "/stores/\(Self.name(i))")
            try await store.serve()
            var data = shards.train[i]
            if job.adversary(ofNode: i) == .labelFlip { data = Adversary.flipLabels(data) }
            var setup = RDFLNode.Setup(key: key, index: i, name: Self.name(i), job: job, jobId: created.jobId,
                                       controller: deployment.controller.address, data: data, test: shards.nodeTest,
                                       globalTest: i == evaluator ? shards.test : nil,
                                       store: store, compute: compute, sink: { collector.append($0) })
            setup.reference = shards.reference
            if let slow = options.slowNode, slow.ringIndex == i { setup.delaySeconds = slow.seconds }
            if let k = options.killTrusted, k.ringIndex == i { setup.crashAtRound = k.round }
            if let r = options.killAggregatorAtRound { setup.crashWhenAggregating = (r, aggregatorCrash) }
            let node = try RDFLNode(setup: setup, chain: RPCChain(url: URL(string: rpcURL)!))
            try await node.join()
            nodes.append(node)
        }
        if let indices = options.trustedRingIndices, !byDataSize {
            for i in indices where i < nodes.count {
                _ = try await deployment.controller.setTrusted(jobId: created.jobId, node: nodes[i].address, trusted: true, from: owner)
            }
        }
        _ = try await deployment.controller.startJob(jobId: created.jobId, from: owner)
        if byDataSize, let expected = options.trustedRingIndices {
            let onChain = try await deployment.controller.ring(jobId: created.jobId).filter(\.trusted).map(\.node)
            let picked = nodes.indices.filter { onChain.contains(nodes[$0].address) }
            guard picked == expected.sorted() else {
                throw FederationError.protocolViolation("the Controller trusted nodes \(picked.map(Self.name)) by data size, "
                    + "not \(expected.sorted().map(Self.name)) as computed off chain")
            }
        }

        // Run every node; the observer reports progress and applies the faults.
        var tasks: [Address: Task<Void, Error>] = [:]
        for n in nodes { tasks[n.address] = Task { try await n.run() } }
        let allNodes = nodes, opts = options, observerStop = StopFlag()
        let observer = Task {
            try await Self.observe(nodes: allNodes, stop: observerStop, controller: deployment.controller, jobId: created.jobId,
                                   options: opts, collector: collector, progress: progress)
        }
        var failures: [String] = []
        for n in nodes {
            do { try await tasks[n.address]!.value } catch is NodeStopped {
            } catch {
                failures.append("\(n.name) stopped in round \(n.round): \(error)")
            }
        }
        observerStop.stop()
        let events = ((try? await observer.value) ?? []) + failures
        for n in nodes { n.setup.store.stop() }
        let view = try await JobView.load(deployment.controller, jobId: created.jobId)
        if view.job.jobStatus != .finished {
            throw FederationError.protocolViolation("job did not finish (status \(view.job.jobStatus.map { "\($0)" } ?? "?")): \(failures.joined(separator: "; "))")
        }
        let reportNodes = nodes.enumerated().map { i, n in
            let m = view.members.first { $0.address == n.address }?.node
            return ReportNode(name: n.name, address: n.address.checksummed,
                              position: ControllerContract.ringPosition(of: n.address).hexString,
                              trusted: m?.trusted ?? false, adversary: job.adversary(ofNode: i).rawValue,
                              samples: shards.train[i].count, alive: m?.alive ?? false, store: n.setup.store.url)
        }
        var report = RunReport.build(strategy: job.strategy, jobId: created.jobId.description, job: job, nodes: reportNodes,
                                     records: collector.all, seconds: now() - t0)
        report.controller = deployment.controller.address.checksummed
        report.events = events
        report.records = collector.all.sorted { ($0.round, $0.name) < ($1.round, $1.name) }
        try report.write(to: dir + "/report")
        // The nodes' raw round records too (teachers, transfers, timeouts, rejected models), one JSON line each.
        let records = try RecordFile(path: dir + "/report/records.jsonl")
        for r in collector.all.sorted(by: { ($0.round, $0.name) < ($1.round, $1.name) }) { records.append(r) }
        return report
    }

    /// Writes the genesis this run used — the given file plus the accounts it funded — next to the chain data, so
    /// that `gfl node --datadir DIR/chain --genesis DIR/chain/genesis.json` reopens the chain for the explorer.
    public static func writeGenesis(from path: String, adding accounts: [Address], balance: UInt256, to destination: String,
                             expected: Genesis) throws {
        guard let data = FileManager.default.contents(atPath: path),
              var root = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw FederationError.config("genesis \(path) is not a JSON object")
        }
        var alloc = root["alloc"] as? [String: Any] ?? [:]
        for a in accounts { alloc[a.checksummed] = ["balance": balance.hexString] }
        root["alloc"] = alloc
        let out = try JSONSerialization.data(withJSONObject: root, options: [.prettyPrinted, .sortedKeys])
        // The file must describe the very chain the node starts with, or reopening it would be refused.
        guard (try? Genesis(json: out)) == expected else {
            throw FederationError.config("internal: \(destination) would not reproduce the run's genesis")
        }
        try out.write(to: URL(fileURLWithPath: destination))
    }

    /// Node names in ring order: A…Z, then N26, N27, ….
    public static func name(_ i: Int) -> String {
        i < 26 ? String(UnicodeScalar(UInt8(65 + i))) : "N\(i)"
    }

    /// The node that scores the global model on the full test set: an honest untrusted node no fault touches —
    /// the one with the smallest shard (ties: the last in ring order), which the Controller's data-size refill
    /// would promote last, so it is never the trusted node whose crash a fault injects.
    static func evaluator(job: JobConfig, options: Options, sizes: [Int]) -> Int {
        let touched = Set([options.killTrusted?.ringIndex, options.slowNode?.ringIndex].compactMap { $0 })
        let trusted = Set(options.trustedRingIndices ?? [])
        return JobConfig.dataSizeOrder(sizes: sizes).last { job.adversary(ofNode: $0) == .none && !touched.contains($0) && !trusted.contains($0) }
            ?? (0..<job.nodes).first { job.adversary(ofNode: $0) == .none } ?? 0
    }

    static func observe(nodes: [RDFLNode], stop: StopFlag, controller: ControllerContract,
                        jobId: UInt256, options: Options, collector: RecordCollector,
                        progress: (@Sendable (Progress) -> Void)?) async throws -> [String] {
        var crashed: Set<Address> = []
        var events: [String] = []
        var completed = 0
        var follower = JobEventFollower(controller: controller,
                                        storage: StorageContract(address: try await controller.jobs(jobId).storage, chain: controller.binding.chain),
                                        jobId: jobId)
        let byAddress = Dictionary(uniqueKeysWithValues: nodes.map { ($0.address, $0) })
        while !stop.isStopped {
            for e in try await follower.poll() {
                switch e {
                case .controller(.nodeDown(let d)):
                    events.append("\(byAddress[d.node]?.name ?? "?") reported down by \(byAddress[d.reporter]?.name ?? "?")")
                case .controller(.aggregatorSelected(let s)):
                    let who = byAddress[s.aggregator]
                    events.append("round \(s.round): aggregator \(who?.name ?? "?")\(s.attempt > .zero ? " (reselected)" : "")")
                case .controller(.roundCompleted(let c)):
                    completed = c.round.asInt ?? completed
                case .controller(.trustedSet(let t)) where t.trusted:
                    // A refill comes in the transaction that ends a round, after its RoundCompleted.
                    events.append("\(byAddress[t.node]?.name ?? "?") trusted\(completed > 0 ? " from round \(completed + 1) (refill)" : "")")
                default: break
                }
            }
            let round = nodes.map(\.round).max() ?? 0
            for n in nodes where n.killed.isStopped && !crashed.contains(n.address) {
                crashed.insert(n.address)
                events.append("\(n.name) crashed (fault injection) in round \(n.round)")
            }
            if let progress {
                // A round counts as done once the evaluator scored its global model (or every live node reported):
                // earlier, the figure would be the mean of the node accuracies that happened to be in.
                let live = nodes.filter { !$0.killed.isStopped }.count
                let done = Set(Dictionary(grouping: collector.all, by: \.round).filter { _, rs in
                    rs.contains { $0.globalTestAccuracy != nil } || Set(rs.map(\.name)).count >= live
                }.keys)
                let named = nodes.map { ReportNode(name: $0.name, address: $0.address.checksummed, position: "", trusted: false,
                                                   adversary: "", samples: 0, alive: true, store: "") }
                let partial = RunReport.build(strategy: options.job.strategy, jobId: nil, job: options.job, nodes: named,
                                              records: collector.all.filter { done.contains($0.round) }, seconds: 0)
                progress(Progress(round: round, phases: nodes.map { ($0.name, $0.phase, $0.isTrustedNode) },
                                  finishedRounds: partial.rounds, events: events))
            }
            try await Task.sleep(nanoseconds: 250_000_000)
        }
        return events
    }
}

extension LocalCluster {
    /// Deploys the per-chain contract a strategy needs besides the Controller (DFL's Receipts, 1-bit FD's
    /// Distillation) unless the job already names one, and writes its address into the job.
    static func deployStrategyContracts(for job: inout JobConfig, on chain: any ChainAccess, owner: PrivateKey,
                                        controller: Address) async throws {
        switch Strategy(rawValue: job.strategy) {
        case .dfl where job.receiptsContract.isEmpty:
            job.receiptsContract = try await ReceiptsDeployment.deploy(on: chain, from: owner, controller: controller).address.checksummed
        case .fd1bit where job.distillationContract.isEmpty:
            job.distillationContract = try await DistillationDeployment.deploy(on: chain, from: owner, controller: controller).address.checksummed
        default: break
        }
    }

    /// The model provider's part of a 1-bit FD job after `createJob`: the reference-set size and reward pool on the
    /// Distillation contract.
    public static func configureDistillation(job: JobConfig, jobId: UInt256, on chain: any ChainAccess, owner: PrivateKey) async throws {
        guard job.strategy == Strategy.fd1bit.rawValue else { return }
        let d = DistillationContract(address: try Address(hex: job.distillationContract), chain: chain)
        _ = try await d.configure(jobId: jobId, samples: UInt256(job.referenceSamples), classes: UInt256(10),
                                  roundBudget: .zero, timeoutBlocks: UInt256(job.roundTimeoutBlocks), from: owner)
        let pool = try UInt256(decimal: job.rewardPoolWei)
        if pool != .zero { _ = try await d.fund(jobId: jobId, value: pool, from: owner) }
    }
}
