import CBigNum
import Primitives

/// A 384-bit unsigned integer (6 limbs, little-endian limb order) for BLS12-381's base field.
struct U384: Equatable {
    var l: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)
    static let zero = U384(l: (0, 0, 0, 0, 0, 0))

    init(l: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)) { self.l = l }

    /// From 48 big-endian bytes.
    init(bigEndian b: ArraySlice<UInt8>) {
        var v = U384.zero
        let bytes = Array(b)
        for i in 0..<6 {
            var w: UInt64 = 0
            for k in 0..<8 { w = w << 8 | UInt64(bytes[(5 - i) * 8 + k]) }
            v[i] = w
        }
        self = v
    }

    init(hex: String) {
        let b = (try? Hex.decode(hex)) ?? []
        self.init(bigEndian: ([UInt8](repeating: 0, count: max(0, 48 - b.count)) + b)[...])
    }

    var bytes: [UInt8] {
        var out = [UInt8]()
        for i in stride(from: 5, through: 0, by: -1) {
            for k in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: self[i] >> UInt64(k))) }
        }
        return out
    }

    subscript(i: Int) -> UInt64 {
        get {
            switch i { case 0: return l.0; case 1: return l.1; case 2: return l.2; case 3: return l.3; case 4: return l.4; default: return l.5 }
        }
        set {
            switch i { case 0: l.0 = newValue; case 1: l.1 = newValue; case 2: l.2 = newValue; case 3: l.3 = newValue; case 4: l.4 = newValue; default: l.5 = newValue }
        }
    }

    static func == (a: U384, b: U384) -> Bool { (0..<6).allSatisfy { a[$0] == b[$0] } }

    static func < (a: U384, b: U384) -> Bool {
        for i in stride(from: 5, through: 0, by: -1) where a[i] != b[i] { return a[i] < b[i] }
        return false
    }

    func adding(_ b: U384) -> (U384, Bool) {
        var r = U384.zero
        var carry = false
        for i in 0..<6 {
            let (s1, o1) = self[i].addingReportingOverflow(b[i])
            let (s2, o2) = s1.addingReportingOverflow(carry ? 1 : 0)
            r[i] = s2
            carry = o1 || o2
        }
        return (r, carry)
    }

    func subtracting(_ b: U384) -> (U384, Bool) {
        var r = U384.zero
        var borrow = false
        for i in 0..<6 {
            let (d1, o1) = self[i].subtractingReportingOverflow(b[i])
            let (d2, o2) = d1.subtractingReportingOverflow(borrow ? 1 : 0)
            r[i] = d2
            borrow = o1 || o2
        }
        return (r, borrow)
    }

    var isZero: Bool { (0..<6).allSatisfy { self[$0] == 0 } }
    var bitWidth: Int {
        for i in stride(from: 5, through: 0, by: -1) where self[i] != 0 { return 64 * i + 64 - self[i].leadingZeroBitCount }
        return 0
    }
    func bit(_ i: Int) -> Bool { (self[i >> 6] >> UInt64(i & 63)) & 1 == 1 }
}

/// BLS12-381 base field element in Montgomery form.
struct Fq: BNField {
    var m: U384
    static let p = U384(hex: "1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaab")
    static let pInv: UInt64 = {
        var inv: UInt64 = 1
        for _ in 0..<7 { inv = inv &* (2 &- p[0] &* inv) }
        return 0 &- inv
    }()
    /// 2^768 mod p, computed with OpenSSL's BIGNUM.
    static let r2: U384 = {
        guard let a = BN_new(), let m = BN_new(), let ctx = BN_CTX_new() else { return .zero }
        defer { BN_free(a); BN_free(m); BN_CTX_free(ctx) }
        BN_set_word(a, 1)
        BN_lshift(a, a, 768)
        BN_bin2bn(p.bytes, 48, m)
        BN_div(nil, a, a, m, ctx)
        var out = [UInt8](repeating: 0, count: 48)
        BN_bn2binpad(a, &out, 48)
        return U384(bigEndian: out[...])
    }()
    static let zero = Fq(m: .zero)
    static let one = Fq(U384(l: (1, 0, 0, 0, 0, 0)))

