#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Losses on logits, each returning the summed loss over the rows and writing `scale · ∂loss/∂logits` (use
/// `scale = 1/batch` for a mean). All are computed stably through log-sum-exp.
public enum Loss {
    public typealias P = UnsafeMutablePointer<Float>
    public typealias CP = UnsafePointer<Float>

    /// Softmax cross-entropy against integer labels. Returns the summed loss and how many rows were classified
    /// correctly (argmax == label). The gradient is skipped when `gradient` is nil.
    public static func softmaxCrossEntropy(logits z: CP, labels: UnsafePointer<Int32>, rows: Int, classes k: Int,
                                           gradient: P?, scale: Float) -> (loss: Double, correct: Int) {
        var total = 0.0, correct = 0
        for r in 0..<rows {
            let zr = z + r * k, y = Int(labels[r])
            var m = zr[0], arg = 0
            for j in 1..<k where zr[j] > m { m = zr[j]; arg = j }
            if arg == y { correct += 1 }
            var sum: Float = 0
            for j in 0..<k { sum += expf(zr[j] - m) }
            let lse = m + logf(sum)
            total += Double(lse - zr[y])
            if let gradient {
                let gr = gradient + r * k
                for j in 0..<k { gr[j] = expf(zr[j] - lse) * scale }
                gr[y] -= scale
            }
        }
        return (total, correct)
    }

    /// The RDFL distillation loss, per row `CE(student, y) + λ·‖z_teacher − z_student‖²` (z = logits; the teacher
    /// logits are already averaged over the chosen teachers). Gradient: `softmax(z) − onehot(y) + 2λ(z − z_teacher)`.
    public static func distillation(logits z: CP, teacher t: CP, labels: UnsafePointer<Int32>, rows: Int,
                                    classes k: Int, lambda: Float, gradient: P?, scale: Float) -> Double {
        var total = softmaxCrossEntropy(logits: z, labels: labels, rows: rows, classes: k,
                                        gradient: gradient, scale: scale).loss
        for i in 0..<(rows * k) {
            let d = z[i] - t[i]
            total += Double(lambda * d * d)
            if let gradient { gradient[i] += scale * 2 * lambda * d }
        }
        return total
    }

    /// Softmax cross-entropy plus `λ·‖z − z_teacher‖₂` per row: the Euclidean distance itself, not its square, so
    /// the distillation gradient `λ·(z − z_teacher)/‖z − z_teacher‖` has norm λ however far apart the logits are.
    public static func distillationEuclidean(logits z: CP, teacher t: CP, labels: UnsafePointer<Int32>, rows: Int,
                                             classes k: Int, lambda: Float, gradient: P?, scale: Float) -> Double {
        var total = softmaxCrossEntropy(logits: z, labels: labels, rows: rows, classes: k,
                                        gradient: gradient, scale: scale).loss
        for r in 0..<rows {
            let zr = z + r * k, tr = t + r * k
            var squared: Float = 0
            for j in 0..<k { let d = zr[j] - tr[j]; squared += d * d }
            let distance = squared.squareRoot()
            total += Double(lambda * distance)
            // At distance 0 the distance has no gradient; any subgradient of norm ≤ λ is valid, 0 is the natural one.
            guard let gradient, distance > 1e-12 else { continue }
            let g = scale * lambda / distance
            for j in 0..<k { gradient[r * k + j] += g * (zr[j] - tr[j]) }
        }
        return total
    }

