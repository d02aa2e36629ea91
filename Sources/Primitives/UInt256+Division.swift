/// Long division on 64-bit limbs: Knuth's algorithm D (TAOCP vol. 2, 4.3.1) with each quotient limb found by
/// the reciprocal-based 2-by-1 and 3-by-2 divisions of Möller and Granlund ("Improved division by invariant
/// integers", IEEE Trans. Computers 2011). The divisor's reciprocal is computed once (one hardware division),
/// then every quotient limb costs a few multiplications instead of a 128-by-64 division.
///
/// Every case is written out for its divisor length (one to four limbs) with the steps unrolled, so dividends,
/// divisors and remainders live in registers: no heap allocation, no arrays, no loops over limb indices.

/// Reciprocal-based division of two or three limbs by a normalized (top bit set) one- or two-limb divisor.
@usableFromInline
enum LimbDivision {
    /// `floor((2^128 - 1) / d) - 2^64` for a normalized `d`.
    @inline(__always)
    static func reciprocal(_ d: UInt64) -> UInt64 {
        // (2^128 - 1) - 2^64 * d = (~d) * 2^64 + (2^64 - 1), and ~d < d because d's top bit is set.
        d.dividingFullWidth((high: ~d, low: .max)).quotient
    }

    /// `floor((2^192 - 1) / d) - 2^64` for the normalized two-limb divisor `d = (d1, d0)`.
    @inline(__always)
    static func reciprocal(_ d1: UInt64, _ d0: UInt64) -> UInt64 {
        // Start from d1's reciprocal and correct it for d0 (at most three decrements in all).
        var v = reciprocal(d1)
        var p = d1 &* v
        p = p &+ d0
        if p < d0 {
            v &-= 1
            if p >= d1 { v &-= 1; p &-= d1 }
            p &-= d1
        }
        let (t1, t0) = v.multipliedFullWidth(by: d0)
        p = p &+ t1
        if p < t1 {
            v &-= 1
            if p > d1 || (p == d1 && t0 >= d0) { v &-= 1 }
        }
        return v
    }

    /// `(u1, u0) / d` with remainder, where `d` is normalized, `v = reciprocal(d)` and `u1 < d`.
    @inline(__always)
    static func divRem2by1(_ u1: UInt64, _ u0: UInt64, _ d: UInt64, _ v: UInt64) -> (q: UInt64, r: UInt64) {
        var (q1, q0) = v.multipliedFullWidth(by: u1)
        let (s, c) = q0.addingReportingOverflow(u0)
        q0 = s
        q1 = q1 &+ u1 &+ UInt256.bit(c) &+ 1
        var r = u0 &- q1 &* d
        // The estimate is one too large about half the time: correct it with a mask, as a branch here would be
        // mispredicted that often.
        let mask = 0 &- UInt256.bit(r > q0)
        q1 &+= mask
        r &+= mask & d
        if r >= d { q1 &+= 1; r &-= d }   // rare: one too small
        return (q1, r)
    }

    /// `(u2, u1, u0) / (d1, d0)` with a two-limb remainder, where `(d1, d0)` is normalized,
    /// `v = reciprocal(d1, d0)` and `(u2, u1) < (d1, d0)`.
    @inline(__always)
    static func divRem3by2(_ u2: UInt64, _ u1: UInt64, _ u0: UInt64, _ d1: UInt64, _ d0: UInt64, _ v: UInt64)
        -> (q: UInt64, r1: UInt64, r0: UInt64) {
        var (q1, q0) = v.multipliedFullWidth(by: u2)
        let (s, c) = q0.addingReportingOverflow(u1)
        q0 = s
        q1 = q1 &+ u2 &+ UInt256.bit(c)
        // (r1, r0) = (u1 - q1 * d1, u0) - q1 * d0 - (d1, d0), modulo 2^128.
        var r1 = u1 &- q1 &* d1
        let (t1, t0) = d0.multipliedFullWidth(by: q1)
        var (r0, b) = u0.subtractingReportingOverflow(t0)
        r1 = r1 &- t1 &- UInt256.bit(b)
        (r0, b) = r0.subtractingReportingOverflow(d0)
        r1 = r1 &- d1 &- UInt256.bit(b)
        q1 &+= 1
        // As in divRem2by1, the likely correction is applied with a mask rather than a branch.
        let mask = 0 &- UInt256.bit(r1 >= q0)
        q1 &+= mask
        (r0, b) = r0.addingReportingOverflow(mask & d0)
        r1 = r1 &+ (mask & d1) &+ UInt256.bit(b)
        if r1 > d1 || (r1 == d1 && r0 >= d0) {  // rare
            q1 &+= 1
            (r0, b) = r0.subtractingReportingOverflow(d0)
            r1 = r1 &- d1 &- UInt256.bit(b)
        }
        return (q1, r1, r0)
    }
}

