/// Ethereum transactions of types 0 (legacy, EIP-155), 1 (EIP-2930) and 2 (EIP-1559): the unsigned content, its
/// signing hash, intrinsic gas and static validity rules, and the signed form with its canonical encoding and hash.
/// Decoding is in TransactionDecoding.swift.
import Primitives

/// The transaction types this chain accepts. Type 3 (EIP-4844 blobs) is decoded and rejected; type 4 and others
/// are rejected outright (see `TransactionError`).
public enum TransactionType: UInt8, Hashable, Sendable, CustomStringConvertible {
    case legacy = 0
    case accessList = 1
    case dynamicFee = 2

    public var description: String {
        switch self {
        case .legacy: return "legacy (type 0)"
        case .accessList: return "EIP-2930 (type 1)"
        case .dynamicFee: return "EIP-1559 (type 2)"
        }
    }
}

/// One entry of an EIP-2930 access list.
public struct AccessListEntry: Hashable, Sendable {
    public var address: Address
    public var storageKeys: [Hash32]

    public init(address: Address, storageKeys: [Hash32] = []) {
        self.address = address; self.storageKeys = storageKeys
    }
}

/// Protocol constants the transaction rules use (Cancun).
public enum TransactionRules {
    public static let txGas: UInt64 = 21_000
    public static let txCreateGas: UInt64 = 53_000
    public static let dataZeroGas: UInt64 = 4
    public static let dataNonZeroGas: UInt64 = 16
    public static let accessListAddressGas: UInt64 = 2_400
    public static let accessListStorageKeyGas: UInt64 = 1_900
    /// EIP-3860: gas per 32-byte word of initcode.
    public static let initCodeWordGas: UInt64 = 2
    /// EIP-3860: 2 × the EIP-170 code size limit.
    public static let maxInitCodeSize = 49_152
}

/// The unsigned content of a transaction. For types 0 and 1 the price is `gasPrice`; for type 2 it is
/// `maxPriorityFeePerGas` and `maxFeePerGas` (`gasPrice` is unused and zero).
public struct Transaction: Hashable, Sendable {
    public var type: TransactionType
    /// Nil only for a legacy transaction signed without replay protection (v = 27/28).
    public var chainId: UInt64?
    public var nonce: UInt64
    public var gasPrice: UInt256
    public var maxPriorityFeePerGas: UInt256
    public var maxFeePerGas: UInt256
    public var gasLimit: UInt64
    /// Nil for contract creation.
    public var to: Address?
    public var value: UInt256
    public var data: [UInt8]
    /// Empty, and not encoded, for legacy transactions.
    public var accessList: [AccessListEntry]

    /// A legacy transaction; `chainId` nil signs without EIP-155 replay protection.
    public static func legacy(chainId: UInt64?, nonce: UInt64, gasPrice: UInt256, gasLimit: UInt64, to: Address?,
                              value: UInt256 = .zero, data: [UInt8] = []) -> Transaction {
        Transaction(type: .legacy, chainId: chainId, nonce: nonce, gasPrice: gasPrice, maxPriorityFeePerGas: .zero,
                    maxFeePerGas: .zero, gasLimit: gasLimit, to: to, value: value, data: data, accessList: [])
    }

    /// An EIP-2930 transaction.
    public static func accessList(chainId: UInt64, nonce: UInt64, gasPrice: UInt256, gasLimit: UInt64, to: Address?,
                                  value: UInt256 = .zero, data: [UInt8] = [],
                                  accessList: [AccessListEntry] = []) -> Transaction {
        Transaction(type: .accessList, chainId: chainId, nonce: nonce, gasPrice: gasPrice, maxPriorityFeePerGas: .zero,
                    maxFeePerGas: .zero, gasLimit: gasLimit, to: to, value: value, data: data, accessList: accessList)
    }

