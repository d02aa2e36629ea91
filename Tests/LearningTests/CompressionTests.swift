import Learning
import Testing

@Suite struct CompressionTests {
    @Test func kFollowsTheFraction() {
        #expect(TopKCompressor(dimension: 10, fraction: 0.3).k == 3)
        #expect(TopKCompressor(dimension: 61_706, fraction: 0.01).k == 618)
        #expect(TopKCompressor(dimension: 1000, fraction: 0.0001).k == 1)
        #expect(TopKCompressor(dimension: 5, fraction: 0).k == 1)
        #expect(TopKCompressor(dimension: 5, fraction: .nan).k == 1)
        #expect(TopKCompressor(dimension: 5, fraction: 2).k == 5)
        #expect(TopKCompressor(dimension: 0, fraction: 0.5).k == 0)
    }

    @Test func handCheckedRounds() throws {
        var c = TopKCompressor(dimension: 6, fraction: 2.0 / 6)
        #expect(c.k == 2)
        // |g| = 1 5 3 3 0 3: 5 first, then the lowest-indexed of the three 3s.
        let s1 = c.compress([1, -5, 3, 3, 0, -3])
        #expect(s1.indices == [1, 2] && s1.values == [-5, 3])
        #expect(c.memory == [1, 0, 0, 3, 0, -3])
        let s2 = c.compress([0, 0, 0, 0, 0, 0])
        #expect(s2.indices == [3, 5] && s2.values == [3, -3])
        #expect(c.memory == [1, 0, 0, 0, 0, 0])
        let s3 = c.compress([0, 0.5, 0, 0, 0, -2])
        #expect(s3.indices == [5, 0].sorted() && s3.values == [1, -2])
        #expect(c.memory == [0, 0.5, 0, 0, 0, 0])
        #expect(s3.dense() == [1, 0, 0, 0, 0, -2])
        #expect(throws: StrategyError.mismatchedLengths(index: 0, expected: 6, got: 2)) { try c.compressChecked([1, 2]) }
    }

