/// Reputation-weighted aggregation of a decentralised FL node (DFL, Tian et al.): a node buffers the last B models
/// its neighbours sent, with the accuracy it measured for each on its own data, and mixes them into its own model
/// weighted by reputation × accuracy. Each aggregation costs the sender(s) of the least accurate buffered model δ of
/// reputation; reputation starts at 1, never goes below 0 and never rises, so a neighbour that keeps sending the
/// worst model fades out.
public struct ReputationAggregator: Sendable {
    /// One buffered model.
    public struct Entry: Sendable {
        /// Who sent it.
        public var sender: String
        /// The parameters received.
        public var model: [Float]
        /// The receiver's accuracy measurement of it, in [0, 1].
        public var accuracy: Double
        /// Whether this model has already cost its sender δ (a model is penalised at most once, however many
        /// aggregations it stays in the buffer for).
        public var penalised: Bool
    }

    /// Reputation lost per penalty.
    public let delta: Double
    /// How many received models are kept (the most recent ones).
    public let bufferSize: Int
    /// The buffered models, oldest first.
    public private(set) var buffer: [Entry] = []
    private var reputations: [String: Double] = [:]

    /// `delta` below 0 (or NaN) counts as 0 and `bufferSize` below 1 as 1, so reputation can never rise.
    public init(delta: Double, bufferSize: Int) {
        self.delta = delta.isNaN ? 0 : max(0, delta)
        self.bufferSize = max(1, bufferSize)
    }

    /// Receives a model from `sender` with the accuracy the receiver measured on its own data (clamped to [0, 1];
    /// NaN counts as 0). The oldest buffered model drops out when the buffer is full.
    public mutating func receive(sender: String, model: [Float], accuracy: Double) {
        let a = accuracy.isNaN ? 0 : min(1, max(0, accuracy))
        buffer.append(Entry(sender: sender, model: model, accuracy: a, penalised: false))
        if buffer.count > bufferSize { buffer.removeFirst(buffer.count - bufferSize) }
    }

    /// model_out = (Σ (w_n / w_T) · model_n + model_prev) / 2 over the buffered models, w_n = reputation × accuracy.
    /// Before combining, the sender(s) of the least accurate buffered model(s) not yet penalised lose δ (floor 0).
    /// When every weight is 0 (no trusted, accurate neighbour) the previous model is kept. Throws when the buffer is
    /// empty or a buffered model's length differs from `previous`.
    public mutating func aggregate(previous: [Float]) throws -> [Float] {
        guard !buffer.isEmpty else { throw StrategyError.noModels }
        for (i, e) in buffer.enumerated() where e.model.count != previous.count {
            throw StrategyError.mismatchedLengths(index: i, expected: previous.count, got: e.model.count)
        }
        let worst = buffer.map(\.accuracy).min()!
        var punished = Set<String>()
        for i in buffer.indices where buffer[i].accuracy == worst && !buffer[i].penalised {
            buffer[i].penalised = true
            // Two of one sender's models tied for worst cost it δ once.
            if punished.insert(buffer[i].sender).inserted {
                reputations[buffer[i].sender] = max(0, reputation(of: buffer[i].sender) - delta)
            }
        }
        let weights = buffer.map { reputation(of: $0.sender) * $0.accuracy }
        let total = weights.reduce(0, +)
        guard total > 0 else { return previous }
        var acc = previous.map { Double($0) }
        for (e, w) in zip(buffer, weights) where w > 0 {
            let s = w / total
            e.model.withUnsafeBufferPointer { m in for i in 0..<m.count { acc[i] += s * Double(m[i]) } }
        }
        return acc.map { Float($0 / 2) }
    }

    /// The sender's reputation: 1 until it is penalised, then lower by δ per penalty, never below 0.
    public func reputation(of sender: String) -> Double { reputations[sender] ?? 1 }

    /// All senders penalised so far and their reputations.
    public var reputationTable: [String: Double] { reputations }
}
