/// Strict decoding of signed transactions from their binary (eth_sendRawTransaction) form and from block bodies,
/// and the transaction error type. Every field error names the field; type 3 (blob) transactions are decoded in
/// full and then rejected, since this chain carries no blobs.
import Primitives

/// Why a transaction was rejected: while decoding, by the static rules, or at signature recovery.
public enum TransactionError: Error, Equatable, CustomStringConvertible {
    /// No bytes at all.
    case empty
    /// The hex text of a raw transaction does not parse.
    case hex(HexError)
    /// A field is malformed (leading zeros, too wide, wrong length, a list where bytes belong…).
    case field(String, RLPError)
    /// The outer structure is malformed (not a list, trailing bytes, wrong field count…).
    case structure(RLPError)
    /// The list has the wrong number of fields for its type.
    case fieldCount(type: UInt8, expected: Int, got: Int)
    /// A first byte in 0x05...0x7f, or 0xff: not a transaction type this node knows.
    case unknownType(UInt8)
    /// EIP-4844 blob transactions are understood but this chain carries no blobs.
    case blobTransactionNotSupported(blobHashes: Int)
    /// EIP-7702 set-code transactions (type 4) are not supported (this chain runs Cancun).
    case setCodeTransactionNotSupported
    /// A legacy v that is neither 27/28 nor chainId × 2 + 35/36 with a 64-bit chain id.
    case invalidV(UInt256)
    /// A typed transaction's y parity other than 0 or 1.
    case invalidYParity(UInt64)
    /// A blob transaction must have a recipient.
    case blobTransactionWithoutRecipient
    /// Signed for another chain.
    case wrongChainId(expected: UInt64, got: UInt64)
    /// Nonce 2^64 − 1 is reserved (EIP-2681).
    case nonceMax
    /// maxPriorityFeePerGas above maxFeePerGas.
    case tipAboveFeeCap(tip: UInt256, feeCap: UInt256)
    /// gasLimit × fee cap does not fit in 256 bits.
    case gasCostOverflow(gasLimit: UInt64, feeCap: UInt256)
    /// Creation initcode longer than EIP-3860 allows.
    case initCodeTooLarge(size: Int, limit: Int)
    /// The gas limit does not cover the intrinsic gas.
    case intrinsicGasTooLow(gasLimit: UInt64, needed: UInt64)
    /// r or s out of range, high s, or no key recovers: the sender cannot be determined.
    case invalidSignature(Secp256k1Error)

    public var description: String {
        switch self {
        case .empty: return "transaction: empty input"
        case .hex(let e): return "transaction: \(e)"
        case .field(let f, let e): return "transaction field \(f): \(e)"
        case .structure(let e): return "transaction: \(e)"
        case .fieldCount(let t, let e, let g):
            return "transaction of type \(t) must have \(e) fields, got \(g)"
        case .unknownType(let t): return "transaction type \(t) is not supported (expected 0, 1 or 2)"
        case .blobTransactionNotSupported(let n):
            return "blob transactions (type 3, EIP-4844) are not supported: this chain carries no blobs (\(n) blob hashes)"
        case .setCodeTransactionNotSupported:
            return "set-code transactions (type 4, EIP-7702) are not supported: this chain runs Cancun rules"
        case .invalidV(let v): return "invalid legacy signature v \(v) (expected 27, 28, or chainId*2+35/36)"
        case .invalidYParity(let v): return "invalid signature y parity \(v) (expected 0 or 1)"
        case .blobTransactionWithoutRecipient: return "blob transaction without a recipient"
        case .wrongChainId(let e, let g): return "invalid chain id: have \(g), want \(e)"
        case .nonceMax: return "nonce has max value (2^64-1, reserved by EIP-2681)"
        case .tipAboveFeeCap(let t, let f):
            return "max priority fee per gas higher than max fee per gas: tip \(t), maxFeePerGas \(f)"
        case .gasCostOverflow(let g, let f): return "gas limit \(g) × fee cap \(f) overflows 256 bits"
        case .initCodeTooLarge(let s, let l): return "max initcode size exceeded: code size \(s), limit \(l)"
        case .intrinsicGasTooLow(let g, let n): return "intrinsic gas too low: have \(g), want \(n)"
        case .invalidSignature(let e): return "invalid sender: \(e)"
        }
    }
}

/// Reads fields from an RLP list, turning RLP errors into `TransactionError.field` with the field's name.
struct FieldReader {
    var d: RLPDecoder

    mutating func uint64(_ name: String) throws(TransactionError) -> UInt64 {
        do throws(RLPError) { return try d.readUInt64() } catch { throw .field(name, error) }
    }

    mutating func uint256(_ name: String) throws(TransactionError) -> UInt256 {
        do throws(RLPError) { return try d.readUInt256() } catch { throw .field(name, error) }
    }

    mutating func bytes(_ name: String) throws(TransactionError) -> [UInt8] {
        do throws(RLPError) { return try d.readBytes() } catch { throw .field(name, error) }
    }

