/// Byzantine-robust aggregation rules on flat parameter vectors: coordinate-wise median and trimmed mean
/// (Yin et al. 2018), Krum and Multi-Krum (Blanchard et al. 2017).
///
/// NaN parameters (a broken or malicious model) never make a rule fail: in the coordinate-wise rules a NaN sorts
/// above every number, so it is trimmed like a huge outlier; in Krum a distance involving NaN counts as +∞.
public enum RobustAggregation {
    /// Coordinate-wise median (even count: mean of the two middle values, computed in Double and rounded once).
    public static func median(_ models: [[Float]]) throws -> [Float] {
        let (n, d) = try StrategyError.checkShape(models)
        return coordinateWise(models, n: n, d: d) { sorted in
            if n % 2 == 1 { return sorted[n / 2] }
            return Float((Double(sorted[n / 2 - 1]) + Double(sorted[n / 2])) / 2)
        }
    }

    /// Coordinate-wise trimmed mean dropping the `trim` largest and `trim` smallest values per coordinate
    /// (throws if 2·trim ≥ count). The kept values are summed in ascending order in Double.
    public static func trimmedMean(_ models: [[Float]], trim: Int) throws -> [Float] {
        let (n, d) = try StrategyError.checkShape(models)
        guard trim >= 0 else { throw StrategyError.invalidParameter("trim \(trim) is negative") }
        guard 2 * trim < n else {
            throw StrategyError.invalidParameter("trimming \(trim) from each end leaves nothing of \(n) models")
        }
        let kept = Double(n - 2 * trim)
        return coordinateWise(models, n: n, d: d) { sorted in
            var s = 0.0
            for i in trim..<(n - trim) { s += Double(sorted[i]) }
            return Float(s / kept)
        }
    }

    /// Krum scores: for each model, the sum of squared distances to its n − f − 2 nearest other models.
    /// Throws if n ≤ 2f + 2 or f < 0. A NaN distance counts as +∞.
    public static func krumScores(_ models: [[Float]], byzantine f: Int) throws -> [Double] {
        let (n, _) = try StrategyError.checkShape(models)
        guard f >= 0 else { throw StrategyError.invalidParameter("byzantine count \(f) is negative") }
        guard n > 2 * f + 2 else { throw StrategyError.tooFewModels(count: n, byzantine: f, needed: 2 * f + 3) }
        var dist = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in (i + 1)..<n {
                var d2 = try Federated.squaredDistance(models[i], models[j])
                if d2.isNaN { d2 = .infinity }
                dist[i * n + j] = d2; dist[j * n + i] = d2
            }
        }
        let neighbours = n - f - 2
        var row = [Double](repeating: 0, count: n - 1)
        var scores = [Double](repeating: 0, count: n)
        for i in 0..<n {
            var k = 0
            for j in 0..<n where j != i { row[k] = dist[i * n + j]; k += 1 }
            row.sort()
            var s = 0.0
            for t in 0..<neighbours { s += row[t] }
            scores[i] = s
        }
        return scores
    }

    /// Krum (Blanchard et al. 2017): the model with the smallest sum of squared distances to its n−f−2 nearest
    /// neighbours; returns its index (the lowest index on a tie). Throws if n ≤ 2f + 2.
    public static func krumIndex(_ models: [[Float]], byzantine f: Int) throws -> Int {
        try multiKrumIndices(models, byzantine: f, select: 1)[0]
    }

    /// The indices of the `m` best-scoring models, best first (ties: lower index first).
    public static func multiKrumIndices(_ models: [[Float]], byzantine f: Int, select m: Int) throws -> [Int] {
        let scores = try krumScores(models, byzantine: f)
        guard m >= 1 && m <= scores.count else {
            throw StrategyError.invalidParameter("select \(m) of \(scores.count) models")
        }
        let order = scores.indices.sorted { scores[$0] < scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
        return Array(order.prefix(m))
    }

    /// Multi-Krum: the plain average of the m best-scoring models (m = 1 is Krum).
    public static func multiKrum(_ models: [[Float]], byzantine f: Int, select m: Int) throws -> [Float] {
        let chosen = try multiKrumIndices(models, byzantine: f, select: m)
        return try Federated.fedAvg(chosen.map { models[$0] }, weights: [Double](repeating: 1, count: m))
    }

    /// Applies `reduce` to each coordinate's n values sorted ascending (NaN last). Works through blocks of
    /// coordinates copied model by model into one buffer, so the inner loops read contiguous memory instead of
    /// indexing an array of arrays, and nothing is allocated per coordinate.
    private static func coordinateWise(_ models: [[Float]], n: Int, d: Int,
                                       _ reduce: (UnsafeMutableBufferPointer<Float>) -> Float) -> [Float] {
        let block = 256
        var out = [Float](repeating: 0, count: d)
        let tile = UnsafeMutablePointer<Float>.allocate(capacity: n * block)
        let column = UnsafeMutableBufferPointer<Float>.allocate(capacity: n)
        defer { tile.deallocate(); column.deallocate() }
        out.withUnsafeMutableBufferPointer { o in
            var start = 0
            while start < d {
                let width = min(block, d - start)
                for i in 0..<n {
                    models[i].withUnsafeBufferPointer { m in
                        (tile + i * block).update(from: m.baseAddress! + start, count: width)
                    }
                }
                for j in 0..<width {
                    for i in 0..<n { column[i] = tile[i * block + j] }
                    sortNaNLast(column)
                    o[start + j] = reduce(column)
                }
                start += width
            }
        }
        return out
    }

    /// `a < b` with NaN above every number (a strict weak order, unlike `<` on floats with NaN).
    @inline(__always)
    static func nanLastLess(_ a: Float, _ b: Float) -> Bool { a < b || (b.isNaN && !a.isNaN) }

    /// Sorts in place without allocating: insertion sort for the usual handful of models, the library sort above.
    static func sortNaNLast(_ v: UnsafeMutableBufferPointer<Float>) {
        if v.count > 32 { var all = v; all.sort(by: nanLastLess); return }
        var i = 1
        while i < v.count {
            let x = v[i]
            var j = i - 1
            while j >= 0 && nanLastLess(x, v[j]) { v[j + 1] = v[j]; j -= 1 }
            v[j + 1] = x
            i += 1
        }
    }
}