    /// An EIP-1559 transaction.
    public static func dynamicFee(chainId: UInt64, nonce: UInt64, maxPriorityFeePerGas: UInt256, maxFeePerGas: UInt256,
                                  gasLimit: UInt64, to: Address?, value: UInt256 = .zero, data: [UInt8] = [],
                                  accessList: [AccessListEntry] = []) -> Transaction {
        Transaction(type: .dynamicFee, chainId: chainId, nonce: nonce, gasPrice: .zero,
                    maxPriorityFeePerGas: maxPriorityFeePerGas, maxFeePerGas: maxFeePerGas, gasLimit: gasLimit, to: to,
                    value: value, data: data, accessList: accessList)
    }

    /// True when the transaction creates a contract.
    public var isCreate: Bool { to == nil }

    /// The most the sender pays per gas (gasPrice, or maxFeePerGas for type 2).
    public var feeCap: UInt256 { type == .dynamicFee ? maxFeePerGas : gasPrice }

    /// The most the block producer may get per gas (gasPrice, or maxPriorityFeePerGas for type 2).
    public var tipCap: UInt256 { type == .dynamicFee ? maxPriorityFeePerGas : gasPrice }

    /// The price per gas actually paid under `baseFee`: min(feeCap, baseFee + tipCap). Nil when feeCap < baseFee
    /// (the transaction cannot be included).
    public func effectiveGasPrice(baseFee: UInt256) -> UInt256? {
        let cap = feeCap
        if cap < baseFee { return nil }
        let (sum, overflow) = baseFee.addingReportingOverflow(tipCap)
        return overflow || cap < sum ? cap : sum
    }

    /// Intrinsic gas under Cancun rules: 21,000 (53,000 for a creation), 4 per zero and 16 per non-zero data byte,
    /// 2,400 per access-list address and 1,900 per storage key, and for creations 2 per 32-byte initcode word
    /// (EIP-3860). Saturates at UInt64.max, which no gas limit can cover.
    public var intrinsicGas: UInt64 {
        var gas = isCreate ? TransactionRules.txCreateGas : TransactionRules.txGas
        var zeros: UInt64 = 0
        for b in data where b == 0 { zeros += 1 }
        let nonZeros = UInt64(data.count) - zeros
        gas = saturatingAdd(gas, zeros * TransactionRules.dataZeroGas)
        gas = saturatingAdd(gas, saturatingMul(nonZeros, TransactionRules.dataNonZeroGas))
        if isCreate {
            gas = saturatingAdd(gas, UInt64((data.count + 31) / 32) * TransactionRules.initCodeWordGas)
        }
        for entry in accessList {
            gas = saturatingAdd(gas, TransactionRules.accessListAddressGas)
            gas = saturatingAdd(gas, saturatingMul(UInt64(entry.storageKeys.count), TransactionRules.accessListStorageKeyGas))
        }
        return gas
    }

    /// The rules that need no state: chain id, nonce below 2^64 − 1 (EIP-2681), tip ≤ fee cap, gasLimit × feeCap
    /// within 256 bits, initcode size (EIP-3860), and intrinsic gas ≤ gas limit. An unprotected legacy
    /// transaction (no chain id) is accepted, as geth does at the protocol level.
    public func validate(chainId expected: UInt64) throws(TransactionError) {
        if let c = chainId, c != expected { throw .wrongChainId(expected: expected, got: c) }
        if nonce == UInt64.max { throw .nonceMax }
        if type == .dynamicFee && maxPriorityFeePerGas > maxFeePerGas {
            throw .tipAboveFeeCap(tip: maxPriorityFeePerGas, feeCap: maxFeePerGas)
        }
        if feeCap.multipliedReportingOverflow(by: UInt256(gasLimit)).overflow {
            throw .gasCostOverflow(gasLimit: gasLimit, feeCap: feeCap)
        }
        if isCreate && data.count > TransactionRules.maxInitCodeSize {
            throw .initCodeTooLarge(size: data.count, limit: TransactionRules.maxInitCodeSize)
        }
        let intrinsic = intrinsicGas
        if gasLimit < intrinsic { throw .intrinsicGasTooLow(gasLimit: gasLimit, needed: intrinsic) }
    }

    // MARK: Encoding

