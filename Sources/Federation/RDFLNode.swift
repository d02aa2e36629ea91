import ContentStore
import Foundation
import GFLContracts
import Learning
import Primitives
import RPCClient

/// One data provider of an RDFL job (the paper's trainer): joins the job's ring, trains locally every round, hands
/// its encrypted model to the first trusted node clockwise (untrusted) or runs the trusted ring passes, distillation
/// and — when the Controller picks it — FedAvg (trusted). It talks to the chain only through `ChainAccess` (JSON-RPC
/// in practice) and follows the job through contract events; models move between the nodes' own content stores.
public final class RDFLNode: @unchecked Sendable {
    /// Everything a node needs besides the chain.
    public struct Setup: @unchecked Sendable {
        public var key: PrivateKey
        /// The node's shard index (which part of the split it trains on), and its name in reports.
        public var index: Int
        public var name: String
        public var job: JobConfig
        public var jobId: UInt256
        public var controller: Address
        public var data: Dataset
        /// The node's evaluation set; with `evaluateGlobal` the global model is also scored on `globalTest`.
        public var test: Dataset
        public var globalTest: Dataset?
        public var store: NodeStore
        public var compute: ComputePool
        public var sink: @Sendable (NodeRoundRecord) -> Void
        /// Seconds between event polls.
        public var pollInterval: Double = 0.2
        /// Extra seconds of delay per round (a slow node).
        public var delaySeconds: Double = 0
        /// The public reference set (1-bit FD): unlabeled images every node predicts on; no node trains on them.
        public var reference: Dataset?
        /// Fault injection: the node crashes (stops, its store goes away) when this round starts…
        public var crashAtRound: Int?
        /// …or when it is the aggregator of this round, before posting, if it claims the shared token first.
        public var crashWhenAggregating: (round: Int, token: OneShot)?

        public init(key: PrivateKey, index: Int, name: String, job: JobConfig, jobId: UInt256, controller: Address,
                    data: Dataset, test: Dataset, globalTest: Dataset?, store: NodeStore, compute: ComputePool,
                    sink: @escaping @Sendable (NodeRoundRecord) -> Void) {
            self.key = key; self.index = index; self.name = name; self.job = job; self.jobId = jobId
            self.controller = controller; self.data = data; self.test = test; self.globalTest = globalTest
            self.store = store; self.compute = compute; self.sink = sink
        }
    }

    let setup: Setup
    let chain: MeteredChain
    let controller: ControllerContract
    /// The Controller through the heartbeat's meter.
    let liveness: ControllerContract
    var storage: StorageContract!
    let me: Address
    let spec: ModelSpec
    let adversary: Adversary
    var ledger = JobLedger()
    var follower: JobEventFollower!
    var sealer: ModelSealer!
    var stores: [Address: String] = [:]
    var dataSizes: [Address: Int] = [:]
    /// Set to stop the node (its loops end at their next step); see `StopFlag` for why this is not cancellation.
    public let killed = StopFlag()
    let heartbeatStop = StopFlag()
    /// Global models this node aggregated, by round.
    var ownGlobal: [Int: [Float]] = [:]
    /// The job's strategy, and what the non-RDFL strategies keep between rounds.
    let strategy: Strategy
    var carried = StrategyState()
    private let statusLock = NSLock()
    private var _phase = "starting", _round = 0, _trusted = false
    private var lastActivity: [Address: Double] = [:]
    /// The phase the node is in, for progress displays (safe to read from other tasks).
    public var phase: String { statusLock.lock(); defer { statusLock.unlock() }; return _phase }
    /// The round the node is in (0 before the first).
    public var round: Int { statusLock.lock(); defer { statusLock.unlock() }; return _round }
    /// Whether the job made this node trusted.
    public var isTrustedNode: Bool { statusLock.lock(); defer { statusLock.unlock() }; return _trusted }

    public var address: Address { me }
    public var name: String { setup.name }

