/// scrypt's ROMix in Swift (RFC 7914 §§3–5), for parameters OpenSSL refuses: OpenSSL enforces the RFC's
/// N < 2^(16·r), but geth and other writers do not, and real key files (ethereum/tests' `test2`: N = 2^18, r = 1,
/// p = 8) break it. The PBKDF2 steps still go through OpenSSL.

extension Scrypt {
    /// True when OpenSSL will refuse these parameters for breaking N < 2^(16·r).
    static func opensslRefuses(n: Int, r: Int) -> Bool { 16 * r < 63 && n >= 1 << (16 * r) }

    /// scrypt computed by this file's ROMix instead of OpenSSL's; `derive` uses it where OpenSSL refuses the
    /// parameters. Same checks and results as `derive`.
    public static func derivePortable(password: [UInt8], salt: [UInt8], n: Int, r: Int, p: Int,
                                      keyLength: Int, maxMemory: Int = Scrypt.defaultMaxMemory) throws(CryptoError) -> [UInt8] {
        try checkParameters(n: n, r: r, p: p, keyLength: keyLength, maxMemory: maxMemory)
        let blockBytes = 128 * r
        var b = try PBKDF2.sha256(password: password, salt: salt, iterations: 1, keyLength: p * blockBytes)
        let words = 32 * r  // one ROMix block as UInt32 words
        var x = [UInt32](repeating: 0, count: words)
        var v = [UInt32](repeating: 0, count: words * n)
        var scratch = [UInt32](repeating: 0, count: words + 16)
        for i in 0..<p {
            let offset = i * blockBytes
            // Little-endian words in, ROMix, little-endian bytes out.
            for w in 0..<words {
                let o = offset + 4 * w
                x[w] = UInt32(b[o]) | UInt32(b[o + 1]) << 8 | UInt32(b[o + 2]) << 16 | UInt32(b[o + 3]) << 24
            }
            x.withUnsafeMutableBufferPointer { xp in
                v.withUnsafeMutableBufferPointer { vp in
                    scratch.withUnsafeMutableBufferPointer { sp in
                        roMix(xp.baseAddress!, vp.baseAddress!, sp.baseAddress!, r: r, n: n)
                    }
                }
            }
            for w in 0..<words {
                let o = offset + 4 * w
                b[o] = UInt8(truncatingIfNeeded: x[w]); b[o + 1] = UInt8(truncatingIfNeeded: x[w] >> 8)
                b[o + 2] = UInt8(truncatingIfNeeded: x[w] >> 16); b[o + 3] = UInt8(truncatingIfNeeded: x[w] >> 24)
            }
        }
        return try PBKDF2.sha256(password: password, salt: b, iterations: 1, keyLength: keyLength)
    }

    /// X ← ROMix(X): fill V with N successive BlockMix states, then mix in N pseudo-randomly chosen ones.
    private static func roMix(_ x: UnsafeMutablePointer<UInt32>, _ v: UnsafeMutablePointer<UInt32>,
                              _ scratch: UnsafeMutablePointer<UInt32>, r: Int, n: Int) {
        let words = 32 * r
        for i in 0..<n {
            (v + i * words).update(from: x, count: words)
            blockMix(x, scratch, r: r)
        }
        let mask = UInt64(n - 1)  // n is a power of two
        for _ in 0..<n {
            // Integerify: the first 64 bits (little-endian) of the last 64-byte block.
            let last = (2 * r - 1) * 16
            let j = Int((UInt64(x[last]) | UInt64(x[last + 1]) << 32) & mask)
            let vj = v + j * words
            for k in 0..<words { x[k] ^= vj[k] }
            blockMix(x, scratch, r: r)
        }
    }

    /// B ← BlockMix(B) over 2r 64-byte blocks; even-indexed outputs go to the first half, odd to the second.
    private static func blockMix(_ b: UnsafeMutablePointer<UInt32>, _ scratch: UnsafeMutablePointer<UInt32>, r: Int) {
        let words = 32 * r
        let y = scratch  // 32r words of output, then 16 words of running state
        let t = scratch + words
        t.update(from: b + (2 * r - 1) * 16, count: 16)
        for i in 0..<(2 * r) {
            let bi = b + i * 16
            for k in 0..<16 { t[k] ^= bi[k] }
            salsa20_8(t)
            let dest = (i & 1 == 0 ? i / 2 : r + i / 2) * 16
            (y + dest).update(from: t, count: 16)
        }
        b.update(from: y, count: words)
    }

    @inline(__always)
    private static func rotl(_ v: UInt32, _ c: UInt32) -> UInt32 { v << c | v >> (32 - c) }

    /// The Salsa20/8 core on 16 words, in place.
    private static func salsa20_8(_ b: UnsafeMutablePointer<UInt32>) {
        var x0 = b[0], x1 = b[1], x2 = b[2], x3 = b[3], x4 = b[4], x5 = b[5], x6 = b[6], x7 = b[7]
        var x8 = b[8], x9 = b[9], x10 = b[10], x11 = b[11], x12 = b[12], x13 = b[13], x14 = b[14], x15 = b[15]
        for _ in 0..<4 {
            // Column round.
            x4 ^= rotl(x0 &+ x12, 7); x8 ^= rotl(x4 &+ x0, 9); x12 ^= rotl(x8 &+ x4, 13); x0 ^= rotl(x12 &+ x8, 18)
            x9 ^= rotl(x5 &+ x1, 7); x13 ^= rotl(x9 &+ x5, 9); x1 ^= rotl(x13 &+ x9, 13); x5 ^= rotl(x1 &+ x13, 18)
            x14 ^= rotl(x10 &+ x6, 7); x2 ^= rotl(x14 &+ x10, 9); x6 ^= rotl(x2 &+ x14, 13); x10 ^= rotl(x6 &+ x2, 18)
            x3 ^= rotl(x15 &+ x11, 7); x7 ^= rotl(x3 &+ x15, 9); x11 ^= rotl(x7 &+ x3, 13); x15 ^= rotl(x11 &+ x7, 18)
            // Row round.
            x1 ^= rotl(x0 &+ x3, 7); x2 ^= rotl(x1 &+ x0, 9); x3 ^= rotl(x2 &+ x1, 13); x0 ^= rotl(x3 &+ x2, 18)
            x6 ^= rotl(x5 &+ x4, 7); x7 ^= rotl(x6 &+ x5, 9); x4 ^= rotl(x7 &+ x6, 13); x5 ^= rotl(x4 &+ x7, 18)
            x11 ^= rotl(x10 &+ x9, 7); x8 ^= rotl(x11 &+ x10, 9); x9 ^= rotl(x8 &+ x11, 13); x10 ^= rotl(x9 &+ x8, 18)
            x12 ^= rotl(x15 &+ x14, 7); x13 ^= rotl(x12 &+ x15, 9); x14 ^= rotl(x13 &+ x12, 13); x15 ^= rotl(x14 &+ x13, 18)
        }
        b[0] &+= x0; b[1] &+= x1; b[2] &+= x2; b[3] &+= x3; b[4] &+= x4; b[5] &+= x5; b[6] &+= x6; b[7] &+= x7
        b[8] &+= x8; b[9] &+= x9; b[10] &+= x10; b[11] &+= x11; b[12] &+= x12; b[13] &+= x13; b[14] &+= x14
        b[15] &+= x15
    }
}