    mutating func word(_ name: String) throws(TransactionError) -> Hash32 {
        do throws(RLPError) { return try d.readWord() } catch { throw .field(name, error) }
    }

    /// An address, or nil for the empty string (contract creation).
    mutating func recipient() throws(TransactionError) -> Address? {
        let start = d.position
        let r: Range<Int>
        do throws(RLPError) { r = try d.readBytesRange() } catch { throw .field("to", error) }
        if r.isEmpty { return nil }
        guard r.count == 20 else { throw .field("to", .wrongLength(offset: start, expected: 20, got: r.count)) }
        return d.bytes.withUnsafeBytes { Address(UnsafeRawBufferPointer(rebasing: $0[r])) }
    }

    mutating func enter(_ name: String) throws(TransactionError) -> RLPListMarker {
        do throws(RLPError) { return try d.enterList() } catch { throw .field(name, error) }
    }

    mutating func exit(_ marker: RLPListMarker, _ name: String) throws(TransactionError) {
        do throws(RLPError) { try d.exitList(marker) } catch { throw .field(name, error) }
    }

    mutating func accessList() throws(TransactionError) -> [AccessListEntry] {
        let outer = try enter("accessList")
        var list: [AccessListEntry] = []
        while d.hasMore {
            let entry = try enter("accessList entry")
            let start = d.position
            let r: Range<Int>
            do throws(RLPError) { r = try d.readBytesRange() } catch { throw .field("accessList address", error) }
            guard r.count == 20 else {
                throw .field("accessList address", .wrongLength(offset: start, expected: 20, got: r.count))
            }
            let address = d.bytes.withUnsafeBytes { Address(UnsafeRawBufferPointer(rebasing: $0[r])) }
            let keysMarker = try enter("accessList storageKeys")
            var keys: [Hash32] = []
            while d.hasMore { keys.append(try word("accessList storage key")) }
            try exit(keysMarker, "accessList storageKeys")
            try exit(entry, "accessList entry")
            list.append(AccessListEntry(address: address, storageKeys: keys))
        }
        try exit(outer, "accessList")
        return list
    }

    /// Counts the items of the list at the cursor without consuming it (for field-count errors).
    func countItems() -> Int {
        var copy = d
        guard (try? copy.enterList()) != nil else { return 0 }
        var n = 0
        while copy.hasMore, (try? copy.skipItem()) != nil { n += 1 }
        return n
    }
}

extension SignedTransaction {
    /// Decodes the canonical binary form: an RLP list (legacy) or type ‖ RLP list. The encoding must be canonical
    /// RLP with nothing after it; the hash is keccak256 of exactly these bytes.
    public init(decoding bytes: [UInt8]) throws(TransactionError) {
        guard let first = bytes.first else { throw .empty }
        if first >= 0xc0 {
            self = try SignedTransaction.decodeLegacy(bytes)
            return
        }
        switch first {
        case 1, 2: self = try SignedTransaction.decodeTyped(bytes, type: first)
        case 3: throw try SignedTransaction.rejectBlob(bytes)
        case 4: throw .setCodeTransactionNotSupported
        default: throw .unknownType(first)
        }
    }

    /// Decodes from hex (optional 0x).
    public init(hex: String) throws(TransactionError) {
        let raw: [UInt8]
        do { raw = try Hex.decode(hex) } catch { throw .hex(error) }
        try self.init(decoding: raw)
    }

    /// Decodes one item of a block body's transaction list: a list is a legacy transaction, a byte string holds a
    /// typed transaction's binary form.
    public init(blockItem item: [UInt8]) throws(TransactionError) {
        guard let first = item.first else { throw .empty }
        if first >= 0xc0 { try self.init(decoding: item); return }
        var d = RLPDecoder(item)
        let payload: [UInt8]
        do throws(RLPError) { payload = try d.readBytes(); try d.finish() } catch { throw .structure(error) }
        guard let t = payload.first else { throw .empty }
        // A byte string here must hold a typed transaction; a list inside a string is not a legacy one.
        guard t < 0x80 else { throw .unknownType(t) }
        try self.init(decoding: payload)
    }

    private static func decodeLegacy(_ bytes: [UInt8]) throws(TransactionError) -> SignedTransaction {
        var f = FieldReader(d: RLPDecoder(bytes))
        let count = f.countItems()
        let marker: RLPListMarker
        do throws(RLPError) { marker = try f.d.enterList() } catch { throw .structure(error) }
        guard count == 9 else { throw .fieldCount(type: 0, expected: 9, got: count) }
        let nonce = try f.uint64("nonce")
        let gasPrice = try f.uint256("gasPrice")
        let gasLimit = try f.uint64("gasLimit")
        let to = try f.recipient()
        let value = try f.uint256("value")
        let data = try f.bytes("data")
        let v = try f.uint256("v")
        let r = try f.uint256("r")
        let s = try f.uint256("s")
        do throws(RLPError) { try f.d.exitList(marker); try f.d.finish() } catch { throw .structure(error) }
        let chainId: UInt64?
        let parity: UInt8
        if v == UInt256(27) || v == UInt256(28) {
            chainId = nil
            parity = UInt8(v.l0 - 27)
        } else if v >= UInt256(35) {
            let w = v &- UInt256(35)
            // chainId = (v − 35) / 2 must fit in 64 bits: w < 2^65.
            guard w.l3 == 0, w.l2 == 0, w.l1 <= 1 else { throw .invalidV(v) }
            chainId = w.l0 >> 1 | w.l1 << 63
            parity = UInt8(w.l0 & 1)
        } else {
            throw .invalidV(v)
        }
        let tx = Transaction.legacy(chainId: chainId, nonce: nonce, gasPrice: gasPrice, gasLimit: gasLimit, to: to,
                                    value: value, data: data)
        return SignedTransaction(transaction: tx, yParity: parity, r: r, s: s, encoded: bytes)
    }

