/// The wrapping add/subtract and bitwise operators every other UInt256 operation builds on.
extension UInt256 {
    /// A carry or borrow flag as 0 or 1. A bit cast, not `flag ? 1 : 0`: LLVM may turn the conditional into a
    /// branch, which random operands mispredict half the time, but the bit cast is a plain zero-extension, so a
    /// carry chain compiles to add/adc (sub/sbb).
    @inlinable @inline(__always)
    static func bit(_ flag: Bool) -> UInt64 { UInt64(unsafeBitCast(flag, to: UInt8.self)) }

    /// `a + b` and whether it carried past 2^256.
    @inlinable @inline(__always)
    public func addingReportingOverflow(_ b: UInt256) -> (partialValue: UInt256, overflow: Bool) {
        // At most one of each pair of carries can be set, so or-ing them is exact.
        let (s0, c0) = l0.addingReportingOverflow(b.l0)
        let (t1, c1a) = l1.addingReportingOverflow(b.l1)
        let (s1, c1b) = t1.addingReportingOverflow(UInt256.bit(c0))
        let (t2, c2a) = l2.addingReportingOverflow(b.l2)
        let (s2, c2b) = t2.addingReportingOverflow(UInt256.bit(c1a) | UInt256.bit(c1b))
        let (t3, c3a) = l3.addingReportingOverflow(b.l3)
        let (s3, c3b) = t3.addingReportingOverflow(UInt256.bit(c2a) | UInt256.bit(c2b))
        return (UInt256(l0: s0, l1: s1, l2: s2, l3: s3), (UInt256.bit(c3a) | UInt256.bit(c3b)) != 0)
    }

    /// `a - b` and whether it borrowed (a < b).
    @inlinable @inline(__always)
    public func subtractingReportingOverflow(_ b: UInt256) -> (partialValue: UInt256, overflow: Bool) {
        let (d0, b0) = l0.subtractingReportingOverflow(b.l0)
        let (t1, b1a) = l1.subtractingReportingOverflow(b.l1)
        let (d1, b1b) = t1.subtractingReportingOverflow(UInt256.bit(b0))
        let (t2, b2a) = l2.subtractingReportingOverflow(b.l2)
        let (d2, b2b) = t2.subtractingReportingOverflow(UInt256.bit(b1a) | UInt256.bit(b1b))
        let (t3, b3a) = l3.subtractingReportingOverflow(b.l3)
        let (d3, b3b) = t3.subtractingReportingOverflow(UInt256.bit(b2a) | UInt256.bit(b2b))
        return (UInt256(l0: d0, l1: d1, l2: d2, l3: d3), (UInt256.bit(b3a) | UInt256.bit(b3b)) != 0)
    }

    @inlinable @inline(__always)
    public static func &+ (a: UInt256, b: UInt256) -> UInt256 { a.addingReportingOverflow(b).partialValue }
    @inlinable @inline(__always)
    public static func &- (a: UInt256, b: UInt256) -> UInt256 { a.subtractingReportingOverflow(b).partialValue }

    @inlinable @inline(__always)
    public static prefix func ~ (a: UInt256) -> UInt256 { UInt256(l0: ~a.l0, l1: ~a.l1, l2: ~a.l2, l3: ~a.l3) }
    @inlinable @inline(__always)
    public static func & (a: UInt256, b: UInt256) -> UInt256 {
        UInt256(l0: a.l0 & b.l0, l1: a.l1 & b.l1, l2: a.l2 & b.l2, l3: a.l3 & b.l3)
    }
    @inlinable @inline(__always)
    public static func | (a: UInt256, b: UInt256) -> UInt256 {
        UInt256(l0: a.l0 | b.l0, l1: a.l1 | b.l1, l2: a.l2 | b.l2, l3: a.l3 | b.l3)
    }
    @inlinable @inline(__always)
    public static func ^ (a: UInt256, b: UInt256) -> UInt256 {
        UInt256(l0: a.l0 ^ b.l0, l1: a.l1 ^ b.l1, l2: a.l2 ^ b.l2, l3: a.l3 ^ b.l3)
    }

    /// Two's-complement negation modulo 2^256.
    @inlinable @inline(__always)
    public var negated: UInt256 { UInt256.zero &- self }

    /// True when bit 255 is set, i.e. negative when read as a two's-complement signed value.
    @inlinable @inline(__always)
    public var isNegative: Bool { l3 >> 63 != 0 }
}
