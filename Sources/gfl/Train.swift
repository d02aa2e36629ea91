import ArgumentParser
import Learning

#if canImport(Glibc)
import Glibc
#endif

/// `gfl train`: centralised training on Fashion-MNIST with a progress bar and a final table.
struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a model on Fashion-MNIST (centralised) and report test accuracy.",
        discussion: "Models: lenet (61,706 parameters), mlp (199,210), gfl-cnn, or a spec such as \"input 1x28x28; flatten; dense 10\"."
    )

    @Option(help: "lenet, mlp, gfl-cnn, or a model spec.") var model = "lenet"
    @Option(help: "Epochs over the training set.") var epochs = 3
    @Option(help: "Threads.") var threads = 1
    @Option(help: "How threads are used: auto (batch workers for conv nets, BLAS threads for dense-only models), blas (inside GEMMs) or batch (workers over the batch).") var parallel = "auto"
    @Option(help: "Convolution GEMM layout: per-sample, batched or mixed.") var conv = "per-sample"
    @Option(help: "Train on the first N training samples only.") var subset: Int?
    @Option(help: "Mini-batch size.") var batch = 64
    @Option(help: "Learning rate.") var lr: Float = 0.01
    @Option(help: "Momentum.") var momentum: Float = 0.9
    @Option(name: .customLong("weight-decay"), help: "L2 weight decay.") var weightDecay: Float = 0
    @Option(name: .customLong("lr-decay"), help: "Multiply the learning rate by this after each epoch.") var lrDecay: Float = 1
    @Option(help: "Seed for initialisation and shuffling.") var seed: UInt64 = 1
    @Option(help: "Directory holding the Fashion-MNIST IDX files.") var data = FashionMNIST.defaultDirectory
    @Option(help: "Write the trained model (GFL binary format) to this path.") var save: String?
    @Option(help: "Split the training set over --nodes nodes: iid, dirichlet:ALPHA or shards:K; prints each node's class histogram.")
    var partition: String?
    @Option(help: "Number of nodes for --partition.") var nodes = 10
    @Option(help: ArgumentHelp("With --partition, train on this node's share only, or on several nodes' shares pooled (a comma list such as 0,3,5: what those nodes could reach together, trained centrally); otherwise only print the histograms.",
                               valueName: "node[,node…]"),
            transform: parseNodeList) var node: [Int]?
    @Flag(help: "End with one JSON line.") var json = false
    @Flag(help: "No progress bar.") var quiet = false

    func validate() throws {
        guard epochs >= 0 else { throw ValidationError("--epochs must be ≥ 0") }
        guard threads >= 1 && threads <= 64 else { throw ValidationError("--threads must be in 1...64") }
        guard batch >= 1 else { throw ValidationError("--batch must be ≥ 1") }
        if let s = subset, s < 1 { throw ValidationError("--subset must be ≥ 1") }
        if let bad = node?.first(where: { $0 < 0 || $0 >= nodes }) { throw ValidationError("--node \(bad) is not in 0..<\(nodes)") }
        if node != nil && partition == nil { throw ValidationError("--node needs --partition (which split the node indices refer to)") }
    }

    func run() throws {
        let spec = try resolveModel(model)
        var cfg = TrainingConfig()
        cfg.batchSize = batch; cfg.learningRate = lr; cfg.momentum = momentum; cfg.weightDecay = weightDecay
        cfg.learningRateDecay = lrDecay; cfg.seed = seed
        cfg.parallelism = try Parallelism(mode: parallel, threads: threads, spec: spec)
        cfg.convStrategy = try resolveConv(conv)
        let sets: (train: Dataset, test: Dataset)
        do {
            let files = try FashionMNIST.open(directory: data)
            sets = (files.train(0..<min(files.trainCount, subset ?? files.trainCount)), files.test(0..<files.testCount))
        } catch { throw ValidationError(error.description) }
        var train = sets.train
        if let partition {
            let scheme = try parsePartition(partition)
            let parts: [[Int]]
            do { parts = try scheme.split(labels: train.labels, classes: train.classes, nodes: nodes, seed: seed) }
            catch { throw ValidationError(error.description) }
            print("\(scheme) over \(nodes) nodes (seed \(seed)), samples per class:")
            print(Partitioner.histogramTable(Partitioner.histograms(labels: train.labels, classes: train.classes, partition: parts)))
            guard let node else { return }
            train = train.subset(node.flatMap { parts[$0] })
        }
        let net = try Model(spec: spec, seed: seed)
        let trainer = Trainer(model: net, config: cfg)
        log("model \(model): \(net.parameterCount) parameters; \(train.count) training / \(sets.test.count) test samples; "
            + "batch \(batch), lr \(lr), momentum \(momentum), \(cfg.parallelism)")

        var rows: [(Int, Double, Double, Double, Double, Double, Double)] = []
        var trainSeconds = 0.0, trained = 0
        var last = Evaluation(samples: 0, loss: .nan, accuracy: 0, perClassAccuracy: [])
        let showBar = isatty(2) != 0
        for e in 1...max(1, epochs) where epochs > 0 {
            let start = now()
            var lastPrint = start
            let r = try trainer.trainEpoch(train) { done, loss, acc in
                guard !quiet else { return }
                let t = now()
                // A redrawn bar only makes sense on a terminal; into a file or pipe goes one line per epoch.
                if (!showBar || t - lastPrint < 0.2) && done < train.count { return }
                lastPrint = t
                let rate = Double(done) / max(1e-9, t - start)
                let width = 30, filled = width * done / max(1, train.count)
                let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
                let line = "epoch \(e)/\(epochs) [\(bar)] \(done)/\(train.count)  \(Int(rate)) samples/s  loss \(fixed(loss, 4))  acc \(fixed(acc, 4))"
                writeStderr("\r" + line)
            }
            let secs = now() - start
            if !quiet { writeStderr("\n") }
            trainSeconds += secs; trained += train.count
            last = try trainer.evaluate(sets.test)
            rows.append((e, r.loss, r.accuracy, last.loss, last.accuracy, Double(train.count) / secs, secs))
        }
        if epochs == 0 { last = try trainer.evaluate(sets.test) }

        print("epoch".padded(7) + "train loss".padded(12) + "train acc".padded(11) + "test loss".padded(11)
              + "test acc".padded(10) + "samples/s".padded(11) + "seconds")
        for (e, tl, ta, vl, va, sps, s) in rows {
            print(String(e).padded(7) + fixed(tl, 4).padded(12) + fixed(ta, 4).padded(11) + fixed(vl, 4).padded(11)
                  + fixed(va, 4).padded(10) + String(Int(sps)).padded(11) + fixed(s, 1))
        }
        print("per-class test accuracy:")
        for (c, a) in last.perClassAccuracy.enumerated() {
            let name = c < FashionMNIST.classNames.count ? FashionMNIST.classNames[c] : "class \(c)"
            print("  " + name.padded(12) + fixed(a, 3))
        }
        if let save {
            let bytes = ModelFile.encode(net)
            guard let f = fopen(save, "wb") else { throw ValidationError("cannot open \(save) for writing") }
            let wrote = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, f) }
            fclose(f)
            guard wrote == bytes.count else { throw ValidationError("short write to \(save)") }
            log("saved \(bytes.count) bytes to \(save)")
        }
        if json {
            let sps = trainSeconds > 0 ? Double(trained) / trainSeconds : 0
            print(#"{"model":"\#(model)","epochs":\#(epochs),"train_samples":\#(train.count),"test_accuracy":\#(fixed(last.accuracy, 4)),"test_loss":\#(fixed(last.loss, 4)),"samples_per_s":\#(fixed(sps, 1)),"seconds":\#(fixed(trainSeconds, 2))}"#)
        }
    }

    private func log(_ s: String) { if !quiet { writeStderr(s + "\n") } }
}

