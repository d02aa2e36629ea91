import CBigNum
import Primitives

/// Field arithmetic for the alt_bn128 (BN254) curve of EIP-196/197: Fp in Montgomery form with 4 limbs,
/// Fp2 = Fp[i]/(i²+1), and Fp12 = Fp2[w]/(w⁶ − ξ) with ξ = 9 + i.
protocol BNField: Equatable, Sendable {
    static var zero: Self { get }
    static var one: Self { get }
    static func + (a: Self, b: Self) -> Self
    static func - (a: Self, b: Self) -> Self
    static func * (a: Self, b: Self) -> Self
    var isZero: Bool { get }
    var inverse: Self { get }
}

/// a + b·c + carry as (low, new carry); never overflows 128 bits.
@inline(__always)
func mac(_ a: UInt64, _ b: UInt64, _ c: UInt64, _ carry: inout UInt64) -> UInt64 {
    let (hi, lo) = b.multipliedFullWidth(by: c)
    let (s1, o1) = lo.addingReportingOverflow(a)
    let (s2, o2) = s1.addingReportingOverflow(carry)
    carry = hi &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
    return s2
}

struct Fp: BNField {
    /// The value times 2^256 mod p.
    var m: UInt256

    static let p = UInt256(l0: 0x3c208c16d87cfd47, l1: 0x97816a916871ca8d, l2: 0xb85045b68181585d, l3: 0x30644e72e131a029)
    static let pInv: UInt64 = {
        var inv: UInt64 = 1
        for _ in 0..<7 { inv = inv &* (2 &- p.l0 &* inv) }
        return 0 &- inv
    }()
    static let r2: UInt256 = {
        let rModP = UInt256.evmMod512(high: .one, low: .zero, p)
        return UInt256.evmMulMod(rModP, rModP, p)
    }()
    static let zero = Fp(m: .zero)
    static let one = Fp(small: 1)

    init(m: UInt256) { self.m = m }
    /// From a canonical integer below p.
    init(_ v: UInt256) { m = Fp.mont(v, Fp.r2) }
    init(small v: UInt64) { self.init(UInt256(v)) }

    /// The canonical integer.
    var value: UInt256 { Fp.mont(m, .one) }
    var isZero: Bool { m.isZero }

    @inline(__always)
    static func mont(_ a: UInt256, _ b: UInt256) -> UInt256 {
        var t0: UInt64 = 0, t1: UInt64 = 0, t2: UInt64 = 0, t3: UInt64 = 0, t4: UInt64 = 0
        for i in 0..<4 {
            let ai = a[limb: i]
            var c: UInt64 = 0
            t0 = mac(t0, ai, b.l0, &c)
            t1 = mac(t1, ai, b.l1, &c)
            t2 = mac(t2, ai, b.l2, &c)
            t3 = mac(t3, ai, b.l3, &c)
            let (s4, o4) = t4.addingReportingOverflow(c)
            let t5: UInt64 = o4 ? 1 : 0
            let mm = t0 &* pInv
            c = 0
            _ = mac(t0, mm, p.l0, &c)
            t0 = mac(t1, mm, p.l1, &c)
            t1 = mac(t2, mm, p.l2, &c)
            t2 = mac(t3, mm, p.l3, &c)
            let (s, o) = s4.addingReportingOverflow(c)
            t3 = s
            t4 = t5 &+ (o ? 1 : 0)
        }
        let r = UInt256(l0: t0, l1: t1, l2: t2, l3: t3)
        return (t4 != 0 || !(r < p)) ? r &- p : r
    }

    static func + (a: Fp, b: Fp) -> Fp {
        let (s, o) = a.m.addingReportingOverflow(b.m)
        return Fp(m: (o || !(s < p)) ? s &- p : s)
    }
    static func - (a: Fp, b: Fp) -> Fp {
        let (d, o) = a.m.subtractingReportingOverflow(b.m)
        return Fp(m: o ? d &+ p : d)
    }
    static func * (a: Fp, b: Fp) -> Fp { Fp(m: mont(a.m, b.m)) }
    static prefix func - (a: Fp) -> Fp { zero - a }