    init(m: U384) { self.m = m }
    init(_ v: U384) { m = Fq.mont(v, Fq.r2) }
    init(hex: String) { self.init(U384(hex: hex)) }
    var value: U384 { Fq.mont(m, U384(l: (1, 0, 0, 0, 0, 0))) }
    var isZero: Bool { m.isZero }

    static func mont(_ a: U384, _ b: U384) -> U384 {
        var t = U384.zero
        var t6: UInt64 = 0
        for i in 0..<6 {
            let ai = a[i]
            var c: UInt64 = 0
            for j in 0..<6 { t[j] = mac(t[j], ai, b[j], &c) }
            let (s6, o6) = t6.addingReportingOverflow(c)
            let t7: UInt64 = o6 ? 1 : 0
            let mm = t[0] &* pInv
            c = 0
            _ = mac(t[0], mm, p[0], &c)
            for j in 1..<6 { t[j - 1] = mac(t[j], mm, p[j], &c) }
            let (s, o) = s6.addingReportingOverflow(c)
            t[5] = s
            t6 = t7 &+ (o ? 1 : 0)
        }
        if t6 != 0 || !(t < p) { t = t.subtracting(p).0 }
        return t
    }

    static func + (a: Fq, b: Fq) -> Fq {
        let (s, o) = a.m.adding(b.m)
        return Fq(m: (o || !(s < p)) ? s.subtracting(p).0 : s)
    }
    static func - (a: Fq, b: Fq) -> Fq {
        let (d, o) = a.m.subtracting(b.m)
        return Fq(m: o ? d.adding(p).0 : d)
    }
    static func * (a: Fq, b: Fq) -> Fq { Fq(m: mont(a.m, b.m)) }

    func pow(_ e: U384) -> Fq {
        var r = Fq.one
        var i = e.bitWidth - 1
        while i >= 0 {
            r = r * r
            if e.bit(i) { r = r * self }
            i -= 1
        }
        return r
    }
    var inverse: Fq { pow(Fq.p.subtracting(U384(l: (2, 0, 0, 0, 0, 0))).0) }
    /// A square root (p ≡ 3 mod 4), or nil when there is none.
    var sqrt: Fq? {
        let e = Fq.p.adding(U384(l: (1, 0, 0, 0, 0, 0))).0
        // (p + 1) / 4
        var q = U384.zero
        for i in 0..<6 { q[i] = e[i] >> 2 | (i < 5 ? e[i + 1] << 62 : 0) }
        let s = pow(q)
        return s * s == self ? s : nil
    }
}

struct Fq2: BNField {
    var c0: Fq, c1: Fq
    static let zero = Fq2(c0: .zero, c1: .zero)
    static let one = Fq2(c0: .one, c1: .zero)
    var isZero: Bool { c0.isZero && c1.isZero }
    static func + (a: Fq2, b: Fq2) -> Fq2 { Fq2(c0: a.c0 + b.c0, c1: a.c1 + b.c1) }
    static func - (a: Fq2, b: Fq2) -> Fq2 { Fq2(c0: a.c0 - b.c0, c1: a.c1 - b.c1) }
    static func * (a: Fq2, b: Fq2) -> Fq2 {
        let v0 = a.c0 * b.c0, v1 = a.c1 * b.c1
        return Fq2(c0: v0 - v1, c1: (a.c0 + a.c1) * (b.c0 + b.c1) - v0 - v1)
    }
    var inverse: Fq2 {
        let t = (c0 * c0 + c1 * c1).inverse
        return Fq2(c0: c0 * t, c1: Fq.zero - c1 * t)
    }
    /// Multiplication by ξ = 1 + u.
    var timesXi: Fq2 { Fq2(c0: c0 - c1, c1: c0 + c1) }
}