/// `--node`'s value: one node index or a comma list of distinct indices.
private func parseNodeList(_ text: String) throws -> [Int] {
    let items = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
    var nodes: [Int] = []
    for item in items {
        guard let n = Int(item) else { throw ValidationError("'\(item)' is not a node index (expected N or N,M,…)") }
        guard !nodes.contains(n) else { throw ValidationError("node \(n) is listed twice") }
        nodes.append(n)
    }
    return nodes
}

/// `iid`, `dirichlet:ALPHA` (minimum 10 samples per node) or `shards:K`.
func parsePartition(_ s: String) throws -> Partitioner {
    let parts = s.split(separator: ":").map(String.init)
    switch parts.first {
    case "iid" where parts.count == 1: return .iid
    case "dirichlet" where parts.count == 2:
        guard let a = Double(parts[1]), a > 0 else { throw ValidationError("dirichlet needs a positive alpha, e.g. dirichlet:0.5") }
        return .dirichlet(alpha: a, minSize: 10)
    case "shards" where parts.count == 2:
        guard let k = Int(parts[1]), k > 0 else { throw ValidationError("shards needs a positive count, e.g. shards:2") }
        return .shards(perNode: k)
    default: throw ValidationError("--partition must be iid, dirichlet:ALPHA or shards:K, not '\(s)'")
    }
}

/// Writes to standard error, unbuffered (progress bars).
func writeStderr(_ s: String) {
    var bytes = Array(s.utf8)
    _ = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress, $0.count) }
}

/// Seconds on the monotonic clock.
func now() -> Double { Double(nowNanos()) / 1e9 }
