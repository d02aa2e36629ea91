import Dispatch

/// How a training step uses the cores.
public enum Parallelism: Sendable, Equatable, CustomStringConvertible {
    /// One worker; OpenBLAS may use `threads` threads inside each GEMM.
    case blas(threads: Int)
    /// `threads` workers, each with its own buffers and a slice of the batch; OpenBLAS single-threaded.
    /// Gradients are summed in worker order, so a run is reproducible for a given thread count.
    case batch(threads: Int)

    public var threads: Int {
        switch self { case .blas(let t), .batch(let t): return max(1, t) }
    }

    /// The faster way to use `threads` for `spec`, as measured on 2 cores (gfl bench train --parallel all):
    /// models with convolutions split the batch over workers (LeNet: 24.3k vs 13.5k samples/s at one thread),
    /// dense-only models keep one worker and let OpenBLAS thread its larger GEMMs (MLP: 64.3k blas vs 47.1k batch).
    public static func automatic(for spec: ModelSpec, threads: Int) -> Parallelism {
        let hasConv = spec.layers.contains { if case .conv = $0 { return true } else { return false } }
        return hasConv ? .batch(threads: threads) : .blas(threads: threads)
    }
    public var description: String {
        switch self {
        case .blas(let t): return "blas×\(t)"
        case .batch(let t): return "batch×\(t)"
        }
    }
}

/// Hyper-parameters of SGD training.
public struct TrainingConfig: Sendable {
    public var batchSize = 64
    public var learningRate: Float = 0.01
    public var momentum: Float = 0.9
    public var weightDecay: Float = 0
    /// The learning rate is multiplied by this after every epoch (1 = constant).
    public var learningRateDecay: Float = 1
    public var seed: UInt64 = 1
    public var parallelism: Parallelism = .blas(threads: 1)
    public var convStrategy: ConvStrategy = .perSample
    public init() {}
}

/// Accuracy and loss on a data set.
public struct Evaluation: Sendable {
    public var samples: Int
    public var loss: Double
    public var accuracy: Double
    public var perClassAccuracy: [Double]
    public init(samples: Int, loss: Double, accuracy: Double, perClassAccuracy: [Double]) {
        self.samples = samples; self.loss = loss; self.accuracy = accuracy; self.perClassAccuracy = perClassAccuracy
    }
}

/// Mini-batch SGD with momentum and weight decay (PyTorch's `torch.optim.SGD` update: v ← μv + g + λw, w ← w − ηv).
public final class Trainer {
    public let model: Model
    public private(set) var config: TrainingConfig
    public private(set) var learningRate: Float
    /// The workers' workspaces (one per thread in `.batch` mode), e.g. to attach a profile.
    public let workers: [Workspace]
    private var velocity: [Float]
    private var batchInput: [Float]
    private var batchLabels: [Int32]
    private var stepCount: UInt64 = 0
    private var epochCount: UInt64 = 0
    private let losses: UnsafeMutablePointer<Double>
    private let corrects: UnsafeMutablePointer<Int>

    public init(model: Model, config: TrainingConfig) {
        self.model = model
        self.config = config
        learningRate = config.learningRate
        let t = config.parallelism.threads
        let batch = max(1, config.batchSize)
        switch config.parallelism {
        case .blas:
            workers = [Workspace(model: model, capacity: batch, convStrategy: config.convStrategy)]
        case .batch:
            let per = (batch + t - 1) / t
            workers = (0..<t).map { _ in Workspace(model: model, capacity: per, convStrategy: config.convStrategy) }
        }
        velocity = [Float](repeating: 0, count: model.parameterCount)
        batchInput = [Float](repeating: 0, count: batch * model.inputCount)
        batchLabels = [Int32](repeating: 0, count: batch)
        losses = .allocate(capacity: t); losses.initialize(repeating: 0, count: t)
        corrects = .allocate(capacity: t); corrects.initialize(repeating: 0, count: t)
    }

    deinit { losses.deallocate(); corrects.deallocate() }

    /// Sets OpenBLAS's thread count for this trainer's mode (a process-wide setting).
    public func applyThreadSetting() {
        switch config.parallelism {
        case .blas(let t): Kernels.blasThreads = t
        case .batch: Kernels.blasThreads = 1
        }
    }

    /// Runs `body(worker, start, count)` for each worker's slice of `n` samples, in parallel when there are several.
    @inline(__always)
    private func forEachWorker(_ n: Int, _ body: (Int, Int, Int) -> Void) {
        let k = workers.count
        if k == 1 { body(0, 0, n); return }
        // Each worker touches only its own workspace and slice; the parameters are read-only during the pass.
        withoutActuallyEscaping(body) { escapable in
            let box = UncheckedSendable(escapable)
            DispatchQueue.concurrentPerform(iterations: k) { j in
                let start = j * n / k, end = (j + 1) * n / k
                box.value(j, start, end - start)
            }
        }
    }