/// Fq12 as six Fq2 coefficients of 1, w, …, w⁵ with w⁶ = 1 + u.
struct Fq12: Equatable {
    var c: [Fq2]
    static let one = Fq12(c: [.one, .zero, .zero, .zero, .zero, .zero])

    static func * (a: Fq12, b: Fq12) -> Fq12 {
        var r = [Fq2](repeating: .zero, count: 11)
        for i in 0..<6 where !a.c[i].isZero {
            for j in 0..<6 where !b.c[j].isZero { r[i + j] = r[i + j] + a.c[i] * b.c[j] }
        }
        for k in stride(from: 10, through: 6, by: -1) { r[k - 6] = r[k - 6] + r[k].timesXi }
        return Fq12(c: Array(r[0..<6]))
    }

    static let finalExponent: [UInt8] = {
        guard let p = BN_new(), let r = BN_new(), let e = BN_new(), let ctx = BN_CTX_new() else { return [] }
        defer { BN_free(p); BN_free(r); BN_free(e); BN_CTX_free(ctx) }
        BN_bin2bn(Fq.p.bytes, 48, p); BN_bin2bn(BLS12381.order.bytes, 32, r)
        BN_set_word(e, 1)
        for _ in 0..<12 { BN_mul(e, e, p, ctx) }
        BN_sub_word(e, 1)
        BN_div(e, nil, e, r, ctx)
        var out = [UInt8](repeating: 0, count: Int((BN_num_bits(e) + 7) / 8))
        BN_bn2bin(e, &out)
        return out
    }()

    func finalExponentiation() -> Fq12 {
        var r = Fq12.one
        for byte in Fq12.finalExponent {
            for bit in stride(from: 7, through: 0, by: -1) {
                r = r * r
                if (byte >> UInt8(bit)) & 1 == 1 { r = r * self }
            }
        }
        return r
    }
}

/// BLS12-381 groups, the ate pairing and the EIP-4844 point-evaluation precompile (0x0a).
enum BLS12381 {
    /// The group order r (the BLS scalar field modulus).
    static let order = UInt256(l0: 0xffffffff00000001, l1: 0x53bda402fffe5bfe, l2: 0x3339d80809a1d805, l3: 0x73eda753299d7d48)
    static let g1b = Fq(U384(l: (4, 0, 0, 0, 0, 0)))
    static let loop: UInt64 = 0xd201000000010000

    static let g1 = Jacobian(affine: Fq(hex: KZGSetup.g1.0), Fq(hex: KZGSetup.g1.1))
    static let g2 = Jacobian(affine: Fq2(c0: Fq(hex: KZGSetup.g2.x.0), c1: Fq(hex: KZGSetup.g2.x.1)),
                             Fq2(c0: Fq(hex: KZGSetup.g2.y.0), c1: Fq(hex: KZGSetup.g2.y.1)))
    static let tauG2 = Jacobian(affine: Fq2(c0: Fq(hex: KZGSetup.tauG2.x.0), c1: Fq(hex: KZGSetup.tauG2.x.1)),
                                Fq2(c0: Fq(hex: KZGSetup.tauG2.y.0), c1: Fq(hex: KZGSetup.tauG2.y.1)))

    /// Decompresses a 48-byte G1 point (ZCash encoding) and checks curve and subgroup membership.
    static func decompressG1(_ b: ArraySlice<UInt8>) -> Jacobian<Fq>? {
        let bytes = Array(b)
        guard bytes.count == 48, bytes[0] & 0x80 != 0 else { return nil }
        let infinity = bytes[0] & 0x40 != 0, sign = bytes[0] & 0x20 != 0
        var xb = bytes
        xb[0] &= 0x1f
        if infinity {
            guard !sign, xb.allSatisfy({ $0 == 0 }) else { return nil }
            return .infinity
        }
        let xv = U384(bigEndian: xb[...])
        guard xv < Fq.p else { return nil }
        let x = Fq(xv)
        guard var y = (x * x * x + g1b).sqrt else { return nil }
        // The sign bit selects the lexicographically larger root (y > (p-1)/2).
        let yv = y.value, neg = Fq.p.subtracting(yv).0
        if (neg < yv) != sign { y = Fq.zero - y }
        let pt = Jacobian(affine: x, y)
        guard pt.times(order).isInfinity else { return nil }
        return pt
    }