    private static func decodeTyped(_ bytes: [UInt8], type: UInt8) throws(TransactionError) -> SignedTransaction {
        var f = FieldReader(d: RLPDecoder(Array(bytes[1...])))
        let expected = type == 1 ? 11 : 12
        let count = f.countItems()
        let marker: RLPListMarker
        do throws(RLPError) { marker = try f.d.enterList() } catch { throw .structure(error) }
        guard count == expected else { throw .fieldCount(type: type, expected: expected, got: count) }
        let chainId = try f.uint64("chainId")
        let nonce = try f.uint64("nonce")
        var tx: Transaction
        if type == 1 {
            let gasPrice = try f.uint256("gasPrice")
            let gasLimit = try f.uint64("gasLimit")
            let to = try f.recipient()
            let value = try f.uint256("value")
            let data = try f.bytes("data")
            let list = try f.accessList()
            tx = .accessList(chainId: chainId, nonce: nonce, gasPrice: gasPrice, gasLimit: gasLimit, to: to,
                             value: value, data: data, accessList: list)
        } else {
            let tip = try f.uint256("maxPriorityFeePerGas")
            let cap = try f.uint256("maxFeePerGas")
            let gasLimit = try f.uint64("gasLimit")
            let to = try f.recipient()
            let value = try f.uint256("value")
            let data = try f.bytes("data")
            let list = try f.accessList()
            tx = .dynamicFee(chainId: chainId, nonce: nonce, maxPriorityFeePerGas: tip, maxFeePerGas: cap,
                             gasLimit: gasLimit, to: to, value: value, data: data, accessList: list)
        }
        let parity = try f.uint64("yParity")
        guard parity <= 1 else { throw .invalidYParity(parity) }
        let r = try f.uint256("r")
        let s = try f.uint256("s")
        do throws(RLPError) { try f.d.exitList(marker); try f.d.finish() } catch { throw .structure(error) }
        return SignedTransaction(transaction: tx, yParity: UInt8(parity), r: r, s: s, encoded: bytes)
    }

    /// Decodes a type-3 transaction (bare, or in the network wrapper [tx, blobs, commitments, proofs]) so that
    /// malformed input gets a precise error, then returns the rejection for a well-formed one.
    private static func rejectBlob(_ bytes: [UInt8]) throws(TransactionError) -> TransactionError {
        var f = FieldReader(d: RLPDecoder(Array(bytes[1...])))
        let outer: RLPListMarker
        do throws(RLPError) { outer = try f.d.enterList() } catch { throw .structure(error) }
        // The network form starts with the transaction's own list; the bare form with the chain id.
        var inner: RLPListMarker? = nil
        if let h = try? f.d.peekHeader(), h.isList { inner = try f.enter("blob transaction") }
        _ = try f.uint64("chainId")
        _ = try f.uint64("nonce")
        _ = try f.uint256("maxPriorityFeePerGas")
        _ = try f.uint256("maxFeePerGas")
        _ = try f.uint64("gasLimit")
        guard try f.recipient() != nil else { throw .blobTransactionWithoutRecipient }
        _ = try f.uint256("value")
        _ = try f.bytes("data")
        _ = try f.accessList()
        _ = try f.uint256("maxFeePerBlobGas")
        let hashes = try f.enter("blobVersionedHashes")
        var n = 0
        while f.d.hasMore { _ = try f.word("blob versioned hash"); n += 1 }
        try f.exit(hashes, "blobVersionedHashes")
        let parity = try f.uint64("yParity")
        guard parity <= 1 else { throw .invalidYParity(parity) }
        _ = try f.uint256("r")
        _ = try f.uint256("s")
        if let inner {
            try f.exit(inner, "blob transaction")
            // blobs, commitments, proofs
            for name in ["blobs", "commitments", "proofs"] {
                let m = try f.enter(name)
                while f.d.hasMore { _ = try f.bytes(name) }
                try f.exit(m, name)
            }
        }
        do throws(RLPError) { try f.d.exitList(outer); try f.d.finish() } catch { throw .structure(error) }
        return .blobTransactionNotSupported(blobHashes: n)
    }
}
