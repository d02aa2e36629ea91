import Primitives
import RPCClient

/// Deploys `Contracts/Distillation.vy`, the per-chain contract of 1-bit compressed federated distillation with
/// Peer Truth Serum rewards, next to an existing Controller.
public enum DistillationDeployment {
    /// Deploys Distillation pointing at `controller`; one transaction from `key`.
    public static func deploy(on chain: any ChainAccess, from key: PrivateKey,
                              controller: Address) async throws(ContractError) -> DistillationContract {
        let code = try DistillationContract.artifact.bytecode()
            + DistillationContract.constructorArguments(controller_: controller)
        let address = try await GFLDeployment.create(code, "Distillation", on: chain, from: key)
        return DistillationContract(address: address, chain: chain)
    }

    /// Binds to a Distillation contract deployed earlier, checking that it belongs to `controller`.
    public static func attach(_ address: Address, controller: Address,
                              on chain: any ChainAccess) async throws(ContractError) -> DistillationContract {
        let contract = DistillationContract(address: address, chain: chain)
        let actual = try await contract.controller()
        guard actual == controller else {
            throw .badValue(path: "Distillation(\(address)).controller", expected: "\(controller)", got: "\(actual)")
        }
        return contract
    }
}

extension DistillationContract {
    /// Sends `value` wei to the job's reward pool (`fund(jobId)`, payable). `ChainAccess.transact` carries no value,
    /// so this needs a JSON-RPC chain (`RPCChain`); on other chains it throws `.rejected` and the pool stays empty
    /// (rounds are still scored, but pay nothing).
    @discardableResult
    public func fund(jobId: UInt256, value: UInt256, from key: PrivateKey,
                     receiptTimeout: Double = 60) async throws(ContractError) -> ContractReceipt {
        guard let rpc = binding.chain as? RPCChain else {
            throw .rejected("fund(jobId:value:) sends ETH, which needs an RPCChain; \(type(of: binding.chain)) cannot carry a value")
        }
        let data = try ABIRead.calldata(Functions.fund, [.uint(jobId)])
        let receipt: RPCReceipt
        do {
            receipt = try await TransactionSender(client: rpc.client, key: key)
                .sendAndWait(to: address, value: value, data: data, options: SendOptions(), timeout: receiptTimeout)
        } catch {
            throw ContractError.from(error).named("fund")
        }
        guard receipt.status else { throw .transactionFailed(function: "fund", transaction: receipt.transactionHash) }
        return ContractReceipt(transactionHash: receipt.transactionHash, blockNumber: receipt.blockNumber,
                               gasUsed: receipt.gasUsed, contractAddress: receipt.contractAddress,
                               logs: receipt.logs.map(ContractLog.init))
    }
}

extension DistillationContract {
    /// Finalizes a round completely: calls `finalize` until `rounds(jobId, round).finalized` (one call scores up to
    /// 96 submitters, so up to 3 calls for 255). Returns the receipts in order.
    ///
    /// Each call's gas limit is the estimate plus a margin: the peers are drawn from the `prevrandao` of the block
    /// that includes the call, not the one `eth_estimateGas` ran on, and a submitter whose score turns positive costs
    /// two more fresh storage writes (~50k gas), so a plain estimate can fall short.
    @discardableResult
    public func finalizeRound(jobId: UInt256, round: UInt256, from key: PrivateKey) async throws(ContractError) -> [ContractReceipt] {
        var receipts: [ContractReceipt] = []
        let submissions = try await rounds(jobId, round).submissions
        for _ in 0..<4 {
            receipts.append(try await finalize(jobId: jobId, round: round, from: key,
                                               gas: try await finalizeGas(jobId: jobId, round: round, sender: key.address,
                                                                          submissions: submissions)))
            if try await rounds(jobId, round).finalized { return receipts }
        }
        throw .badValue(path: "rounds(\(jobId), \(round)).finalized", expected: "true after 4 finalize calls",
                        got: "false (more than 255 submitters?)")
    }

    /// A gas limit for the next `finalize` call: the estimate, plus 25%, plus 60k per submitter, at most 29.9M
    /// (the dev chain's block gas limit is 30M).
    public func finalizeGas(jobId: UInt256, round: UInt256, sender: Address,
                            submissions: UInt256) async throws(ContractError) -> UInt64 {
        let estimate = try await binding.estimateGas(Functions.finalize, [.uint(jobId), .uint(round)], from: sender)
        let perSubmitter = UInt64(60_000) * min(submissions.l0, 255)
        return min(estimate + estimate / 4 + perSubmitter + 100_000, 29_900_000)
    }
}
