import Primitives

/// The EVM's arithmetic on UInt256 (mod 2^256; division by zero gives zero), under `evm`-prefixed names so
/// they never clash with the general operators the Primitives module grows. All are allocation-free.
extension UInt256 {
    /// Wrapping `a + b`, written here so it always inlines into the interpreter loop.
    @inline(__always)
    static func evmAdd(_ a: UInt256, _ b: UInt256) -> UInt256 {
        let (s0, c0) = a.l0.addingReportingOverflow(b.l0)
        let (t1, c1) = a.l1.addingReportingOverflow(b.l1)
        let (s1, d1) = t1.addingReportingOverflow(c0 ? 1 : 0)
        let (t2, c2) = a.l2.addingReportingOverflow(b.l2)
        let (s2, d2) = t2.addingReportingOverflow((c1 || d1) ? 1 : 0)
        let s3 = a.l3 &+ b.l3 &+ ((c2 || d2) ? 1 : 0)
        return UInt256(l0: s0, l1: s1, l2: s2, l3: s3)
    }

    /// Wrapping `a - b`.
    @inline(__always)
    static func evmSub(_ a: UInt256, _ b: UInt256) -> UInt256 {
        let (s0, c0) = a.l0.subtractingReportingOverflow(b.l0)
        let (t1, c1) = a.l1.subtractingReportingOverflow(b.l1)
        let (s1, d1) = t1.subtractingReportingOverflow(c0 ? 1 : 0)
        let (t2, c2) = a.l2.subtractingReportingOverflow(b.l2)
        let (s2, d2) = t2.subtractingReportingOverflow((c1 || d1) ? 1 : 0)
        let s3 = a.l3 &- b.l3 &- ((c2 || d2) ? 1 : 0)
        return UInt256(l0: s0, l1: s1, l2: s2, l3: s3)
    }

    /// Low 256 bits of `a * b` (schoolbook, unrolled; the upper partial products are dropped).
    @inline(__always)
    static func evmMul(_ a: UInt256, _ b: UInt256) -> UInt256 {
        var c: UInt64 = 0
        let r0 = mac(0, a.l0, b.l0, &c)
        var r1 = mac(0, a.l0, b.l1, &c)
        var r2 = mac(0, a.l0, b.l2, &c)
        var r3 = a.l0 &* b.l3 &+ c
        c = 0
        r1 = mac(r1, a.l1, b.l0, &c)
        r2 = mac(r2, a.l1, b.l1, &c)
        r3 = r3 &+ a.l1 &* b.l2 &+ c
        c = 0
        r2 = mac(r2, a.l2, b.l0, &c)
        r3 = r3 &+ a.l2 &* b.l1 &+ c
        r3 = r3 &+ a.l3 &* b.l0
        return UInt256(l0: r0, l1: r1, l2: r2, l3: r3)
    }

    /// Full 512-bit product as (high, low).
    static func evmMulFull(_ a: UInt256, _ b: UInt256) -> (high: UInt256, low: UInt256) {
        var c: UInt64 = 0
        let r0 = mac(0, a.l0, b.l0, &c)
        var r1 = mac(0, a.l0, b.l1, &c)
        var r2 = mac(0, a.l0, b.l2, &c)
        var r3 = mac(0, a.l0, b.l3, &c)
        var r4 = c
        c = 0
        r1 = mac(r1, a.l1, b.l0, &c)
        r2 = mac(r2, a.l1, b.l1, &c)
        r3 = mac(r3, a.l1, b.l2, &c)
        r4 = mac(r4, a.l1, b.l3, &c)
        var r5 = c
        c = 0
        r2 = mac(r2, a.l2, b.l0, &c)
        r3 = mac(r3, a.l2, b.l1, &c)
        r4 = mac(r4, a.l2, b.l2, &c)
        r5 = mac(r5, a.l2, b.l3, &c)
        var r6 = c
        c = 0
        r3 = mac(r3, a.l3, b.l0, &c)
        r4 = mac(r4, a.l3, b.l1, &c)
        r5 = mac(r5, a.l3, b.l2, &c)
        r6 = mac(r6, a.l3, b.l3, &c)
        let r7 = c
        return (UInt256(l0: r4, l1: r5, l2: r6, l3: r7), UInt256(l0: r0, l1: r1, l2: r2, l3: r3))
    }

    /// `self << n` for 0 <= n (256 and above give zero).
    @inline(__always)
    func evmShl(_ n: Int) -> UInt256 {
        if n >= 256 { return UInt256(l0: 0, l1: 0, l2: 0, l3: 0) }
        var a0 = l0, a1 = l1, a2 = l2, a3 = l3
        switch n >> 6 {
        case 0: break
        case 1: a3 = a2; a2 = a1; a1 = a0; a0 = 0
        case 2: a3 = a1; a2 = a0; a1 = 0; a0 = 0
        default: a3 = a0; a2 = 0; a1 = 0; a0 = 0
        }
        let b = UInt64(n & 63)
        if b == 0 { return UInt256(l0: a0, l1: a1, l2: a2, l3: a3) }
        let c = 64 - b
        return UInt256(l0: a0 &<< b, l1: a1 &<< b | a0 &>> c, l2: a2 &<< b | a1 &>> c, l3: a3 &<< b | a2 &>> c)
    }