    /// Appends the fields shared by the signing and signed forms (everything but the signature) to `out`.
    func appendFields(to out: inout [UInt8]) {
        switch type {
        case .legacy:
            RLP.appendUInt(nonce, to: &out)
            RLP.appendUInt(gasPrice, to: &out)
        case .accessList:
            RLP.appendUInt(chainId ?? 0, to: &out)
            RLP.appendUInt(nonce, to: &out)
            RLP.appendUInt(gasPrice, to: &out)
        case .dynamicFee:
            RLP.appendUInt(chainId ?? 0, to: &out)
            RLP.appendUInt(nonce, to: &out)
            RLP.appendUInt(maxPriorityFeePerGas, to: &out)
            RLP.appendUInt(maxFeePerGas, to: &out)
        }
        RLP.appendUInt(gasLimit, to: &out)
        if let to { RLP.appendAddress(to, to: &out) } else { out.append(0x80) }
        RLP.appendUInt(value, to: &out)
        RLP.appendBytes(data, to: &out)
        if type != .legacy { Transaction.appendAccessList(accessList, to: &out) }
    }

    /// Appends an access list: [[address, [key, …]], …], with lengths computed up front (no temporary arrays).
    static func appendAccessList(_ list: [AccessListEntry], to out: inout [UInt8]) {
        var payload = 0
        for e in list { payload += entryLength(e).total }
        RLP.appendListHeader(payloadLength: payload, to: &out)
        for e in list {
            let (entryPayload, keysPayload, _) = entryLength(e)
            RLP.appendListHeader(payloadLength: entryPayload, to: &out)
            RLP.appendAddress(e.address, to: &out)
            RLP.appendListHeader(payloadLength: keysPayload, to: &out)
            for k in e.storageKeys { RLP.appendWord(k, to: &out) }
        }
    }

    private static func entryLength(_ e: AccessListEntry) -> (payload: Int, keysPayload: Int, total: Int) {
        let keysPayload = 33 * e.storageKeys.count
        let payload = 21 + RLP.headerLength(payloadLength: keysPayload) + keysPayload
        return (payload, keysPayload, RLP.headerLength(payloadLength: payload) + payload)
    }

    /// The bytes that are hashed for signing: rlp([fields…]) for an unprotected legacy transaction,
    /// rlp([fields…, chainId, 0, 0]) with EIP-155, and type ‖ rlp([fields…]) for typed ones.
    public var signingPayload: [UInt8] {
        var body: [UInt8] = []
        body.reserveCapacity(64 + data.count + accessList.count * 60)
        appendFields(to: &body)
        if type == .legacy, let c = chainId {
            RLP.appendUInt(c, to: &body)
            body.append(0x80); body.append(0x80)
        }
        var out: [UInt8] = []
        out.reserveCapacity(body.count + 10)
        if type != .legacy { out.append(type.rawValue) }
        RLP.appendListHeader(payloadLength: body.count, to: &out)
        out.append(contentsOf: body)
        return out
    }

    /// keccak256 of `signingPayload`: the digest the sender signs.
    public var signingHash: Hash32 { Keccak256.hash(signingPayload) }

    /// Signs with `key` (RFC 6979, low s) and returns the signed transaction.
    public func signed(with key: PrivateKey) -> SignedTransaction {
        let sig = key.sign(digest: signingHash)
        return SignedTransaction(transaction: self, yParity: sig.recoveryId & 1, r: sig.r, s: sig.s)
    }
}

/// A transaction with its signature, canonical encoding and hash.
public struct SignedTransaction: Hashable, Sendable {
    public let transaction: Transaction
    /// 0 or 1: the parity of the signature point's y (recovery id).
    public let yParity: UInt8
    public let r: UInt256
    public let s: UInt256
    /// The canonical binary encoding: rlp([…, v, r, s]) for legacy, type ‖ rlp([…, yParity, r, s]) otherwise.
    /// This is what eth_sendRawTransaction carries and what the hash covers.
    public let encoded: [UInt8]
    /// keccak256(encoded).
    public let hash: Hash32