    public init(setup: Setup, chain: any ChainAccess) throws {
        self.setup = setup
        self.chain = MeteredChain(chain, stopped: killed)
        self.controller = ControllerContract(address: setup.controller, chain: self.chain)
        self.liveness = ControllerContract(address: setup.controller, chain: self.chain.sibling())
        self.me = setup.key.address
        self.spec = try setup.job.modelSpec()
        self.adversary = setup.job.adversary(ofNode: setup.index)
        guard let strategy = Strategy(rawValue: setup.job.strategy) else {
            throw FederationError.config("unknown strategy \(setup.job.strategy)")
        }
        self.strategy = strategy
    }

    func set(_ phase: String) { statusLock.lock(); _phase = phase; statusLock.unlock() }
    func setRound(_ r: Int, trusted: Bool) { statusLock.lock(); _round = r; _trusted = trusted; statusLock.unlock() }

    /// Joins the job (if not yet a member) and waits for it to start.
    public func join() async throws {
        set("joining")
        let job = try await controller.jobs(setup.jobId)
        guard job.storage != .zero else { throw FederationError.chain("job \(setup.jobId) does not exist") }
        storage = StorageContract(address: job.storage, chain: chain)
        follower = JobEventFollower(controller: controller, storage: storage, jobId: setup.jobId)
        let record = try await controller.nodes(setup.jobId, me)
        if record.joinedBlock == .zero {
            let pub = setup.key.publicKey
            _ = try await controller.join(jobId: setup.jobId, publicKey: pub.x.bytes + pub.y.bytes,
                                          dataSize: UInt256(setup.data.count), apiUrl: setup.store.url, from: setup.key)
        }
    }

    /// Runs the job to its end (or until `killed` is set: then it throws `NodeStopped`).
    public func run() async throws {
        if storage == nil { try await join() }
        set("waiting for start")
        try await waitUntil("the job to start") { $0.status == .running || $0.status == .finished }
        try await loadMembers()
        try await receiveJobKey()
        let heartbeat = Task { [weak self] in await self?.heartbeatLoop() }
        defer { heartbeatStop.stop(); _ = heartbeat }
        var global = try Model(spec: spec, seed: setup.job.seed).parameters
        for r in 1...setup.job.rounds {
            try checkAlive()
            setRound(r, trusted: isTrusted)
            if setup.crashAtRound == r { try crash() }
            global = try await runRound(r, global: global)
        }
        set("finished")
    }

    // MARK: events

    /// Injected crash: from now on the node sends nothing and its store is gone.
    func crash() throws -> Never {
        set("crashed")
        killed.stop()
        setup.store.stop()
        throw NodeStopped()
    }

    /// Throws `NodeStopped` once the node was killed.
    func checkAlive() throws { if killed.isStopped { throw NodeStopped() } }

    func refresh() async throws {
        try checkAlive()
        let events = try await follower.poll()
        for e in events { ledger.apply(e) }
        noteActivity(events)
    }

    /// A node that transacts is alive even when its heartbeat waits behind its other transactions: remember when
    /// each node was last seen acting, for the down reports.
    func noteActivity(_ events: [JobEvent]) {
        var seen: [Address] = []
        for e in events {
            switch e {
            case .storage(.submitted(let x)): seen.append(x.sender)
            case .storage(.forwarded(let x)): seen.append(x.sender)
            case .storage(.distilled(let x)): seen.append(x.sender)
            case .storage(.globalModel(let x)): seen.append(x.aggregator)
            case .storage(.keyPosted(let x)): seen.append(x.sender)
            case .controller(.nodeJoined(let x)): seen.append(x.node)
            default: break
            }
        }
        guard !seen.isEmpty else { return }
        let t = now()
        statusLock.lock()
        for a in seen { lastActivity[a] = t }
        statusLock.unlock()
    }

    func lastActive(_ a: Address) -> Double {
        statusLock.lock(); defer { statusLock.unlock() }
        return lastActivity[a] ?? 0
    }

    /// Polls the chain until `condition` holds or `timeout` seconds pass (then throws).
    func waitUntil(_ what: String, timeout: Double? = nil, _ condition: (JobLedger) -> Bool) async throws {
        let deadline = now() + (timeout ?? setup.job.phaseTimeoutSeconds * 4)
        while true {
            try await refresh()
            if condition(ledger) { return }
            if ledger.status == .aborted { throw FederationError.protocolViolation("the job was aborted") }
            if now() > deadline { throw FederationError.timeout("waiting for \(what)") }
            try await Task.sleep(nanoseconds: UInt64(setup.pollInterval * 1e9))
        }
    }

