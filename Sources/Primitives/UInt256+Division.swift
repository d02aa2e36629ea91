/// Long division on 64-bit limbs: Knuth's algorithm D (TAOCP vol. 2, 4.3.1) with each quotient limb found by
/// the reciprocal-based 2-by-1 and 3-by-2 divisions of Möller and Granlund ("Improved division by invariant
/// integers", IEEE Trans. Computers 2011). The divisor's reciprocal is computed once (one hardware division),
/// then every quotient limb costs a few multiplications instead of a 128-by-64 division.
///
/// Scratch space is local tuples viewed through pointers: no heap allocation, no arrays.

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

    /// `u[0..<n] -= q * d[0..<n]`; returns the limb still to subtract above `u[n - 1]`.
    @inline(__always)
    static func subtractMultiple(_ u: UnsafeMutablePointer<UInt64>, _ d: UnsafePointer<UInt64>, _ n: Int,
                                 _ q: UInt64) -> UInt64 {
        var carry: UInt64 = 0
        for i in 0..<n {
            let (hi, lo) = UInt256.mulAdd(d[i], q, carry, 0)
            let (diff, borrow) = u[i].subtractingReportingOverflow(lo)
            u[i] = diff
            carry = hi &+ UInt256.bit(borrow)   // cannot wrap: hi <= 2^64 - 2 whenever lo is nonzero
        }
        return carry
    }

    /// `u[0..<n] += d[0..<n]`; returns the carry out.
    @inline(__always)
    static func add(_ u: UnsafeMutablePointer<UInt64>, _ d: UnsafePointer<UInt64>, _ n: Int) -> Bool {
        var carry = false
        for i in 0..<n {
            let (s1, c1) = u[i].addingReportingOverflow(d[i])
            let (s2, c2) = s1.addingReportingOverflow(UInt256.bit(carry))
            u[i] = s2
            carry = c1 || c2
        }
        return carry
    }

    /// Knuth's step D3-D6 loop. `u` holds `m + 1` limbs already shifted left with the divisor's normalization
    /// (`u[m]` is the limb shifted out); `d` holds the `n >= 2` normalized divisor limbs. Quotient limbs go to
    /// `q[0...m-n]`; the (still normalized) remainder is left in `u[0..<n]`.
    static func knuth(_ u: UnsafeMutablePointer<UInt64>, _ m: Int, _ d: UnsafePointer<UInt64>, _ n: Int,
                      _ q: UnsafeMutablePointer<UInt64>) {
        let d1 = d[n - 1], d0 = d[n - 2]
        let v = reciprocal(d1, d0)
        var j = m - n
        while j >= 0 {
            let u2 = u[j + n], u1 = u[j + n - 1], u0 = u[j + n - 2]
            var qhat: UInt64
            if u2 == d1 && u1 == d0 {
                // The 3-by-2 step needs (u2, u1) < (d1, d0). When they are equal the quotient limb is exactly
                // 2^64 - 1: the partial remainder is below d * 2^64 yet above (2^64 - 1) * d because d >= 2^127.
                qhat = .max
                let borrow = subtractMultiple(u + j, d, n, qhat)
                u[j + n] = u2 &- borrow   // becomes 0
            } else {
                let (qq, r1, r0) = divRem3by2(u2, u1, u0, d1, d0, v)
                qhat = qq
                // (r1, r0) is the remainder of the top three limbs; now take q * d[0..<n-2] from the rest.
                let borrow = subtractMultiple(u + j, d, n - 2, qhat)
                let (x0, b0) = r0.subtractingReportingOverflow(borrow)
                let (x1, b1) = r1.subtractingReportingOverflow(UInt256.bit(b0))
                u[j + n - 2] = x0
                u[j + n - 1] = x1
                if b1 {
                    // The estimate was one too large (probability about 2^-64): add the divisor back.
                    qhat &-= 1
                    let c = add(u + j, d, n - 2)
                    let (y0, c0) = x0.addingReportingOverflow(d0)
                    let (y0c, c0c) = y0.addingReportingOverflow(UInt256.bit(c))
                    u[j + n - 2] = y0c
                    u[j + n - 1] = x1 &+ d1 &+ UInt256.bit(c0 || c0c)
                }
                u[j + n] = 0
            }
            q[j] = qhat
            j -= 1
        }
    }
}

