/// Building blocks for federated learning on flat parameter vectors: distances, weighted averaging and logits.
public enum Federated {
    /// ‖a − b‖², accumulated in Double so long vectors lose no precision.
    public static func squaredDistance(_ a: [Float], _ b: [Float]) throws -> Double {
        guard a.count == b.count else { throw LearningError.mismatchedLengths("parameter vectors of \(a.count) and \(b.count)") }
        var acc = 0.0
        a.withUnsafeBufferPointer { x in
            b.withUnsafeBufferPointer { y in
                // Blocks of Float sums keep the loop vectorisable while the Double total keeps precision.
                var i = 0
                while i < x.count {
                    let end = min(x.count, i + 256)
                    var part: Float = 0
                    for j in i..<end { let d = x[j] - y[j]; part += d * d }
                    acc += Double(part)
                    i = end
                }
            }
        }
        return acc
    }

    /// Euclidean distance ‖a − b‖.
    public static func distance(_ a: [Float], _ b: [Float]) throws -> Double {
        try squaredDistance(a, b).squareRoot()
    }

    /// Weighted FedAvg: Σ wᵢ·θᵢ / Σ wᵢ (weights are usually the nodes' sample counts).
    public static func fedAvg(_ models: [[Float]], weights: [Double]) throws -> [Float] {
        guard let first = models.first else { throw LearningError.empty("model list") }
        guard weights.count == models.count else {
            throw LearningError.mismatchedLengths("\(models.count) models and \(weights.count) weights")
        }
        guard weights.allSatisfy({ $0 >= 0 && $0.isFinite }), weights.reduce(0, +) > 0 else {
            throw LearningError.empty("total weight (weights must be non-negative and not all zero)")
        }
        for m in models where m.count != first.count {
            throw LearningError.mismatchedLengths("parameter vectors of \(first.count) and \(m.count)")
        }
        let total = weights.reduce(0, +)
        var acc = [Double](repeating: 0, count: first.count)
        for (m, w) in zip(models, weights) {
            let s = w / total
            m.withUnsafeBufferPointer { p in for i in 0..<p.count { acc[i] += s * Double(p[i]) } }
        }
        return acc.map { Float($0) }
    }

    /// Element-wise mean of several teachers' logits (for the distillation loss).
    public static func averageLogits(_ logits: [[Float]]) throws -> [Float] {
        try fedAvg(logits, weights: [Double](repeating: 1, count: logits.count))
    }

    /// The model's logits on `count` samples stored contiguously in `inputs` (`count × outputCount`).
    public static func logits(model: Model, inputs: [Float], count: Int) throws -> [Float] {
        guard inputs.count == count * model.inputCount else {
            throw LearningError.inputSize(expected: count * model.inputCount, got: inputs.count)
        }
        let chunk = 256
        let ws = Workspace(model: model, capacity: min(chunk, max(1, count)))
        var out = [Float](repeating: 0, count: count * model.outputCount)
        model.withParameterPointer { p in
            inputs.withUnsafeBufferPointer { x in
                out.withUnsafeMutableBufferPointer { o in
                    var start = 0
                    while start < count {
                        let n = min(ws.capacity, count - start)
                        let y = ws.forward(p, input: x.baseAddress! + start * model.inputCount,
                                           batch: n, training: false)
                        (o.baseAddress! + start * model.outputCount).update(from: y, count: n * model.outputCount)
                        start += n
                    }
                }
            }
        }
        return out
    }
}

extension Model {
    /// One named parameter tensor: where it lies in the flat vector and its shape (PyTorch's naming and order).
    public struct Tensor: Equatable, Sendable {
        public var name: String
        public var shape: [Int]
        public var offset: Int
        public var count: Int { shape.reduce(1, *) }
    }

    /// The parameter tensors in flat order, named like a PyTorch `nn.Sequential` state dict (`0.weight`, `0.bias`…).
    public var tensors: [Tensor] {
        var out: [Tensor] = []
        for (i, plan) in plans.enumerated() {
            switch plan.spec {
            case let .conv(f, k, _, _):
                out.append(Tensor(name: "\(i).weight", shape: [f, plan.input.channels, k, k], offset: plan.parameterOffset))
                out.append(Tensor(name: "\(i).bias", shape: [f], offset: plan.parameterOffset + plan.weightCount))
            case let .dense(n):
                out.append(Tensor(name: "\(i).weight", shape: [n, plan.input.count], offset: plan.parameterOffset))
                out.append(Tensor(name: "\(i).bias", shape: [n], offset: plan.parameterOffset + plan.weightCount))
            default: break
            }
        }
        return out
    }

    /// The flat parameter vector (a copy).
    public func flattened() -> [Float] { parameters }

    /// Replaces all parameters from a flat vector of the right length.
    public func unflatten(_ flat: [Float]) throws {
        guard flat.count == parameters.count else {
            throw LearningError.parameterCount(expected: parameters.count, got: flat.count)
        }
        parameters = flat
    }
}
