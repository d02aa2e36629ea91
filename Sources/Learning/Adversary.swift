/// What a malicious trainer does instead of honest training, for robustness experiments.
///
/// - `none`: honest.
/// - `noise`: sends i.i.d. Gaussian noise N(0, σ²) instead of its model, where σ is the honest model's own standard
///   deviation over all its parameters (1 when that is 0 or undefined), so the noise has the model's overall scale
///   and is not trivially spotted by its norm.
/// - `signFlip`: sends w_g − scale·(w − w_g): its honest update, reversed and amplified.
/// - `labelFlip`: trains honestly on flipped labels (`flipLabels`); its model is sent unchanged.
public enum Adversary: String, Sendable, CaseIterable, Codable {
    case none, noise, signFlip = "sign-flip", labelFlip = "label-flip"

    /// Replaces the honest local model `model` given the global model `global` it started from.
    /// noise: i.i.d. Gaussian with mean 0 and the honest model's standard deviation, from a generator seeded with
    /// `seed` (same seed, same noise); signFlip: w_g − scale·(w − w_g), computed per coordinate in Float;
    /// none/labelFlip: the model unchanged.
    ///
    /// For signFlip `global` should have the model's length; where it is shorter its missing coordinates count as 0
    /// (use `poisonChecked` to reject such input instead).
    public static func poison(model: [Float], global: [Float], kind: Adversary, seed: UInt64, scale: Float = 4) -> [Float] {
        switch kind {
        case .none, .labelFlip:
            return model
        case .noise:
            let sigma = noiseStd(for: model)
            var rng = Xoshiro256(seed: seed)
            var out = [Float](repeating: 0, count: model.count)
            for i in 0..<out.count { out[i] = Float(rng.nextGaussian() * sigma) }
            return out
        case .signFlip:
            var out = model
            for i in 0..<out.count {
                let g: Float = i < global.count ? global[i] : 0
                out[i] = g - scale * (model[i] - g)
            }
            return out
        }
    }

    /// `poison` that throws when the global model's length differs from the local model's or `scale` is not finite.
    public static func poisonChecked(model: [Float], global: [Float], kind: Adversary, seed: UInt64,
                                     scale: Float = 4) throws -> [Float] {
        guard model.count == global.count else {
            throw StrategyError.mismatchedLengths(index: 1, expected: model.count, got: global.count)
        }
        guard scale.isFinite else { throw StrategyError.invalidParameter("scale \(scale) is not finite") }
        return poison(model: model, global: global, kind: kind, seed: seed, scale: scale)
    }

    /// The standard deviation the noise attack uses for `model`: its population std in Double, or 1 when that is
    /// zero or not finite.
    public static func noiseStd(for model: [Float]) -> Double {
        guard !model.isEmpty else { return 1 }
        var sum = 0.0
        for v in model { sum += Double(v) }
        let mean = sum / Double(model.count)
        var sq = 0.0
        for v in model { let d = Double(v) - mean; sq += d * d }
        let std = (sq / Double(model.count)).squareRoot()
        return std > 0 && std.isFinite ? std : 1
    }

    /// Label flipping data poisoning: y → (classes − 1 − y) for every sample; the images are untouched.
    public static func flipLabels(_ data: Dataset) -> Dataset {
        let top = Int32(data.classes - 1)
        // Labels were validated to lie in 0..<classes, so the flipped ones do too.
        return Dataset(unchecked: data.images, data.labels.map { top - $0 }, data.shape, data.classes)
    }
}
