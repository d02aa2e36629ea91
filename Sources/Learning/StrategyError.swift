/// Why a federated-learning strategy (robust aggregation, compression, reputation) rejected its input.
public enum StrategyError: Error, CustomStringConvertible, Equatable, Sendable {
    /// No models (or updates) to aggregate.
    case noModels
    /// A model's length differs from the first model's.
    case mismatchedLengths(index: Int, expected: Int, got: Int)
    /// Krum needs n > 2f + 2 models to tolerate f Byzantine ones.
    case tooFewModels(count: Int, byzantine: Int, needed: Int)
    /// A parameter outside its allowed range (trim, byzantine count, selection size, weights).
    case invalidParameter(String)
    /// Bytes that are not a valid encoded sparse update.
    case corruptEncoding(String)

    public var description: String {
        switch self {
        case .noModels: return "no models to aggregate"
        case let .mismatchedLengths(i, e, g): return "model \(i) has \(g) parameters, expected \(e)"
        case let .tooFewModels(c, f, n):
            return "\(c) models cannot tolerate \(f) Byzantine ones: need at least \(n) (n > 2f + 2)"
        case .invalidParameter(let what): return "invalid parameter: \(what)"
        case .corruptEncoding(let what): return "corrupt sparse update: \(what)"
        }
    }
}

extension StrategyError {
    /// Checks that `models` is non-empty and rectangular; returns (count, dimension).
    static func checkShape(_ models: [[Float]]) throws(StrategyError) -> (n: Int, d: Int) {
        guard let first = models.first else { throw .noModels }
        for (i, m) in models.enumerated() where m.count != first.count {
            throw .mismatchedLengths(index: i, expected: first.count, got: m.count)
        }
        return (models.count, first.count)
    }
}
