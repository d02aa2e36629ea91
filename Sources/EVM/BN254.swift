import Primitives

/// A point in Jacobian coordinates on y² = x³ + b over field F (z = 0 is the point at infinity).
struct Jacobian<F: BNField>: Sendable {
    var x: F, y: F, z: F
    static var infinity: Jacobian { Jacobian(x: .one, y: .one, z: .zero) }
    var isInfinity: Bool { z.isZero }

    init(x: F, y: F, z: F) { self.x = x; self.y = y; self.z = z }
    init(affine x: F, _ y: F) { self.init(x: x, y: y, z: .one) }

    func doubled() -> Jacobian {
        if isInfinity || y.isZero { return .infinity }
        let a = x * x, b = y * y, c = b * b
        let t = (x + b) * (x + b) - a - c
        let d = t + t
        let e = a + a + a
        let f = e * e
        let x3 = f - d - d
        let c8 = c + c + c + c + c + c + c + c
        let y3 = e * (d - x3) - c8
        let yz = y * z
        return Jacobian(x: x3, y: y3, z: yz + yz)
    }

    static func + (p: Jacobian, q: Jacobian) -> Jacobian {
        if p.isInfinity { return q }
        if q.isInfinity { return p }
        let z1z1 = p.z * p.z, z2z2 = q.z * q.z
        let u1 = p.x * z2z2, u2 = q.x * z1z1
        let s1 = p.y * q.z * z2z2, s2 = q.y * p.z * z1z1
        if u1 == u2 { return s1 == s2 ? p.doubled() : .infinity }
        let h = u2 - u1
        let i = (h + h) * (h + h)
        let j = h * i
        let rr = (s2 - s1) + (s2 - s1)
        let v = u1 * i
        let x3 = rr * rr - j - v - v
        let y3 = rr * (v - x3) - (s1 * j + s1 * j)
        let z3 = ((p.z + q.z) * (p.z + q.z) - z1z1 - z2z2) * h
        return Jacobian(x: x3, y: y3, z: z3)
    }

    func times(_ k: UInt256) -> Jacobian {
        var r = Jacobian.infinity
        var i = k.bitWidth - 1
        while i >= 0 {
            r = r.doubled()
            if (k[limb: i >> 6] >> UInt64(i & 63)) & 1 == 1 { r = r + self }
            i -= 1
        }
        return r
    }

    /// Affine (x, y), or nil for infinity.
    var affine: (F, F)? {
        if isInfinity { return nil }
        let zi = z.inverse
        let zi2 = zi * zi
        return (x * zi2, y * zi2 * zi)
    }
}

enum G1 {
    /// The group order r.
    static let order = UInt256(l0: 0x43e1f593f0000001, l1: 0x2833e84879b97091, l2: 0xb85045b68181585d,
                               l3: 0x30644e72e131a029)
    static let b = Fp(small: 3)

    /// Parses a 64-byte point; nil when a coordinate is ≥ p or the point is off the curve.
    static func parse(_ d: [UInt8], _ at: Int) -> Jacobian<Fp>?? {
        let xv = UInt256(bigEndian: d[at..<(at + 32)]), yv = UInt256(bigEndian: d[(at + 32)..<(at + 64)])
        guard xv < Fp.p, yv < Fp.p else { return .some(nil) }
        if xv.isZero && yv.isZero { return .some(.some(.infinity)) }
        let x = Fp(xv), y = Fp(yv)
        guard y * y == x * x * x + b else { return .some(nil) }
        return .some(.some(Jacobian(affine: x, y)))
    }

    static func encode(_ p: Jacobian<Fp>) -> [UInt8] {
        guard let (x, y) = p.affine else { return [UInt8](repeating: 0, count: 64) }
        return x.value.bytes + y.value.bytes
    }
}

enum G2 {
    /// b' = 3 / ξ for the D-type twist y² = x³ + b'.
    static let b = Fp2(c0: Fp(small: 3), c1: .zero) * Fp2(c0: Fp(small: 9), c1: Fp(small: 1)).inverse

