/// Why a 1-bit vote string or its inputs are malformed. Every case names what to fix.
public enum OneBitVotesError: Error, Equatable, CustomStringConvertible {
    /// The class count is outside 2...16 (the contract keeps answers in 4 bits).
    case classCount(Int)
    /// More samples than the contract accepts (1...1000).
    case sampleCount(Int)
    /// A label is not a class index in 0..<classes.
    case labelOutOfRange(sample: Int, label: Int, classes: Int)
    /// A score row of `argmaxLabels` does not have `classes` entries.
    case scoreCount(expected: Int, got: Int)
    /// The byte string does not have ceil(samples * classes / 8) bytes.
    case length(expected: Int, got: Int)
    /// A sample has no class bit set.
    case noClassBit(sample: Int)
    /// A sample has more than one class bit set.
    case severalClassBits(sample: Int, classes: [Int])
    /// Bits after the last sample are set.
    case padding

    public var description: String {
        switch self {
        case .classCount(let c): return "1-bit votes: \(c) classes; use 2...\(OneBitVotes.maxClasses)"
        case .sampleCount(let n): return "1-bit votes: \(n) samples; use 1...\(OneBitVotes.maxSamples)"
        case .labelOutOfRange(let s, let l, let c): return "1-bit votes: sample \(s) has label \(l), not in 0..<\(c)"
        case .scoreCount(let e, let g): return "1-bit votes: a score row has \(g) entries, expected one per class (\(e))"
        case .length(let e, let g): return "1-bit votes: \(g) bytes, expected ceil(samples * classes / 8) = \(e)"
        case .noClassBit(let s): return "1-bit votes: sample \(s) has no class bit set (one-hot required)"
        case .severalClassBits(let s, let cs): return "1-bit votes: sample \(s) has several class bits set \(cs) (one-hot required)"
        case .padding: return "1-bit votes: bits after the last sample must be zero"
        }
    }
}

/// The 1-bit compression of federated distillation (Witt et al.): a node's prediction for each reference sample is
/// reduced to the one-hot of its argmax, one bit per class, and submitted to `Contracts/Distillation.vy`.
///
/// Wire format (what the contract's `submit` takes): sample `s`, class `c` is bit `k = s * classes + c`, stored in
/// byte `k / 8` at bit `k % 8`, least significant bit first. The string has exactly `ceil(samples * classes / 8)`
/// bytes, exactly one bit per sample is set, and the bits after the last sample are zero.
public enum OneBitVotes {
    public static let maxClasses = 16
    public static let maxSamples = 1000

    /// Bytes of a vote string for `samples` samples of `classes` classes.
    public static func byteCount(samples: Int, classes: Int) -> Int { (samples * classes + 7) / 8 }

    static func check(samples: Int, classes: Int) throws(OneBitVotesError) {
        guard (2...maxClasses).contains(classes) else { throw .classCount(classes) }
        guard (1...maxSamples).contains(samples) else { throw .sampleCount(samples) }
    }

    /// The class with the highest score (ties: the lowest class), as both the trainer and the contract break ties.
    public static func argmax<S: Collection>(_ scores: S) -> Int where S.Element: Comparable {
        var best = 0, bestValue: S.Element?
        for (i, v) in scores.enumerated() where bestValue == nil || v > bestValue! {
            best = i
            bestValue = v
        }
        return best
    }

    /// Argmax labels of row-major scores (`samples × classes`, e.g. a model's logits on the reference set).
    public static func argmaxLabels(scores: [Float], classes: Int) throws(OneBitVotesError) -> [Int] {
        guard classes > 0, scores.count % classes == 0 else {
            throw .scoreCount(expected: classes, got: classes > 0 ? scores.count % classes : scores.count)
        }
        return stride(from: 0, to: scores.count, by: classes).map { argmax(scores[$0..<($0 + classes)]) }
    }

    /// Packs one label per sample into the one-hot bit string.
    public static func pack(labels: [Int], classes: Int) throws(OneBitVotesError) -> [UInt8] {
        try check(samples: labels.count, classes: classes)
        var out = [UInt8](repeating: 0, count: byteCount(samples: labels.count, classes: classes))
        for (s, label) in labels.enumerated() {
            guard (0..<classes).contains(label) else { throw .labelOutOfRange(sample: s, label: label, classes: classes) }
            let k = s * classes + label
            out[k / 8] |= 1 << UInt8(k % 8)
        }
        return out
    }

