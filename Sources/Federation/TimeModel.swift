import Foundation

/// The per-round latency model of BCFL (Cui, Su, Zhou, "A Fast Blockchain-Based Federated Learning Framework With
/// Compressed Communications", IEEE JSAC 2022), whose time model follows BlockFL (Kim et al., IEEE Commun. Lett.
/// 2020): one round of blockchain FL with Top-k compressed updates takes
///
///     h(k, λ) = T_cmp + T_up(k) + T_cr(k) + T_bg(λ) + T_dn(k)
///
/// - `T_cmp`: local computation (training) of a client, given.
/// - `T_up(k) = S(k) / B`: each of the `N` clients uploads its k-sparse update to its associated miner.
/// - `T_cr(k) = N·(M−1)/M · S(k) / B`: cross-verification: the `M` miners each collected `N/M` updates and exchange
///   them, so every miner receives the `N·(M−1)/M` updates it lacks (over its own link, one after another).
/// - `T_bg(λ) = N_b(λ)/λ + t_p`: block generation. Block intervals are exponential with rate `λ` (mean `1/λ`); a
///   fork happens when another miner finds a block within the propagation delay `t_p` of the winning one,
///   `p_fork = 1 − exp(−λ·(M−1)/M·t_p)`, and costs another block interval, so the number of intervals until a block
///   sticks is geometric with mean `N_b = 1/(1 − p_fork) = exp(λ·(M−1)/M·t_p)`; the final block then propagates once
///   (`t_p`).
/// - `T_dn(k) = N·S(k) / B`: every client downloads the block, which carries the `N` verified k-sparse updates,
///   and aggregates them itself.
///
/// with `S(k) = k·(4 + ⌈log2 d⌉/8)` bytes: a float32 value and a ⌈log2 d⌉-bit index per kept coordinate.
///
/// Provenance: the paper's full text (its equations) was not reachable from the reference search used when this
/// was written; only its abstract was. The structure above is the brief's summary of the paper (computation, k-sparse
/// upload, cross-verification, exponential mining with rate λ, forks within the propagation delay costing another
/// block interval, download) filled in with BlockFL's latency model, which BCFL builds on. Check each term against
/// the paper's time-model section before quoting numbers from it as the paper's.
///
/// Assumptions where the paper leaves room, or could not be checked:
/// 1. `λ` is the block rate of the whole network (mean block time `1/λ`, what a chain's configuration gives), split
///    evenly among the `M` miners; a fork needs one of the *other* `M − 1` miners, hence the `(M−1)/M` factor. With
///    one miner (GFL's single-sealer dev chain) there are no forks.
/// 2. Clients are split evenly among miners; `N/M` is not rounded (the model is an expectation).
/// 3. Uplink and downlink share one bandwidth `B` (bytes/s); transfers over a node's link are sequential, transfers
///    of different nodes run in parallel. Latency of links other than the block propagation `t_p` is ignored.
/// 4. Verification is communication-bound: the computation a miner spends checking updates is not modelled.
/// 5. Each fork costs one more block interval (`1/λ`), not a repetition of the whole round (BlockFL's stricter
///    reading would multiply the whole round by `N_b`; `h` here multiplies only the block interval).
public struct BCFLTimeModel: Sendable, Equatable {
    /// `d`: parameters of the model.
    public var parameters: Int
    /// `k`: coordinates each client keeps (Top-k), `0 ≤ k ≤ d`.
    public var kept: Double
    /// `N`: clients.
    public var clients: Int
    /// `M`: miners.
    public var miners: Int
    /// `B`: bandwidth of every link, bytes per second (upload and download).
    public var bandwidth: Double
    /// `1/λ`: mean block time, seconds.
    public var blockTime: Double
    /// `T_cmp`: local computation per round, seconds.
    public var computeSeconds: Double
    /// `t_p`: block propagation delay, seconds.
    public var propagationSeconds: Double

