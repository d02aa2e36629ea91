import EVM
import Primitives

/// What an executed transaction did.
public struct TransactionOutcome: Sendable {
    public var result: ExecResult
    /// Gas charged to the sender after the refund.
    public var gasUsed: UInt64
    public var logs: [Log]
}

/// Applies one transaction to a `JournaledState` under Cancun rules, as the state tests define it.
public enum TransactionExecutor {
    /// EIP-4844 `fake_exponential(factor, numerator, denominator)`.
    public static func fakeExponential(_ factor: UInt256, _ numerator: UInt256, _ denominator: UInt256) -> UInt256 {
        var i = UInt256.one
        var output = UInt256.zero
        var acc = factor &* denominator
        while !acc.isZero {
            output = output &+ acc
            acc = (acc &* numerator) / (denominator &* i)
            i = i &+ .one
        }
        return output / denominator
    }

    /// The blob base fee for a block's excess blob gas.
    public static func blobBaseFee(excessBlobGas: UInt256) -> UInt256 {
        fakeExponential(.one, excessBlobGas, UInt256(UInt64(Gas.blobBaseFeeUpdateFraction)))
    }

    /// Checks the transaction against the state and block; throws the reason it is invalid.
    public static func validate(_ tx: Transaction, state: JournaledState, block: BlockEnv) throws(TransactionError) {
        let nonce = state.nonce(tx.sender)
        if tx.nonce < nonce { throw .nonceTooLow(expected: nonce, got: tx.nonce) }
        if tx.nonce > nonce { throw .nonceTooHigh(expected: nonce, got: tx.nonce) }
        if nonce == UInt64.max { throw .nonceIsMax }
        if !state.code(tx.sender).isEmpty { throw .senderNotEOA(tx.sender) }
        // Gas is counted in Int inside the interpreter, so limits past 2^63 are refused too.
        if tx.gasLimit > block.gasLimit || tx.gasLimit > UInt64(Int64.max) {
            throw .gasAllowanceExceeded(txLimit: tx.gasLimit, blockLimit: block.gasLimit)
        }
        var feeCap = tx.gasPrice
        if tx.type >= 2 {
            if tx.maxFeePerGas < tx.maxPriorityFeePerGas { throw .priorityGreaterThanMaxFee }
            feeCap = tx.maxFeePerGas
        }
        if feeCap < block.baseFee { throw .insufficientMaxFeePerGas(maxFee: feeCap, baseFee: block.baseFee) }
        if tx.type == 3 {
            if tx.to == nil { throw .blobCreate }
            let n = tx.blobVersionedHashes.count
            if n == 0 || n > Gas.maxBlobsPerBlock { throw .blobCount(n) }
            for h in tx.blobVersionedHashes where h.bytes[0] != 0x01 { throw .blobVersion }
            if tx.maxFeePerBlobGas < block.blobBaseFee {
                throw .insufficientMaxFeePerBlobGas(maxFee: tx.maxFeePerBlobGas, blobBaseFee: block.blobBaseFee)
            }
        }
        // Up-front cost at the fee caps: gas, value and blob gas must all be affordable.
        let (gasCost, o1) = feeCap.multipliedReportingOverflow(by: UInt256(tx.gasLimit))
        let (blobCost, o2) = tx.maxFeePerBlobGas.multipliedReportingOverflow(by: UInt256(tx.blobGas))
        let (s1, o3) = gasCost.addingReportingOverflow(tx.value)
        let (need, o4) = s1.addingReportingOverflow(blobCost)
        let have = state.balance(tx.sender)
        if o1 || o2 || o3 || o4 || have < need { throw .insufficientFunds(need: need, have: have) }
        let intrinsic = tx.intrinsicGas
        if intrinsic > tx.gasLimit { throw .intrinsicGasTooLow(need: intrinsic, limit: tx.gasLimit) }
        if tx.to == nil && tx.data.count > Gas.maxInitcodeSize { throw .initcodeSizeExceeded(tx.data.count) }
    }

    /// Validates and executes `tx`, leaving the post-transaction state in `state`.
    public static func apply(_ tx: Transaction, state: JournaledState, block: BlockEnv,
                             tracer: ((Int, UInt8, Int, [UInt256], Int) -> Void)? = nil)
        throws(TransactionError) -> TransactionOutcome {
        try validate(tx, state: state, block: block)
        state.beginTransaction()
        let price = tx.type >= 2
            ? min(tx.maxFeePerGas, block.baseFee &+ tx.maxPriorityFeePerGas) : tx.gasPrice
        let blobFee = block.blobBaseFee.multipliedReportingOverflow(by: UInt256(tx.blobGas)).0
        let gasCost = price.multipliedReportingOverflow(by: UInt256(tx.gasLimit)).0
        state.setBalance(tx.sender, state.balance(tx.sender) &- gasCost &- blobFee)
        state.setNonce(tx.sender, tx.nonce + 1)

        _ = state.warmAccount(tx.sender)
        _ = state.warmAccount(block.coinbase)
        for i in 1...10 { _ = state.warmAccount(Address(hi: 0, mid: 0, lo: UInt64(i))) }
        for e in tx.accessList {
            _ = state.warmAccount(e.address)
            for k in e.storageKeys { _ = state.warmSlot(e.address, k) }
        }
        let evm = EVM(host: state, block: block,
                      tx: TxEnv(origin: tx.sender, gasPrice: price, blobHashes: tx.blobVersionedHashes))
        evm.tracer = tracer
        let gas = Int(tx.gasLimit - tx.intrinsicGas)
        var result: ExecResult
        if let to = tx.to {
            _ = state.warmAccount(to)
            result = evm.execute(Message(kind: .call, caller: tx.sender, target: to, value: tx.value, input: tx.data,
                                         gas: gas))
        } else {
            let address = Address.create(sender: tx.sender, nonce: tx.nonce)
            result = evm.execute(Message(kind: .create, caller: tx.sender, target: address, value: tx.value,
                                         input: tx.data, gas: gas))
        }
        var gasLeft = UInt64(max(result.gasLeft, 0))
        let spent = tx.gasLimit - gasLeft
        let refund = UInt64(max(0, min(state.refund, Int(spent / UInt64(Gas.maxRefundQuotient)))))
        gasLeft += refund
        let used = tx.gasLimit - gasLeft
        state.setBalance(tx.sender, state.balance(tx.sender) &+ price.multipliedReportingOverflow(by: UInt256(gasLeft)).0)
        let tip = (price &- block.baseFee).multipliedReportingOverflow(by: UInt256(used)).0
        if tip.isZero {
            state.touch(block.coinbase)
        } else {
            state.setBalance(block.coinbase, state.balance(block.coinbase) &+ tip)
        }
        let logs = result.isSuccess ? state.logs : []
        state.finalizeTransaction()
        return TransactionOutcome(result: result, gasUsed: used, logs: logs)
    }
}
