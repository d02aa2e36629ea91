import Federation
import Foundation
import Testing

/// The BCFL per-round time model h(k, λ): limiting cases and a worked example.
@Suite struct TimeModelTests {
    static func model(d: Int = 1000, k: Double = 100, n: Int = 4, m: Int = 2, bandwidth: Double = 1000, blockTime: Double = 1,
                      compute: Double = 3, propagation: Double = 2 * log(2.0)) throws -> BCFLTimeModel {
        try BCFLTimeModel(parameters: d, kept: k, clients: n, miners: m, bandwidth: bandwidth, blockTime: blockTime,
                          computeSeconds: compute, propagationSeconds: propagation)
    }

    /// d = 1000: ⌈log2 1000⌉ = 10 index bits, 5.25 bytes per kept value, S(100) = 525 bytes. N = 4, M = 2, B = 1000
    /// B/s, λ = 1/s, t_p = 2 ln 2 s, so λ·(M−1)/M·t_p = ln 2: p_fork = 1/2, two block intervals expected.
    @Test func handComputedExample() throws {
        let t = try Self.model()
        #expect(t.indexBits == 10 && t.bytesPerCoordinate == 5.25 && t.updateBytes == 525)
        #expect(abs(t.forkProbability - 0.5) < 1e-12 && abs(t.expectedBlockIntervals - 2) < 1e-12)
        let b = t.breakdown
        #expect(b.compute == 3)
        #expect(abs(b.upload - 0.525) < 1e-12)              // 525 / 1000
        #expect(abs(b.crossVerification - 1.05) < 1e-12)    // 4 · 1/2 · 525 / 1000
        #expect(abs(b.mining - 2) < 1e-12)                  // 2 intervals of 1 s
        #expect(abs(b.propagation - 1.3862943611198906) < 1e-12)
        #expect(abs(b.download - 2.1) < 1e-12)              // 4 · 525 / 1000
        #expect(abs(t.roundSeconds - 10.061294361119891) < 1e-9)
    }

    /// k → 0: nothing is sent, a round is computation plus block generation.
    @Test func noCoordinatesLeavesComputeAndMining() throws {
        let t = try Self.model(k: 0)
        #expect(t.breakdown.upload == 0 && t.breakdown.crossVerification == 0 && t.breakdown.download == 0)
        #expect(abs(t.roundSeconds - (3 + 2 + 2 * log(2.0))) < 1e-12)
        // Communication grows linearly in k.
        let a = try Self.model(k: 10).breakdown, b = try Self.model(k: 20).breakdown
        #expect(abs(b.upload + b.crossVerification + b.download - 2 * (a.upload + a.crossVerification + a.download)) < 1e-12)
    }

    /// No forks (one miner, or no propagation delay): the block interval is paid once, and λ → ∞ removes it.
    @Test func withoutForksFastBlocksCostNothing() throws {
        for t in [try Self.model(m: 1), try Self.model(propagation: 0)] {
            #expect(t.forkProbability == 0 && t.expectedBlockIntervals == 1)
        }
        let single = try Self.model(m: 1, blockTime: 1e-12, propagation: 0)
        #expect(single.breakdown.crossVerification == 0, "one miner verifies alone")
        #expect(abs(single.roundSeconds - (3 + 0.525 + 2.1)) < 1e-9)
        let many = try Self.model(m: 8, blockTime: 1e-12, propagation: 0)
        #expect(abs(many.breakdown.mining) < 1e-9)
    }

    /// With forks possible, λ → ∞ is not free: the fork probability tends to 1 and mining time explodes, so
    /// h has an interior optimum in λ (the trade-off BCFL optimises).
    @Test func forksMakeVeryFastBlocksSlow() throws {
        let times = try [0.01, 0.1, 1, 10].map { try Self.model(m: 4, blockTime: $0, propagation: 0.5).breakdown.mining }
        // N_b/λ = T·exp(0.375/T) for block time T: minimal at T = 0.375 s.
        #expect(times[0] > times[1] && times[1] > times[2] && times[2] < times[3])
        #expect(abs(times[2] - exp(0.375)) < 1e-12)
        #expect(try Self.model(m: 4, blockTime: 1e-3, propagation: 0.5).forkProbability > 0.999)
    }

    @Test func invalidInputsAreNamed() throws {
        #expect(throws: TimeModelError.invalid("kept coordinates (k)", "2000.0", "between 0 and d = 1000")) { _ = try Self.model(k: 2000) }
        #expect(throws: TimeModelError.self) { _ = try Self.model(m: 0) }
        #expect(throws: TimeModelError.self) { _ = try Self.model(bandwidth: 0) }
        #expect(throws: TimeModelError.self) { _ = try Self.model(blockTime: 0) }
        #expect(try Self.model(d: 1, k: 1).indexBits == 0)
        #expect(try Self.model(d: 1024, k: 1).indexBits == 10 && (try Self.model(d: 1025, k: 1).indexBits) == 11)
    }
}
