import Learning

/// The learning a node does in a round, on plain parameter vectors so models move between tasks as values.
enum LocalLearning {
    static func trainingConfig(_ job: JobConfig, round: Int, seed: UInt64) -> TrainingConfig {
        var c = TrainingConfig()
        c.batchSize = job.batchSize
        c.learningRate = job.learningRate(round: round)
        c.momentum = job.momentum
        c.seed = seed
        c.parallelism = .blas(threads: 1)
        return c
    }

    /// E local epochs (or `epochs`) from `start`; returns the new parameters.
    static func train(spec: ModelSpec, start: [Float], data: Dataset, job: JobConfig, round: Int, seed: UInt64,
                      epochs: Int? = nil) throws -> [Float] {
        let model = try Model(spec: spec, parameters: start)
        let trainer = Trainer(model: model, config: trainingConfig(job, round: round, seed: seed))
        for _ in 0..<(epochs ?? job.localEpochs) { try trainer.trainEpoch(data) }
        return model.parameters
    }

    /// Loss and accuracy of `parameters` on `data`.
    static func evaluate(spec: ModelSpec, parameters: [Float], data: Dataset) throws -> Evaluation {
        let model = try Model(spec: spec, parameters: parameters)
        var c = TrainingConfig()
        c.batchSize = 256
        return try Trainer(model: model, config: c).evaluate(data)
    }

    /// The nearest `fraction` of `others` by Euclidean distance to `own` (at least one), nearest first.
    static func chooseTeachers(own: [Float], others: [(id: String, parameters: [Float])], fraction: Double) throws
        -> [(id: String, distance: Double)] {
        guard !others.isEmpty else { return [] }
        var scored: [(id: String, distance: Double)] = []
        for o in others { scored.append((o.id, try Federated.distance(own, o.parameters))) }
        scored.sort { ($0.distance, $0.id) < ($1.distance, $1.id) }
        let k = max(1, Int((fraction * Double(others.count)).rounded(.up)))
        return Array(scored.prefix(min(k, scored.count)))
    }

    /// Distils the averaged logits of `teachers` into `student` on the node's own data with the job's loss
    /// (CE + λ·‖z_teacher − z_student‖² by default); returns the distilled parameters.
    static func distill(spec: ModelSpec, student: [Float], teachers: [[Float]], data: Dataset, job: JobConfig,
                        round: Int, seed: UInt64) throws -> [Float] {
        guard !teachers.isEmpty, job.distillationEpochs > 0 else { return student }
        var logits: [[Float]] = []
        for t in teachers {
            let m = try Model(spec: spec, parameters: t)
            logits.append(try Federated.logits(model: m, inputs: data.images, count: data.count))
        }
        let teacher = try Federated.averageLogits(logits)
        let model = try Model(spec: spec, parameters: student)
        let trainer = Trainer(model: model, config: trainingConfig(job, round: round, seed: seed))
        let classes = model.outputCount, inCount = model.inputCount
        var rng = Xoshiro256(seed: seed, stream: 0x4449_5354)  // "DIST"
        // Batch buffers are reused across steps: the loop allocates nothing per batch.
        var x: [Float] = [], y: [Int32] = [], z: [Float] = []
        x.reserveCapacity(job.batchSize * inCount); y.reserveCapacity(job.batchSize)
        z.reserveCapacity(job.batchSize * classes)
        for _ in 0..<job.distillationEpochs {
            var order = Array(0..<data.count)
            rng.shuffle(&order)
            var start = 0
            while start < order.count {
                let batch = order[start..<min(order.count, start + job.batchSize)]
                x.removeAll(keepingCapacity: true); y.removeAll(keepingCapacity: true)
                z.removeAll(keepingCapacity: true)
                for i in batch {
                    x.append(contentsOf: data.images[(i * inCount)..<((i + 1) * inCount)])
                    y.append(data.labels[i])
                    z.append(contentsOf: teacher[(i * classes)..<((i + 1) * classes)])
                }
                try trainer.step(images: x, labels: y, teacherLogits: z, loss: job.loss)
                start += batch.count
            }
        }
        return model.parameters
    }
}