extension UInt256 {
    /// General 256-by-256 division once the inline fast paths have failed (`x >= y`, `y != 0`, not both in one limb).
    @usableFromInline @inline(never)
    static func divModSlow(_ x: UInt256, _ y: UInt256) -> (quotient: UInt256, remainder: UInt256) {
        // One- and two-limb divisors (the common DIV and MOD shapes) run on registers, fully unrolled.
        if (y.l1 | y.l2 | y.l3) == 0 { return divRem(x, byLimb: y.l0) }
        if (y.l2 | y.l3) == 0 { return divRem(x, byTwoLimbs: y.l1, y.l0) }
        if y.l3 == 0 { return divRem(x, byThreeLimbs: y) }
        return divRem(x, byFourLimbs: y)
    }

    /// `x / d` for a nonzero one-limb divisor: four 2-by-1 steps (fewer when x's top limbs are zero).
    @inline(__always)
    static func divRem(_ x: UInt256, byLimb d: UInt64) -> (quotient: UInt256, remainder: UInt256) {
        let s = UInt64(d.leadingZeroBitCount)
        let dn = d &<< s
        let v = LimbDivision.reciprocal(dn)
        let xn = shiftedLeft(x, s)
        var r = (x.l3 >> 1) &>> (63 &- s)   // the bits shifted out of x, below 2^s <= dn
        var q = UInt256.zero
        if (r | xn.l3) != 0 { (q.l3, r) = LimbDivision.divRem2by1(r, xn.l3, dn, v) }
        if (r | xn.l2) != 0 { (q.l2, r) = LimbDivision.divRem2by1(r, xn.l2, dn, v) }
        (q.l1, r) = LimbDivision.divRem2by1(r, xn.l1, dn, v)
        (q.l0, r) = LimbDivision.divRem2by1(r, xn.l0, dn, v)
        return (q, UInt256(r &>> s))
    }

    /// `x / (d1, d0)` for a divisor of 65 to 128 bits: three 3-by-2 steps, each exact, so Knuth's correction
    /// step never applies.
    @inline(__always)
    static func divRem(_ x: UInt256, byTwoLimbs d1: UInt64, _ d0: UInt64) -> (quotient: UInt256, remainder: UInt256) {
        let s = UInt64(d1.leadingZeroBitCount)
        let back = 63 &- s
        let dn1 = d1 &<< s | (d0 >> 1) &>> back, dn0 = d0 &<< s
        let v = LimbDivision.reciprocal(dn1, dn0)
        let xn = shiftedLeft(x, s)
        let top = (x.l3 >> 1) &>> back   // below 2^s, so (top, xn.l3) < (dn1, dn0)
        var q = UInt256.zero
        var r1: UInt64, r0: UInt64
        if (top | xn.l3) != 0 {
            (q.l2, r1, r0) = LimbDivision.divRem3by2(top, xn.l3, xn.l2, dn1, dn0, v)
        } else {
            (r1, r0) = (0, xn.l2)   // xn.l2 < 2^64 <= (dn1, dn0)
        }
        (q.l1, r1, r0) = LimbDivision.divRem3by2(r1, r0, xn.l1, dn1, dn0, v)
        (q.l0, r1, r0) = LimbDivision.divRem3by2(r1, r0, xn.l0, dn1, dn0, v)
        return (q, UInt256(l0: r0 &>> s | (r1 &<< 1) &<< back, l1: r1 &>> s, l2: 0, l3: 0))
    }