    /// Builds the encoding and hash from the parts.
    public init(transaction: Transaction, yParity: UInt8, r: UInt256, s: UInt256) {
        self.transaction = transaction
        self.yParity = yParity & 1
        self.r = r
        self.s = s
        var body: [UInt8] = []
        body.reserveCapacity(140 + transaction.data.count + transaction.accessList.count * 60)
        transaction.appendFields(to: &body)
        if transaction.type == .legacy {
            RLP.appendUInt(SignedTransaction.legacyV(chainId: transaction.chainId, yParity: yParity & 1), to: &body)
        } else {
            RLP.appendUInt(UInt64(yParity & 1), to: &body)
        }
        RLP.appendUInt(r, to: &body)
        RLP.appendUInt(s, to: &body)
        var out: [UInt8] = []
        out.reserveCapacity(body.count + 10)
        if transaction.type != .legacy { out.append(transaction.type.rawValue) }
        RLP.appendListHeader(payloadLength: body.count, to: &out)
        out.append(contentsOf: body)
        encoded = out
        hash = Keccak256.hash(out)
    }

    /// From decoded parts whose encoding is already known (the decoder checked it is canonical).
    init(transaction: Transaction, yParity: UInt8, r: UInt256, s: UInt256, encoded: [UInt8]) {
        self.transaction = transaction; self.yParity = yParity; self.r = r; self.s = s
        self.encoded = encoded
        hash = Keccak256.hash(encoded)
    }

    /// Legacy v: 27 + parity without chain id, chainId × 2 + 35 + parity with it (EIP-155). Wider than 64 bits
    /// only for chain ids near 2^63, so computed in 256 bits.
    static func legacyV(chainId: UInt64?, yParity: UInt8) -> UInt256 {
        guard let c = chainId else { return UInt256(UInt64(27 + yParity)) }
        let doubled = UInt256(l0: c << 1, l1: c >> 63, l2: 0, l3: 0)
        return doubled &+ UInt256(UInt64(35 + yParity))
    }

    /// The signature's v as it appears on the wire: legacy v, or the y parity for typed transactions.
    public var v: UInt256 {
        transaction.type == .legacy ? SignedTransaction.legacyV(chainId: transaction.chainId, yParity: yParity)
                                    : UInt256(UInt64(yParity))
    }

    public var type: TransactionType { transaction.type }

    /// Recovers the sender: r and s must be in 1..<n with s ≤ n/2 (EIP-2), and a public key must recover.
    public func recoverSender() throws(TransactionError) -> Address {
        let sig: Signature
        do { sig = try Signature(r: r, s: s, recoveryId: Int(yParity)) } catch { throw .invalidSignature(error) }
        do {
            return try PublicKey.recover(digest: transaction.signingHash, signature: sig, requireLowS: true).address
        } catch { throw .invalidSignature(error) }
    }

    /// Static validation (see `Transaction.validate(chainId:)`) and sender recovery; returns the sender.
    public func validate(chainId: UInt64) throws(TransactionError) -> Address {
        try transaction.validate(chainId: chainId)
        return try recoverSender()
    }

    /// Appends this transaction as an item of a block body's transaction list: a legacy transaction is its RLP
    /// list, a typed one is an RLP byte string holding its binary encoding.
    public func appendBlockItem(to out: inout [UInt8]) {
        if transaction.type == .legacy { out.append(contentsOf: encoded) } else { RLP.appendBytes(encoded, to: &out) }
    }

    /// Length of `appendBlockItem`'s output.
    public var blockItemLength: Int {
        transaction.type == .legacy ? encoded.count : RLP.encodedLength(bytes: encoded.count, first: encoded.first)
    }
}

// MARK: - Arithmetic helpers

@inline(__always)
func saturatingAdd(_ a: UInt64, _ b: UInt64) -> UInt64 {
    let (s, o) = a.addingReportingOverflow(b)
    return o ? .max : s
}

@inline(__always)
func saturatingMul(_ a: UInt64, _ b: UInt64) -> UInt64 {
    let (p, o) = a.multipliedReportingOverflow(by: b)
    return o ? .max : p
}

