import ArgumentParser
import Learning

#if canImport(Glibc)
import Glibc
#endif

/// CPU seconds used by this process (all threads).
func cpuNow() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// `gfl bench train`: training throughput (samples/s) of one model, batch and thread setting.
struct BenchTrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Training samples/s (forward, backward and SGD step) on Fashion-MNIST or synthetic data."
    )

    @Option(help: "lenet, mlp, gfl-cnn, or a model spec.") var model = "lenet"
    @Option(help: "Threads.") var threads = 1
    @Option(help: "auto (batch workers for conv nets, BLAS threads for dense-only), blas, batch, or all (every combination).") var parallel = "auto"
    @Option(help: "Convolution GEMM layout: per-sample, batched or mixed.") var conv = "per-sample"
    @Option(help: "Mini-batch size.") var batch = 64
    @Option(help: "Seconds per trial (three trials, the median is reported).") var seconds = 2.0
    @Flag(help: "One JSON object per line.") var json = false
    @Flag(help: "Print where the time goes, layer by layer (worker 0).") var profile = false

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
                } else { combos.append((p, "per-sample")) }
            }
        } else { combos = [(parallel, conv)] }

        for (p, c) in combos {
            var cfg = TrainingConfig()
            cfg.batchSize = batch
            cfg.parallelism = try Parallelism(mode: p, threads: threads, spec: spec)
            cfg.convStrategy = try resolveConv(c)
            let net = try Model(spec: spec, seed: 1)
            let trainer = Trainer(model: net, config: cfg)
            trainer.applyThreadSetting()
            let steps = pool / batch
            // Warm-up (page faults, OpenBLAS thread start).
            _ = try trainer.trainEpoch(data.prefix(min(pool, batch * 8)))
            // Wall-clock rate, and the rate per CPU-second of this process: on a shared machine the second one shows
            // the work itself, independent of how much of the cores other processes took.
            var rates: [Double] = [], cpuRates: [Double] = []
            for _ in 0..<3 {
                let t0 = now(), c0 = cpuNow()
                var done = 0
                while now() - t0 < seconds {
                    _ = try trainer.trainEpoch(data)
                    done += steps * batch
                }
                rates.append(Double(done) / (now() - t0))
                cpuRates.append(Double(done) / (cpuNow() - c0))
            }
            rates.sort(); cpuRates.sort()
            if profile { try printProfile(trainer, spec: spec) }
            let r = rates[1], rc = cpuRates[1]
            let mode: String
            switch cfg.parallelism { case .blas: mode = "blas"; case .batch: mode = "batch" }
            if json {
                print(#"{"model":"\#(model)","threads":\#(threads),"batch":\#(batch),"samples_per_s":\#(fixed(r, 1)),"samples_per_cpu_s":\#(fixed(rc, 1)),"parallel":"\#(mode)","conv":"\#(c)"}"#)
            } else {
                print("\(model) threads \(threads) batch \(batch) \(mode) conv \(c): ".padded(50)
                      + "\(Int(r)) samples/s  (\(Int(rc)) per CPU-second)")
            }
        }
    }
}

/// Runs a few epochs with a per-layer clock on worker 0 and prints each layer's share of the step.
func printProfile(_ trainer: Trainer, spec: ModelSpec) throws {
    let ws = trainer.workers[0]
    let slots = 2 * ws.plans.count
    let counters = UnsafeMutablePointer<UInt64>.allocate(capacity: slots)
    counters.initialize(repeating: 0, count: slots)
    defer { counters.deallocate() }
    ws.profile = counters
    defer { ws.profile = nil }
    var images: [Float] = [], labels: [Int32] = []
    var rng = Xoshiro256(seed: 3)
    for _ in 0..<2048 { labels.append(Int32(rng.nextInt(below: 10))) }
    images = (0..<(2048 * spec.input.count)).map { _ in Float(rng.nextGaussian()) }
    guard let data = try? Dataset(images: images, labels: labels, shape: spec.input, classes: 10) else { return }
    let t0 = cpuNow()
    try trainer.trainEpoch(data)
    let total = (cpuNow() - t0) * 1e9  // CPU time: with batch workers the layers of worker 0 are about half
    var layersNs = 0.0
    print("layer (CPU time, 2,048 samples)".padded(32) + "forward ms".padded(12) + "backward ms".padded(12) + "share")
    for (i, plan) in ws.plans.enumerated() {
        let f = Double(counters[2 * i]), b = Double(counters[2 * i + 1])
        layersNs += f + b
        print(plan.spec.text.padded(32) + fixed(f / 1e6, 2).padded(12) + fixed(b / 1e6, 2).padded(12)
              + fixed(100 * (f + b) / total, 1) + "%")
    }
    print("rest (loss, batch gather, SGD update, threads)".padded(56) + fixed(100 * (total - layersNs) / total, 1) + "%")
}