    /// `x / y` for a divisor of 129 to 192 bits: Knuth's algorithm D on registers, two steps.
    @inline(__always)
    static func divRem(_ x: UInt256, byThreeLimbs y: UInt256) -> (quotient: UInt256, remainder: UInt256) {
        let s = UInt64(y.l2.leadingZeroBitCount)
        let dn = shiftedLeft(y, s)
        let (d2, d1, d0) = (dn.l2, dn.l1, dn.l0)
        let v = LimbDivision.reciprocal(d2, d1)
        let xn = shiftedLeft(x, s)
        let top = (x.l3 >> 1) &>> (63 &- s)
        // Step 1 divides (top, xn.l3, xn.l2, xn.l1); top < 2^s <= d2, so the top limbs are below the divisor's.
        let (q1, a2, a1, a0) = step3(top, xn.l3, xn.l2, xn.l1, d2, d1, d0, v)
        let (q0, r2, r1, r0) = step3(a2, a1, a0, xn.l0, d2, d1, d0, v)
        let r = UInt256(l0: r0, l1: r1, l2: r2, l3: 0)
        return (UInt256(l0: q0, l1: q1, l2: 0, l3: 0), shiftedRight(r, s, fill: 0))
    }

    /// One step of algorithm D with a normalized three-limb divisor: `(u3, u2, u1, u0) / (d2, d1, d0)` where
    /// the quotient fits in one limb; returns it and the three-limb remainder.
    @inline(__always)
    static func step3(_ u3: UInt64, _ u2: UInt64, _ u1: UInt64, _ u0: UInt64,
                      _ d2: UInt64, _ d1: UInt64, _ d0: UInt64, _ v: UInt64)
        -> (q: UInt64, r2: UInt64, r1: UInt64, r0: UInt64) {
        if u3 == d2 && u2 == d1 {
            // The 3-by-2 step needs (u3, u2) < (d2, d1). When they are equal the quotient is exactly 2^64 - 1:
            // u < 2^64 d, and u >= (d2, d1) 2^128 > (2^64 - 1) d since (d2, d1) >= 2^127 (d is normalized).
            // The remainder u - 2^64 d + d is then (u1 - d0) 2^64 + u0 + d, computed modulo 2^192 since its true
            // value lies in [0, d).
            let (w1, b) = u1.subtractingReportingOverflow(d0)
            let (r0, c0) = u0.addingReportingOverflow(d0)
            let (t1, c1a) = w1.addingReportingOverflow(d1)
            let (r1, c1b) = t1.addingReportingOverflow(bit(c0))
            let r2 = d2 &- bit(b) &+ (bit(c1a) | bit(c1b))
            return (.max, r2, r1, r0)
        }
        let (qhat, r2, r1) = LimbDivision.divRem3by2(u3, u2, u1, d2, d1, v)
        var q = qhat
        // (r2, r1) is the remainder of the top three limbs; subtract q * d0 from (r2, r1, u0).
        let (hi, lo) = q.multipliedFullWidth(by: d0)
        let (r0, b0) = u0.subtractingReportingOverflow(lo)
        let (t1, b1a) = r1.subtractingReportingOverflow(hi)
        let (s1, b1b) = t1.subtractingReportingOverflow(bit(b0))
        let (s2, b2) = r2.subtractingReportingOverflow(bit(b1a) | bit(b1b))
        if !b2 { return (q, s2, s1, r0) }
        // The estimate was one too large (rare): add the divisor back.
        q &-= 1
        let (a0, c0) = r0.addingReportingOverflow(d0)
        let (a1t, c1a) = s1.addingReportingOverflow(d1)
        let (a1, c1b) = a1t.addingReportingOverflow(bit(c0))
        let a2 = s2 &+ d2 &+ (bit(c1a) | bit(c1b))
        return (q, a2, a1, a0)
    }

