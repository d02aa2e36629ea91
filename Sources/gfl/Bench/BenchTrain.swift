import ArgumentParser
import Learning

/// `gfl bench train`: training throughput (samples/s) of one model, batch and thread setting.
struct BenchTrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Training samples/s (forward, backward and SGD step) on Fashion-MNIST or synthetic data."
    )

    @Option(help: "lenet, mlp, gfl-cnn, or a model spec.") var model = "lenet"
    @Option(help: "Threads.") var threads = 1
    @Option(help: "blas, batch, or all (print every combination of parallelism and conv layout).") var parallel = "batch"
    @Option(help: "Convolution GEMM layout: batched or per-sample.") var conv = "batched"
    @Option(help: "Mini-batch size.") var batch = 64
    @Option(help: "Seconds per trial (three trials, the median is reported).") var seconds = 2.0
    @Flag(help: "One JSON object per line.") var json = false

    func run() throws {
        let spec = try resolveModel(model)
        guard threads >= 1, batch >= 1, seconds > 0 else { throw ValidationError("threads, batch and seconds must be positive") }
        // Real images when installed (value ranges matter little for speed), else seeded noise.
        let pool = 4096
        var images: [Float], labels: [Int32]
        if let d = try? FashionMNIST.load() {
            let s = d.train.prefix(pool); images = s.images; labels = s.labels
        } else {
            var rng = Xoshiro256(seed: 7)
            images = (0..<(pool * spec.input.count)).map { _ in Float(rng.nextGaussian()) }
            labels = (0..<pool).map { _ in Int32(rng.nextInt(below: 10)) }
        }
        let data = try Dataset(images: images, labels: labels, shape: spec.input, classes: spec.outputShape.count)

        var combos: [(String, String)] = []
        if parallel == "all" {
            for p in ["blas", "batch"] {
                if spec.layers.contains(where: { if case .conv = $0 { return true } else { return false } }) {
                    for c in ConvStrategy.allCases { combos.append((p, c.rawValue)) }
                } else { combos.append((p, "batched")) }
            }
        } else { combos = [(parallel, conv)] }

        for (p, c) in combos {
            var cfg = TrainingConfig()
            cfg.batchSize = batch
            cfg.parallelism = try Parallelism(mode: p, threads: threads)
            cfg.convStrategy = try resolveConv(c)
            let net = try Model(spec: spec, seed: 1)
            let trainer = Trainer(model: net, config: cfg)
            trainer.applyThreadSetting()
            let steps = pool / batch
            // Warm-up (page faults, OpenBLAS thread start).
            _ = trainer.trainEpoch(data.prefix(min(pool, batch * 8)))
            var rates: [Double] = []
            for _ in 0..<3 {
                let t0 = now()
                var done = 0
                while now() - t0 < seconds {
                    _ = trainer.trainEpoch(data)
                    done += steps * batch
                }
                rates.append(Double(done) / (now() - t0))
            }
            rates.sort()
            let r = rates[1]
            if json {
                print(#"{"model":"\#(model)","threads":\#(threads),"batch":\#(batch),"samples_per_s":\#(fixed(r, 1)),"parallel":"\#(p)","conv":"\#(c)"}"#)
            } else {
                print("\(model) threads \(threads) batch \(batch) \(p) conv \(c): ".padded(50) + "\(Int(r)) samples/s")
            }
        }
    }
}
