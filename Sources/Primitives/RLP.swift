/// Recursive Length Prefix (RLP) encoding, Ethereum Yellow Paper appendix B: the item type, the encoder, and
/// append-into-buffer helpers for hot paths. The strict decoder is in RLPDecoder.swift.

/// An RLP item: a byte string or a list of items.
public enum RLPItem: Hashable, Sendable {
    case bytes([UInt8])
    case list([RLPItem])
}

/// An error from decoding RLP. `offset` is the byte offset, in the decoded input, of the item header (or byte)
/// at fault; for the conversions on an `RLPItem` it is 0, the start of that item's payload.
public enum RLPError: Error, Equatable, CustomStringConvertible {
    /// The input (or a list's payload) ended where an item was expected.
    case empty(offset: Int)
    /// An item claims more bytes than the input (or its enclosing list) has left.
    case truncated(offset: Int, needed: Int, available: Int)
    /// A single byte below 0x80 encoded as 0x81 xx; it must be the byte itself.
    case nonCanonicalSingleByte(offset: Int)
    /// The long form (0xb8.. / 0xf8..) used for a payload shorter than 56 bytes.
    case nonCanonicalLongLength(offset: Int, length: Int)
    /// A long-form length with a leading zero byte.
    case leadingZeroInLength(offset: Int)
    /// A long-form length that does not fit in a machine integer.
    case lengthOverflow(offset: Int)
    /// Bytes left over after the top-level item.
    case trailingBytes(offset: Int, count: Int)
    /// A byte string was expected but a list was found, or the reverse.
    case expectedBytes(offset: Int)
    case expectedList(offset: Int)
    /// An integer with leading zero bytes (zero must be the empty string, 0x80).
    case integerLeadingZero(offset: Int)
    /// An integer wider than the target type.
    case integerTooLarge(offset: Int, bytes: Int, maxBytes: Int)
    /// A fixed-size value (address, hash) of the wrong length.
    case wrongLength(offset: Int, expected: Int, got: Int)
    /// A list had items left after the expected fields were read.
    case listNotFullyConsumed(offset: Int, remaining: Int)
    /// Lists nested deeper than the decoder allows (a guard against stack exhaustion).
    case tooDeep(offset: Int, limit: Int)

    public var description: String {
        switch self {
        case .empty(let o): return "RLP: input ends where an item is expected (offset \(o))"
        case .truncated(let o, let n, let a):
            return "RLP: item at offset \(o) needs \(n) bytes but only \(a) remain"
        case .nonCanonicalSingleByte(let o):
            return "RLP: non-canonical single byte at offset \(o) (a byte below 0x80 must encode as itself)"
        case .nonCanonicalLongLength(let o, let n):
            return "RLP: non-canonical long-form length \(n) at offset \(o) (below 56 must use the short form)"
        case .leadingZeroInLength(let o): return "RLP: length with a leading zero byte at offset \(o)"
        case .lengthOverflow(let o): return "RLP: length at offset \(o) overflows"
        case .trailingBytes(let o, let n): return "RLP: \(n) trailing bytes after the item, at offset \(o)"
        case .expectedBytes(let o): return "RLP: expected a byte string at offset \(o), found a list"
        case .expectedList(let o): return "RLP: expected a list at offset \(o), found a byte string"
        case .integerLeadingZero(let o): return "RLP: integer with leading zero bytes at offset \(o)"
        case .integerTooLarge(let o, let n, let m):
            return "RLP: integer at offset \(o) has \(n) bytes, more than the \(m) allowed"
        case .wrongLength(let o, let e, let g): return "RLP: expected \(e) bytes at offset \(o), got \(g)"
        case .listNotFullyConsumed(let o, let r):
            return "RLP: list at offset \(o) has \(r) unexpected bytes after its last expected item"
        case .tooDeep(let o, let l): return "RLP: lists nested more than \(l) deep at offset \(o)"
        }
    }
}

extension RLPItem {
    /// The RLP integer form of `value`: big-endian, no leading zeros (0 is the empty string).
    public static func uint(_ value: UInt64) -> RLPItem {
        var out: [UInt8] = []
        RLP.appendIntegerPayload(value, to: &out)
        return .bytes(out)
    }

    /// The RLP integer form of `value`.
    public static func uint(_ value: UInt256) -> RLPItem { .bytes(value.trimmedBytes) }

    /// An address as its 20 bytes.
    public static func address(_ a: Address) -> RLPItem { .bytes(a.bytes) }

    /// A 32-byte hash or word as its 32 bytes.
    public static func word(_ w: Bytes32) -> RLPItem { .bytes(w.bytes) }

    /// A string's UTF-8 bytes.
    public static func string(_ s: String) -> RLPItem { .bytes(Array(s.utf8)) }

