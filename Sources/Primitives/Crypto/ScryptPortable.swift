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
    /// Written with plain loops and pointer arithmetic because tests run it unoptimised (debug builds).
    private static func roMix(_ x: UnsafeMutablePointer<UInt32>, _ v: UnsafeMutablePointer<UInt32>,
                              _ scratch: UnsafeMutablePointer<UInt32>, r: Int, n: Int) {
        let words = 32 * r
        var i = 0
        while i < n {
            (v + i * words).update(from: x, count: words)
            blockMix(x, nil, scratch, r: r)
            i += 1
        }
        let mask = UInt64(n - 1)  // n is a power of two
        let last = (2 * r - 1) * 16
        i = 0
        while i < n {
            // Integerify: the first 64 bits (little-endian) of the last 64-byte block.
            let j = Int((UInt64(x[last]) | UInt64(x[last + 1]) &<< 32) & mask)
            blockMix(x, v + j * words, scratch, r: r)
            i += 1
        }
    }

    /// B ← BlockMix(B ⊕ V) over 2r 64-byte blocks (V absent: just B); even-indexed outputs go to the first half,
    /// odd ones to the second.
    private static func blockMix(_ b: UnsafeMutablePointer<UInt32>, _ v: UnsafeMutablePointer<UInt32>?,
                                 _ scratch: UnsafeMutablePointer<UInt32>, r: Int) {
        let words = 32 * r
        let y = scratch  // 32r words of output, then 16 words of running state
        let t = scratch + words
        let lastBlock = (2 * r - 1) * 16
        var k = 0
        if let v {
            while k < 16 { t[k] = b[lastBlock + k] ^ v[lastBlock + k]; k += 1 }
        } else {
            t.update(from: b + lastBlock, count: 16)
        }
        var i = 0
        while i < 2 * r {
            salsa20_8(t, b + i * 16, v.map { $0 + i * 16 })
            let dest = (i & 1 == 0 ? i / 2 : r + i / 2) * 16
            (y + dest).update(from: t, count: 16)
            i += 1
        }
        b.update(from: y, count: words)
    }

    /// t ← Salsa20/8(t ⊕ b ⊕ v), where v may be absent.
    private static func salsa20_8(_ t: UnsafeMutablePointer<UInt32>, _ b: UnsafeMutablePointer<UInt32>,
                                  _ v: UnsafeMutablePointer<UInt32>?) {
        var k = 0
        if let v {
            while k < 16 { t[k] ^= b[k] ^ v[k]; k += 1 }
        } else {
            while k < 16 { t[k] ^= b[k]; k += 1 }
        }
        var x0 = t[0], x1 = t[1], x2 = t[2], x3 = t[3], x4 = t[4], x5 = t[5], x6 = t[6], x7 = t[7]
        var x8 = t[8], x9 = t[9], x10 = t[10], x11 = t[11], x12 = t[12], x13 = t[13], x14 = t[14], x15 = t[15]
        var a: UInt32 = 0
        var round = 0
        // Rotations are spelled out (a &<< c | a &>> (32 − c)) so unoptimised builds make no calls.
        while round < 4 {
            // Column round.
            a = x0 &+ x12; x4 ^= a &<< 7 | a &>> 25; a = x4 &+ x0; x8 ^= a &<< 9 | a &>> 23
            a = x8 &+ x4; x12 ^= a &<< 13 | a &>> 19; a = x12 &+ x8; x0 ^= a &<< 18 | a &>> 14
            a = x5 &+ x1; x9 ^= a &<< 7 | a &>> 25; a = x9 &+ x5; x13 ^= a &<< 9 | a &>> 23
            a = x13 &+ x9; x1 ^= a &<< 13 | a &>> 19; a = x1 &+ x13; x5 ^= a &<< 18 | a &>> 14
            a = x10 &+ x6; x14 ^= a &<< 7 | a &>> 25; a = x14 &+ x10; x2 ^= a &<< 9 | a &>> 23
            a = x2 &+ x14; x6 ^= a &<< 13 | a &>> 19; a = x6 &+ x2; x10 ^= a &<< 18 | a &>> 14
            a = x15 &+ x11; x3 ^= a &<< 7 | a &>> 25; a = x3 &+ x15; x7 ^= a &<< 9 | a &>> 23
            a = x7 &+ x3; x11 ^= a &<< 13 | a &>> 19; a = x11 &+ x7; x15 ^= a &<< 18 | a &>> 14
            // Row round.
            a = x0 &+ x3; x1 ^= a &<< 7 | a &>> 25; a = x1 &+ x0; x2 ^= a &<< 9 | a &>> 23
            a = x2 &+ x1; x3 ^= a &<< 13 | a &>> 19; a = x3 &+ x2; x0 ^= a &<< 18 | a &>> 14
            a = x5 &+ x4; x6 ^= a &<< 7 | a &>> 25; a = x6 &+ x5; x7 ^= a &<< 9 | a &>> 23
            a = x7 &+ x6; x4 ^= a &<< 13 | a &>> 19; a = x4 &+ x7; x5 ^= a &<< 18 | a &>> 14
            a = x10 &+ x9; x11 ^= a &<< 7 | a &>> 25; a = x11 &+ x10; x8 ^= a &<< 9 | a &>> 23
            a = x8 &+ x11; x9 ^= a &<< 13 | a &>> 19; a = x9 &+ x8; x10 ^= a &<< 18 | a &>> 14
            a = x15 &+ x14; x12 ^= a &<< 7 | a &>> 25; a = x12 &+ x15; x13 ^= a &<< 9 | a &>> 23
            a = x13 &+ x12; x14 ^= a &<< 13 | a &>> 19; a = x14 &+ x13; x15 ^= a &<< 18 | a &>> 14
            round += 1
        }
        t[0] &+= x0; t[1] &+= x1; t[2] &+= x2; t[3] &+= x3; t[4] &+= x4; t[5] &+= x5; t[6] &+= x6; t[7] &+= x7
        t[8] &+= x8; t[9] &+= x9; t[10] &+= x10; t[11] &+= x11; t[12] &+= x12; t[13] &+= x13; t[14] &+= x14
        t[15] &+= x15
    }
}
