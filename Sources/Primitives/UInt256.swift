/// A 256-bit unsigned integer as four 64-bit limbs, little-endian limb order (`l0` least significant).
/// A plain value type: no heap allocation, no ARC, so it can sit in the EVM's hot loop.
/// Arithmetic wraps modulo 2^256 as the EVM defines (see UInt256+Arithmetic.swift).
public struct UInt256: Hashable, Sendable {
    public var l0: UInt64, l1: UInt64, l2: UInt64, l3: UInt64

    @inlinable @inline(__always)
    public init(l0: UInt64, l1: UInt64, l2: UInt64, l3: UInt64) {
        self.l0 = l0; self.l1 = l1; self.l2 = l2; self.l3 = l3
    }

    @inlinable @inline(__always)
    public init(_ value: UInt64) { self.init(l0: value, l1: 0, l2: 0, l3: 0) }

    @inlinable
    public init(_ value: Int) {
        precondition(value >= 0, "UInt256 from a negative Int")
        self.init(UInt64(value))
    }

    // Computed rather than stored: a stored static is a lazily initialised global that every use must check.
    @inlinable @inline(__always) public static var zero: UInt256 { UInt256(l0: 0, l1: 0, l2: 0, l3: 0) }
    @inlinable @inline(__always) public static var one: UInt256 { UInt256(l0: 1, l1: 0, l2: 0, l3: 0) }
    @inlinable @inline(__always) public static var max: UInt256 { UInt256(l0: .max, l1: .max, l2: .max, l3: .max) }

    @inlinable @inline(__always) public var isZero: Bool { (l0 | l1 | l2 | l3) == 0 }

    /// True when the value fits in 64 bits.
    @inlinable @inline(__always) public var fitsUInt64: Bool { (l1 | l2 | l3) == 0 }

    /// The value as an Int when it fits (below 2^63), else nil.
    @inlinable public var asInt: Int? { fitsUInt64 && l0 <= UInt64(Int.max) ? Int(l0) : nil }

    /// Limb `i` (0 = least significant).
    @inlinable @inline(__always)
    public subscript(limb i: Int) -> UInt64 {
        get { i == 0 ? l0 : i == 1 ? l1 : i == 2 ? l2 : l3 }
        set {
            switch i {
            case 0: l0 = newValue
            case 1: l1 = newValue
            case 2: l2 = newValue
            default: l3 = newValue
            }
        }
    }

    // MARK: Bytes

    /// From a big-endian 32-byte word.
    @inlinable @inline(__always)
    public init(word: Bytes32) { self.init(l0: word.w3, l1: word.w2, l2: word.w1, l3: word.w0) }

    /// As a big-endian 32-byte word.
    @inlinable @inline(__always)
    public var word: Bytes32 { Bytes32(w0: l3, w1: l2, w2: l1, w3: l0) }

    /// From up to 32 big-endian bytes (shorter input is left-padded with zeros).
    public init(bigEndian bytes: some Collection<UInt8>) {
        precondition(bytes.count <= 32, "UInt256 from more than 32 bytes")
        var v = UInt256.zero
        var shift = 0
        for b in bytes.reversed() {
            v[limb: shift >> 6] |= UInt64(b) << UInt64(shift & 63)
            shift += 8
        }
        self = v
    }

    /// 32 big-endian bytes.
    public var bytes: [UInt8] { word.bytes }

    /// Big-endian bytes without leading zeros (empty for zero): the RLP and JSON-RPC quantity form.
    public var trimmedBytes: [UInt8] {
        let all = bytes
        guard let first = all.firstIndex(where: { $0 != 0 }) else { return [] }
        return Array(all[first...])
    }

    /// Number of significant bits (0 for zero).
    @inlinable
    public var bitWidth: Int {
        if l3 != 0 { return 256 - l3.leadingZeroBitCount }
        if l2 != 0 { return 192 - l2.leadingZeroBitCount }
        if l1 != 0 { return 128 - l1.leadingZeroBitCount }
        return 64 - l0.leadingZeroBitCount
    }

    /// Number of significant bytes (0 for zero).
    @inlinable public var byteWidth: Int { (bitWidth + 7) / 8 }
}

extension UInt256: Comparable {
    @inlinable @inline(__always)
    public static func < (a: UInt256, b: UInt256) -> Bool {
        if a.l3 != b.l3 { return a.l3 < b.l3 }
        if a.l2 != b.l2 { return a.l2 < b.l2 }
        if a.l1 != b.l1 { return a.l1 < b.l1 }
        return a.l0 < b.l0
    }
}