    /// Σ sent + m = Σ raw updates: per round exactly (dense(sent) + m′ = u + m), and over many rounds exactly when
    /// every sum is representable (multiples of 1/8), to float rounding otherwise.
    @Test func errorCompensationLosesNothing() throws {
        var rng = Xoshiro256(seed: 7)
        let d = 500
        for exact in [true, false] {
            var c = TopKCompressor(dimension: d, fraction: 0.05)
            var sentSum = [Double](repeating: 0, count: d), rawSum = [Double](repeating: 0, count: d)
            for _ in 0..<40 {
                let u: [Float] = (0..<d).map { _ in
                    exact ? Float(rng.nextInt(below: 161) - 80) / 8 : Float(rng.nextGaussian())
                }
                let before = c.memory
                let s = c.compress(u)
                #expect(s.indices.count == c.k)
                let g = (0..<d).map { u[$0] + before[$0] }
                let dense = s.dense()
                #expect((0..<d).allSatisfy { dense[$0] + c.memory[$0] == g[$0] }, "round identity")
                // Independent selection: sort all coordinates by (|g| descending, index ascending), take k.
                let expected = (0..<d).sorted { abs(g[$0]) > abs(g[$1]) || (abs(g[$0]) == abs(g[$1]) && $0 < $1) }
                    .prefix(c.k).sorted().map { UInt32($0) }
                #expect(s.indices == expected)
                for i in 0..<d { sentSum[i] += Double(dense[i]); rawSum[i] += Double(u[i]) }
            }
            for i in 0..<d {
                let total = sentSum[i] + Double(c.memory[i])
                if exact { #expect(total == rawSum[i]) } else { #expect(abs(total - rawSum[i]) < 1e-4) }
            }
        }
    }

    @Test func byteCounts() throws {
        // d = 61,706 needs 16-bit indices: 618 × (4 + 2) bytes.
        var c = TopKCompressor(dimension: 61_706, fraction: 0.01)
        var rng = Xoshiro256(seed: 3)
        let s = c.compress(randomArray(61_706, &rng))
        #expect(s.indexBits == 16)
        #expect(s.paperBytes == 3708)
        // Header "TK", version, varint 61706 (3 bytes), varint 618 (2 bytes), CRC-32 (4 bytes).
        #expect(s.encode().count == 3708 + 3 + 3 + 2 + 4)
        // d = 1000: 10-bit indices, 3 × 42 bits = 126 bits → 16 bytes.
        let t = try SparseUpdate(dimension: 1000, indices: [0, 500, 999], values: [1, 2, 3])
        #expect(t.indexBits == 10 && t.paperBytes == 16)
        #expect(t.encode().count == 4 * 3 + 4 + 3 + 2 + 1 + 4)  // values, packed indices, header, CRC
        #expect(try SparseUpdate(dimension: 1, indices: [0], values: [5]).indexBits == 0)
        #expect(try SparseUpdate(dimension: 1024, indices: [], values: []).indexBits == 10)
        #expect(try SparseUpdate(dimension: 1025, indices: [], values: []).indexBits == 11)
    }

    @Test func encodeDecodeRoundTrip() throws {
        var rng = Xoshiro256(seed: 9)
        for (d, f) in [(1, 1.0), (2, 0.5), (7, 0.4), (1000, 0.013), (65_536, 0.002), (65_537, 0.002)] {
            var c = TopKCompressor(dimension: d, fraction: f)
            for _ in 0..<3 {
                let s = c.compress(randomArray(d, &rng))
                let back = try SparseUpdate(decoding: s.encode())
                #expect(back == s, "d=\(d)")
            }
        }
        let empty = try SparseUpdate(dimension: 0, indices: [], values: [])
        #expect(try SparseUpdate(decoding: empty.encode()) == empty)
        let special = try SparseUpdate(dimension: 5, indices: [0, 4], values: [.infinity, -0.0])
        let back = try SparseUpdate(decoding: special.encode())
        #expect(back.values[0] == .infinity && back.values[1].sign == .minus && back.indices == [0, 4])
    }

    @Test func corruptBytesAreRejected() throws {
        let s = try SparseUpdate(dimension: 300, indices: [3, 17, 250, 299], values: [0.5, -1, 2, 8])
        let bytes = s.encode()
        // Any single changed bit, anywhere, is caught (the CRC-32 covers all but itself, and changes the CRC).
        for i in 0..<bytes.count {
            for bit in 0..<8 {
                var b = bytes
                b[i] ^= UInt8(1 << bit)
                #expect(throws: StrategyError.self) { try SparseUpdate(decoding: b) }
            }
        }
        for n in 0..<bytes.count {
            #expect(throws: StrategyError.self) { try SparseUpdate(decoding: Array(bytes.prefix(n))) }
        }
        #expect(throws: StrategyError.self) { try SparseUpdate(decoding: bytes + [0]) }
        // Well-formed bytes (valid CRC) that describe an invalid update are rejected too.
        var descending = s
        descending.indices = [17, 3, 250, 299]
        #expect(throws: StrategyError.self) { try SparseUpdate(decoding: descending.encode()) }
        var outside = s
        outside.indices = [3, 17, 250, 311]  // fits in 9 bits but is ≥ 300
        #expect(throws: StrategyError.self) { try SparseUpdate(decoding: outside.encode()) }
        #expect(throws: StrategyError.self) { try SparseUpdate(dimension: 4, indices: [1], values: []) }
        #expect(throws: StrategyError.self) { try SparseUpdate(dimension: 4, indices: [4], values: [1]) }
        #expect(throws: StrategyError.self) { try SparseUpdate(dimension: 4, indices: [2, 2], values: [1, 1]) }
    }

    @Test func weightedAverageOfSparseUpdates() throws {
        let a = try SparseUpdate(dimension: 4, indices: [0, 2], values: [4, 8])
        let b = try SparseUpdate(dimension: 4, indices: [2, 3], values: [4, -4])
        // (1·a + 3·b) / 4 = [1, 0, 2 + 3, −3]
        #expect(try SparseUpdate.average([a, b], weights: [1, 3]) == [1, 0, 5, -3])
        #expect(throws: StrategyError.noModels) { try SparseUpdate.average([], weights: []) }
        #expect(throws: StrategyError.self) { try SparseUpdate.average([a, b], weights: [1]) }
        #expect(throws: StrategyError.self) { try SparseUpdate.average([a, b], weights: [0, 0]) }
        #expect(throws: StrategyError.self) { try SparseUpdate.average([a, b], weights: [1, -1]) }
        let c = try SparseUpdate(dimension: 5, indices: [], values: [])
        #expect(throws: StrategyError.mismatchedLengths(index: 1, expected: 4, got: 5)) {
            try SparseUpdate.average([a, c], weights: [1, 1])
        }
        var broken = a
        broken.indices = [9, 10]
        #expect(throws: StrategyError.self) { try SparseUpdate.average([broken], weights: [1]) }
    }
}
