/// Block headers with the post-merge (Cancun) field set, their RLP encoding and hash = keccak256(rlp(header)),
/// and the EIP-1559 base-fee rule.
import Primitives

/// An error from decoding or checking a header.
public enum BlockHeaderError: Error, Equatable, CustomStringConvertible {
    case field(String, RLPError)
    case structure(RLPError)
    /// 15 fields (pre-London) up to 20 (Cancun) are understood.
    case fieldCount(Int)
    case bloomLength(Int)
    /// Extra data is at most 32 bytes.
    case extraDataTooLong(Int)

    public var description: String {
        switch self {
        case .field(let f, let e): return "block header field \(f): \(e)"
        case .structure(let e): return "block header: \(e)"
        case .fieldCount(let n): return "block header has \(n) fields; 15 to 20 are understood"
        case .bloomLength(let n): return "block header logsBloom must be 256 bytes, got \(n)"
        case .extraDataTooLong(let n): return "block header extraData is \(n) bytes; at most 32 are allowed"
        }
    }
}

/// Well-known hashes.
public enum EmptyHashes {
    /// keccak256(rlp([])): the ommers hash of every post-merge block.
    public static let ommers = Keccak256.hash([0xc0])
    /// keccak256(rlp("")): the root of an empty trie (no transactions, receipts, withdrawals, storage).
    public static let trieRoot = Keccak256.hash([0x80])
    /// keccak256 of no bytes: the code hash of an account without code.
    public static let code = Keccak256.hash([UInt8]())
}

/// A block header. Fields from later forks are optional and encoded only when present; a post-merge header has
/// difficulty 0, nonce 0, the ommers hash of an empty list, and `mixHash` holding the beacon chain's prevrandao.
public struct BlockHeader: Hashable, Sendable {
    public var parentHash: Hash32
    public var ommersHash: Hash32
    /// The fee recipient (beneficiary).
    public var coinbase: Address
    public var stateRoot: Hash32
    public var transactionsRoot: Hash32
    public var receiptsRoot: Hash32
    public var logsBloom: Bloom
    public var difficulty: UInt256
    public var number: UInt64
    public var gasLimit: UInt64
    public var gasUsed: UInt64
    public var timestamp: UInt64
    /// At most 32 bytes.
    public var extraData: [UInt8]
    /// prevrandao after the merge.
    public var mixHash: Hash32
    /// The 8-byte nonce as an integer (0 after the merge).
    public var nonce: UInt64
    /// London (EIP-1559).
    public var baseFeePerGas: UInt256?
    /// Shanghai (EIP-4895).
    public var withdrawalsRoot: Hash32?
    /// Cancun (EIP-4844).
    public var blobGasUsed: UInt64?
    public var excessBlobGas: UInt64?
    /// Cancun (EIP-4788).
    public var parentBeaconBlockRoot: Hash32?

    /// A header with the full Cancun field set; ommers hash, difficulty and nonce take their post-merge values.
    public init(parentHash: Hash32, coinbase: Address, stateRoot: Hash32, transactionsRoot: Hash32,
                receiptsRoot: Hash32, logsBloom: Bloom, number: UInt64, gasLimit: UInt64, gasUsed: UInt64,
                timestamp: UInt64, extraData: [UInt8] = [], mixHash: Hash32 = .zero, baseFeePerGas: UInt256?,
                withdrawalsRoot: Hash32? = EmptyHashes.trieRoot, blobGasUsed: UInt64? = 0, excessBlobGas: UInt64? = 0,
                parentBeaconBlockRoot: Hash32? = .zero) {
        self.parentHash = parentHash; ommersHash = EmptyHashes.ommers; self.coinbase = coinbase
        self.stateRoot = stateRoot; self.transactionsRoot = transactionsRoot; self.receiptsRoot = receiptsRoot
        self.logsBloom = logsBloom; difficulty = .zero; self.number = number; self.gasLimit = gasLimit
        self.gasUsed = gasUsed; self.timestamp = timestamp; self.extraData = extraData; self.mixHash = mixHash
        nonce = 0; self.baseFeePerGas = baseFeePerGas; self.withdrawalsRoot = withdrawalsRoot
        self.blobGasUsed = blobGasUsed; self.excessBlobGas = excessBlobGas
        self.parentBeaconBlockRoot = parentBeaconBlockRoot
    }

