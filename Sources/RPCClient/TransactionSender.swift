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

    public init(legacy: Bool = false, gas: UInt64? = nil, nonce: UInt64? = nil) {
        self.legacy = legacy; self.gas = gas; self.nonce = nonce
    }
}

/// Builds, signs and sends transactions from one key through any Ethereum node, like a wallet does:
/// nonce from `eth_getTransactionCount(pending)`, EIP-1559 fees from `eth_feeHistory`, gas from `eth_estimateGas`.
public struct TransactionSender: Sendable {
    public let client: EthClient
    public let key: PrivateKey

    public init(client: EthClient, key: PrivateKey) { self.client = client; self.key = key }

    public var address: Address { key.address }

    /// Builds and signs a transaction without sending it.
    public func sign(to: Address?, value: UInt256 = .zero, data: [UInt8] = [],
                     options: SendOptions = SendOptions()) async throws(RPCError) -> SignedTransaction {
        let chainId = try await client.chainId()
        let nonce: UInt64
        if let n = options.nonce { nonce = n } else { nonce = try await client.nonce(address, at: .pending) }
        let gas: UInt64
        if let g = options.gas { gas = g } else {
            gas = try await client.estimateGas(CallRequest(from: address, to: to, data: data, value: value))
        }
        let tx: Transaction
        if options.legacy {
            let price: UInt256
            if let p = options.gasPrice { price = p } else { price = try await client.gasPrice() }
            tx = .legacy(chainId: chainId, nonce: nonce, gasPrice: price, gasLimit: gas, to: to, value: value, data: data)
        } else {
            var maxFee = options.maxFeePerGas, tip = options.maxPriorityFeePerGas
            if maxFee == nil || tip == nil {
                let suggested = try await client.suggestedFees()
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