    func loadMembers() async throws {
        for a in try await controller.memberList(jobId: setup.jobId) {
            let n = try await controller.nodes(setup.jobId, a)
            stores[a] = n.apiUrl
            dataSizes[a] = n.dataSize.asInt ?? 0
            if n.trusted { ledger.trusted.insert(a) }
            if !n.alive { ledger.down.insert(a) }
        }
    }

    /// The live ring in clockwise order (ascending keccak256(address)).
    func liveRing() -> [Address] {
        stores.keys.filter { !ledger.down.contains($0) }
            .sorted { ControllerContract.ringPosition(of: $0) < ControllerContract.ringPosition(of: $1) }
    }

    func liveTrustedRing() -> [Address] { liveRing().filter { ledger.trusted.contains($0) } }

    var isTrusted: Bool { ledger.trusted.contains(me) }

    // MARK: key exchange

    /// The first trusted node in ring order deals the job key: a fresh AES-256 key, ECIES-encrypted to every other
    /// member's registered public key and posted in the job's Storage. Everyone else waits for theirs.
    func receiveJobKey() async throws {
        set("key exchange")
        guard let dealer = liveTrustedRing().first else { throw FederationError.protocolViolation("no trusted node") }
        if dealer == me {
            let key = try Envelope.generateKey()
            for a in liveRing() where a != me {
                let n = try await controller.nodes(setup.jobId, a)
                let sealed = try ECIES.seal(key, to: n.publicKey, aad: keyAAD(to: a))
                _ = try await storage.postKey(to: a, encryptedKey: sealed, from: setup.key)
            }
            sealer = ModelSealer(key: key, jobId: setup.jobId)
            return
        }
        try await waitUntil("the job key from \(dealer)") { l in l.keys.contains { $0.sender == dealer && $0.to == me } }
        guard let posted = ledger.keys.last(where: { $0.sender == dealer && $0.to == me }) else { return }
        let key: [UInt8]
        do { key = try ECIES.open(posted.encryptedKey, with: setup.key, aad: keyAAD(to: me)) } catch {
            throw FederationError.tampered("job key from \(dealer): \(error)")
        }
        sealer = ModelSealer(key: key, jobId: setup.jobId)
    }

    func keyAAD(to: Address) -> [UInt8] { Array("gfl-job-key".utf8) + setup.jobId.bytes + to.bytes }

    // MARK: liveness

    /// Heartbeats every `heartbeatSeconds`; reports the clockwise neighbour when its heartbeat is older than the
    /// job's timeout, so the ring and the trusted lookups route around it.
    func heartbeatLoop() async {
        let interval = UInt64(setup.job.heartbeatSeconds * 1e9)
        var silentSince: (node: Address, block: Int, since: Double) = (.zero, -1, now())
        while !heartbeatStop.isStopped && !killed.isStopped {
            do {
                _ = try await liveness.heartbeat(jobId: setup.jobId, from: setup.key)
                let next = try await liveness.successor(jobId: setup.jobId, node: me)
                if next != me && next != .zero {
                    let n = try await liveness.nodes(setup.jobId, next)
                    let head = try await liveness.binding.chain.blockNumber()
                    let last = n.lastHeartbeat.asInt ?? 0
                    // The contract counts blocks; blocks come in bursts when many nodes transact at once, so the
                    // report also waits until this node itself has seen no new heartbeat for a while.
                    if silentSince.node != next || silentSince.block != last { silentSince = (next, last, now()) }
                    let quietFor = now() - max(silentSince.since, lastActive(next))
                    if n.alive && Int(head) > last + setup.job.heartbeatTimeoutBlocks
                        && quietFor > max(10, 5 * setup.job.heartbeatSeconds) {
                        _ = try? await liveness.reportDown(jobId: setup.jobId, node: next, from: setup.key)
                    }
                }
            } catch {
                // A finished job or a node reported down ends the heartbeats; anything else is retried.
                if case .reverted = error { return }
            }
            try? await Task.sleep(nanoseconds: interval)
        }
    }
}
