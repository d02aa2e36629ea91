import Primitives

/// Multi-limb division (Knuth, TAOCP vol. 2, 4.3.1, Algorithm D) with 64-bit limbs, for DIV/MOD/SDIV/SMOD
/// and the 512-bit remainders of ADDMOD/MULMOD. Works on stack-allocated scratch; no heap traffic.
enum LimbDivision {
    /// Divides `u` (m limbs) by `v` (n limbs, v[n-1] != 0, 2 <= n <= m). Writes m-n+1 quotient limbs to `q`
    /// (if non-nil) and n remainder limbs to `r`. `scratch` must hold m + 1 + n limbs.
    static func divide(u: UnsafePointer<UInt64>, m: Int, v: UnsafePointer<UInt64>, n: Int,
                       q: UnsafeMutablePointer<UInt64>?, r: UnsafeMutablePointer<UInt64>,
                       scratch: UnsafeMutablePointer<UInt64>) {
        // Constant divisor lengths let the compiler unroll the inner loops (4 limbs is MULMOD's usual case).
        switch n {
        case 4: divideImpl(u: u, m: m, v: v, n: 4, q: q, r: r, scratch: scratch)
        case 3: divideImpl(u: u, m: m, v: v, n: 3, q: q, r: r, scratch: scratch)
        default: divideImpl(u: u, m: m, v: v, n: n, q: q, r: r, scratch: scratch)
        }
    }

    @inline(__always)
    static func divideImpl(u: UnsafePointer<UInt64>, m: Int, v: UnsafePointer<UInt64>, n: Int,
                           q: UnsafeMutablePointer<UInt64>?, r: UnsafeMutablePointer<UInt64>,
                           scratch: UnsafeMutablePointer<UInt64>) {
        let s = UInt64(v[n - 1].leadingZeroBitCount)
        let vn = scratch, un = scratch + n
        // Normalise so the divisor's top bit is set.
        var i = n - 1
        while i > 0 { vn[i] = (v[i] << s) | (s == 0 ? 0 : v[i - 1] >> (64 - s)); i -= 1 }
        vn[0] = v[0] << s
        un[m] = s == 0 ? 0 : u[m - 1] >> (64 - s)
        i = m - 1
        while i > 0 { un[i] = (u[i] << s) | (s == 0 ? 0 : u[i - 1] >> (64 - s)); i -= 1 }
        un[0] = u[0] << s
        let vTop = vn[n - 1], vNext = vn[n - 2]
        // One hardware-speed division for the reciprocal; each quotient digit then costs two multiplies
        // (Möller & Granlund, "Improved division by invariant integers", 2011).
        let recip = vTop.dividingFullWidth((~vTop, UInt64.max)).quotient
        var j = m - n
        while j >= 0 {
            var qhat: UInt64, rhat: UInt64
            var rhatOverflow = false
            let top = un[j + n]
            if top >= vTop {
                qhat = .max
                (rhat, rhatOverflow) = un[j + n - 1].addingReportingOverflow(vTop)
            } else {
                (qhat, rhat) = div2by1(top, un[j + n - 1], vTop, recip)
            }
            while !rhatOverflow {
                let (ph, pl) = qhat.multipliedFullWidth(by: vNext)
                if ph > rhat || (ph == rhat && pl > un[j + n - 2]) {
                    qhat -= 1
                    (rhat, rhatOverflow) = rhat.addingReportingOverflow(vTop)
                } else {
                    break
                }
            }
            // un[j...j+n] -= qhat * vn
            var borrow: UInt64 = 0, carry: UInt64 = 0
            for k in 0..<n {
                let (ph, pl) = qhat.multipliedFullWidth(by: vn[k])
                let (pl2, o1) = pl.addingReportingOverflow(carry)
                carry = ph &+ (o1 ? 1 : 0)
                let (t, b1) = un[k + j].subtractingReportingOverflow(pl2)
                let (t2, b2) = t.subtractingReportingOverflow(borrow)
                un[k + j] = t2
                borrow = (b1 ? 1 : 0) &+ (b2 ? 1 : 0)
            }
            let (t, b1) = un[j + n].subtractingReportingOverflow(carry)
            let (t2, b2) = t.subtractingReportingOverflow(borrow)
            un[j + n] = t2
            if b1 || b2 {
                // qhat was one too large: add the divisor back.
                qhat -= 1
                var c: UInt64 = 0
                for k in 0..<n {
                    let (s1, o1) = un[k + j].addingReportingOverflow(vn[k])
                    let (s2, o2) = s1.addingReportingOverflow(c)
                    un[k + j] = s2
                    c = (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
                }
                un[j + n] = un[j + n] &+ c
            }
            q?[j] = qhat
            j -= 1
        }
        for k in 0..<n { r[k] = (un[k] >> s) | (s == 0 ? 0 : un[k + 1] << (64 - s)) }
    }

    /// (u1·2^64 + u0) / d for normalised d and u1 < d, given d's reciprocal ⌊(2^128 − 1)/d⌋ − 2^64.
    @inline(__always)
    static func div2by1(_ u1: UInt64, _ u0: UInt64, _ d: UInt64, _ v: UInt64) -> (UInt64, UInt64) {
        let (ph, pl) = v.multipliedFullWidth(by: u1)
        let (q0, c) = pl.addingReportingOverflow(u0)
        var q1 = ph &+ u1 &+ 1 &+ (c ? 1 : 0)
        var r = u0 &- q1 &* d
        if r > q0 { q1 &-= 1; r &+= d }
        if r >= d { q1 &+= 1; r &-= d }
        return (q1, r)
    }

    /// Number of significant limbs among the first `count`.
    @inline(__always)
    static func used(_ p: UnsafePointer<UInt64>, _ count: Int) -> Int {
        var n = count
        while n > 0 && p[n - 1] == 0 { n -= 1 }
        return n
    }

    /// (high, low) mod m for m with at least two limbs, or any m via the short path.
    static func mod512(high: UInt256, low: UInt256, _ m: UInt256) -> UInt256 {
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 32) { buf in
            let p = buf.baseAddress!
            let u = p, v = p + 8, r = p + 12, scratch = p + 16
            for k in 0..<4 { u[k] = low[limb: k]; u[k + 4] = high[limb: k]; v[k] = m[limb: k] }
            let mu = used(u, 8), nv = used(v, 4)
            if nv == 1 {
                var rem: UInt64 = 0
                var k = mu - 1
                while k >= 0 { rem = v[0].dividingFullWidth((rem, u[k])).remainder; k -= 1 }
                return UInt256(rem)
            }
            if mu < nv { return low }
            divide(u: u, m: mu, v: v, n: nv, q: nil, r: r, scratch: scratch)
            var out = UInt256.zero
            for k in 0..<nv { out[limb: k] = r[k] }
            return out
        }
    }

    /// Quotient and remainder of 256-bit values (d has at least two limbs, a >= d).
    static func divMod(_ a: UInt256, _ d: UInt256) -> (UInt256, UInt256) {
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 32) { buf in
            let p = buf.baseAddress!
            let u = p, v = p + 4, q = p + 8, r = p + 12, scratch = p + 16
            for k in 0..<4 { u[k] = a[limb: k]; v[k] = d[limb: k]; q[k] = 0 }
            let mu = used(u, 4), nv = used(v, 4)
            divide(u: u, m: mu, v: v, n: nv, q: q, r: r, scratch: scratch)
            var qq = UInt256.zero, rr = UInt256.zero
            for k in 0..<4 { qq[limb: k] = q[k] }
            for k in 0..<nv { rr[limb: k] = r[k] }
            return (qq, rr)
        }
    }
}
