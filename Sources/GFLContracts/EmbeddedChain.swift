import EVM
import Execution
import Foundation
import Primitives
import RPCClient

/// `ChainAccess` on the project's EVM in this process: a dev chain that mines one block per transaction, with a
/// zero base fee (no funding needed) and `prevrandao` = keccak256(block number). It keeps only the latest state,
/// so calls at older blocks are refused. Gas figures equal the node's, which runs the same EVM under the same
/// (Cancun) rules; what it lacks is the node's JSON-RPC, signatures and persistence.
public final class EmbeddedChain: ChainAccess, @unchecked Sendable {
    // Everything below is guarded by `lock`: that is why the class can be @unchecked Sendable.
    private let lock = NSLock()
    private var state = JournaledState()
    private var number: UInt64 = 0
    private var allLogs: [ContractLog] = []
    public let gasLimit: UInt64
    public let chainId: UInt64

    public init(gasLimit: UInt64 = 30_000_000, chainId: UInt64 = 31337) {
        self.gasLimit = gasLimit
        self.chainId = chainId
    }

    private func env(_ number: UInt64) -> BlockEnv {
        BlockEnv(coinbase: .zero, number: number, timestamp: UInt256(number * 2), gasLimit: gasLimit, baseFee: .zero,
                 prevRandao: UInt256(word: Keccak256.hash(UInt256(number).bytes)), chainId: UInt256(chainId))
    }

    private func locked<T>(_ body: () throws(ContractError) -> T) throws(ContractError) -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    /// Runs a message on a copy of the state; returns the outcome (the copy is dropped).
    private func simulate(_ request: CallRequest) throws(ContractError) -> TransactionOutcome {
        try locked { () throws(ContractError) -> TransactionOutcome in
            let copy = JournaledState(accounts: state.accounts)
            let from = request.from ?? .zero
            let tx = Transaction(type: 2, sender: from, to: request.to, nonce: copy.nonce(from),
                                 gasLimit: request.gas ?? gasLimit, value: request.value, data: request.data)
            do throws(TransactionError) {
                return try TransactionExecutor.apply(tx, state: copy, block: env(number))
            } catch {
                throw .rejected(error.description)
            }
        }
    }

    private static func check(_ outcome: TransactionOutcome) throws(ContractError) {
        if outcome.result.isSuccess { return }
        if outcome.result.halt == .reverted {
            let reason = (try? ABI.decodeRevert(outcome.result.output)) ?? .unknown(outcome.result.output)
            throw .reverted(function: "", reason: reason)
        }
        throw .reverted(function: "", reason: .empty)
    }

    public func call(_ request: CallRequest, at block: BlockTag) async throws(ContractError) -> [UInt8] {
        switch block {
        case .latest, .pending: break
        case .number(let n) where n == number: break
        default: throw .rejected("the embedded chain keeps only the latest state (asked for block \(block))")
        }
        let outcome = try simulate(request)
        try Self.check(outcome)
        return outcome.result.output
    }

    public func estimateGas(_ request: CallRequest) async throws(ContractError) -> UInt64 {
        let outcome = try simulate(request)
        try Self.check(outcome)
        return outcome.gasUsed
    }

    public func transact(from key: PrivateKey, to: Address?, data: [UInt8], gas: UInt64?) async throws(ContractError) -> ContractReceipt {
        let sender = key.address
        return try locked { () throws(ContractError) -> ContractReceipt in
            // Like a node behind eth_estimateGas: a transaction that would revert is not mined.
            let saved = state.accounts
            let nonce = state.nonce(sender)
            let tx = Transaction(type: 2, sender: sender, to: to, nonce: nonce, gasLimit: gas ?? gasLimit, data: data)
            let outcome: TransactionOutcome
            do throws(TransactionError) {
                outcome = try TransactionExecutor.apply(tx, state: state, block: env(number + 1))
            } catch {
                state = JournaledState(accounts: saved)
                throw .rejected(error.description)
            }
            do throws(ContractError) { try Self.check(outcome) } catch {
                state = JournaledState(accounts: saved)
                throw error
            }
            number += 1
            let hash = Keccak256.hash(sender.bytes + UInt256(nonce).bytes + UInt256(number).bytes)
            var logs: [ContractLog] = []
            for (i, l) in outcome.logs.enumerated() {
                logs.append(ContractLog(address: l.address, topics: l.topics, data: l.data, blockNumber: number,
                                        transactionHash: hash, logIndex: UInt64(i)))
            }
            allLogs += logs
            return ContractReceipt(transactionHash: hash, blockNumber: number, gasUsed: outcome.gasUsed,
                                   contractAddress: to == nil ? outcome.result.createdAddress : nil, logs: logs)
        }
    }

    private func resolve(_ tag: BlockTag?, default d: UInt64) -> UInt64 {
        switch tag {
        case nil: return d
        case .earliest: return 0
        case .number(let n): return n
        default: return number
        }
    }

    public func logs(_ filter: LogFilter) async throws(ContractError) -> [ContractLog] {
        try locked { () throws(ContractError) -> [ContractLog] in
            let from = resolve(filter.fromBlock, default: number), to = resolve(filter.toBlock, default: number)
            return allLogs.filter { log in
                guard let b = log.blockNumber, b >= from, b <= to else { return false }
                if !filter.addresses.isEmpty && !filter.addresses.contains(log.address) { return false }
                for (i, alternatives) in filter.topics.enumerated() {
                    guard let alternatives else { continue }
                    guard i < log.topics.count, alternatives.contains(log.topics[i]) else { return false }
                }
                return true
            }
        }
    }

    public func blockNumber() async throws(ContractError) -> UInt64 { try locked { number } }

    public func mine(blocks: Int) async throws(ContractError) {
        try locked { number += UInt64(max(blocks, 0)) }
    }
}
