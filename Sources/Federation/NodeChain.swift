import Foundation
import GFLContracts
import Primitives
import RPCClient

/// A node's view of the chain: its transactions go one at a time (one nonce sequence per key) and the time and
/// bytes it spends on the chain are counted for the report.
public final class MeteredChain: ChainAccess, @unchecked Sendable {
    let inner: any ChainAccess
    let gate: AsyncLock
    private let lock = NSLock()
    private var _seconds = 0.0, _bytes = 0, _gas: UInt64 = 0, _transactions = 0

    /// Once set, the node sends nothing more (a killed node).
    let stopped: StopFlag

    public init(_ inner: any ChainAccess, stopped: StopFlag = StopFlag()) {
        self.inner = inner; self.stopped = stopped; self.gate = AsyncLock()
    }

    /// Another meter on the same chain and the same transaction queue (one nonce sequence per key): the
    /// heartbeats use it so that liveness traffic is not counted as the round's chain time.
    public func sibling() -> MeteredChain { MeteredChain(inner, stopped: stopped, gate: gate) }

    init(_ inner: any ChainAccess, stopped: StopFlag, gate: AsyncLock) {
        self.inner = inner; self.stopped = stopped; self.gate = gate
    }

    /// Seconds spent in transactions and views, calldata bytes sent, gas used and transactions mined so far.
    public var totals: (seconds: Double, bytes: Int, gas: UInt64, transactions: Int) {
        lock.lock(); defer { lock.unlock() }
        return (_seconds, _bytes, _gas, _transactions)
    }

    private func add(seconds: Double, bytes: Int = 0, gas: UInt64 = 0, transactions: Int = 0) {
        lock.lock(); _seconds += seconds; _bytes += bytes; _gas += gas; _transactions += transactions; lock.unlock()
    }

    public func call(_ request: CallRequest, at block: BlockTag) async throws(ContractError) -> [UInt8] {
        let t0 = now()
        defer { add(seconds: now() - t0) }
        return try await inner.call(request, at: block)
    }

    public func estimateGas(_ request: CallRequest) async throws(ContractError) -> UInt64 {
        try await inner.estimateGas(request)
    }

    public func transact(from key: PrivateKey, to: Address?, data: [UInt8], gas: UInt64?) async throws(ContractError) -> ContractReceipt {
        if stopped.isStopped { throw .rejected("the node was stopped") }
        await gate.acquire()
        defer { gate.release() }
        let t0 = now()
        do {
            let r = try await inner.transact(from: key, to: to, data: data, gas: gas)
            add(seconds: now() - t0, bytes: data.count, gas: r.gasUsed, transactions: 1)
            return r
        } catch {
            add(seconds: now() - t0)
            throw error
        }
    }

    public func logs(_ filter: LogFilter) async throws(ContractError) -> [ContractLog] { try await inner.logs(filter) }
    public func blockNumber() async throws(ContractError) -> UInt64 { try await inner.blockNumber() }
    public func mine(blocks: Int) async throws(ContractError) { try await inner.mine(blocks: blocks) }
}

/// What a node has learnt about its job from the chain's events, indexed for the round protocol.
struct JobLedger {
    var status: ControllerContract.JobStatus = .created
    var joined: [Address] = []
    var trusted: Set<Address> = []
    var down: Set<Address> = []
    var submissions: [Int: [Address: StorageContract.Submitted]] = [:]
    var forwards: [Int: [StorageContract.Forwarded]] = [:]
    var distilled: [Int: [Address: StorageContract.Distilled]] = [:]
    var selected: [Int: ControllerContract.AggregatorSelected] = [:]
    var global: [Int: StorageContract.GlobalModel] = [:]
    var keys: [StorageContract.KeyPosted] = []
    var completedRounds: Set<Int> = []

    mutating func apply(_ event: JobEvent) {
        switch event {
        case .controller(.jobStatusChanged(let e)):
            if let s = ControllerContract.JobStatus(rawValue: e.status) { status = s }
        case .controller(.nodeJoined(let e)): joined.append(e.node)
        case .controller(.trustedSet(let e)):
            if e.trusted { trusted.insert(e.node) } else { trusted.remove(e.node) }
        case .controller(.nodeDown(let e)): down.insert(e.node)
        case .controller(.aggregatorSelected(let e)): if let r = e.round.asInt { selected[r] = e }
        case .controller(.roundCompleted(let e)): if let r = e.round.asInt { completedRounds.insert(r) }
        case .controller(.jobCreated): break
        case .storage(.submitted(let e)): if let r = e.round.asInt { submissions[r, default: [:]][e.sender] = e }
        case .storage(.forwarded(let e)): if let r = e.round.asInt { forwards[r, default: []].append(e) }
        case .storage(.distilled(let e)): if let r = e.round.asInt { distilled[r, default: [:]][e.sender] = e }
        case .storage(.globalModel(let e)): if let r = e.round.asInt { global[r] = e }
        case .storage(.keyPosted(let e)): keys.append(e)
        }
    }
}
