import ArgumentParser
import Learning

extension Parallelism {
    /// `--parallel auto|blas|batch` with `--threads N` for a model.
    init(mode: String, threads: Int, spec: ModelSpec) throws {
        switch mode {
        case "auto": self = .automatic(for: spec, threads: threads)
        case "blas": self = .blas(threads: threads)
        case "batch": self = .batch(threads: threads)
        default: throw ValidationError("--parallel must be 'auto', 'blas' or 'batch', not '\(mode)'")
        }
    }
}

/// Resolves `--model` (a preset name or a spec in text form) with a readable error.
func resolveModel(_ name: String) throws -> ModelSpec {
    do { return try ModelSpec.named(name) } catch { throw ValidationError(error.description) }
}

func resolveConv(_ s: String) throws -> ConvStrategy {
    guard let c = ConvStrategy(rawValue: s) else {
        throw ValidationError("--conv must be one of \(ConvStrategy.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    return c
}

/// Fixed-precision formatting without Foundation.
func fixed(_ x: Double, _ digits: Int) -> String {
    guard x.isFinite else { return "\(x)" }
    var p = 1.0
    for _ in 0..<digits { p *= 10 }
    let r = (abs(x) * p).rounded()
    let whole = Int(r / p), frac = Int(r - Double(whole) * p)
    var f = String(frac)
    while f.count < digits { f = "0" + f }
    return (x < 0 && r > 0 ? "-" : "") + String(whole) + (digits > 0 ? "." + f : "")
}
