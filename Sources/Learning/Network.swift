/// Models (a spec plus its flat parameter vector) and workspaces (the per-batch buffers of one worker), with the
/// forward and backward passes.

/// Why parameters, shapes or batches were rejected.
public enum LearningError: Error, CustomStringConvertible, Equatable {
    case parameterCount(expected: Int, got: Int)
    case batchTooLarge(batch: Int, capacity: Int)
    case inputSize(expected: Int, got: Int)
    case labelOutOfRange(label: Int, classes: Int)
    case empty(String)
    case mismatchedLengths(String)

    public var description: String {
        switch self {
        case let .parameterCount(e, g): return "parameter count mismatch: the model has \(e), got \(g)"
        case let .batchTooLarge(b, c): return "batch of \(b) exceeds the workspace capacity of \(c)"
        case let .inputSize(e, g): return "input has \(g) values, expected \(e)"
        case let .labelOutOfRange(l, c): return "label \(l) outside 0..<\(c)"
        case .empty(let what): return "\(what) is empty"
        case .mismatchedLengths(let what): return "mismatched lengths: \(what)"
        }
    }
}

/// A model: its spec, the resolved layer plans and the flat parameter vector (PyTorch's order: for each layer with
/// parameters, its weight tensor then its bias, row-major). The flat vector is what FedAvg, distances and the binary
/// format work on.
public final class Model {
    public let spec: ModelSpec
    public let plans: [LayerPlan]
    /// All trainable parameters, flattened.
    public var parameters: [Float]

    /// Number of trainable parameters.
    public var parameterCount: Int { parameters.count }
    /// Values in one input sample.
    public var inputCount: Int { spec.input.count }
    /// Values in one output sample (the number of classes for a classifier).
    public var outputCount: Int { plans.last?.output.count ?? spec.input.count }

    /// A freshly initialised model, as PyTorch initialises `Conv2d` and `Linear` by default: weights from
    /// kaiming_uniform(a = √5), i.e. U(−1/√fan_in, 1/√fan_in), and biases from the same range.
    public init(spec: ModelSpec, seed: UInt64) throws(ModelSpecError) {
        self.spec = spec
        plans = try spec.plan()
        var rng = Xoshiro256(seed: seed)
        var p: [Float] = []
        p.reserveCapacity(plans.reduce(0) { $0 + $1.parameterCount })
        for plan in plans where plan.parameterCount > 0 {
            let bound = 1 / Float(plan.fanIn).squareRoot()
            for _ in 0..<plan.parameterCount { p.append((rng.nextFloat() * 2 - 1) * bound) }
        }
        parameters = p
    }

    /// A model with the given parameters (for example read from a file or averaged by FedAvg).
    public init(spec: ModelSpec, parameters: [Float]) throws {
        self.spec = spec
        plans = try spec.plan()
        let expected = plans.reduce(0) { $0 + $1.parameterCount }
        guard parameters.count == expected else {
            throw LearningError.parameterCount(expected: expected, got: parameters.count)
        }
        self.parameters = parameters
    }

    /// Calls `body` with a pointer to the parameters (a valid pointer even for a model without parameters).
    public func withParameterPointer<R>(_ body: (UnsafePointer<Float>) throws -> R) rethrows -> R {
        if parameters.isEmpty {
            var dummy: Float = 0
            return try withUnsafePointer(to: &dummy) { try body($0) }
        }
        return try parameters.withUnsafeBufferPointer { try body($0.baseAddress!) }
    }

    /// A copy with its own parameter storage.
    public func copy() -> Model {
        // The spec was validated when this model was built.
        (try? Model(spec: spec, parameters: parameters))!
    }
}

/// How a convolution turns into GEMMs: one GEMM over the whole batch's columns (then a transpose into NCHW), one
/// GEMM per sample writing NCHW directly, or mixed: the batch-wide column layout, per-sample GEMMs forward (NCHW
/// out, no transpose) and batch-wide GEMMs backward (one long-K GEMM for the weight gradient).
public enum ConvStrategy: String, Sendable, CaseIterable {
    case batched, perSample = "per-sample", mixed
}