// MARK: Text

/// An error from parsing a number.
public enum NumberParseError: Error, Equatable, CustomStringConvertible {
    case empty
    case invalidDigit(Character, position: Int)
    case overflow(String)

    public var description: String {
        switch self {
        case .empty: return "empty number"
        case .invalidDigit(let c, let p): return "invalid digit '\(c)' at position \(p)"
        case .overflow(let s): return "number \(s) does not fit in 256 bits"
        }
    }
}

extension UInt256: CustomStringConvertible, LosslessStringConvertible {
    /// Short division by a small divisor; returns (quotient, remainder).
    @inlinable @inline(__always)
    public func dividedBySmall(_ d: UInt64) -> (UInt256, UInt64) {
        var q = UInt256.zero
        var rem: UInt64 = 0
        for i in stride(from: 3, through: 0, by: -1) {
            let (qi, ri) = d.dividingFullWidth((rem, self[limb: i]))
            q[limb: i] = qi
            rem = ri
        }
        return (q, rem)
    }

    /// `self * m + a`, or nil on overflow past 2^256.
    func multipliedBySmall(_ m: UInt64, adding a: UInt64) -> UInt256? {
        var out = UInt256.zero
        var carry = a
        for i in 0..<4 {
            let (hi, lo) = self[limb: i].multipliedFullWidth(by: m)
            let (sum, o) = lo.addingReportingOverflow(carry)
            out[limb: i] = sum
            carry = hi &+ (o ? 1 : 0)
        }
        return carry == 0 ? out : nil
    }

    /// Decimal text.
    public var description: String {
        if fitsUInt64 { return String(l0) }
        var digits: [UInt8] = []
        var v = self
        while !v.isZero {
            let (q, r) = v.dividedBySmall(10_000_000_000_000_000_000)
            var chunk = String(r)
            if !q.isZero { chunk = String(repeating: "0", count: 19 - chunk.count) + chunk }
            digits.insert(contentsOf: chunk.utf8, at: 0)
            v = q
        }
        return String(decoding: digits, as: UTF8.self)
    }

    /// Minimal `0x` hex, as JSON-RPC quantities are written (`0x0` for zero).
    public var hexString: String {
        let trimmed = trimmedBytes
        if trimmed.isEmpty { return "0x0" }
        let h = Hex.encode(trimmed, prefix: false)
        return "0x" + (h.hasPrefix("0") ? String(h.dropFirst()) : h)
    }

    /// Parses decimal, or hex with a `0x` prefix.
    public init?(_ text: String) { try? self.init(parsing: text) }

    /// Parses decimal, or hex with a `0x` prefix; leading zeros are allowed; errors say what is wrong.
    public init(parsing text: String) throws(NumberParseError) {
        if text.hasPrefix("0x") || text.hasPrefix("0X") {
            try self.init(hexDigits: text.dropFirst(2), original: text)
        } else {
            try self.init(decimal: text)
        }
    }

    /// Parses decimal digits.
    public init(decimal text: String) throws(NumberParseError) {
        if text.isEmpty { throw .empty }
        var v = UInt256.zero
        for (i, c) in text.utf8.enumerated() {
            guard c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") else {
                throw .invalidDigit(Character(Unicode.Scalar(c)), position: i)
            }
            guard let next = v.multipliedBySmall(10, adding: UInt64(c - UInt8(ascii: "0"))) else {
                throw .overflow(text)
            }
            v = next
        }
        self = v
    }

    /// Parses hex digits (no prefix), any count from 1 to 64 after leading zeros.
    init(hexDigits: Substring, original: String) throws(NumberParseError) {
        if hexDigits.isEmpty { throw .empty }
        var v = UInt256.zero
        for (i, c) in hexDigits.utf8.enumerated() {
            guard let n = hexNibble(c) else { throw .invalidDigit(Character(Unicode.Scalar(c)), position: i + 2) }
            if v.l3 >> 60 != 0 { throw .overflow(original) }
            v = UInt256(l0: v.l0 << 4 | UInt64(n), l1: v.l1 << 4 | v.l0 >> 60,
                        l2: v.l2 << 4 | v.l1 >> 60, l3: v.l3 << 4 | v.l2 >> 60)
        }
        self = v
    }
}

extension UInt256: ExpressibleByIntegerLiteral {
    @inlinable @inline(__always)
    public init(integerLiteral value: UInt64) { self.init(value) }
}