    /// The encoding of this item.
    public var encoded: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(encodedLength)
        encode(into: &out)
        return out
    }

    /// Appends the encoding of this item to `out`.
    public func encode(into out: inout [UInt8]) {
        switch self {
        case .bytes(let b): RLP.appendBytes(b, to: &out)
        case .list(let items):
            RLP.appendListHeader(payloadLength: payloadLength, to: &out)
            for item in items { item.encode(into: &out) }
        }
    }

    /// Length of the encoding in bytes.
    public var encodedLength: Int {
        switch self {
        case .bytes(let b):
            if b.count == 1 && b[0] < 0x80 { return 1 }
            return RLP.headerLength(payloadLength: b.count) + b.count
        case .list:
            let p = payloadLength
            return RLP.headerLength(payloadLength: p) + p
        }
    }

    /// For a list, the summed encodings of its items; for a byte string, its length.
    var payloadLength: Int {
        switch self {
        case .bytes(let b): return b.count
        case .list(let items):
            var n = 0
            for item in items { n += item.encodedLength }
            return n
        }
    }

    /// The bytes of a byte-string item.
    public func asBytes() throws(RLPError) -> [UInt8] {
        guard case .bytes(let b) = self else { throw .expectedBytes(offset: 0) }
        return b
    }

    /// The items of a list item.
    public func asList() throws(RLPError) -> [RLPItem] {
        guard case .list(let l) = self else { throw .expectedList(offset: 0) }
        return l
    }

    /// A canonical RLP integer (no leading zeros) of at most 8 bytes.
    public func asUInt64() throws(RLPError) -> UInt64 {
        let b = try asBytes()
        return try withBytes(b) { (raw) throws(RLPError) in try RLP.decodeUInt64(raw, offset: 0) }
    }

    /// A canonical RLP integer of at most 32 bytes.
    public func asUInt256() throws(RLPError) -> UInt256 {
        let b = try asBytes()
        return try withBytes(b) { (raw) throws(RLPError) in try RLP.decodeUInt256(raw, offset: 0) }
    }

    /// Exactly 20 bytes.
    public func asAddress() throws(RLPError) -> Address {
        let b = try asBytes()
        guard b.count == 20 else { throw .wrongLength(offset: 0, expected: 20, got: b.count) }
        return Address(b)
    }

    /// Exactly 32 bytes.
    public func asWord() throws(RLPError) -> Bytes32 {
        let b = try asBytes()
        guard b.count == 32 else { throw .wrongLength(offset: 0, expected: 32, got: b.count) }
        return Bytes32(b)
    }
}

/// RLP encoding helpers. The `append…` functions write straight into an existing buffer, so hot paths
/// (transaction signing hashes, trie nodes, receipts) can build an encoding with no intermediate arrays.
public enum RLP {
    /// Encodes an item.
    public static func encode(_ item: RLPItem) -> [UInt8] { item.encoded }

    /// Header length for a string or list payload of `payloadLength` bytes (1, or 1 + bytes of the length).
    @inline(__always)
    public static func headerLength(payloadLength: Int) -> Int {
        payloadLength < 56 ? 1 : 1 + byteCount(UInt64(payloadLength))
    }

    /// Encoded length of a byte string of `count` bytes whose first byte is `first` (nil when empty).
    @inline(__always)
    public static func encodedLength(bytes count: Int, first: UInt8?) -> Int {
        if count == 1, let f = first, f < 0x80 { return 1 }
        return headerLength(payloadLength: count) + count
    }

    /// Encoded length of an integer.
    @inline(__always)
    public static func encodedLength(of value: UInt64) -> Int { value < 0x80 && value != 0 ? 1 : 1 + byteCount(value) }

    /// Encoded length of an integer.
    public static func encodedLength(of value: UInt256) -> Int {
        if value.fitsUInt64 { return encodedLength(of: value.l0) }
        return 1 + value.byteWidth
    }

    @inline(__always)
    static func byteCount(_ v: UInt64) -> Int { (64 - v.leadingZeroBitCount + 7) / 8 }

    @inline(__always)
    static func appendHeader(base: UInt8, payloadLength: Int, to out: inout [UInt8]) {
        if payloadLength < 56 {
            out.append(base &+ UInt8(payloadLength))
        } else {
            let len = UInt64(payloadLength)
            let n = byteCount(len)
            out.append(base &+ 55 &+ UInt8(n))
            for i in stride(from: n - 1, through: 0, by: -1) { out.append(UInt8(truncatingIfNeeded: len >> UInt64(i * 8))) }
        }
    }

    /// Appends a list header for a payload (the items' encodings) of `payloadLength` bytes.
    @inline(__always)
    public static func appendListHeader(payloadLength: Int, to out: inout [UInt8]) {
        appendHeader(base: 0xc0, payloadLength: payloadLength, to: &out)
    }