/// The buffers one worker needs to run a model forward and backward on up to `capacity` samples, allocated once so
/// that a training step allocates nothing. Not shareable between threads: each worker owns one.
public final class Workspace {
    public typealias P = UnsafeMutablePointer<Float>
    public let capacity: Int
    public let plans: [LayerPlan]
    public var convStrategy: ConvStrategy
    /// When set, nanoseconds spent in each layer accumulate here: forward of layer i at [2i], backward at [2i+1].
    public var profile: UnsafeMutablePointer<UInt64>?
    /// Generator for dropout masks; the trainer reseeds it each step so runs are reproducible.
    public var rng = Xoshiro256(seed: 0)

    private var acts: [P]          // output of layer i
    private var grads: [P]         // gradient of the loss with respect to the output of layer i
    private var cols: [P?]         // im2col buffers of conv layers (reused for the column gradient)
    private var padded: [P?]       // one zero-bordered input sample, for padded stride-1 convolutions
    private var argmax: [UnsafeMutablePointer<Int32>?]
    private var masks: [P?]
    private let scratch: P         // transposes of the batched conv path
    /// Gradient with respect to the model input (filled when `backward(inputGradient: true)`).
    public let inputGradient: P
    /// Gradients of all parameters, in the model's flat order, overwritten by each `backward`.
    public let parameterGradients: P
    public let parameterCount: Int
    private let firstParameterLayer: Int
    private var owned: [UnsafeMutableRawPointer] = []

    static let slack = 32
    /// Samples per chunk in the `.mixed` convolution layout.
    static let chunk = 8

    /// Layer i applies the ReLU that follows it (conv/dense + relu): the relu layer's output aliases this layer's.
    private var reluFused: [Bool] = []
    /// Layer i is a max-pool whose input comes from a ReLU: its backward applies the ReLU mask and writes the
    /// gradient below the ReLU, whose own backward is then skipped.
    private var poolAbsorbsRelu: [Bool] = []

    public init(model: Model, capacity: Int, convStrategy: ConvStrategy = .perSample) {
        self.capacity = max(1, capacity)
        plans = model.plans
        firstParameterLayer = model.plans.firstIndex(where: { $0.parameterCount > 0 }) ?? 0
        self.convStrategy = convStrategy
        let n = self.capacity
        var owned: [UnsafeMutableRawPointer] = []
        // Every buffer has 32 floats of slack so that short-row kernels may read (and, where noted, write) one
        // vector past the end of the last row.
        func floats(_ count: Int) -> P {
            let p = P.allocate(capacity: max(1, count) + Workspace.slack)
            p.initialize(repeating: 0, count: max(1, count) + Workspace.slack)
            owned.append(UnsafeMutableRawPointer(p))
            return p
        }
        inputGradient = floats(n * model.inputCount)
        parameterCount = model.parameterCount
        parameterGradients = floats(parameterCount)
        var acts: [P] = [], grads: [P] = []
        var cols: [P?] = [], padded: [P?] = [], argmax: [UnsafeMutablePointer<Int32>?] = [], masks: [P?] = []
        var scratchCount = 1
        var reluFused = [Bool](repeating: false, count: plans.count)
        var poolAbsorbsRelu = [Bool](repeating: false, count: plans.count)
        for i in 1..<max(1, plans.count) {
            if case .relu = plans[i].spec {
                switch plans[i - 1].spec {
                case .conv, .dense: reluFused[i - 1] = true
                default: break
                }
            }
            if case .maxPool = plans[i].spec, case .relu = plans[i - 1].spec, i >= 2 { poolAbsorbsRelu[i] = true }
        }
        for (i, plan) in plans.enumerated() {
            if case .flatten = plan.spec, i > 0 {
                acts.append(acts[i - 1]); grads.append(grads[i - 1])  // flatten is a no-op on NCHW memory
            } else if case .relu = plan.spec, i > 0, reluFused[i - 1] {
                acts.append(acts[i - 1]); grads.append(floats(n * plan.output.count))  // computed in place below
            } else {
                acts.append(floats(n * plan.output.count)); grads.append(floats(n * plan.output.count))
            }
            switch plan.spec {
            case let .conv(_, k, s, p):
                cols.append(floats(n * plan.input.channels * k * k * plan.output.height * plan.output.width))
                scratchCount = max(scratchCount, n * plan.output.count)
                let i = plan.input
                padded.append(s == 1 && p > 0 ? floats(i.channels * (i.height + 2 * p) * (i.width + 2 * p)) : nil)
            default: cols.append(nil); padded.append(nil)
            }
            if case .maxPool = plan.spec {
                let a = UnsafeMutablePointer<Int32>.allocate(capacity: n * plan.output.count)
                a.initialize(repeating: 0, count: n * plan.output.count)
                owned.append(UnsafeMutableRawPointer(a))
                argmax.append(a)
            } else { argmax.append(nil) }
            if case .dropout = plan.spec { masks.append(floats(n * plan.output.count)) } else { masks.append(nil) }
        }
        scratch = floats(scratchCount)
        self.reluFused = reluFused; self.poolAbsorbsRelu = poolAbsorbsRelu
        self.acts = acts; self.grads = grads; self.cols = cols; self.padded = padded; self.argmax = argmax; self.masks = masks
        self.owned = owned
    }

