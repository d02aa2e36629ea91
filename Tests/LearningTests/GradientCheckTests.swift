import Learning
import Testing

/// Analytic gradients against central finite differences, layer by layer, on small shapes.
@Suite struct GradientCheckTests {
    /// Inputs kept away from ReLU's kink and from max-pool ties so that finite differences are meaningful.
    static func input(_ n: Int, seed: UInt64) -> [Float] {
        var rng = Xoshiro256(seed: seed)
        return (0..<n).map { i in
            let v = Float(rng.nextGaussian())
            let away: Float = v >= 0 ? 0.1 : -0.1
            return v + away + Float(i) * 1e-3  // distinct values: no exact ties
        }
    }

    @Test(arguments: [
        "input 5x1x1; dense 4",
        "input 2x7x7; conv 3 k3 s2 p1",
        "input 1x6x6; conv 2 k5 p2",
        "input 3x5x6; conv 2 k2 s2",
        "input 2x6x6; maxpool k2",
        "input 2x7x7; maxpool k3 s2",
        "input 2x6x6; avgpool k2",
        "input 1x7x7; avgpool k3 s2",
        "input 2x3x3; relu",
        "input 2x3x3; flatten; dense 3",
        "input 1x8x8; conv 2 k3 p1; relu; maxpool k2; conv 3 k3; relu; avgpool k2; flatten; dense 4; relu; dense 3",
    ], ConvStrategy.allCases)
    func layerMatchesFiniteDifferences(spec text: String, strategy: ConvStrategy) throws {
        let spec = try ModelSpec(parsing: text)
        let model = try Model(spec: spec, seed: 11)
        let batch = 2
        let x = Self.input(batch * model.inputCount, seed: 5)
        var rng = Xoshiro256(seed: 9)
        let r = randomArray(batch * model.outputCount, &rng)
        let pass = runPass(model, input: x, batch: batch, r: r, strategy: strategy)
        let fd = finiteDifferences(model, input: x, batch: batch, r: r)
        // A deep stack of ReLUs and max-pools has many units near a kink; single layers have few.
        let skip = spec.layers.count > 3 ? 0.3 : 0.05
        expectGradientsClose(pass.gradParams, fd.params, "\(text) parameters", maxSkipped: skip)
        expectGradientsClose(pass.gradInput, fd.input, "\(text) input", maxSkipped: skip)
    }

    @Test func softmaxCrossEntropyAndDistillationLosses() throws {
        var rng = Xoshiro256(seed: 3)
        let rows = 3, k = 5
        let z = randomArray(rows * k, &rng, scale: 2), t = randomArray(rows * k, &rng, scale: 2)
        let labels = [1, 4, 0]
        for loss in [DistillationLoss.squaredLogits(lambda: 0), .squaredLogits(lambda: 0.5), .euclideanLogits(lambda: 0.7),
                     .kl(temperature: 3, alpha: 0.6), .kl(temperature: 1, alpha: 1)] {
            let (_, grad) = try loss.evaluate(student: z, teacher: t, labels: labels, classes: k)
            var fd = [Float](repeating: 0, count: z.count)
            let eps: Float = 1e-2
            for i in 0..<z.count {
                var zp = z, zm = z
                zp[i] += eps; zm[i] -= eps
                let lp = try loss.evaluate(student: zp, teacher: t, labels: labels, classes: k).loss
                let lm = try loss.evaluate(student: zm, teacher: t, labels: labels, classes: k).loss
                fd[i] = Float((lp - lm) / (2 * Double(eps)))
            }
            expectClose(grad, fd, abs: 1e-3, rel: 1e-2, "\(loss)")
        }
    }

    /// Where student and teacher logits agree the unsquared distance has no gradient: the loss and gradient are
    /// plain cross-entropy's, finite, not 0/0.
    @Test func euclideanDistillationAtZeroDistanceIsCrossEntropy() throws {
        let z: [Float] = [0.5, -1, 2, 3, 0, -2]
        let ce = try DistillationLoss.squaredLogits(lambda: 0).evaluate(student: z, teacher: z, labels: [2, 0], classes: 3)
        let ed = try DistillationLoss.euclideanLogits(lambda: 2).evaluate(student: z, teacher: z, labels: [2, 0], classes: 3)
        #expect(ed.loss == ce.loss && ed.gradient == ce.gradient && ed.gradient.allSatisfy(\.isFinite))
    }

    @Test func crossEntropyIsStableForHugeLogits() throws {
        let z: [Float] = [1000, -1000, 0, 80, 90, 100]
        let (loss, grad) = try DistillationLoss.squaredLogits(lambda: 0)
            .evaluate(student: z, teacher: z, labels: [0, 0], classes: 3)
        #expect(loss.isFinite && grad.allSatisfy(\.isFinite))
        // Row 2: log-sum-exp(80, 90, 100) − 80 ≈ 20.0000454.
        #expect(abs(loss - (0 + 20.0000454) / 2) < 1e-3)
    }

    @Test func distillationRejectsBadShapes() {
        #expect(throws: LearningError.self) {
            try DistillationLoss.squaredLogits(lambda: 1).evaluate(student: [0, 0], teacher: [0], labels: [0], classes: 2)
        }
        #expect(throws: LearningError.labelOutOfRange(label: 2, classes: 2)) {
            try DistillationLoss.squaredLogits(lambda: 1).evaluate(student: [0, 0], teacher: [0, 0], labels: [2], classes: 2)
        }
    }

    @Test func dropoutScalesKeptUnitsAndIsIdentityInEvaluation() throws {
        let model = try Model(spec: try ModelSpec(parsing: "input 100x1x1; dropout 0.5"), seed: 1)
        let ws = Workspace(model: model, capacity: 2)
        let x = [Float](repeating: 1, count: 200)
        x.withUnsafeBufferPointer { xb in
            model.withParameterPointer { base in
                let eval = ws.forward(base, input: xb.baseAddress!, batch: 2, training: false)
                #expect((0..<200).allSatisfy { eval[$0] == 1 })
                let y = ws.forward(base, input: xb.baseAddress!, batch: 2, training: true)
                let vals = (0..<200).map { y[$0] }
                #expect(vals.allSatisfy { $0 == 0 || $0 == 2 })
                let kept = vals.filter { $0 == 2 }.count
                #expect(kept > 60 && kept < 140)
                for i in 0..<200 { ws.outputGradient[i] = 1 }
                ws.backward(base, input: xb.baseAddress!, batch: 2, inputGradient: true)
                #expect((0..<200).allSatisfy { ws.inputGradient[$0] == vals[$0] })
            }
        }
    }
}
