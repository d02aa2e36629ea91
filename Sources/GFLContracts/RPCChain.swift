import Chain
import Foundation
import Primitives
import RPCClient

/// `ChainAccess` through any Ethereum JSON-RPC node. Transactions are built, signed and sent by
/// `TransactionSender` (nonce from the pending state, EIP-1559 fees from `eth_feeHistory`, gas from
/// `eth_estimateGas` plus headroom, so a transaction that would revert fails with its reason before anything is sent).
public struct RPCChain: ChainAccess {
    public let client: EthClient
    /// Seconds to wait for a receipt.
    public var receiptTimeout: Double
    /// How often a transaction sent without an explicit gas limit is sent again after running out of gas.
    public var outOfGasRetries = 2

    public init(client: EthClient, receiptTimeout: Double = 60) {
        self.client = client
        self.receiptTimeout = receiptTimeout
    }

    public init(url: URL, receiptTimeout: Double = 60) {
        self.init(client: EthClient(url: url), receiptTimeout: receiptTimeout)
    }

    public func call(_ request: CallRequest, at block: BlockTag) async throws(ContractError) -> [UInt8] {
        do { return try await client.call(request, at: block) } catch { throw .from(error) }
    }

    public func estimateGas(_ request: CallRequest) async throws(ContractError) -> UInt64 {
        do { return try await client.estimateGas(request) } catch { throw .from(error) }
    }

    /// Sends with 30 % headroom over `eth_estimateGas` when no gas limit is given. A transaction that still runs out
    /// of gas (others changed the state it depends on between the estimate and its block) is estimated and sent
    /// again, up to `outOfGasRetries` times; an out-of-gas transaction changes nothing but its sender's nonce.
    public func transact(from key: PrivateKey, to: Address?, data: [UInt8], gas: UInt64?) async throws(ContractError) -> ContractReceipt {
        let sender = TransactionSender(client: client, key: key)
        var attempt = 0
        while true {
            let signed: SignedTransaction
            let receipt: RPCReceipt
            do {
                signed = try await sender.sign(to: to, data: data, options: SendOptions(gas: gas, gasEstimatePercent: 130))
                let hash = try await client.sendRawTransaction(signed.encoded)
                receipt = try await client.waitForReceipt(hash, timeout: receiptTimeout)
            } catch {
                throw .from(error)
            }
            if receipt.status {
                return ContractReceipt(transactionHash: receipt.transactionHash, blockNumber: receipt.blockNumber,
                                       gasUsed: receipt.gasUsed, contractAddress: receipt.contractAddress,
                                       logs: receipt.logs.map(ContractLog.init))
            }
            let outOfGas = receipt.gasUsed >= signed.transaction.gasLimit
            if gas == nil && outOfGas && attempt < outOfGasRetries {
                attempt += 1
                continue
            }
            // Mined but failed: replay it as a call on the state before its block to recover the reason, as
            // wallets do.
            let before: BlockTag = receipt.blockNumber > 0 ? .number(receipt.blockNumber - 1) : .earliest
            do {
                _ = try await client.call(CallRequest(from: key.address, to: to, data: data, gas: signed.transaction.gasLimit), at: before)
            } catch {
                if case .reverted = ContractError.from(error) { throw ContractError.from(error) }
            }
            throw .transactionFailed(function: "", transaction: receipt.transactionHash)
        }
    }

    public func logs(_ filter: LogFilter) async throws(ContractError) -> [ContractLog] {
        do { return try await client.logs(filter).map(ContractLog.init) } catch { throw .from(error) }
    }

    public func blockNumber() async throws(ContractError) -> UInt64 {
        do { return try await client.blockNumber() } catch { throw .from(error) }
    }

    public func mine(blocks: Int) async throws(ContractError) {
        for _ in 0..<max(blocks, 0) {
            do { _ = try await client.rpc.call("evm_mine") } catch { throw .from(error) }
        }
    }
}