    /// Parses 128 bytes (x.im, x.re, y.im, y.re); checks range, curve and subgroup membership.
    static func parse(_ d: [UInt8], _ at: Int) -> Jacobian<Fp2>?? {
        var v = [UInt256]()
        for k in 0..<4 {
            let w = UInt256(bigEndian: d[(at + 32 * k)..<(at + 32 * k + 32)])
            guard w < Fp.p else { return .some(nil) }
            v.append(w)
        }
        if v.allSatisfy({ $0.isZero }) { return .some(.some(.infinity)) }
        let x = Fp2(c0: Fp(v[1]), c1: Fp(v[0])), y = Fp2(c0: Fp(v[3]), c1: Fp(v[2]))
        guard y * y == x * x * x + b else { return .some(nil) }
        let q = Jacobian(affine: x, y)
        guard q.times(G1.order).isInfinity else { return .some(nil) }
        return .some(.some(q))
    }
}

/// alt_bn128 precompiles (EIP-196/197, EIP-1108 pricing is applied by the caller).
enum BN254 {
    static func add(_ raw: [UInt8]) -> [UInt8]? {
        let d = Precompiles.padded(raw, 128)
        guard let p = G1.parse(d, 0), let p, let q = G1.parse(d, 64), let q else { return nil }
        return G1.encode(p + q)
    }

    static func mul(_ raw: [UInt8]) -> [UInt8]? {
        let d = Precompiles.padded(raw, 96)
        guard let p = G1.parse(d, 0), let p else { return nil }
        return G1.encode(p.times(UInt256(bigEndian: d[64..<96])))
    }

    /// 6u² (u = 4965661367192848881): the ate pairing's loop count t − 1.
    static let ateLoop: UInt256 = {
        let u = UInt256(4965661367192848881)
        return UInt256.evmMul(UInt256(6), UInt256.evmMul(u, u))
    }()

    /// The Miller loop of the ate pairing f_{6u², Q}(P), Q on the twist, with affine steps in Fp2.
    /// Vertical lines lie in Fp6 and vanish under the final exponentiation, so they are skipped.
    static func miller(_ px: Fp, _ py: Fp, _ qx: Fp2, _ qy: Fp2) -> Fp12 {
        var f = Fp12.one
        var tx = qx, ty = qy
        var tInf = false
        let pyF = Fp2(c0: py, c1: .zero), pxF = Fp2(c0: px, c1: .zero)
        /// Line with slope λ through (x0, y0) at P: yP − λ·xP·w + (λ·x0 − y0)·w³.
        func line(_ lambda: Fp2, _ x0: Fp2, _ y0: Fp2) -> Fp12 {
            Fp12(c: [pyF, Fp2.zero - lambda * pxF, .zero, lambda * x0 - y0, .zero, .zero])
        }
        let n = ateLoop
        var i = n.bitWidth - 2
        while i >= 0 {
            f = f * f
            if !tInf {
                if ty.isZero {
                    tInf = true
                } else {
                    let three = Fp2(c0: Fp(small: 3), c1: .zero)
                    let lambda = three * tx * tx * (ty + ty).inverse
                    f = f * line(lambda, tx, ty)
                    let nx = lambda * lambda - tx - tx
                    ty = lambda * (tx - nx) - ty
                    tx = nx
                }
            }
            if (n[limb: i >> 6] >> UInt64(i & 63)) & 1 == 1 {
                if tInf {
                    tx = qx; ty = qy; tInf = false
                } else if tx == qx {
                    if ty == qy {
                        let three = Fp2(c0: Fp(small: 3), c1: .zero)
                        let lambda = three * tx * tx * (ty + ty).inverse
                        f = f * line(lambda, tx, ty)
                        let nx = lambda * lambda - tx - tx
                        ty = lambda * (tx - nx) - ty
                        tx = nx
                    } else {
                        tInf = true
                    }
                } else {
                    let lambda = (qy - ty) * (qx - tx).inverse
                    f = f * line(lambda, tx, ty)
                    let nx = lambda * lambda - tx - qx
                    ty = lambda * (tx - nx) - ty
                    tx = nx
                }
            }
            i -= 1
        }
        return f
    }

    static func pairing(_ input: [UInt8]) -> [UInt8]? {
        guard input.count % 192 == 0 else { return nil }
        var f = Fp12.one
        var k = 0
        while k < input.count {
            guard let p = G1.parse(input, k), let p, let q = G2.parse(input, k + 64), let q else { return nil }
            if let (px, py) = p.affine, let (qx, qy) = q.affine {
                f = f * miller(px, py, qx, qy)
            }
            k += 192
        }
        let ok = f.finalExponentiation() == Fp12.one
        return [UInt8](repeating: 0, count: 31) + [ok ? 1 : 0]
    }
}