    deinit { for p in owned { p.deallocate() } }

    /// The model output of the last forward pass: `batch × classes` values.
    public var output: P { acts[acts.count - 1] }
    /// Where the loss writes the gradient with respect to the output before `backward`.
    public var outputGradient: P { grads[grads.count - 1] }

    /// Runs the model on `n` samples (NCHW at `input`) and returns the output (`n × outputCount`).
    /// `training` enables dropout.
    @discardableResult
    public func forward(_ params: UnsafePointer<Float>, input: UnsafePointer<Float>, batch n: Int,
                        training: Bool) -> P {
        precondition(n >= 0 && n <= capacity, "batch of \(n) exceeds the workspace capacity of \(capacity)")
        for i in 0..<plans.count {
            let plan = plans[i]
            let t0 = profile == nil ? 0 : monotonicNanos()
            defer { if let profile { profile[2 * i] &+= monotonicNanos() &- t0 } }
            let x = i == 0 ? input : UnsafePointer(acts[i - 1])
            let y = acts[i]
            let inCount = plan.input.count, outCount = plan.output.count
            switch plan.spec {
            case let .conv(f, k, s, p):
                let g = Kernels.ConvGeometry(channels: plan.input.channels, height: plan.input.height,
                                             width: plan.input.width, kernel: k, stride: s, padding: p,
                                             outHeight: plan.output.height, outWidth: plan.output.width)
                convForward(params + plan.parameterOffset, g, filters: f, x, inCount: inCount, y, n, cols[i]!, padded[i],
                            relu: reluFused[i], overrunOK: i > 0 || padded[i] != nil)
            case let .dense(outs):
                let w = params + plan.parameterOffset, b = w + plan.weightCount
                Kernels.gemm(transA: false, transB: true, m: n, n: outs, k: inCount, a: x, lda: inCount,
                             b: w, ldb: inCount, beta: 0, c: y, ldc: outs)
                if reluFused[i] {
                    for r in 0..<n { Vec.addRowRelu(b, y + r * outs, outs) }
                } else {
                    for r in 0..<n { Vec.addRow(b, y + r * outs, outs) }
                }
            case let .maxPool(k, s):
                Kernels.maxPoolForward(x, planes: n * plan.input.channels, h: plan.input.height,
                                       w: plan.input.width, k: k, s: s, y, argmax: argmax[i]!, overread: i > 0)
            case let .avgPool(k, s):
                Kernels.avgPoolForward(x, planes: n * plan.input.channels, h: plan.input.height,
                                       w: plan.input.width, k: k, s: s, y)
            case .relu:
                if i == 0 || !reluFused[i - 1] { Kernels.reluForward(x, y, count: n * outCount) }
            case .flatten:
                if i == 0 { y.update(from: x, count: n * outCount) }
            case let .dropout(prob):
                let count = n * outCount
                if training && prob > 0 {
                    let m = masks[i]!
                    let keep = 1 / (1 - prob)
                    for j in 0..<count { m[j] = rng.nextFloat() < prob ? 0 : keep }
                    Vec.multiply(x, m, y, count)
                } else {
                    y.update(from: x, count: count)
                }
            }
        }
        return output
    }