    /// The classic knowledge-distillation loss (Hinton et al.), per row
    /// `(1 − α)·CE(student, y) + α·T²·KL(softmax(z_teacher/T) ‖ softmax(z/T))`.
    /// Gradient: `(1 − α)(softmax(z) − onehot(y)) + α·T·(softmax(z/T) − softmax(z_teacher/T))`.
    public static func distillationKL(logits z: CP, teacher t: CP, labels: UnsafePointer<Int32>, rows: Int,
                                      classes k: Int, temperature T: Float, alpha: Float,
                                      gradient: P?, scale: Float) -> Double {
        var total = (1 - Double(alpha)) * softmaxCrossEntropy(
            logits: z, labels: labels, rows: rows, classes: k, gradient: gradient, scale: scale * (1 - alpha)).loss
        let invT = 1 / T
        for r in 0..<rows {
            let zr = z + r * k, tr = t + r * k
            var ms = zr[0] * invT, mt = tr[0] * invT
            for j in 1..<k { ms = max(ms, zr[j] * invT); mt = max(mt, tr[j] * invT) }
            var ss: Float = 0, st: Float = 0
            for j in 0..<k { ss += expf(zr[j] * invT - ms); st += expf(tr[j] * invT - mt) }
            let lses = ms + logf(ss), lset = mt + logf(st)
            var kl = 0.0
            for j in 0..<k {
                let logPt = tr[j] * invT - lset, logPs = zr[j] * invT - lses
                let pt = expf(logPt)
                kl += Double(pt * (logPt - logPs))
                if let gradient { gradient[r * k + j] += scale * alpha * T * (expf(logPs) - pt) }
            }
            total += Double(alpha * T * T) * kl
        }
        return total
    }
}

/// Which loss a training step minimises.
public enum DistillationLoss: Sendable, Equatable {
    /// `CE + λ·‖z_teacher − z_student‖²` (RDFL, job files' `"ed"`).
    case squaredLogits(lambda: Float)
    /// `CE + λ·‖z_teacher − z_student‖₂`, the distance unsquared (job files' `"euclidean"`): a bounded pull.
    case euclideanLogits(lambda: Float)
    /// `(1 − α)·CE + α·T²·KL` (Hinton et al.).
    case kl(temperature: Float, alpha: Float)

    /// Mean loss over a batch and its gradient with respect to the student logits, on plain arrays
    /// (`rows × classes`, row-major). For tests and for callers outside the training loop.
    public func evaluate(student: [Float], teacher: [Float], labels: [Int], classes: Int) throws
        -> (loss: Double, gradient: [Float]) {
        guard classes > 0, !labels.isEmpty else { throw LearningError.empty("batch") }
        let rows = labels.count
        guard student.count == rows * classes, teacher.count == rows * classes else {
            throw LearningError.mismatchedLengths("\(rows) labels × \(classes) classes vs \(student.count) student and \(teacher.count) teacher logits")
        }
        for l in labels where l < 0 || l >= classes { throw LearningError.labelOutOfRange(label: l, classes: classes) }
        let y = labels.map { Int32($0) }
        var grad = [Float](repeating: 0, count: rows * classes)
        let scale = 1 / Float(rows)
        let total = student.withUnsafeBufferPointer { s in
            teacher.withUnsafeBufferPointer { t in
                y.withUnsafeBufferPointer { l in
                    grad.withUnsafeMutableBufferPointer { g in
                        accumulate(logits: s.baseAddress!, teacher: t.baseAddress!, labels: l.baseAddress!, rows: rows,
                                   classes: classes, gradient: g.baseAddress!, scale: scale)
                    }
                }
            }
        }
        return (total / Double(rows), grad)
    }

    /// The loss summed over `rows` rows of student logits `z` against teacher logits `t`; adds `scale` × its
    /// gradient into `gradient`. The one dispatch from a loss to its kernel, for the training loop and `evaluate`.
    @inline(__always)
    func accumulate(logits z: UnsafePointer<Float>, teacher t: UnsafePointer<Float>, labels y: UnsafePointer<Int32>,
                    rows: Int, classes k: Int, gradient: UnsafeMutablePointer<Float>, scale: Float) -> Double {
        switch self {
        case .squaredLogits(let lambda):
            return Loss.distillation(logits: z, teacher: t, labels: y, rows: rows, classes: k, lambda: lambda,
                                     gradient: gradient, scale: scale)
        case .euclideanLogits(let lambda):
            return Loss.distillationEuclidean(logits: z, teacher: t, labels: y, rows: rows, classes: k, lambda: lambda,
                                              gradient: gradient, scale: scale)
        case let .kl(temperature, alpha):
            return Loss.distillationKL(logits: z, teacher: t, labels: y, rows: rows, classes: k,
                                       temperature: temperature, alpha: alpha, gradient: gradient, scale: scale)
        }
    }
}
