import Chain
import Primitives

/// Options for building a transaction; nil fields are filled from the node (nonce, fees, gas).
public struct SendOptions: Sendable {
    public var legacy = false
    public var gas: UInt64?
    public var nonce: UInt64?
    public var maxFeePerGas: UInt256?
    public var maxPriorityFeePerGas: UInt256?
    public var gasPrice: UInt256?
    /// When the gas limit comes from `eth_estimateGas`: the limit sent is this percentage of the estimate (100: the
    /// estimate itself, as `cast send` and web3.py do; 130: `forge script`'s headroom). Unused gas is refunded, and
    /// headroom keeps a transaction whose cost depends on state (a sorted insert, a first write to a slot) from
    /// running out of gas when other transactions land before it.
    public var gasEstimatePercent: UInt64 = 100

    public init(legacy: Bool = false, gas: UInt64? = nil, nonce: UInt64? = nil, gasEstimatePercent: UInt64 = 100) {
        self.legacy = legacy; self.gas = gas; self.nonce = nonce; self.gasEstimatePercent = gasEstimatePercent
    }
}

/// Builds, signs and sends transactions from one key through any Ethereum node, like a wallet does:
/// nonce from `eth_getTransactionCount(pending)`, EIP-1559 fees from `eth_feeHistory`, gas from `eth_estimateGas`.
public struct TransactionSender: Sendable {
    public let client: EthClient
    public let key: PrivateKey

    public init(client: EthClient, key: PrivateKey) { self.client = client; self.key = key }

    public var address: Address { key.address }

    /// Builds and signs a transaction without sending it. What the options leave open (chain id, nonce, gas,
    /// fees) is asked of the node in one JSON-RPC batch, so a transaction costs two round trips, not five.
    public func sign(to: Address?, value: UInt256 = .zero, data: [UInt8] = [],
                     options: SendOptions = SendOptions()) async throws(RPCError) -> SignedTransaction {
        var calls: [(method: String, params: [JSONValue])] = [("eth_chainId", [])]
        if options.nonce == nil {
            calls.append(("eth_getTransactionCount", [.string(address.checksummed), BlockTag.pending.json]))
        }
        let headroom = options.gas == nil && options.gasEstimatePercent > 100
        if options.gas == nil {
            calls.append(("eth_estimateGas", [CallRequest(from: address, to: to, data: data, value: value).json]))
        }
        // The block gas limit caps the headroom (a limit above it is refused by the node).
        if headroom { calls.append(("eth_getBlockByNumber", [BlockTag.latest.json, .bool(false)])) }
        let needsFees = options.legacy ? options.gasPrice == nil
                                       : options.maxFeePerGas == nil || options.maxPriorityFeePerGas == nil
        if needsFees { calls.append(options.legacy ? ("eth_gasPrice", []) : EthClient.feeHistoryCall) }
        // Answers are taken in the order asked; the first error (e.g. a revert in estimateGas) is thrown.
        var answers = try await client.rpc.batch(calls).makeIterator()
        func next() throws(RPCError) -> JSONValue {
            guard let a = answers.next() else { throw .malformedResponse("batch answer too short") }
            return try a.get()
        }
        let chainId = try Decode.u64(next())
        var nonce = options.nonce ?? 0, gas = options.gas ?? 0
        if options.nonce == nil { nonce = try Decode.u64(next()) }
        if options.gas == nil {
            let estimate = try Decode.u64(next())
            gas = estimate
            if headroom {
                let blockLimit = try next()["gasLimit"].flatMap { try? Decode.u64($0) } ?? .max
                let (scaled, overflow) = estimate.multipliedReportingOverflow(by: options.gasEstimatePercent)
                gas = max(estimate, min(overflow ? .max : scaled / 100, blockLimit))
            }
        }
        let tx: Transaction
        if options.legacy {
            var price = options.gasPrice ?? .zero
            if needsFees { price = try Decode.u256(next()) }
            tx = .legacy(chainId: chainId, nonce: nonce, gasPrice: price, gasLimit: gas, to: to, value: value, data: data)
        } else {
            var maxFee = options.maxFeePerGas, tip = options.maxPriorityFeePerGas
            if needsFees {
                let suggested = try Decode.suggestedFees(next())
                maxFee = maxFee ?? suggested.maxFee
                tip = tip ?? suggested.priorityFee
            }
            tx = .dynamicFee(chainId: chainId, nonce: nonce, maxPriorityFeePerGas: tip!, maxFeePerGas: maxFee!,
                             gasLimit: gas, to: to, value: value, data: data, accessList: [])
        }
        return tx.signed(with: key)
    }

    /// Signs and sends; returns the transaction hash without waiting.
    public func send(to: Address?, value: UInt256 = .zero, data: [UInt8] = [],
                     options: SendOptions = SendOptions()) async throws(RPCError) -> Hash32 {
        let signed = try await sign(to: to, value: value, data: data, options: options)
        return try await client.sendRawTransaction(signed.encoded)
    }

    /// Signs, sends and waits for the receipt.
    public func sendAndWait(to: Address?, value: UInt256 = .zero, data: [UInt8] = [],
                            options: SendOptions = SendOptions(), timeout: Double = 120) async throws(RPCError) -> RPCReceipt {
        let hash = try await send(to: to, value: value, data: data, options: options)
        return try await client.waitForReceipt(hash, timeout: timeout)
    }
}
