/// Transaction replay for debug_traceTransaction: the parent block's state, the block's earlier transactions, then
/// the traced one with the interpreter's per-instruction hook.
import Chain
import EVM
import Execution
import Primitives

/// One executed instruction, as the interpreter reports it before running it.
public struct TraceStep: Sendable {
    public var pc: Int
    public var op: UInt8
    public var gas: Int
    public var depth: Int
    public var stack: [UInt256]
}

/// The replayed transaction's steps and result.
public struct TransactionTrace: Sendable {
    public var steps: [TraceStep]
    public var gasUsed: UInt64
    public var output: [UInt8]
    public var failed: Bool
    public var info: TransactionInfo
}

extension Blockchain {
    /// Re-executes a mined transaction on its parent's state (kept for recent blocks only) and records every step.
    public func trace(_ hash: Hash32, maxSteps: Int = 500_000) throws(NodeError) -> TransactionTrace? {
        try locked { () throws(NodeError) -> TransactionTrace? in
            guard let info = try transaction(hash) else { return nil }
            let parentNumber = info.blockNumber - 1
            let parent: StateVersion
            if parentNumber == headHeader.number { parent = version } else {
                guard let v = history[parentNumber] else { throw .stateUnavailable(parentNumber) }
                parent = v
            }
            let infos: [TransactionInfo]
            let header: BlockHeader
            do throws(ChainDatabaseError) {
                guard let all = try blockTransactions(info.blockHash), let h = try db.header(info.blockHash) else { return nil }
                infos = all; header = h
            } catch { throw .database(error) }
            let st = JournaledState(accounts: parent.accounts)
            st.blockHashProvider = { [canonical] n in canonical.hash(n) }
            let env = BlockEnv(coinbase: header.coinbase, number: header.number, timestamp: UInt256(header.timestamp),
                               gasLimit: header.gasLimit, baseFee: header.baseFeePerGas ?? .zero,
                               prevRandao: UInt256(word: header.mixHash), chainId: UInt256(chainId), blobBaseFee: .one)
            for earlier in infos[..<info.index] {
                _ = try? TransactionExecutor.apply(Execution.Transaction(earlier.tx, sender: earlier.sender), state: st, block: env)
            }
            final class Sink { var steps: [TraceStep] = []; var limit = 0 }
            let sink = Sink()
            sink.limit = maxSteps
            let out: TransactionOutcome
            do throws(Execution.TransactionError) {
                out = try TransactionExecutor.apply(Execution.Transaction(info.tx, sender: info.sender), state: st, block: env) {
                    pc, op, gas, stack, depth in
                    if sink.steps.count < sink.limit { sink.steps.append(TraceStep(pc: pc, op: op, gas: gas, depth: depth, stack: stack)) }
                }
            } catch { throw .execution(error) }
            return TransactionTrace(steps: sink.steps, gasUsed: out.gasUsed, output: out.result.output,
                                    failed: !out.result.isSuccess, info: info)
        }
    }
}