    /// Appends the encoding of the byte string at `raw`.
    @inline(__always)
    public static func appendBytes(_ raw: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        if raw.count == 1 && raw[0] < 0x80 { out.append(raw[0]); return }
        appendHeader(base: 0x80, payloadLength: raw.count, to: &out)
        out.append(contentsOf: raw)
    }

    /// Appends the encoding of a byte string.
    @inline(__always)
    public static func appendBytes(_ bytes: [UInt8], to out: inout [UInt8]) {
        bytes.withUnsafeBytes { appendBytes($0, to: &out) }
    }

    /// Appends the encoding of a byte-string slice.
    public static func appendBytes(_ bytes: ArraySlice<UInt8>, to out: inout [UInt8]) {
        bytes.withUnsafeBytes { appendBytes($0, to: &out) }
    }

    /// The big-endian bytes of `value` without leading zeros (none for zero).
    @inline(__always)
    static func appendIntegerPayload(_ value: UInt64, to out: inout [UInt8]) {
        let n = byteCount(value)
        for i in stride(from: n - 1, through: 0, by: -1) { out.append(UInt8(truncatingIfNeeded: value >> UInt64(i * 8))) }
    }

    /// Appends an integer in RLP form (0 → 0x80, 1...0x7f → itself, else a short string).
    @inline(__always)
    public static func appendUInt(_ value: UInt64, to out: inout [UInt8]) {
        if value != 0 && value < 0x80 { out.append(UInt8(value)); return }
        out.append(0x80 &+ UInt8(byteCount(value)))
        appendIntegerPayload(value, to: &out)
    }

    /// Appends a 256-bit integer in RLP form, without allocating.
    public static func appendUInt(_ value: UInt256, to out: inout [UInt8]) {
        if value.fitsUInt64 { appendUInt(value.l0, to: &out); return }
        let n = value.byteWidth  // 9...32, so always a short string
        out.append(0x80 &+ UInt8(n))
        for i in stride(from: n - 1, through: 0, by: -1) {
            out.append(UInt8(truncatingIfNeeded: value[limb: i >> 3] >> UInt64((i & 7) * 8)))
        }
    }

    /// Appends a 20-byte address as a byte string.
    public static func appendAddress(_ a: Address, to out: inout [UInt8]) {
        out.append(0x80 + 20)
        withUnsafeTemporaryAllocation(byteCount: 20, alignment: 8) { buf in
            a.store(to: buf.baseAddress!)
            out.append(contentsOf: UnsafeRawBufferPointer(buf))
        }
    }

    /// Appends a 32-byte word or hash as a byte string.
    public static func appendWord(_ w: Bytes32, to out: inout [UInt8]) {
        out.append(0x80 + 32)
        withUnsafeTemporaryAllocation(byteCount: 32, alignment: 8) { buf in
            w.store(to: buf.baseAddress!)
            out.append(contentsOf: UnsafeRawBufferPointer(buf))
        }
    }

    /// Encodes a UInt64 as an RLP integer.
    public static func encode(_ value: UInt64) -> [UInt8] {
        var out: [UInt8] = []
        appendUInt(value, to: &out)
        return out
    }

    /// Encodes a UInt256 as an RLP integer.
    public static func encode(_ value: UInt256) -> [UInt8] {
        var out: [UInt8] = []
        appendUInt(value, to: &out)
        return out
    }

    /// Reads a canonical big-endian integer payload (no leading zero, at most 8 bytes).
    public static func decodeUInt64(_ payload: UnsafeRawBufferPointer, offset: Int) throws(RLPError) -> UInt64 {
        if payload.isEmpty { return 0 }
        if payload[0] == 0 { throw .integerLeadingZero(offset: offset) }
        guard payload.count <= 8 else { throw .integerTooLarge(offset: offset, bytes: payload.count, maxBytes: 8) }
        var v: UInt64 = 0
        for b in payload { v = v << 8 | UInt64(b) }
        return v
    }

    /// Reads a canonical big-endian integer payload (no leading zero, at most 32 bytes).
    public static func decodeUInt256(_ payload: UnsafeRawBufferPointer, offset: Int) throws(RLPError) -> UInt256 {
        if payload.isEmpty { return .zero }
        if payload[0] == 0 { throw .integerLeadingZero(offset: offset) }
        guard payload.count <= 32 else { throw .integerTooLarge(offset: offset, bytes: payload.count, maxBytes: 32) }
        var v = UInt256.zero
        var shift = 0
        var i = payload.count - 1
        while i >= 0 {
            v[limb: shift >> 6] |= UInt64(payload[i]) << UInt64(shift & 63)
            shift += 8
            i -= 1
        }
        return v
    }
}