    /// The RLP encoding. Optional fields are written in order up to the last one present; a missing field
    /// before a present one is written as its zero value (geth's rule), which valid headers never need.
    public var encoded: [UInt8] {
        var body: [UInt8] = []
        body.reserveCapacity(600 + extraData.count)
        RLP.appendWord(parentHash, to: &body)
        RLP.appendWord(ommersHash, to: &body)
        RLP.appendAddress(coinbase, to: &body)
        RLP.appendWord(stateRoot, to: &body)
        RLP.appendWord(transactionsRoot, to: &body)
        RLP.appendWord(receiptsRoot, to: &body)
        RLP.appendBytes(logsBloom.bytes, to: &body)
        RLP.appendUInt(difficulty, to: &body)
        RLP.appendUInt(number, to: &body)
        RLP.appendUInt(gasLimit, to: &body)
        RLP.appendUInt(gasUsed, to: &body)
        RLP.appendUInt(timestamp, to: &body)
        RLP.appendBytes(extraData, to: &body)
        RLP.appendWord(mixHash, to: &body)
        // The nonce is a fixed 8-byte string, not an integer.
        body.append(0x88)
        for i in stride(from: 56, through: 0, by: -8) { body.append(UInt8(truncatingIfNeeded: nonce >> UInt64(i))) }
        let last: Int = parentBeaconBlockRoot != nil ? 5 : excessBlobGas != nil ? 4 : blobGasUsed != nil ? 3
            : withdrawalsRoot != nil ? 2 : baseFeePerGas != nil ? 1 : 0
        if last >= 1 { RLP.appendUInt(baseFeePerGas ?? .zero, to: &body) }
        if last >= 2 { RLP.appendWord(withdrawalsRoot ?? .zero, to: &body) }
        if last >= 3 { RLP.appendUInt(blobGasUsed ?? 0, to: &body) }
        if last >= 4 { RLP.appendUInt(excessBlobGas ?? 0, to: &body) }
        if last >= 5 { RLP.appendWord(parentBeaconBlockRoot ?? .zero, to: &body) }
        var out: [UInt8] = []
        out.reserveCapacity(body.count + 3)
        RLP.appendListHeader(payloadLength: body.count, to: &out)
        out += body
        return out
    }

    /// keccak256(rlp(header)): the block hash.
    public var hash: Hash32 { Keccak256.hash(encoded) }

    /// Decodes a header from its RLP encoding (15 to 20 fields).
    public init(decoding bytes: [UInt8]) throws(BlockHeaderError) {
        var d = RLPDecoder(bytes)
        try self.init(reading: &d)
        do throws(RLPError) { try d.finish() } catch { throw .structure(error) }
    }