    /// Unpacks a bit string into one label per sample, checking everything the contract checks.
    public static func unpack(_ bytes: [UInt8], samples: Int, classes: Int) throws(OneBitVotesError) -> [Int] {
        try check(samples: samples, classes: classes)
        let expected = byteCount(samples: samples, classes: classes)
        guard bytes.count == expected else { throw .length(expected: expected, got: bytes.count) }
        func bit(_ k: Int) -> Bool { bytes[k / 8] >> UInt8(k % 8) & 1 == 1 }
        var labels: [Int] = []
        labels.reserveCapacity(samples)
        for s in 0..<samples {
            let set = (0..<classes).filter { bit(s * classes + $0) }
            guard let first = set.first else { throw .noClassBit(sample: s) }
            guard set.count == 1 else { throw .severalClassBits(sample: s, classes: set) }
            labels.append(first)
        }
        for k in (samples * classes)..<(expected * 8) where bit(k) { throw .padding }
        return labels
    }

    /// Checks a bit string (see `unpack`).
    public static func validate(_ bytes: [UInt8], samples: Int, classes: Int) throws(OneBitVotesError) {
        _ = try unpack(bytes, samples: samples, classes: classes)
    }

    /// Vote counts `[sample][class]` of several nodes' labels (all of the same length, labels in 0..<classes).
    public static func aggregate(_ submissions: [[Int]], classes: Int) -> [[Int]] {
        let samples = submissions.first?.count ?? 0
        var counts = [[Int]](repeating: [Int](repeating: 0, count: classes), count: samples)
        for labels in submissions {
            for (s, label) in labels.enumerated() { counts[s][label] += 1 }
        }
        return counts
    }

    /// The hard label of every sample: the class with most votes, ties to the lowest class (the contract's rule).
    public static func hardLabels(counts: [[Int]]) -> [Int] { counts.map { argmax($0) } }
}

/// The Peer Truth Serum for Crowdsourcing (Radanovic, Faltings & Jurca 2016) as `Contracts/Distillation.vy` pays it:
/// node `i`, paired with peer `p`, scores
///
///     score_i = Σ_s [ 1(a_i(s) = a_p(s)) / R_-i(a_i(s)) − 1 ]
///
/// with `R_-i(x)` the frequency of answer `x` among the other nodes' answers over all samples of the round. Agreeing
/// on a rare answer pays more than agreeing on a common one, so always giving the most common answer earns about
/// nothing, random answers earn about nothing in expectation, and truthful (correlated) answers earn a positive
/// score. A round's budget is shared in proportion to the positive scores. This is the plain (floating-point)
/// reference the contract's fixed-point arithmetic is tested against.
public enum PeerTruthSerum {
    /// Each node's score; `answers[i]` are node i's labels, `peers[i]` the index of its peer (≠ i).
    public static func scores(answers: [[Int]], peers: [Int], classes: Int) -> [Double] {
        let n = answers.count
        guard n >= 2 else { return [Double](repeating: 0, count: n) }
        let samples = answers[0].count
        var total = [Int](repeating: 0, count: classes)
        let histograms = answers.map { labels -> [Int] in
            var h = [Int](repeating: 0, count: classes)
            for l in labels { h[l] += 1 }
            return h
        }
        for h in histograms { for c in 0..<classes { total[c] += h[c] } }
        return (0..<n).map { i in
            let others = Double((n - 1) * samples)
            var score = 0.0
            for s in 0..<samples {
                let x = answers[i][s]
                if x == answers[peers[i]][s] {
                    let prior = Double(total[x] - histograms[i][x]) / others
                    score += 1 / prior
                }
                score -= 1
            }
            return score
        }
    }

    /// Payouts of a budget in proportion to the positive scores (negative scores get nothing); sums to at most
    /// `budget`, and to 0 when no score is positive.
    public static func rewards(scores: [Double], budget: Double) -> [Double] {
        let positive = scores.reduce(0) { $0 + max($1, 0) }
        guard positive > 0 else { return scores.map { _ in 0 } }
        return scores.map { budget * max($0, 0) / positive }
    }
}