    /// Back-propagates `outputGradient` (set by the loss) through the layers of the last `forward` on the same
    /// input, writing `parameterGradients` and, when asked, `inputGradient`.
    public func backward(_ params: UnsafePointer<Float>, input: UnsafePointer<Float>, batch n: Int,
                         inputGradient wantInput: Bool = false) {
        precondition(n >= 0 && n <= capacity, "batch of \(n) exceeds the workspace capacity of \(capacity)")
        var i = plans.count - 1
        while i >= 0 {
            let plan = plans[i]
            let t0 = profile == nil ? 0 : monotonicNanos(), slot = 2 * i + 1
            defer { if let profile { profile[slot] &+= monotonicNanos() &- t0 } }
            let x = i == 0 ? input : UnsafePointer(acts[i - 1])
            let dy = UnsafePointer(grads[i])
            let dx: P? = i > 0 ? grads[i - 1] : (wantInput ? inputGradient : nil)
            let inCount = plan.input.count, outCount = plan.output.count
            switch plan.spec {
            case let .conv(f, k, s, p):
                let g = Kernels.ConvGeometry(channels: plan.input.channels, height: plan.input.height,
                                             width: plan.input.width, kernel: k, stride: s, padding: p,
                                             outHeight: plan.output.height, outWidth: plan.output.width)
                convBackward(params + plan.parameterOffset, parameterGradients + plan.parameterOffset, g,
                             filters: f, dy, dx, inCount: inCount, n, cols[i]!)
            case let .dense(outs):
                let w = params + plan.parameterOffset
                let dw = parameterGradients + plan.parameterOffset, db = dw + plan.weightCount
                Kernels.gemm(transA: true, transB: false, m: outs, n: inCount, k: n, a: dy, lda: outs,
                             b: x, ldb: inCount, beta: 0, c: dw, ldc: inCount)
                Vec.zero(db, outs)
                for r in 0..<n { Vec.accumulate(dy + r * outs, db, outs) }
                if let dx {
                    Kernels.gemm(transA: false, transB: false, m: n, n: inCount, k: outs, a: dy, lda: outs,
                                 b: w, ldb: inCount, beta: 0, c: dx, ldc: inCount)
                }
            case let .maxPool(k, s):
                _ = k; _ = s
                if poolAbsorbsRelu[i] {
                    // Route to the winners only where the ReLU passed a positive value, straight below the ReLU.
                    Kernels.maxPoolBackward(dy, planes: n * plan.input.channels, h: plan.input.height,
                                            w: plan.input.width, oh: plan.output.height, ow: plan.output.width,
                                            argmax: argmax[i]!, grads[i - 2], mask: acts[i])
                } else if let dx {
                    Kernels.maxPoolBackward(dy, planes: n * plan.input.channels, h: plan.input.height,
                                            w: plan.input.width, oh: plan.output.height, ow: plan.output.width,
                                            argmax: argmax[i]!, dx, mask: nil)
                }
            case let .avgPool(k, s):
                if let dx {
                    Kernels.avgPoolBackward(dy, planes: n * plan.input.channels, h: plan.input.height,
                                            w: plan.input.width, k: k, s: s, dx)
                }
            case .relu:
                let absorbed = i + 1 < plans.count && poolAbsorbsRelu[i + 1]
                if let dx, !absorbed { Kernels.reluBackward(acts[i], dy, dx, count: n * outCount) }
            case .flatten:
                if i == 0, let dx { dx.update(from: dy, count: n * outCount) }
            case .dropout(let prob):
                if let dx {
                    if prob > 0 {
                        let m = masks[i]!
                        Vec.multiply(dy, m, dx, n * outCount)
                    } else {
                        dx.update(from: dy, count: n * outCount)
                    }
                }
            }
            // Below the first layer with parameters nothing more is needed unless the input gradient is.
            if !wantInput && i <= firstParameterLayer { break }
            i -= 1
        }
    }