    func pow(_ e: UInt256) -> Fp {
        var r = Fp.one
        var i = e.bitWidth - 1
        while i >= 0 {
            r = r * r
            if (e[limb: i >> 6] >> UInt64(i & 63)) & 1 == 1 { r = r * self }
            i -= 1
        }
        return r
    }
    var inverse: Fp { pow(Fp.p &- UInt256(2)) }
}

struct Fp2: BNField {
    var c0: Fp, c1: Fp
    static let zero = Fp2(c0: .zero, c1: .zero)
    static let one = Fp2(c0: .one, c1: .zero)
    var isZero: Bool { c0.isZero && c1.isZero }
    static func + (a: Fp2, b: Fp2) -> Fp2 { Fp2(c0: a.c0 + b.c0, c1: a.c1 + b.c1) }
    static func - (a: Fp2, b: Fp2) -> Fp2 { Fp2(c0: a.c0 - b.c0, c1: a.c1 - b.c1) }
    static func * (a: Fp2, b: Fp2) -> Fp2 {
        let v0 = a.c0 * b.c0, v1 = a.c1 * b.c1
        return Fp2(c0: v0 - v1, c1: (a.c0 + a.c1) * (b.c0 + b.c1) - v0 - v1)
    }
    func scaled(_ k: Fp) -> Fp2 { Fp2(c0: c0 * k, c1: c1 * k) }
    var inverse: Fp2 {
        let t = (c0 * c0 + c1 * c1).inverse
        return Fp2(c0: c0 * t, c1: Fp.zero - c1 * t)
    }
    /// Multiplication by ξ = 9 + i.
    var timesXi: Fp2 {
        let nine = Fp2.nineFp
        return Fp2(c0: c0 * nine - c1, c1: c0 + c1 * nine)
    }
    static let nineFp = Fp(small: 9)
}

/// Fp12 as six Fp2 coefficients of 1, w, …, w⁵ with w⁶ = ξ.
struct Fp12: Equatable {
    var c: [Fp2]
    static let one = Fp12(c: [.one, .zero, .zero, .zero, .zero, .zero])

    static func * (a: Fp12, b: Fp12) -> Fp12 {
        var r = [Fp2](repeating: .zero, count: 11)
        for i in 0..<6 where !a.c[i].isZero {
            for j in 0..<6 where !b.c[j].isZero { r[i + j] = r[i + j] + a.c[i] * b.c[j] }
        }
        for k in stride(from: 10, through: 6, by: -1) { r[k - 6] = r[k - 6] + r[k].timesXi }
        return Fp12(c: Array(r[0..<6]))
    }

    /// The final exponent (p¹² − 1) / r, big-endian bits.
    static let finalExponent: [UInt8] = {
        guard let p = BN_new(), let r = BN_new(), let e = BN_new(), let ctx = BN_CTX_new() else { return [] }
        defer { BN_free(p); BN_free(r); BN_free(e); BN_CTX_free(ctx) }
        let pb = Fp.p.bytes, rb = G1.order.bytes
        BN_bin2bn(pb, 32, p); BN_bin2bn(rb, 32, r)
        BN_set_word(e, 1)
        for _ in 0..<12 { BN_mul(e, e, p, ctx) }
        BN_sub_word(e, 1)
        BN_div(e, nil, e, r, ctx)
        var out = [UInt8](repeating: 0, count: Int((BN_num_bits(e) + 7) / 8))
        BN_bn2bin(e, &out)
        return out
    }()

    func finalExponentiation() -> Fp12 {
        var r = Fp12.one
        for byte in Fp12.finalExponent {
            for bit in stride(from: 7, through: 0, by: -1) {
                r = r * r
                if (byte >> UInt8(bit)) & 1 == 1 { r = r * self }
            }
        }
        return r
    }
}
