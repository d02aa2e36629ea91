/// The wrapping add/subtract and bitwise operators every other UInt256 operation builds on.
extension UInt256 {
    /// `a + b` and whether it carried past 2^256.
    @inline(__always)
    public func addingReportingOverflow(_ b: UInt256) -> (partialValue: UInt256, overflow: Bool) {
        let (s0, c0) = l0.addingReportingOverflow(b.l0)
        var (s1, c1) = l1.addingReportingOverflow(b.l1)
        var c: Bool
        (s1, c) = s1.addingReportingOverflow(c0 ? 1 : 0); c1 = c1 || c
        var (s2, c2) = l2.addingReportingOverflow(b.l2)
        (s2, c) = s2.addingReportingOverflow(c1 ? 1 : 0); c2 = c2 || c
        var (s3, c3) = l3.addingReportingOverflow(b.l3)
        (s3, c) = s3.addingReportingOverflow(c2 ? 1 : 0); c3 = c3 || c
        return (UInt256(l0: s0, l1: s1, l2: s2, l3: s3), c3)
    }

    /// `a - b` and whether it borrowed (a < b).
    @inline(__always)
    public func subtractingReportingOverflow(_ b: UInt256) -> (partialValue: UInt256, overflow: Bool) {
        let (d0, b0) = l0.subtractingReportingOverflow(b.l0)
        var (d1, b1) = l1.subtractingReportingOverflow(b.l1)
        var o: Bool
        (d1, o) = d1.subtractingReportingOverflow(b0 ? 1 : 0); b1 = b1 || o
        var (d2, b2) = l2.subtractingReportingOverflow(b.l2)
        (d2, o) = d2.subtractingReportingOverflow(b1 ? 1 : 0); b2 = b2 || o
        var (d3, b3) = l3.subtractingReportingOverflow(b.l3)
        (d3, o) = d3.subtractingReportingOverflow(b2 ? 1 : 0); b3 = b3 || o
        return (UInt256(l0: d0, l1: d1, l2: d2, l3: d3), b3)
    }

    @inline(__always)
    public static func &+ (a: UInt256, b: UInt256) -> UInt256 { a.addingReportingOverflow(b).partialValue }
    @inline(__always)
    public static func &- (a: UInt256, b: UInt256) -> UInt256 { a.subtractingReportingOverflow(b).partialValue }

    @inline(__always)
    public static prefix func ~ (a: UInt256) -> UInt256 { UInt256(l0: ~a.l0, l1: ~a.l1, l2: ~a.l2, l3: ~a.l3) }
    @inline(__always)
    public static func & (a: UInt256, b: UInt256) -> UInt256 {
        UInt256(l0: a.l0 & b.l0, l1: a.l1 & b.l1, l2: a.l2 & b.l2, l3: a.l3 & b.l3)
    }
    @inline(__always)
    public static func | (a: UInt256, b: UInt256) -> UInt256 {
        UInt256(l0: a.l0 | b.l0, l1: a.l1 | b.l1, l2: a.l2 | b.l2, l3: a.l3 | b.l3)
    }
    @inline(__always)
    public static func ^ (a: UInt256, b: UInt256) -> UInt256 {
        UInt256(l0: a.l0 ^ b.l0, l1: a.l1 ^ b.l1, l2: a.l2 ^ b.l2, l3: a.l3 ^ b.l3)
    }

    /// Two's-complement negation modulo 2^256.
    @inline(__always)
    public var negated: UInt256 { UInt256.zero &- self }

    /// True when bit 255 is set, i.e. negative when read as a two's-complement signed value.
    @inline(__always)
    public var isNegative: Bool { l3 >> 63 != 0 }
}