    /// One SGD step on `n` samples (NCHW at `input`). With `teacher` logits (`n × classes`) and a distillation loss,
    /// minimises that loss instead of plain cross-entropy. Returns the mean loss and the number classified correctly.
    @discardableResult
    public func step(input: UnsafePointer<Float>, labels: UnsafePointer<Int32>, count n: Int,
                     teacher: UnsafePointer<Float>? = nil, loss lossKind: DistillationLoss? = nil)
        -> (loss: Double, correct: Int) {
        guard n > 0 else { return (0, 0) }
        precondition(n <= config.batchSize, "batch of \(n) exceeds the configured batch size \(config.batchSize)")
        let scale = 1 / Float(n)
        let classes = model.outputCount, inCount = model.inputCount
        let seed = config.seed, stepNo = stepCount
        let workers = self.workers, losses = self.losses, corrects = self.corrects
        model.withParameterPointer { params in
            forEachWorker(n) { j, start, count in
                let ws = workers[j]
                losses[j] = 0; corrects[j] = 0
                guard count > 0 else {
                    ws.parameterGradients.update(repeating: 0, count: ws.parameterCount)
                    return
                }
                ws.rng = Xoshiro256(seed: seed, stream: stepNo &* 64 &+ UInt64(j))
                let x = input + start * inCount, y = labels + start
                let z = UnsafePointer(ws.forward(params, input: x, batch: count, training: true))
                let ce = Loss.softmaxCrossEntropy(logits: z, labels: y, rows: count, classes: classes,
                                                  gradient: nil, scale: scale)
                corrects[j] = ce.correct
                if let lossKind, let teacher {
                    losses[j] = lossKind.accumulate(logits: z, teacher: teacher + start * classes, labels: y, rows: count,
                                                    classes: classes, gradient: ws.outputGradient, scale: scale)
                } else {
                    losses[j] = Loss.softmaxCrossEntropy(logits: z, labels: y, rows: count, classes: classes,
                                                         gradient: ws.outputGradient, scale: scale).loss
                }
                ws.backward(params, input: x, batch: count)
            }
        }
        // Sum the workers' gradients in a fixed order, then the momentum update.
        let count = model.parameterCount
        let lr = learningRate, mu = config.momentum, wd = config.weightDecay
        let g0 = workers[0].parameterGradients
        for j in 1..<max(1, workers.count) { Vec.accumulate(workers[j].parameterGradients, g0, count) }
        if count > 0 {
            model.parameters.withUnsafeMutableBufferPointer { wb in
                velocity.withUnsafeMutableBufferPointer { vb in
                    Vec.sgdMomentum(w: wb.baseAddress!, v: vb.baseAddress!, g: g0, count: count,
                                    lr: lr, momentum: mu, weightDecay: wd)
                }
            }
        }
        stepCount &+= 1
        var total = 0.0, correct = 0
        for j in 0..<workers.count { total += losses[j]; correct += corrects[j] }
        return (total / Double(n), correct)
    }

    /// One epoch over `data` in a seeded random order. `progress(samplesDone, meanLoss, accuracy)` is called after
    /// every step. Returns the epoch's mean training loss and accuracy.
    @discardableResult
    public func trainEpoch(_ data: Dataset, progress: ((Int, Double, Double) -> Void)? = nil) throws
        -> (loss: Double, accuracy: Double) {
        try check(data)
        applyThreadSetting()
        var rng = Xoshiro256(seed: config.seed, stream: 0x5348_5546 &+ epochCount)  // "SHUF"
        var order = Array(0..<data.count)
        rng.shuffle(&order)
        let inCount = model.inputCount, batch = max(1, config.batchSize)
        var done = 0, lossSum = 0.0, correct = 0
        while done < data.count {
            let n = min(batch, data.count - done)
            data.images.withUnsafeBufferPointer { src in
                batchInput.withUnsafeMutableBufferPointer { dst in
                    for k in 0..<n {
                        let i = order[done + k]
                        (dst.baseAddress! + k * inCount).update(from: src.baseAddress! + i * inCount, count: inCount)
                        batchLabels[k] = data.labels[i]
                    }
                }
            }
            let r = batchInput.withUnsafeBufferPointer { x in
                batchLabels.withUnsafeBufferPointer { y in step(input: x.baseAddress!, labels: y.baseAddress!, count: n) }
            }
            lossSum += r.loss * Double(n); correct += r.correct
            done += n
            progress?(done, lossSum / Double(done), Double(correct) / Double(done))
        }
        epochCount += 1
        learningRate *= config.learningRateDecay
        return (lossSum / Double(max(1, data.count)), Double(correct) / Double(max(1, data.count)))
    }

