import Learning
import Testing

@Suite struct DataTests {
    static let installed = (try? IDX.read(path: FashionMNIST.defaultDirectory + "/t10k-labels-idx1-ubyte.gz")) != nil

    /// Facts about Fashion-MNIST published with the data set: 60,000/10,000 images of 28×28, 6,000/1,000 per class,
    /// and the first training and test images are both ankle boots (label 9).
    @Test(.enabled(if: installed, "dataset-fashion-mnist is not installed"))
    func loadsFashionMNIST() throws {
        let d = try FashionMNIST.load()
        #expect(d.train.count == 60_000 && d.test.count == 10_000)
        #expect(d.train.shape == Shape(1, 28, 28))
        #expect(d.train.classHistogram == [Int](repeating: 6_000, count: 10))
        #expect(d.test.classHistogram == [Int](repeating: 1_000, count: 10))
        #expect(d.train.labels[0] == 9 && d.test.labels[0] == 9)
        // Standardised with the training statistics: mean ≈ 0, standard deviation ≈ 1.
        let n = Double(d.train.images.count)
        let mean = d.train.images.reduce(0.0) { $0 + Double($1) } / n
        let sd = (d.train.images.reduce(0.0) { $0 + Double($1) * Double($1) } / n - mean * mean).squareRoot()
        #expect(abs(mean) < 1e-3 && abs(sd - 1) < 1e-3)
    }

    /// Ranges convert only those samples: the raw bytes through the published statistics (mean 0.2860, standard
    /// deviation 0.3530 of pixels scaled to [0, 1]), the raw labels, and ranges past the end clamped.
    @Test(.enabled(if: installed, "dataset-fashion-mnist is not installed"))
    func rangesConvertOnlyTheSamplesAskedFor() throws {
        let files = try FashionMNIST.open()
        #expect(files.trainCount == 60_000 && files.testCount == 10_000)
        let raw = try FashionMNIST.raw(split: "train")
        let part = files.train(100..<103)
        #expect(part.count == 3 && part.labels == Array(raw.labels[100..<103]))
        for (i, v) in part.images.enumerated() {
            let expected = (Double(raw.pixels[100 * 784 + i]) / 255 - 0.2860) / 0.3530
            #expect(abs(Double(v) - expected) < 2e-3, "pixel \(i): \(v) against \(expected)")
        }
        #expect(files.test(9_998..<20_000).count == 2)
        #expect(files.train(5..<5).count == 0 && files.train(5..<5).images.isEmpty)
    }

    @Test func missingFilesNameThePackage() {
        do {
            _ = try FashionMNIST.load(directory: "/nonexistent/fashion")
            Issue.record("loaded a missing directory")
        } catch {
            #expect(error.description.contains("dataset-fashion-mnist"))
            #expect(error == .missing(path: "/nonexistent/fashion/train-images-idx3-ubyte.gz", package: "dataset-fashion-mnist"))
        }
    }

    @Test func malformedIDXIsRejected() {
        let header: [UInt8] = [0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2]
        #expect(throws: DatasetError.truncated(path: "x", expected: 24, got: 19)) {
            try IDX.images(header + [1, 2, 3], path: "x")
        }
        #expect(throws: DatasetError.badMagic(path: "x", expected: 0x803, got: 0x801)) {
            try IDX.images([0, 0, 8, 1] + Array(header[4...]) + [UInt8](repeating: 0, count: 8), path: "x")
        }
        #expect(throws: DatasetError.truncated(path: "y", expected: 8, got: 3)) { try IDX.labels([0, 0, 8], path: "y") }
        #expect(throws: Never.self) {
            let parsed = try IDX.images(header + [UInt8](repeating: 7, count: 8), path: "x")
            #expect(parsed.count == 2 && parsed.rows == 2 && parsed.columns == 2 && parsed.pixels.count == 8)
        }
    }

    static let labels: [Int32] = (0..<1000).map { Int32($0 % 10) }

    static func checkCover(_ parts: [[Int]], _ n: Int) {
        let all = parts.flatMap { $0 }.sorted()
        #expect(all == Array(0..<n), "partition must use every index exactly once")
    }

    @Test func iidPartition() throws {
        let parts = try Partitioner.iid.split(labels: Self.labels, classes: 10, nodes: 7, seed: 1)
        Self.checkCover(parts, 1000)
        #expect(parts.allSatisfy { $0.count == 142 || $0.count == 143 })
        #expect(try Partitioner.iid.split(labels: Self.labels, classes: 10, nodes: 7, seed: 1) == parts)
        #expect(try Partitioner.iid.split(labels: Self.labels, classes: 10, nodes: 7, seed: 2) != parts)
    }

    @Test func dirichletPartitionSkewsLabels() throws {
        let skewed = try Partitioner.dirichlet(alpha: 0.1, minSize: 10).split(labels: Self.labels, classes: 10, nodes: 5, seed: 4)
        let even = try Partitioner.dirichlet(alpha: 1000, minSize: 10).split(labels: Self.labels, classes: 10, nodes: 5, seed: 4)
        Self.checkCover(skewed, 1000); Self.checkCover(even, 1000)
        #expect(skewed.allSatisfy { $0.count >= 10 })
        // Mean per-node share of the node's most common label: near 1 under strong skew, near 0.1 when balanced.
        func dominance(_ p: [[Int]]) -> Double {
            let h = Partitioner.histograms(labels: Self.labels, classes: 10, partition: p)
            return h.map { Double($0.max()!) / Double(max(1, $0.reduce(0, +))) }.reduce(0, +) / Double(h.count)
        }
        #expect(dominance(skewed) > 0.4)
        #expect(dominance(even) < 0.2)
        #expect(try Partitioner.dirichlet(alpha: 0.1, minSize: 10).split(labels: Self.labels, classes: 10, nodes: 5, seed: 4) == skewed)
        #expect(throws: Partitioner.Failure.self) {
            try Partitioner.dirichlet(alpha: 0, minSize: 1).split(labels: Self.labels, classes: 10, nodes: 5, seed: 4)
        }
        #expect(throws: Partitioner.Failure.tooFewSamples(samples: 1000, nodes: 200, needed: 10)) {
            try Partitioner.dirichlet(alpha: 1, minSize: 10).split(labels: Self.labels, classes: 10, nodes: 200, seed: 4)
        }
    }

    @Test func shardPartitionGivesFewLabelsPerNode() throws {
        let parts = try Partitioner.shards(perNode: 2).split(labels: Self.labels, classes: 10, nodes: 10, seed: 3)
        Self.checkCover(parts, 1000)
        let h = Partitioner.histograms(labels: Self.labels, classes: 10, partition: parts)
        #expect(h.allSatisfy { row in row.filter { $0 > 0 }.count <= 2 })
        #expect(Partitioner.histogramTable(h).split(separator: "\n").count == 10)
    }
}