extension UInt256 {
    /// Divides the `m`-limb number at `u` (room for `m + 1` limbs, overwritten) by `divisor` (nonzero).
    /// Quotient limbs are written to `q[0..<m]` (zero-filled by the caller, at most `m - limbs(divisor) + 1`
    /// of them change); returns the remainder.
    @usableFromInline
    static func divideLimbs(_ u: UnsafeMutablePointer<UInt64>, _ m: Int, by divisor: UInt256,
                            quotient q: UnsafeMutablePointer<UInt64>) -> UInt256 {
        var n = 4
        while n > 1 && divisor[limb: n - 1] == 0 { n -= 1 }
        var m = m
        while m > 0 && u[m - 1] == 0 { m -= 1 }
        if m < n {
            // Dividend below the divisor: quotient 0, remainder the dividend (fewer than four limbs).
            var r = UInt256.zero
            for i in 0..<m { r[limb: i] = u[i] }
            return r
        }
        // Normalize: shift both so the divisor's top limb has its top bit set. `(x >> 1) &>> (63 - s)` is
        // `x >> (64 - s)` without the out-of-range shift when s == 0.
        let s = UInt64(divisor[limb: n - 1].leadingZeroBitCount)
        let back = 63 &- s
        u[m] = (u[m - 1] >> 1) &>> back
        var i = m - 1
        while i > 0 {
            u[i] = u[i] &<< s | (u[i - 1] >> 1) &>> back
            i -= 1
        }
        u[0] = u[0] &<< s

        if n == 1 {
            let d = divisor.l0 &<< s
            let v = LimbDivision.reciprocal(d)
            var r = u[m]   // < 2^s <= d
            var k = m - 1
            while k >= 0 {
                (q[k], r) = LimbDivision.divRem2by1(r, u[k], d, v)
                k -= 1
            }
            return UInt256(r &>> s)
        }

        var dl: (UInt64, UInt64, UInt64, UInt64) = (
            divisor.l0 &<< s,
            divisor.l1 &<< s | (divisor.l0 >> 1) &>> back,
            divisor.l2 &<< s | (divisor.l1 >> 1) &>> back,
            divisor.l3 &<< s | (divisor.l2 >> 1) &>> back)
        withUnsafeMutablePointer(to: &dl) { tp in
            tp.withMemoryRebound(to: UInt64.self, capacity: 4) { dp in
                LimbDivision.knuth(u, m, UnsafePointer(dp), n, q)
            }
        }
        // Undo the normalization of the remainder in u[0..<n] (u[n] is 0 now).
        var r = UInt256.zero
        for k in 0..<n {
            r[limb: k] = u[k] &>> s | (u[k + 1] &<< 1) &<< back
        }
        return r
    }

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
            // The 3-by-2 step needs (u3, u2) < (d2, d1). When they are equal the quotient is exactly 2^64 - 1
            // (see LimbDivision.knuth) and the remainder u - 2^64 d + d is (u1 - d0) 2^64 + u0 + d, computed
            // modulo 2^192 since its true value lies in [0, d).
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
    /// one limb, and the top dividend limb is below 2^s, so the "equal top limbs" case cannot occur).
    @inline(__always)
    static func divRem(_ x: UInt256, byFourLimbs y: UInt256) -> (quotient: UInt256, remainder: UInt256) {
        let s = UInt64(y.l3.leadingZeroBitCount)
        let d = shiftedLeft(y, s)
        let v = LimbDivision.reciprocal(d.l3, d.l2)
        let u = shiftedLeft(x, s)
        let top = (x.l3 >> 1) &>> (63 &- s)
        let (qhat, r3, r2) = LimbDivision.divRem3by2(top, u.l3, u.l2, d.l3, d.l2, v)
        var q = qhat
        // Subtract q * (d1, d0) from (r3, r2, u1, u0).
        let (h0, p0) = q.multipliedFullWidth(by: d.l0)
        let (h1, p1) = mulAdd(q, d.l1, h0, 0)
        var rem = UInt256(l0: u.l0, l1: u.l1, l2: r2, l3: r3)
        let (diff, borrow) = rem.subtractingReportingOverflow(UInt256(l0: p0, l1: p1, l2: h1, l3: 0))
        rem = diff
        if borrow {
            q &-= 1   // rare: add the divisor back (the carry out cancels the borrow)
            rem = rem &+ d
        }
        return (UInt256(q), shiftedRight(rem, s, fill: 0))
    }

    /// `(2^256 + sum) mod n`: ADDMOD when the addition carried.
    @usableFromInline @inline(never)
    static func addmodSlow(_ sum: UInt256, _ n: UInt256) -> UInt256 {
        var u: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (sum.l0, sum.l1, sum.l2, sum.l3, 1, 0)
        var q: (UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0)
        return withUnsafeMutablePointer(to: &u) { ut in
            ut.withMemoryRebound(to: UInt64.self, capacity: 6) { up in
                withUnsafeMutablePointer(to: &q) { qt in
                    qt.withMemoryRebound(to: UInt64.self, capacity: 5) { qp in
                        divideLimbs(up, 5, by: n, quotient: qp)
                    }
                }
            }
        }
    }

    /// `(high * 2^256 + low) mod n`: MULMOD's 512-by-256 reduction.
    @usableFromInline @inline(never)
    static func mulmodSlow(_ high: UInt256, _ low: UInt256, _ n: UInt256) -> UInt256 {
        var u: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) =
            (low.l0, low.l1, low.l2, low.l3, high.l0, high.l1, high.l2, high.l3, 0)
        var q: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
        return withUnsafeMutablePointer(to: &u) { ut in
            ut.withMemoryRebound(to: UInt64.self, capacity: 9) { up in
                withUnsafeMutablePointer(to: &q) { qt in
                    qt.withMemoryRebound(to: UInt64.self, capacity: 8) { qp in
                        divideLimbs(up, 8, by: n, quotient: qp)
                    }
                }
            }
        }
    }
}