    /// Miller loop f_{|x|,Q}(P) on the M-type twist y² = x³ + 4(1+u). Lines are scaled by w³ (which lies in
    /// Fq4 and vanishes under the final exponentiation), as are vertical lines. The sign of x only inverts
    /// the pairing, which does not change whether a product of pairings is one.
    static func miller(_ px: Fq, _ py: Fq, _ qx: Fq2, _ qy: Fq2) -> Fq12 {
        var f = Fq12.one
        var tx = qx, ty = qy
        let pxF = Fq2(c0: px, c1: .zero), pyF = Fq2(c0: py, c1: .zero)
        let three = Fq2(c0: Fq(U384(l: (3, 0, 0, 0, 0, 0))), c1: .zero)
        func line(_ lambda: Fq2, _ x0: Fq2, _ y0: Fq2) -> Fq12 {
            Fq12(c: [lambda * x0 - y0, .zero, Fq2.zero - lambda * pxF, pyF, .zero, .zero])
        }
        var i = 63 - loop.leadingZeroBitCount - 1
        while i >= 0 {
            f = f * f
            let lambda = three * tx * tx * (ty + ty).inverse
            f = f * line(lambda, tx, ty)
            let nx = lambda * lambda - tx - tx
            ty = lambda * (tx - nx) - ty
            tx = nx
            if (loop >> UInt64(i)) & 1 == 1 {
                let lambda = (qy - ty) * (qx - tx).inverse
                f = f * line(lambda, tx, ty)
                let nx2 = lambda * lambda - tx - qx
                ty = lambda * (tx - nx2) - ty
                tx = nx2
            }
            i -= 1
        }
        return f
    }

    /// True when e(a1, b1) · e(a2, b2) = 1.
    static func pairingProductIsOne(_ pairs: [(Jacobian<Fq>, Jacobian<Fq2>)]) -> Bool {
        var f = Fq12.one
        for (a, b) in pairs {
            guard let (px, py) = a.affine, let (qx, qy) = b.affine else { continue }
            f = f * miller(px, py, qx, qy)
        }
        return f.finalExponentiation() == Fq12.one
    }

    /// EIP-4844 point evaluation: returns FIELD_ELEMENTS_PER_BLOB and BLS_MODULUS, or nil when invalid.
    static func pointEvaluation(_ input: [UInt8]) -> [UInt8]? {
        guard input.count == 192 else { return nil }
        let commitment = Array(input[96..<144])
        var versioned = sha256Digest(commitment)
        versioned[0] = 0x01
        guard Array(input[0..<32]) == versioned else { return nil }
        let z = UInt256(bigEndian: input[32..<64]), y = UInt256(bigEndian: input[64..<96])
        guard z < order, y < order,
              let c = decompressG1(input[96..<144]), let proof = decompressG1(input[144..<192]) else { return nil }
        // e(C − [y]G1, −G2) · e(proof, [τ]G2 − [z]G2) = 1
        let lhs = c + Jacobian(x: g1.x, y: Fq.zero - g1.y, z: g1.z).times(y)
        let negG2 = Jacobian(x: g2.x, y: Fq2.zero - g2.y, z: g2.z)
        let rhs = tauG2 + Jacobian(x: g2.x, y: Fq2.zero - g2.y, z: g2.z).times(z)
        guard pairingProductIsOne([(lhs, negG2), (proof, rhs)]) else { return nil }
        return UInt256(4096).bytes + order.bytes
    }
}
