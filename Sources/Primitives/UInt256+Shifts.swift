/// A shift count for UInt256's `<<`, `>>` and `sar`: an Int or a UInt256.
///
/// The operators are generic over this protocol instead of being overloaded on concrete types: Swift prefers a
/// concrete `<<(UInt256, UInt256)` to the standard library's generic shifts, so with one in scope `1 << 20`
/// would type-check as a UInt256 in every module that imports Primitives.
public protocol UInt256ShiftCount {
    /// The count clamped to -256...256 (a count beyond 256 in either direction shifts every bit out).
    var uint256ShiftCount: Int { get }
}

extension Int: UInt256ShiftCount {
    @inlinable @inline(__always)
    public var uint256ShiftCount: Int { Swift.min(Swift.max(self, -256), 256) }
}

extension UInt256: UInt256ShiftCount {
    @inlinable @inline(__always)
    public var uint256ShiftCount: Int { fitsUInt64 && l0 < 256 ? Int(l0) : 256 }
}

/// Shifts and byte access with EVM semantics (SHL, SHR, SAR, BYTE): a shift by 256 or more shifts every bit out,
/// never a trap.
extension UInt256 {
    /// `a << n` for `n` in 0..<256.
    @inlinable @inline(__always)
    static func shiftedLeft(_ a: UInt256, _ n: UInt64) -> UInt256 {
        let b = n & 63
        let back = 63 &- b   // `(x >> 1) &>> back` is `x >> (64 - b)`, and 0 when b == 0
        let s0 = a.l0 &<< b
        let s1 = a.l1 &<< b | (a.l0 >> 1) &>> back
        let s2 = a.l2 &<< b | (a.l1 >> 1) &>> back
        let s3 = a.l3 &<< b | (a.l2 >> 1) &>> back
        switch n >> 6 {
        case 0: return UInt256(l0: s0, l1: s1, l2: s2, l3: s3)
        case 1: return UInt256(l0: 0, l1: s0, l2: s1, l3: s2)
        case 2: return UInt256(l0: 0, l1: 0, l2: s0, l3: s1)
        default: return UInt256(l0: 0, l1: 0, l2: 0, l3: s0)
        }
    }

    /// `a >> n` for `n` in 0..<256, filling with `fill` (all zeros, or all ones for an arithmetic shift).
    @inlinable @inline(__always)
    static func shiftedRight(_ a: UInt256, _ n: UInt64, fill: UInt64) -> UInt256 {
        let b = n & 63
        let back = 63 &- b
        let s0 = a.l0 &>> b | (a.l1 &<< 1) &<< back
        let s1 = a.l1 &>> b | (a.l2 &<< 1) &<< back
        let s2 = a.l2 &>> b | (a.l3 &<< 1) &<< back
        let s3 = a.l3 &>> b | (fill &<< 1) &<< back
        switch n >> 6 {
        case 0: return UInt256(l0: s0, l1: s1, l2: s2, l3: s3)
        case 1: return UInt256(l0: s1, l1: s2, l2: s3, l3: fill)
        case 2: return UInt256(l0: s2, l1: s3, l2: fill, l3: fill)
        default: return UInt256(l0: s3, l1: fill, l2: fill, l3: fill)
        }
    }

    /// Logical shift left (EVM SHL is `value << shift`). A count of 256 or more gives 0; a negative Int count
    /// shifts right instead, as Swift's integer shifts do.
    @inlinable @inline(__always)
    public static func << <Count: UInt256ShiftCount>(a: UInt256, shift: Count) -> UInt256 {
        let n = shift.uint256ShiftCount
        if n >= 0 { return n >= 256 ? .zero : shiftedLeft(a, UInt64(n)) }
        return n <= -256 ? .zero : shiftedRight(a, UInt64(0 - n), fill: 0)
    }

    /// Logical shift right (EVM SHR is `value >> shift`). A count of 256 or more gives 0; a negative Int count
    /// shifts left instead.
    @inlinable @inline(__always)
    public static func >> <Count: UInt256ShiftCount>(a: UInt256, shift: Count) -> UInt256 {
        let n = shift.uint256ShiftCount
        if n >= 0 { return n >= 256 ? .zero : shiftedRight(a, UInt64(n), fill: 0) }
        return n <= -256 ? .zero : shiftedLeft(a, UInt64(0 - n))
    }

    /// `a = a << shift`.
    @inlinable @inline(__always)
    public static func <<= <Count: UInt256ShiftCount>(a: inout UInt256, shift: Count) { a = a << shift }

    /// `a = a >> shift`.
    @inlinable @inline(__always)
    public static func >>= <Count: UInt256ShiftCount>(a: inout UInt256, shift: Count) { a = a >> shift }

    /// Arithmetic shift right (EVM SAR): the value is read as two's complement and the sign bit fills in.
    /// A shift of 256 or more gives 0 for a non-negative value and -1 (all ones) for a negative one.
    /// A negative Int count counts as 0.
    @inlinable @inline(__always)
    public func sar<Count: UInt256ShiftCount>(_ shift: Count) -> UInt256 {
        let n = shift.uint256ShiftCount
        let fill: UInt64 = isNegative ? .max : 0
        if n >= 256 { return UInt256(l0: fill, l1: fill, l2: fill, l3: fill) }
        return UInt256.shiftedRight(self, UInt64(Swift.max(n, 0)), fill: fill)
    }

    /// Byte `index` of the big-endian 32-byte word, 0 being the most significant (EVM BYTE); 0 when
    /// `index >= 32`.
    @inlinable @inline(__always)
    public func byte(at index: UInt256) -> UInt256 {
        guard index.fitsUInt64 && index.l0 < 32 else { return .zero }
        let i = index.l0
        let limb = self[limb: Int(3 &- (i >> 3))]
        return UInt256((limb >> (56 &- (i & 7) &* 8)) & 0xff)
    }
}
