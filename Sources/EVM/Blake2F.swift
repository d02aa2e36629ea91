/// The BLAKE2b compression function F (EIP-152), precompile 0x09.
enum Blake2F {
    static let iv: [UInt64] = [
        0x6a09e667f3bcc908, 0xbb67ae8584caa73b, 0x3c6ef372fe94f82b, 0xa54ff53a5f1d36f1,
        0x510e527fade682d1, 0x9b05688c2b3e6c1f, 0x1f83d9abfb41bd6b, 0x5be0cd19137e2179,
    ]
    static let sigma: [[Int]] = [
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
        [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
        [11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4],
        [7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
        [9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13],
        [2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
        [12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11],
        [13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
        [6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5],
        [10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0],
    ]

    static func le64(_ b: [UInt8], _ at: Int) -> UInt64 {
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(b[at + i]) << UInt64(8 * i) }
        return v
    }

    /// Returns the 64-byte new state, or nil for malformed input (length or final-block flag).
    static func run(_ input: [UInt8]) -> [UInt8]? {
        guard input.count == 213, input[212] <= 1 else { return nil }
        let rounds = Int(UInt32(input[0]) << 24 | UInt32(input[1]) << 16 | UInt32(input[2]) << 8 | UInt32(input[3]))
        var h = (0..<8).map { le64(input, 4 + 8 * $0) }
        let m = (0..<16).map { le64(input, 68 + 8 * $0) }
        let t0 = le64(input, 196), t1 = le64(input, 204)
        var v = h + iv
        v[12] ^= t0
        v[13] ^= t1
        if input[212] == 1 { v[14] = ~v[14] }
        @inline(__always) func g(_ a: Int, _ b: Int, _ c: Int, _ d: Int, _ x: UInt64, _ y: UInt64) {
            v[a] = v[a] &+ v[b] &+ x; v[d] = (v[d] ^ v[a]).rotateRight(32)
            v[c] = v[c] &+ v[d]; v[b] = (v[b] ^ v[c]).rotateRight(24)
            v[a] = v[a] &+ v[b] &+ y; v[d] = (v[d] ^ v[a]).rotateRight(16)
            v[c] = v[c] &+ v[d]; v[b] = (v[b] ^ v[c]).rotateRight(63)
        }
        for r in 0..<rounds {
            let s = sigma[r % 10]
            g(0, 4, 8, 12, m[s[0]], m[s[1]]); g(1, 5, 9, 13, m[s[2]], m[s[3]])
            g(2, 6, 10, 14, m[s[4]], m[s[5]]); g(3, 7, 11, 15, m[s[6]], m[s[7]])
            g(0, 5, 10, 15, m[s[8]], m[s[9]]); g(1, 6, 11, 12, m[s[10]], m[s[11]])
            g(2, 7, 8, 13, m[s[12]], m[s[13]]); g(3, 4, 9, 14, m[s[14]], m[s[15]])
        }
        var out = [UInt8]()
        out.reserveCapacity(64)
        for i in 0..<8 {
            h[i] ^= v[i] ^ v[i + 8]
            for k in 0..<8 { out.append(UInt8(truncatingIfNeeded: h[i] >> UInt64(8 * k))) }
        }
        return out
    }
}

extension UInt64 {
    @inline(__always) func rotateRight(_ n: UInt64) -> UInt64 { (self >> n) | (self << (64 - n)) }
}