    /// im2col of one sample; a padded stride-1 convolution first copies the sample into a zero-bordered buffer so
    /// that every row of the unfolding is a plain copy (the borders stay zero: only the interior is ever written).
    @inline(__always)
    private func unfold(_ x: UnsafePointer<Float>, _ g: Kernels.ConvGeometry, _ dst: P, ld: Int, _ pad: P?,
                        overrun: Bool) {
        guard let pad else { Kernels.im2col(x, g, dst, ld: ld, overrun: overrun); return }
        let p = g.padding, hp = g.height + 2 * p, wp = g.width + 2 * p
        for c in 0..<g.channels {
            for r in 0..<g.height {
                Vec.copy(x + (c * g.height + r) * g.width, pad + (c * hp + r + p) * wp + p, g.width)
            }
        }
        var gp = g
        gp.height = hp; gp.width = wp; gp.padding = 0
        Kernels.im2col(pad, gp, dst, ld: ld, overrun: overrun)
    }

    private func convForward(_ w: UnsafePointer<Float>, _ g: Kernels.ConvGeometry, filters f: Int,
                             _ x: UnsafePointer<Float>, inCount: Int, _ y: P, _ n: Int, _ col: P, _ pad: P?,
                             relu: Bool, overrunOK: Bool) {
        let bias = w + f * g.rows, ohw = g.outPixels, rows = g.rows
        switch convStrategy {
        case .mixed:
            // Chunks of samples side by side in the column buffer (rows `ld` apart): per-sample GEMMs forward
            // write NCHW directly, and the backward GEMMs see N = chunk · pixels instead of one sample's pixels.
            var b0 = 0
            while b0 < n {
                let cnt = min(Workspace.chunk, n - b0), ld = cnt * ohw
                let colc = col + b0 * rows * ohw
                for j in 0..<cnt {
                    unfold(x + (b0 + j) * inCount, g, colc + j * ohw, ld: ld, pad, overrun: false)
                    let yb = y + (b0 + j) * f * ohw
                    Kernels.gemm(transA: false, transB: false, m: f, n: ohw, k: rows, a: w, lda: rows,
                                 b: colc + j * ohw, ldb: ld, beta: 0, c: yb, ldc: ohw)
                    addBias(yb, bias, f, ohw, relu)
                }
                b0 += cnt
            }
        case .batched:
            let ld = n * ohw
            for b in 0..<n { unfold(x + b * inCount, g, col + b * ohw, ld: ld, pad, overrun: false) }
            Kernels.gemm(transA: false, transB: false, m: f, n: ld, k: rows, a: w, lda: rows,
                         b: col, ldb: ld, beta: 0, c: scratch, ldc: ld)
            for c in 0..<f {
                let bc = bias[c]
                for b in 0..<n {
                    if relu {
                        Vec.addScalarRelu(scratch + c * ld + b * ohw, bc, y + (b * f + c) * ohw, ohw)
                    } else {
                        Vec.addScalar(scratch + c * ld + b * ohw, bc, y + (b * f + c) * ohw, ohw)
                    }
                }
            }
        case .perSample:
            for b in 0..<n {
                let cb = col + b * rows * ohw, yb = y + b * f * ohw
                // Per-sample columns are written in increasing order, so a row may overrun into the next one;
                // the input may be over-read when it is a workspace buffer (not the caller's first-layer input).
                unfold(x + b * inCount, g, cb, ld: ohw, pad, overrun: overrunOK)
                Kernels.gemm(transA: false, transB: false, m: f, n: ohw, k: rows, a: w, lda: rows,
                             b: cb, ldb: ohw, beta: 0, c: yb, ldc: ohw)
                addBias(yb, bias, f, ohw, relu)
            }
        }
    }

