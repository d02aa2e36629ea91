import Primitives
import RPCClient

/// An event of one job, from its Controller or its Storage contract.
public enum JobEvent: Sendable, Equatable {
    case controller(ControllerContract.Event)
    case storage(StorageContract.Event)

    public var log: ContractLog {
        switch self {
        case .controller(let e): return e.log
        case .storage(let e): return e.log
        }
    }
}

/// Follows one job through `eth_getLogs`, the way trainers do instead of polling storage: each `poll()` returns the
/// job's events (Controller events with the job's id, all events of its Storage) mined since the last poll, in
/// chain order.
public struct JobEventFollower: Sendable {
    public let controller: ControllerContract
    public let storage: StorageContract
    public let jobId: UInt256
    /// The first block the next poll reads.
    public private(set) var nextBlock: UInt64

    public init(controller: ControllerContract, storage: StorageContract, jobId: UInt256, fromBlock: UInt64 = 0) {
        self.controller = controller; self.storage = storage; self.jobId = jobId; self.nextBlock = fromBlock
    }

    /// Events in blocks `nextBlock…latest`; advances `nextBlock` past them.
    public mutating func poll() async throws(ContractError) -> [JobEvent] {
        let latest = try await controller.binding.chain.blockNumber()
        guard latest >= nextBlock else { return [] }
        let from = BlockTag.number(nextBlock), to = BlockTag.number(latest)
        // Every Controller event has the job id as its first indexed field.
        let jobTopic = try ABIRead.topic(.uint(256), .uint(jobId))
        var events: [JobEvent] = []
        for log in try await controller.binding.logs(topics: [nil, jobTopic], fromBlock: from, toBlock: to) {
            if let e = try ControllerContract.Event(log: log) { events.append(.controller(e)) }
        }
        for log in try await storage.binding.logs(topics: [], fromBlock: from, toBlock: to) {
            if let e = try StorageContract.Event(log: log) { events.append(.storage(e)) }
        }
        events.sort { a, b in
            let la = a.log, lb = b.log
            return (la.blockNumber ?? 0, la.logIndex ?? 0) < (lb.blockNumber ?? 0, lb.logIndex ?? 0)
        }
        nextBlock = latest + 1
        return events
    }
}

/// Everything public about one job, gathered from views and logs: what the explorer shows on a job page.
public struct JobView: Sendable {
    /// One round of the job.
    public struct Round: Sendable {
        public var round: UInt256
        /// Untrusted node → trusted node submissions.
        public var submissions: [StorageContract.Submitted] = []
        /// Trusted ring steps (phase 1 before distillation, phase 2 after).
        public var forwards: [StorageContract.Forwarded] = []
        public var distilled: [StorageContract.Distilled] = []
        /// Every selection, the reselections after a timeout included.
        public var selections: [ControllerContract.AggregatorSelected] = []
        /// The aggregator currently selected (the zero address when none yet).
        public var aggregator: Address = .zero
        /// The posted global model reference (empty while the round runs).
        public var globalModel: [UInt8] = []
        public var globalModelEvent: StorageContract.GlobalModel?
    }

    public var jobId: UInt256
    public var job: ControllerContract.Job
    public var storage: Address
    /// Live nodes in ring order.
    public var ring: [ControllerContract.RingEntry]
    /// Every node that ever joined, in join order, with its record (down nodes have `alive == false`).
    public var members: [(address: Address, node: ControllerContract.Node)]
    /// Rounds 1 through the current (or last) round.
    public var rounds: [Round]
    /// Controller events of the job: creation, joins, trusted flags, down reports, status changes.
    public var controllerEvents: [ControllerContract.Event]

    /// Reads a job: its record, ring and members through views, its rounds through `eth_getLogs` from `fromBlock`.
    public static func load(_ controller: ControllerContract, jobId: UInt256, fromBlock: UInt64 = 0) async throws(ContractError) -> JobView {
        let job = try await controller.jobs(jobId)
        guard job.storage != .zero else { throw .badValue(path: "jobs(\(jobId))", expected: "a job", got: "no such job") }
        let storage = StorageContract(address: job.storage, chain: controller.binding.chain)
        let ring = try await controller.ring(jobId: jobId)
        var members: [(address: Address, node: ControllerContract.Node)] = []
        for a in try await controller.memberList(jobId: jobId) { members.append((a, try await controller.nodes(jobId, a))) }

        var follower = JobEventFollower(controller: controller, storage: storage, jobId: jobId, fromBlock: fromBlock)
        let events = try await follower.poll()
        let lastRound = job.currentRound
        var rounds: [Round] = []
        var r = UInt256.one
        while r <= lastRound {
            rounds.append(Round(round: r))
            r = r &+ .one
        }
        func index(_ round: UInt256) -> Int? {
            guard let i = round.asInt, i >= 1, i <= rounds.count else { return nil }
            return i - 1
        }
        var controllerEvents: [ControllerContract.Event] = []
        for e in events {
            switch e {
            case .controller(let c):
                if case .aggregatorSelected(let s) = c, let i = index(s.round) {
                    rounds[i].selections.append(s)
                    rounds[i].aggregator = s.aggregator
                } else {
                    controllerEvents.append(c)
                }
            case .storage(.submitted(let s)): if let i = index(s.round) { rounds[i].submissions.append(s) }
            case .storage(.forwarded(let f)): if let i = index(f.round) { rounds[i].forwards.append(f) }
            case .storage(.distilled(let d)): if let i = index(d.round) { rounds[i].distilled.append(d) }
            case .storage(.globalModel(let g)):
                if let i = index(g.round) {
                    rounds[i].globalModel = g.ref
                    rounds[i].globalModelEvent = g
                }
            case .storage(.keyPosted): break
            }
        }
        return JobView(jobId: jobId, job: job, storage: job.storage, ring: ring, members: members, rounds: rounds,
                       controllerEvents: controllerEvents)
    }
}