    public init(parameters: Int, kept: Double, clients: Int, miners: Int, bandwidth: Double, blockTime: Double,
                computeSeconds: Double, propagationSeconds: Double) throws(TimeModelError) {
        guard parameters >= 1 else { throw .invalid("parameters (d)", "\(parameters)", "at least 1") }
        guard kept.isFinite, kept >= 0, kept <= Double(parameters) else {
            throw .invalid("kept coordinates (k)", "\(kept)", "between 0 and d = \(parameters)")
        }
        guard clients >= 1 else { throw .invalid("nodes (N)", "\(clients)", "at least 1") }
        guard miners >= 1 else { throw .invalid("miners (M)", "\(miners)", "at least 1") }
        guard bandwidth.isFinite, bandwidth > 0 else { throw .invalid("bandwidth", "\(bandwidth)", "a positive number of bytes/s") }
        guard blockTime.isFinite, blockTime > 0 else {
            throw .invalid("block time (1/λ)", "\(blockTime)", "positive seconds (use a tiny value for λ → ∞)")
        }
        guard computeSeconds.isFinite, computeSeconds >= 0 else { throw .invalid("compute seconds", "\(computeSeconds)", "≥ 0") }
        guard propagationSeconds.isFinite, propagationSeconds >= 0 else {
            throw .invalid("propagation seconds", "\(propagationSeconds)", "≥ 0")
        }
        self.parameters = parameters; self.kept = kept; self.clients = clients; self.miners = miners
        self.bandwidth = bandwidth; self.blockTime = blockTime; self.computeSeconds = computeSeconds
        self.propagationSeconds = propagationSeconds
    }

    /// `λ`, blocks per second.
    public var blockRate: Double { 1 / blockTime }

    /// Bits of one coordinate index, `⌈log2 d⌉` (0 for d = 1).
    public var indexBits: Int { parameters <= 1 ? 0 : Int.bitWidth - (parameters - 1).leadingZeroBitCount }

    /// Bytes of one kept coordinate: 4 (float32) + ⌈log2 d⌉/8.
    public var bytesPerCoordinate: Double { 4 + Double(indexBits) / 8 }

    /// `S(k)`: bytes of one Top-k update.
    public var updateBytes: Double { kept * bytesPerCoordinate }

    /// `p_fork = 1 − exp(−λ·(M−1)/M·t_p)`.
    public var forkProbability: Double {
        -expm1(-blockRate * Double(miners - 1) / Double(miners) * propagationSeconds)
    }

    /// `N_b = 1/(1 − p_fork)`: expected block intervals until a block is not forked away.
    public var expectedBlockIntervals: Double {
        exp(blockRate * Double(miners - 1) / Double(miners) * propagationSeconds)
    }

    /// The components of `h(k, λ)`, in seconds.
    public struct Breakdown: Sendable, Equatable, Codable {
        public var compute: Double
        public var upload: Double
        public var crossVerification: Double
        public var mining: Double
        public var propagation: Double
        public var download: Double
        public var total: Double { compute + upload + crossVerification + mining + propagation + download }
    }

    public var breakdown: Breakdown {
        let n = Double(clients), m = Double(miners), s = updateBytes
        return Breakdown(compute: computeSeconds,
                         upload: s / bandwidth,
                         crossVerification: n * (m - 1) / m * s / bandwidth,
                         mining: expectedBlockIntervals * blockTime,
                         propagation: propagationSeconds,
                         download: n * s / bandwidth)
    }

    /// `h(k, λ)`: expected seconds per round.
    public var roundSeconds: Double { breakdown.total }
}

/// A parameter of the time model out of its domain.
public enum TimeModelError: Error, Equatable, CustomStringConvertible {
    case invalid(String, String, String)

    public var description: String {
        switch self {
        case let .invalid(what, got, expected): return "\(what) is \(got): it must be \(expected)"
        }
    }
}