    @inline(__always)
    private func addBias(_ y: P, _ bias: UnsafePointer<Float>, _ f: Int, _ ohw: Int, _ relu: Bool) {
        if relu {
            for c in 0..<f { Vec.addScalarRelu(y + c * ohw, bias[c], y + c * ohw, ohw) }
        } else {
            for c in 0..<f { Vec.addScalar(y + c * ohw, bias[c], y + c * ohw, ohw) }
        }
    }

    private func convBackward(_ w: UnsafePointer<Float>, _ dw: P, _ g: Kernels.ConvGeometry, filters f: Int,
                              _ dy: UnsafePointer<Float>, _ dx: P?, inCount: Int, _ n: Int, _ col: P) {
        let db = dw + f * g.rows, ohw = g.outPixels, rows = g.rows
        for c in 0..<f { db[c] = 0 }
        switch convStrategy {
        case .mixed:
            if let dx { Vec.zero(dx, n * inCount) }
            var b0 = 0
            while b0 < n {
                let cnt = min(Workspace.chunk, n - b0), ld = cnt * ohw
                let colc = col + b0 * rows * ohw
                for c in 0..<f {
                    var acc: Float = 0
                    for j in 0..<cnt {
                        let src = dy + ((b0 + j) * f + c) * ohw
                        Vec.copy(src, scratch + c * ld + j * ohw, ohw)
                        acc += Vec.sum(src, ohw)
                    }
                    db[c] += acc
                }
                Kernels.gemm(transA: false, transB: true, m: f, n: rows, k: ld, a: scratch, lda: ld,
                             b: colc, ldb: ld, beta: b0 == 0 ? 0 : 1, c: dw, ldc: rows)
                if let dx {
                    Kernels.gemm(transA: true, transB: false, m: rows, n: ld, k: f, a: w, lda: rows,
                                 b: scratch, ldb: ld, beta: 0, c: colc, ldc: ld)
                    for j in 0..<cnt { Kernels.col2im(colc + j * ohw, g, dx + (b0 + j) * inCount, ld: ld) }
                }
                b0 += cnt
            }
        case .batched:
            let ld = n * ohw
            for c in 0..<f {
                var acc: Float = 0
                for b in 0..<n {
                    let src = dy + (b * f + c) * ohw
                    Vec.copy(src, scratch + c * ld + b * ohw, ohw)
                    acc += Vec.sum(src, ohw)
                }
                db[c] = acc
            }
            Kernels.gemm(transA: false, transB: true, m: f, n: rows, k: ld, a: scratch, lda: ld,
                         b: col, ldb: ld, beta: 0, c: dw, ldc: rows)
            if let dx {
                Kernels.gemm(transA: true, transB: false, m: rows, n: ld, k: f, a: w, lda: rows,
                             b: scratch, ldb: ld, beta: 0, c: col, ldc: ld)
                Vec.zero(dx, n * inCount)
                for b in 0..<n { Kernels.col2im(col + b * ohw, g, dx + b * inCount, ld: ld) }
            }
        case .perSample:
            if let dx { Vec.zero(dx, n * inCount) }
            for b in 0..<n {
                let cb = col + b * rows * ohw, dyb = dy + b * f * ohw
                for c in 0..<f { db[c] += Vec.sum(dyb + c * ohw, ohw) }
                Kernels.gemm(transA: false, transB: true, m: f, n: rows, k: ohw, a: dyb, lda: ohw,
                             b: cb, ldb: ohw, beta: b == 0 ? 0 : 1, c: dw, ldc: rows)
                if let dx {
                    Kernels.gemm(transA: true, transB: false, m: rows, n: ohw, k: f, a: w, lda: rows,
                                 b: dyb, ldb: ohw, beta: 0, c: cb, ldc: ohw)
                    Kernels.col2im(cb, g, dx + b * inCount, ld: ohw)
                }
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// CPU time of the calling thread in nanoseconds (for the optional per-layer profile: on a shared machine it
/// excludes the time other processes held the core).
@inline(__always)
func monotonicNanos() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
}