    /// A data set fits the model when its samples have the model's input size and its labels are model outputs.
    private func check(_ data: Dataset) throws {
        guard data.shape.count == model.inputCount else {
            throw LearningError.inputSize(expected: model.inputCount, got: data.shape.count)
        }
        guard data.classes <= model.outputCount else {
            throw LearningError.labelOutOfRange(label: data.classes - 1, classes: model.outputCount)
        }
    }

    /// Loss, accuracy and per-class accuracy of the current model on `data` (no dropout, no update).
    public func evaluate(_ data: Dataset) throws -> Evaluation {
        try check(data)
        applyThreadSetting()
        let classes = model.outputCount, inCount = model.inputCount
        let chunk = workers.reduce(0) { $0 + $1.capacity }
        var lossSum = 0.0
        var hits = [Int](repeating: 0, count: data.classes), seen = [Int](repeating: 0, count: data.classes)
        var predictions = [Int32](repeating: 0, count: chunk)
        let workers = self.workers, losses = self.losses
        var start = 0
        while start < data.count {
            let n = min(chunk, data.count - start)
            model.withParameterPointer { params in
                data.images.withUnsafeBufferPointer { xb in
                    data.labels.withUnsafeBufferPointer { yb in
                        predictions.withUnsafeMutableBufferPointer { pr in
                            let x0 = xb.baseAddress! + start * inCount, y0 = yb.baseAddress! + start
                            let preds = pr.baseAddress!
                            forEachWorker(n) { j, s, c in
                                losses[j] = 0
                                guard c > 0 else { return }
                                let z = UnsafePointer(workers[j].forward(params, input: x0 + s * inCount,
                                                                         batch: c, training: false))
                                losses[j] = Loss.softmaxCrossEntropy(logits: z, labels: y0 + s, rows: c,
                                                                     classes: classes, gradient: nil, scale: 1).loss
                                for r in 0..<c {
                                    let row = z + r * classes
                                    var best = 0
                                    for q in 1..<classes where row[q] > row[best] { best = q }
                                    preds[s + r] = Int32(best)
                                }
                            }
                        }
                    }
                }
            }
            for j in 0..<workers.count { lossSum += losses[j] }
            for r in 0..<n {
                let y = Int(data.labels[start + r])
                seen[y] += 1
                if Int(predictions[r]) == y { hits[y] += 1 }
            }
            start += n
        }
        let total = max(1, data.count)
        return Evaluation(samples: data.count, loss: lossSum / Double(total),
                          accuracy: Double(hits.reduce(0, +)) / Double(total),
                          perClassAccuracy: zip(hits, seen).map { $1 > 0 ? Double($0) / Double($1) : 0 })
    }

    /// One step on arrays (for callers outside the hot loop, such as a federated trainer distilling from teachers).
    @discardableResult
    public func step(images: [Float], labels: [Int32], teacherLogits: [Float]? = nil,
                     loss: DistillationLoss? = nil) throws -> (loss: Double, correct: Int) {
        let n = labels.count
        guard n > 0 else { throw LearningError.empty("batch") }
        guard n <= config.batchSize else { throw LearningError.batchTooLarge(batch: n, capacity: config.batchSize) }
        guard images.count == n * model.inputCount else {
            throw LearningError.inputSize(expected: n * model.inputCount, got: images.count)
        }
        for l in labels where l < 0 || Int(l) >= model.outputCount {
            throw LearningError.labelOutOfRange(label: Int(l), classes: model.outputCount)
        }
        if let t = teacherLogits, t.count != n * model.outputCount {
            throw LearningError.mismatchedLengths("\(t.count) teacher logits for \(n) samples × \(model.outputCount) classes")
        }
        applyThreadSetting()
        return images.withUnsafeBufferPointer { x in
            labels.withUnsafeBufferPointer { y in
                if let t = teacherLogits {
                    return t.withUnsafeBufferPointer { tb in
                        step(input: x.baseAddress!, labels: y.baseAddress!, count: n, teacher: tb.baseAddress!, loss: loss)
                    }
                }
                return step(input: x.baseAddress!, labels: y.baseAddress!, count: n)
            }
        }
    }
}

/// Carries a value into a `@Sendable` closure where the caller guarantees that the threads touch disjoint data.
struct UncheckedSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
