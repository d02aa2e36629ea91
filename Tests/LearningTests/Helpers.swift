import Learning
import Testing

/// Outputs and gradients of one forward/backward pass with loss = Σ output·R.
struct Pass {
    var output: [Float]
    var gradInput: [Float]
    var gradParams: [Float]
}

/// Runs `model` on `input` and back-propagates `r` as the output gradient.
func runPass(_ model: Model, input: [Float], batch: Int, r: [Float], strategy: ConvStrategy = .batched) -> Pass {
    let ws = Workspace(model: model, capacity: batch, convStrategy: strategy)
    var out = [Float](), gin = [Float](), gp = [Float]()
    model.withParameterPointer { p in
        input.withUnsafeBufferPointer { x in
            let y = ws.forward(p, input: x.baseAddress!, batch: batch, training: false)
            out = Array(UnsafeBufferPointer(start: y, count: batch * model.outputCount))
            for i in 0..<r.count { ws.outputGradient[i] = r[i] }
            ws.backward(p, input: x.baseAddress!, batch: batch, inputGradient: true)
            gin = Array(UnsafeBufferPointer(start: ws.inputGradient, count: batch * model.inputCount))
            gp = Array(UnsafeBufferPointer(start: ws.parameterGradients, count: model.parameterCount))
        }
    }
    return Pass(output: out, gradInput: gin, gradParams: gp)
}

/// Σ output·R in Double, for finite differences.
func projectedLoss(_ model: Model, input: [Float], batch: Int, r: [Float]) -> Double {
    let ws = Workspace(model: model, capacity: batch)
    var total = 0.0
    model.withParameterPointer { p in
        input.withUnsafeBufferPointer { x in
            let y = ws.forward(p, input: x.baseAddress!, batch: batch, training: false)
            for i in 0..<r.count { total += Double(y[i]) * Double(r[i]) }
        }
    }
    return total
}

func randomArray(_ n: Int, _ rng: inout Xoshiro256, scale: Float = 1) -> [Float] {
    (0..<n).map { _ in Float(rng.nextGaussian()) * scale }
}

/// |a − b| ≤ abs + rel·max(|a|, |b|) for every element; records the worst offender.
func expectClose(_ a: [Float], _ b: [Float], abs: Double = 1e-4, rel: Double = 1e-3, _ what: String,
                 sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(a.count == b.count, "\(what): \(a.count) vs \(b.count) values", sourceLocation: sourceLocation)
    guard a.count == b.count else { return }
    var worst = -1, worstExcess = 0.0
    for i in 0..<a.count {
        let d = Swift.abs(Double(a[i]) - Double(b[i]))
        let allowed = abs + rel * max(Swift.abs(Double(a[i])), Swift.abs(Double(b[i])))
        if d - allowed > worstExcess { worstExcess = d - allowed; worst = i }
    }
    #expect(worst < 0, "\(what): index \(worst): \(worst >= 0 ? a[worst] : 0) vs \(worst >= 0 ? b[worst] : 0)",
            sourceLocation: sourceLocation)
}

/// Central finite differences of Σ output·R with respect to every parameter and every input value. Where the two
/// one-sided differences disagree the perturbation crossed a kink (ReLU at 0, a max-pool tie) and the entry is NaN:
/// the function is not differentiable within ±eps there, so no finite difference can judge the analytic value.
/// (With Σ output·R as the loss, these networks are piecewise linear in any single value, so away from kinks the
/// one-sided differences agree up to rounding.)
func finiteDifferences(_ model: Model, input: [Float], batch: Int, r: [Float], eps: Float = 1e-2)
    -> (params: [Float], input: [Float]) {
    let base = projectedLoss(model, input: input, batch: batch, r: r)
    func estimate(_ plus: Double, _ minus: Double) -> Float {
        let e = Double(eps)
        let up = (plus - base) / e, down = (base - minus) / e
        if abs(up - down) > 1e-3 * max(1, abs(up), abs(down)) { return .nan }
        return Float((plus - minus) / (2 * e))
    }
    var gp = [Float](repeating: 0, count: model.parameterCount)
    for i in 0..<model.parameterCount {
        let keep = model.parameters[i]
        model.parameters[i] = keep + eps
        let plus = projectedLoss(model, input: input, batch: batch, r: r)
        model.parameters[i] = keep - eps
        let minus = projectedLoss(model, input: input, batch: batch, r: r)
        model.parameters[i] = keep
        gp[i] = estimate(plus, minus)
    }
    var x = input
    var gx = [Float](repeating: 0, count: input.count)
    for i in 0..<input.count {
        let keep = x[i]
        x[i] = keep + eps
        let plus = projectedLoss(model, input: x, batch: batch, r: r)
        x[i] = keep - eps
        let minus = projectedLoss(model, input: x, batch: batch, r: r)
        x[i] = keep
        gx[i] = estimate(plus, minus)
    }
    return (gp, gx)
}

/// Compares analytic gradients with finite differences, skipping kink entries (NaN) up to `maxSkipped` of them.
func expectGradientsClose(_ analytic: [Float], _ numeric: [Float], _ what: String, maxSkipped: Double = 0.05,
                          sourceLocation: SourceLocation = #_sourceLocation) {
    let skipped = numeric.filter(\.isNaN).count
    #expect(Double(skipped) <= maxSkipped * Double(max(1, numeric.count)), "\(what): \(skipped) of \(numeric.count) entries at kinks",
            sourceLocation: sourceLocation)
    let keep = numeric.indices.filter { !numeric[$0].isNaN }
    expectClose(keep.map { analytic[$0] }, keep.map { numeric[$0] }, abs: 2e-3, rel: 1e-2, what,
                sourceLocation: sourceLocation)
}