    /// Logical `self >> n` (256 and above give zero).
    @inline(__always)
    func evmShr(_ n: Int) -> UInt256 {
        if n >= 256 { return UInt256(l0: 0, l1: 0, l2: 0, l3: 0) }
        var a0 = l0, a1 = l1, a2 = l2, a3 = l3
        switch n >> 6 {
        case 0: break
        case 1: a0 = a1; a1 = a2; a2 = a3; a3 = 0
        case 2: a0 = a2; a1 = a3; a2 = 0; a3 = 0
        default: a0 = a3; a1 = 0; a2 = 0; a3 = 0
        }
        let b = UInt64(n & 63)
        if b == 0 { return UInt256(l0: a0, l1: a1, l2: a2, l3: a3) }
        let c = 64 - b
        return UInt256(l0: a0 &>> b | a1 &<< c, l1: a1 &>> b | a2 &<< c, l2: a2 &>> b | a3 &<< c, l3: a3 &>> b)
    }

    /// Arithmetic right shift.
    @inline(__always)
    func evmSar(_ n: Int) -> UInt256 {
        if !isNegative { return evmShr(n) }
        if n >= 256 { return .max }
        if n == 0 { return self }
        return ~((~self).evmShr(n))
    }

    /// Shift amount from a stack word, saturated to 256.
    @inline(__always)
    var shiftAmount: Int { (l1 | l2 | l3) != 0 || l0 >= 256 ? 256 : Int(l0) }

    /// Quotient and remainder; both zero when dividing by zero.
    static func evmDivMod(_ a: UInt256, _ d: UInt256) -> (UInt256, UInt256) {
        if d.isZero { return (.zero, .zero) }
        if a < d { return (.zero, a) }
        if a.fitsUInt64 { return (UInt256(a.l0 / d.l0), UInt256(a.l0 % d.l0)) }
        if d.fitsUInt64 {
            let (q, r) = a.dividedBySmall(d.l0)
            return (q, UInt256(r))
        }
        let dm1 = d &- .one
        if (d & dm1).isZero {
            // Power of two (Solidity's shifts compiled as DIV): a shift and a mask.
            return (a.evmShr(d.bitWidth - 1), a & dm1)
        }
        return LimbDivision.divMod(a, d)
    }

    /// (high, low) 512-bit value mod m (m != 0).
    static func evmMod512(high: UInt256, low: UInt256, _ m: UInt256) -> UInt256 {
        if high.isZero { return evmDivMod(low, m).1 }
        return LimbDivision.mod512(high: high, low: low, m)
    }

    static func evmAddMod(_ a: UInt256, _ b: UInt256, _ m: UInt256) -> UInt256 {
        if m.isZero { return .zero }
        let (s, c) = a.addingReportingOverflow(b)
        return evmMod512(high: c ? .one : .zero, low: s, m)
    }

    static func evmMulMod(_ a: UInt256, _ b: UInt256, _ m: UInt256) -> UInt256 {
        if m.isZero { return .zero }
        let (h, l) = evmMulFull(a, b)
        return evmMod512(high: h, low: l, m)
    }

    static func evmSDiv(_ a: UInt256, _ b: UInt256) -> UInt256 {
        if b.isZero { return .zero }
        let an = a.isNegative, bn = b.isNegative
        let q = evmDivMod(an ? a.negated : a, bn ? b.negated : b).0
        return an != bn ? q.negated : q
    }

    static func evmSMod(_ a: UInt256, _ b: UInt256) -> UInt256 {
        if b.isZero { return .zero }
        let an = a.isNegative
        let r = evmDivMod(an ? a.negated : a, b.isNegative ? b.negated : b).1
        return an ? r.negated : r
    }

    static func evmExp(_ base: UInt256, _ exponent: UInt256) -> UInt256 {
        var result = UInt256.one
        var b = base
        let bits = exponent.bitWidth
        var i = 0
        while i < bits {
            if (exponent[limb: i >> 6] >> UInt64(i & 63)) & 1 == 1 { result = evmMul(result, b) }
            i += 1
            if i < bits { b = evmMul(b, b) }
        }
        return result
    }

    @inline(__always)
    static func evmSignExtend(_ byteIndex: UInt256, _ x: UInt256) -> UInt256 {
        guard (byteIndex.l1 | byteIndex.l2 | byteIndex.l3) == 0, byteIndex.l0 < 31 else { return x }
        let bit = Int(byteIndex.l0) * 8 + 7
        let off = UInt64(bit & 63)
        let limb = bit >> 6
        let word = limb == 0 ? x.l0 : limb == 1 ? x.l1 : limb == 2 ? x.l2 : x.l3
        let negative = (word >> off) & 1 == 1
        let mask: UInt64 = off == 63 ? .max : (1 << (off + 1)) - 1
        let fill: UInt64 = negative ? .max : 0
        let w = negative ? word | ~mask : word & mask
        switch limb {
        case 0: return UInt256(l0: w, l1: fill, l2: fill, l3: fill)
        case 1: return UInt256(l0: x.l0, l1: w, l2: fill, l3: fill)
        case 2: return UInt256(l0: x.l0, l1: x.l1, l2: w, l3: fill)
        default: return UInt256(l0: x.l0, l1: x.l1, l2: x.l2, l3: w)
        }
    }

    static func evmByte(_ i: UInt256, _ x: UInt256) -> UInt256 {
        guard i.fitsUInt64, i.l0 < 32 else { return .zero }
        let shift = (31 - Int(i.l0)) * 8
        return UInt256(x.evmShr(shift).l0 & 0xff)
    }

    @inline(__always)
    static func evmSlt(_ a: UInt256, _ b: UInt256) -> Bool {
        let an = a.isNegative, bn = b.isNegative
        if an != bn { return an }
        return a < b
    }
}