    /// Reads a header from the decoder's current position (for block decoding).
    init(reading d: inout RLPDecoder) throws(BlockHeaderError) {
        func field<T>(_ name: String, _ read: (inout RLPDecoder) throws(RLPError) -> T) throws(BlockHeaderError) -> T {
            do throws(RLPError) { return try read(&d) } catch { throw .field(name, error) }
        }
        func word(_ name: String) throws(BlockHeaderError) -> Hash32 { try field(name) { (d) throws(RLPError) in try d.readWord() } }
        func u64(_ name: String) throws(BlockHeaderError) -> UInt64 { try field(name) { (d) throws(RLPError) in try d.readUInt64() } }
        var probe = d
        var count = 0
        if (try? probe.enterList()) != nil { while probe.hasMore, (try? probe.skipItem()) != nil { count += 1 } }
        let marker: RLPListMarker
        do throws(RLPError) { marker = try d.enterList() } catch { throw .structure(error) }
        guard (15...20).contains(count) else { throw .fieldCount(count) }
        parentHash = try word("parentHash")
        ommersHash = try word("ommersHash")
        coinbase = try field("coinbase") { (d) throws(RLPError) in try d.readAddress() }
        stateRoot = try word("stateRoot")
        transactionsRoot = try word("transactionsRoot")
        receiptsRoot = try word("receiptsRoot")
        let bloomBytes = try field("logsBloom") { (d) throws(RLPError) in try d.readBytes() }
        guard let bloom = Bloom(bytes: bloomBytes) else { throw .bloomLength(bloomBytes.count) }
        logsBloom = bloom
        difficulty = try field("difficulty") { (d) throws(RLPError) in try d.readUInt256() }
        number = try u64("number")
        gasLimit = try u64("gasLimit")
        gasUsed = try u64("gasUsed")
        timestamp = try u64("timestamp")
        extraData = try field("extraData") { (d) throws(RLPError) in try d.readBytes() }
        guard extraData.count <= 32 else { throw .extraDataTooLong(extraData.count) }
        mixHash = try word("mixHash")
        let nonceBytes = try field("nonce") { (d) throws(RLPError) in try d.readBytes() }
        guard nonceBytes.count == 8 else { throw .field("nonce", .wrongLength(offset: 0, expected: 8, got: nonceBytes.count)) }
        nonce = nonceBytes.reduce(0) { $0 << 8 | UInt64($1) }
        baseFeePerGas = count > 15 ? try field("baseFeePerGas") { (d) throws(RLPError) in try d.readUInt256() } : nil
        withdrawalsRoot = count > 16 ? try word("withdrawalsRoot") : nil
        blobGasUsed = count > 17 ? try u64("blobGasUsed") : nil
        excessBlobGas = count > 18 ? try u64("excessBlobGas") : nil
        parentBeaconBlockRoot = count > 19 ? try word("parentBeaconBlockRoot") : nil
        do throws(RLPError) { try d.exitList(marker) } catch { throw .structure(error) }
    }

    // MARK: EIP-1559

    /// EIP-1559 elasticity: the gas target is gasLimit / 2.
    public static let elasticityMultiplier: UInt64 = 2
    /// The base fee moves by at most 1/8 per block.
    public static let baseFeeChangeDenominator: UInt64 = 8

    /// The base fee of the child of a block with this header (EIP-1559): unchanged at the gas target, up by
    /// max(1, base × (used − target) / target / 8) above it, down by base × (target − used) / target / 8 below it.
    /// Nil when this header has no base fee.
    public func nextBaseFee() -> UInt256? {
        guard let base = baseFeePerGas else { return nil }
        let target = gasLimit / BlockHeader.elasticityMultiplier
        if target == 0 || gasUsed == target { return base }
        if gasUsed > target {
            let delta = BlockHeader.scaledDelta(base, gasUsed - target, target)
            let step = delta.isZero ? UInt256.one : delta
            let (sum, overflow) = base.addingReportingOverflow(step)
            return overflow ? .max : sum
        }
        let delta = BlockHeader.scaledDelta(base, target - gasUsed, target)
        return delta > base ? .zero : base &- delta
    }

    /// base × diff / target / 8, with base × diff computed in 320 bits (diff ≤ 2^64) so nothing overflows.
    static func scaledDelta(_ base: UInt256, _ diff: UInt64, _ target: UInt64) -> UInt256 {
        // Schoolbook multiply into five limbs, then long-divide by target, then by 8.
        var limbs = [UInt64](repeating: 0, count: 5)
        var carry: UInt64 = 0
        for (i, l) in [base.l0, base.l1, base.l2, base.l3].enumerated() {
            let (hi, lo) = l.multipliedFullWidth(by: diff)
            let (s, o) = lo.addingReportingOverflow(carry)
            limbs[i] = s
            carry = hi &+ (o ? 1 : 0)
        }
        limbs[4] = carry
        // target ≤ 2^63 for any real gas limit; fall back to two divisions if the product would overflow.
        let (combined, mulOverflow) = target.multipliedReportingOverflow(by: BlockHeader.baseFeeChangeDenominator)
        func divide(_ by: UInt64) {
            var rem: UInt64 = 0
            for i in stride(from: 4, through: 0, by: -1) {
                let (q, r) = by.dividingFullWidth((rem, limbs[i]))
                limbs[i] = q; rem = r
            }
        }
        if mulOverflow { divide(target); divide(BlockHeader.baseFeeChangeDenominator) } else { divide(combined) }
        if limbs[4] != 0 { return .max }
        return UInt256(l0: limbs[0], l1: limbs[1], l2: limbs[2], l3: limbs[3])
    }
}