    /// `x / y` for a divisor of 193 to 256 bits: one step of algorithm D on registers (the quotient fits in
    /// one limb).
    @inline(__always)
    static func divRem(_ x: UInt256, byFourLimbs y: UInt256) -> (quotient: UInt256, remainder: UInt256) {
        let s = UInt64(y.l3.leadingZeroBitCount)
        let d = shiftedLeft(y, s)
        let v = LimbDivision.reciprocal(d.l3, d.l2)
        let top = (x.l3 >> 1) &>> (63 &- s)
        let (q, r) = step4(top, shiftedLeft(x, s), d, v)
        return (UInt256(q), shiftedRight(r, s, fill: 0))
    }

    /// One step of algorithm D with a normalized four-limb divisor `d`: `(u4, u) / d`, where `(u4, u) < d * 2^64`
    /// so the quotient fits in one limb; returns it and the remainder.
    @inline(__always)
    static func step4(_ u4: UInt64, _ u: UInt256, _ d: UInt256, _ v: UInt64) -> (q: UInt64, r: UInt256) {
        if u4 == d.l3 && u.l3 == d.l2 {
            // As in step3: the quotient is 2^64 - 1 and the remainder u - 2^64 d + d, computed modulo 2^256.
            let low = UInt256(l0: u.l0, l1: u.l1, l2: u.l2, l3: 0) &- UInt256(l0: 0, l1: d.l0, l2: d.l1, l3: 0)
            return (.max, low &+ d)
        }
        let (qhat, r3, r2) = LimbDivision.divRem3by2(u4, u.l3, u.l2, d.l3, d.l2, v)
        // (r3, r2) is the remainder of the top three limbs; subtract q * (d1, d0) from (r3, r2, u1, u0).
        let (h0, p0) = qhat.multipliedFullWidth(by: d.l0)
        let (h1, p1) = mulAdd(qhat, d.l1, h0, 0)
        let (rem, borrow) = UInt256(l0: u.l0, l1: u.l1, l2: r2, l3: r3)
            .subtractingReportingOverflow(UInt256(l0: p0, l1: p1, l2: h1, l3: 0))
        if !borrow { return (qhat, rem) }
        return (qhat &- 1, rem &+ d)   // rare: add the divisor back (the carry out cancels the borrow)
    }

