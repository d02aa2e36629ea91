/// Partitioners that split a data set's indices over federated nodes, all driven by a seed.
public enum Partitioner: Sendable, Equatable, CustomStringConvertible {
    /// Uniformly at random, sizes differing by at most one.
    case iid
    /// Label skew as in NIID-Bench (Li et al.) and Flower's DirichletPartitioner: for every class, proportions over
    /// the nodes are drawn from Dir(α); nodes already holding their fair share get no more; draws repeat until every
    /// node has at least `minSize` samples.
    case dirichlet(alpha: Double, minSize: Int)
    /// McMahan et al.'s pathological split: sort by label, cut into nodes·k shards, give each node k shards.
    case shards(perNode: Int)

    public var description: String {
        switch self {
        case .iid: return "iid"
        case let .dirichlet(a, m): return "dirichlet(alpha=\(a), min=\(m))"
        case .shards(let k): return "shards(\(k) per node)"
        }
    }

    /// Why a partition is impossible.
    public enum Failure: Error, CustomStringConvertible, Equatable {
        case tooFewSamples(samples: Int, nodes: Int, needed: Int)
        case badParameter(String)
        case gaveUp(attempts: Int)
        public var description: String {
            switch self {
            case let .tooFewSamples(s, n, need): return "\(s) samples cannot give \(n) nodes \(need) each"
            case .badParameter(let s): return "bad partition parameter: \(s)"
            case .gaveUp(let a): return "no Dirichlet draw met the minimum node size in \(a) attempts; lower the minimum or raise alpha"
            }
        }
    }

    /// Splits the indices 0..<labels.count over `nodes` nodes.
    public func split(labels: [Int32], classes: Int, nodes: Int, seed: UInt64) throws(Failure) -> [[Int]] {
        guard nodes > 0 else { throw .badParameter("nodes must be positive") }
        guard classes > 0 else { throw .badParameter("classes must be positive") }
        for l in labels where l < 0 || Int(l) >= classes { throw .badParameter("label \(l) outside 0..<\(classes)") }
        var rng = Xoshiro256(seed: seed)
        let n = labels.count
        switch self {
        case .iid:
            guard n >= nodes else { throw .tooFewSamples(samples: n, nodes: nodes, needed: 1) }
            var idx = Array(0..<n)
            rng.shuffle(&idx)
            return (0..<nodes).map { j in Array(idx[(j * n / nodes)..<((j + 1) * n / nodes)]) }
        case let .dirichlet(alpha, minSize):
            guard alpha > 0, alpha.isFinite else { throw .badParameter("alpha must be positive") }
            guard n >= nodes * max(minSize, 1) else { throw .tooFewSamples(samples: n, nodes: nodes, needed: max(minSize, 1)) }
            var byClass = [[Int]](repeating: [], count: classes)
            for (i, l) in labels.enumerated() { byClass[Int(l)].append(i) }
            let fair = Double(n) / Double(nodes)
            for _ in 0..<1000 {
                var parts = [[Int]](repeating: [], count: nodes)
                for var members in byClass where !members.isEmpty {
                    rng.shuffle(&members)
                    var p = (0..<nodes).map { _ in rng.nextGamma(shape: alpha) }
                    for j in 0..<nodes where Double(parts[j].count) >= fair { p[j] = 0 }
                    var total = p.reduce(0, +)
                    if total <= 0 { p = [Double](repeating: 1, count: nodes); total = Double(nodes) }
                    var start = 0, acc = 0.0
                    for j in 0..<nodes {
                        acc += p[j] / total
                        let end = j == nodes - 1 ? members.count : min(members.count, Int(acc * Double(members.count)))
                        if end > start { parts[j].append(contentsOf: members[start..<end]); start = end }
                    }
                }
                if parts.allSatisfy({ $0.count >= minSize }) {
                    for j in 0..<nodes { rng.shuffle(&parts[j]) }
                    return parts
                }
            }
            throw .gaveUp(attempts: 1000)
        case .shards(let k):
            guard k > 0 else { throw .badParameter("shards per node must be positive") }
            let count = nodes * k
            guard n >= count else { throw .tooFewSamples(samples: n, nodes: nodes, needed: k) }
            // Stable sort by label so that shards are label-pure runs.
            let sorted = (0..<n).sorted { labels[$0] != labels[$1] ? labels[$0] < labels[$1] : $0 < $1 }
            var order = Array(0..<count)
            rng.shuffle(&order)
            return (0..<nodes).map { j in
                var part: [Int] = []
                for s in order[(j * k)..<((j + 1) * k)] { part.append(contentsOf: sorted[(s * n / count)..<((s + 1) * n / count)]) }
                return part
            }
        }
    }

    /// Per-node class histograms (`nodes × classes`).
    public static func histograms(labels: [Int32], classes: Int, partition: [[Int]]) -> [[Int]] {
        partition.map { part in
            var h = [Int](repeating: 0, count: classes)
            for i in part where i >= 0 && i < labels.count {
                let l = Int(labels[i])
                if l >= 0 && l < classes { h[l] += 1 }
            }
            return h
        }
    }

    /// A printable table of the histograms, one node per line.
    public static func histogramTable(_ h: [[Int]]) -> String {
        var lines: [String] = []
        for (j, row) in h.enumerated() {
            let cells = row.map { String($0) }.map { String(repeating: " ", count: max(0, 6 - $0.count)) + $0 }
            lines.append("node \(j)".padding(8) + cells.joined() + "  total \(row.reduce(0, +))")
        }
        return lines.joined(separator: "\n")
    }
}

extension String {
    func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}
