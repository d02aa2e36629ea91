import Learning
import Testing

@Suite struct TrainingTests {
    /// Ten linearly separable blobs in 16 dimensions.
    static func blobs(_ n: Int, seed: UInt64) throws -> Dataset {
        var rng = Xoshiro256(seed: seed)
        var x: [Float] = [], y: [Int32] = []
        for i in 0..<n {
            let c = i % 10
            for d in 0..<16 { x.append(Float(rng.nextGaussian()) * 0.5 + (d % 10 == c ? 2 : 0)) }
            y.append(Int32(c))
        }
        return try Dataset(images: x, labels: y, shape: Shape(1, 4, 4), classes: 10)
    }

    static func train(_ p: Parallelism, seed: UInt64, spec: String) throws -> [Float] {
        var cfg = TrainingConfig()
        cfg.batchSize = 16; cfg.seed = seed; cfg.parallelism = p; cfg.weightDecay = 1e-4
        let model = try Model(spec: try ModelSpec(parsing: spec), seed: seed)
        let t = Trainer(model: model, config: cfg)
        let data = try blobs(200, seed: 1)
        try t.trainEpoch(data); try t.trainEpoch(data)
        return model.parameters
    }

    @Test(arguments: [Parallelism.blas(threads: 1), .batch(threads: 2), .blas(threads: 2)])
    func seededRunsAreBitIdentical(p: Parallelism) throws {
        let spec = "input 1x4x4; conv 3 k3 p1; relu; avgpool k2; flatten; dropout 0.2; dense 10"
        let a = try Self.train(p, seed: 7, spec: spec), b = try Self.train(p, seed: 7, spec: spec)
        #expect(a.map(\.bitPattern) == b.map(\.bitPattern))
        #expect(try Self.train(p, seed: 8, spec: spec) != a)
    }

    @Test func learnsSeparableBlobs() throws {
        var cfg = TrainingConfig()
        cfg.batchSize = 20
        let model = try Model(spec: try ModelSpec(parsing: "input 1x4x4; flatten; dense 32; relu; dense 10"), seed: 1)
        let t = Trainer(model: model, config: cfg)
        let data = try Self.blobs(1000, seed: 2)
        for _ in 0..<3 { try t.trainEpoch(data) }
        let e = try t.evaluate(try Self.blobs(500, seed: 3))
        #expect(e.accuracy > 0.9)
        #expect(e.perClassAccuracy.count == 10)
    }

    @Test func mismatchedDataIsRejected() throws {
        let t = Trainer(model: try Model(spec: .mlp, seed: 1), config: TrainingConfig())
        #expect(throws: LearningError.inputSize(expected: 784, got: 16)) { try t.trainEpoch(try Self.blobs(20, seed: 1)) }
        let wide = try Dataset(images: [Float](repeating: 0, count: 784), labels: [11], shape: Shape(1, 28, 28), classes: 12)
        #expect(throws: LearningError.self) { try t.evaluate(wide) }
    }

    @Test func distillationStepPullsLogitsTowardsTeacher() throws {
        var cfg = TrainingConfig()
        cfg.batchSize = 8; cfg.learningRate = 0.05; cfg.momentum = 0
        let model = try Model(spec: try ModelSpec(parsing: "input 1x4x4; flatten; dense 10"), seed: 1)
        let data = try Self.blobs(8, seed: 4)
        let teacher = [Float](repeating: 0, count: 80)
        let before = try Federated.squaredDistance(try Federated.logits(model: model, inputs: data.images, count: 8), teacher)
        let t = Trainer(model: model, config: cfg)
        for _ in 0..<20 { try t.step(images: data.images, labels: data.labels, teacherLogits: teacher, loss: .squaredLogits(lambda: 1)) }
        let after = try Federated.squaredDistance(try Federated.logits(model: model, inputs: data.images, count: 8), teacher)
        #expect(after < before)
        #expect(throws: LearningError.self) { try t.step(images: [1], labels: [0]) }
        #expect(throws: LearningError.self) { try t.step(images: data.images, labels: data.labels, teacherLogits: [1, 2]) }
    }

    /// LeNet-5 on 2,000 real training images for one epoch, tested on 1,000: far above chance (10%).
    @Test(.enabled(if: DataTests.installed, "dataset-fashion-mnist is not installed"))
    func lenetLearnsFashionMNISTSubset() throws {
        let d = try FashionMNIST.load()
        var cfg = TrainingConfig()
        cfg.parallelism = .batch(threads: 2)
        cfg.batchSize = 16  // 125 steps: enough to be far above chance after one pass
        let model = try Model(spec: .lenet, seed: 1)
        let t = Trainer(model: model, config: cfg)
        try t.trainEpoch(d.train.prefix(2000))
        let e = try t.evaluate(d.test.prefix(1000))
        #expect(e.accuracy > 0.5, "accuracy \(e.accuracy)")
        #expect(e.loss.isFinite)
    }
}