    /// `(high * 2^256 + low) mod y` for a nonzero `y`, on registers: one step of algorithm D per dividend limb
    /// below the divisor's length (eight for a one-limb divisor down to five for a four-limb one), quotient
    /// limbs discarded.
    static func mod512(_ high: UInt256, _ low: UInt256, by y: UInt256) -> UInt256 {
        let topLimb = y.l3 != 0 ? y.l3 : y.l2 != 0 ? y.l2 : y.l1 != 0 ? y.l1 : y.l0
        let s = UInt64(topLimb.leadingZeroBitCount)
        let back = 63 &- s
        let d = shiftedLeft(y, s)
        // The normalized dividend: limbs u8 (top) ... u0, from (high, low) shifted left by s.
        let top = (high.l3 >> 1) &>> back
        var h = shiftedLeft(high, s)
        h.l0 |= (low.l3 >> 1) &>> back
        let l = shiftedLeft(low, s)
        if y.l3 != 0 {
            let v = LimbDivision.reciprocal(d.l3, d.l2)
            var r = step4(top, h, d, v).r
            r = step4(r.l3, UInt256(l0: l.l3, l1: r.l0, l2: r.l1, l3: r.l2), d, v).r
            r = step4(r.l3, UInt256(l0: l.l2, l1: r.l0, l2: r.l1, l3: r.l2), d, v).r
            r = step4(r.l3, UInt256(l0: l.l1, l1: r.l0, l2: r.l1, l3: r.l2), d, v).r
            r = step4(r.l3, UInt256(l0: l.l0, l1: r.l0, l2: r.l1, l3: r.l2), d, v).r
            return shiftedRight(r, s, fill: 0)
        }
        if y.l2 == 0 {
            // At most two limbs: the 2-by-1 and 3-by-2 steps are exact on their own.
            if y.l1 == 0 {
                let d0 = d.l0, v = LimbDivision.reciprocal(d0)
                var r = top   // below 2^s <= d0
                r = LimbDivision.divRem2by1(r, h.l3, d0, v).r
                r = LimbDivision.divRem2by1(r, h.l2, d0, v).r
                r = LimbDivision.divRem2by1(r, h.l1, d0, v).r
                r = LimbDivision.divRem2by1(r, h.l0, d0, v).r
                r = LimbDivision.divRem2by1(r, l.l3, d0, v).r
                r = LimbDivision.divRem2by1(r, l.l2, d0, v).r
                r = LimbDivision.divRem2by1(r, l.l1, d0, v).r
                r = LimbDivision.divRem2by1(r, l.l0, d0, v).r
                return UInt256(r &>> s)
            }
            let (d1, d0) = (d.l1, d.l0)
            let v = LimbDivision.reciprocal(d1, d0)
            var (_, r1, r0) = LimbDivision.divRem3by2(top, h.l3, h.l2, d1, d0, v)
            (_, r1, r0) = LimbDivision.divRem3by2(r1, r0, h.l1, d1, d0, v)
            (_, r1, r0) = LimbDivision.divRem3by2(r1, r0, h.l0, d1, d0, v)
            (_, r1, r0) = LimbDivision.divRem3by2(r1, r0, l.l3, d1, d0, v)
            (_, r1, r0) = LimbDivision.divRem3by2(r1, r0, l.l2, d1, d0, v)
            (_, r1, r0) = LimbDivision.divRem3by2(r1, r0, l.l1, d1, d0, v)
            (_, r1, r0) = LimbDivision.divRem3by2(r1, r0, l.l0, d1, d0, v)
            return UInt256(l0: r0 &>> s | (r1 &<< 1) &<< back, l1: r1 &>> s, l2: 0, l3: 0)
        }
        let (d2, d1, d0) = (d.l2, d.l1, d.l0)
        let v = LimbDivision.reciprocal(d2, d1)
        var (_, r2, r1, r0) = step3(top, h.l3, h.l2, h.l1, d2, d1, d0, v)
        (_, r2, r1, r0) = step3(r2, r1, r0, h.l0, d2, d1, d0, v)
        (_, r2, r1, r0) = step3(r2, r1, r0, l.l3, d2, d1, d0, v)
        (_, r2, r1, r0) = step3(r2, r1, r0, l.l2, d2, d1, d0, v)
        (_, r2, r1, r0) = step3(r2, r1, r0, l.l1, d2, d1, d0, v)
        (_, r2, r1, r0) = step3(r2, r1, r0, l.l0, d2, d1, d0, v)
        return shiftedRight(UInt256(l0: r0, l1: r1, l2: r2, l3: 0), s, fill: 0)
    }

    /// `(2^256 + sum) mod n`: ADDMOD when the addition carried.
    @usableFromInline @inline(never)
    static func addmodSlow(_ sum: UInt256, _ n: UInt256) -> UInt256 {
        // 2^256 + sum ≡ (2^256 - n) + sum (mod n), and 2^256 - n is n.negated, below 2^256: two 256-bit
        // reductions (the second is free when n > 2^255, as moduli of fields usually are), then at most one
        // subtraction. Cheaper than a 512-bit reduction whose top limbs are nearly all zero.
        let a = sum % n, b = n.negated % n
        let s = a &+ b   // no carry: a < n and b <= 2^256 - n
        return s >= n ? s &- n : s
    }

    /// `(high * 2^256 + low) mod n`: MULMOD's 512-by-256 reduction.
    @usableFromInline @inline(never)
    static func mulmodSlow(_ high: UInt256, _ low: UInt256, _ n: UInt256) -> UInt256 { mod512(high, low, by: n) }
}
