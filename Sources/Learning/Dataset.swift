import CZlib

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a data set could not be loaded.
public enum DatasetError: Error, CustomStringConvertible, Equatable {
    case missing(path: String, package: String)
    case unreadable(path: String, detail: String)
    case badMagic(path: String, expected: UInt32, got: UInt32)
    case truncated(path: String, expected: Int, got: Int)
    case countMismatch(images: Int, labels: Int)
    case badLabel(path: String, label: Int)

    public var description: String {
        switch self {
        case let .missing(path, package):
            return "\(path) not found: install the Debian package '\(package)' (tools/setup does)"
        case let .unreadable(path, detail): return "cannot read \(path): \(detail)"
        case let .badMagic(path, e, g):
            return "\(path) is not an IDX file of the expected kind: magic 0x\(String(g, radix: 16)), expected 0x\(String(e, radix: 16))"
        case let .truncated(path, e, g): return "\(path) is truncated: \(g) bytes, expected \(e)"
        case let .countMismatch(i, l): return "\(i) images but \(l) labels"
        case let .badLabel(path, l): return "\(path) holds label \(l), outside 0..<10"
        }
    }
}

/// A labelled data set held in memory: normalised float32 samples, contiguous (`count × shape.count`).
public struct Dataset: Sendable {
    public var images: [Float]
    public var labels: [Int32]
    public let shape: Shape
    public let classes: Int
    public var count: Int { labels.count }

    public init(images: [Float], labels: [Int32], shape: Shape, classes: Int) throws {
        guard images.count == labels.count * shape.count else {
            throw LearningError.mismatchedLengths("\(images.count) values for \(labels.count) samples of \(shape)")
        }
        for l in labels where l < 0 || Int(l) >= classes {
            throw LearningError.labelOutOfRange(label: Int(l), classes: classes)
        }
        self.images = images; self.labels = labels; self.shape = shape; self.classes = classes
    }

    /// The samples at `indices`, in that order.
    public func subset(_ indices: [Int]) -> Dataset {
        let n = shape.count
        var imgs = [Float](repeating: 0, count: indices.count * n)
        var labs = [Int32](repeating: 0, count: indices.count)
        images.withUnsafeBufferPointer { src in
            imgs.withUnsafeMutableBufferPointer { dst in
                for (k, i) in indices.enumerated() {
                    (dst.baseAddress! + k * n).update(from: src.baseAddress! + i * n, count: n)
                    labs[k] = labels[i]
                }
            }
        }
        return Dataset(unchecked: imgs, labs, shape, classes)
    }

    /// The first `n` samples (all of them when n ≥ count).
    public func prefix(_ n: Int) -> Dataset { subset(Array(0..<min(max(0, n), count))) }

    /// How many samples of each class.
    public var classHistogram: [Int] {
        var h = [Int](repeating: 0, count: classes)
        for l in labels { h[Int(l)] += 1 }
        return h
    }

    init(unchecked images: [Float], _ labels: [Int32], _ shape: Shape, _ classes: Int) {
        self.images = images; self.labels = labels; self.shape = shape; self.classes = classes
    }
}

/// Readers for the IDX format of (Fashion-)MNIST: a big-endian header (magic 0x0000_08_0d with d dimensions, then
/// d sizes) followed by unsigned bytes. Files may be gzip-compressed; zlib reads both forms.
public enum IDX {
    /// The whole file, decompressed when it is gzip.
    public static func read(path: String, package: String = "dataset-fashion-mnist") throws(DatasetError) -> [UInt8] {
        guard access(path, F_OK) == 0 else { throw .missing(path: path, package: package) }
        guard let f = gzopen(path, "rb") else { throw .unreadable(path: path, detail: "gzopen failed") }
        defer { gzclose(f) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let got = chunk.withUnsafeMutableBytes { gzread(f, $0.baseAddress, UInt32($0.count)) }
            if got < 0 {
                var code: Int32 = 0
                let msg = gzerror(f, &code).map { String(cString: $0) } ?? "zlib error"
                throw .unreadable(path: path, detail: msg)
            }
            if got == 0 { break }
            out.append(contentsOf: chunk[0..<Int(got)])
        }
        return out
    }

    static func be32(_ b: [UInt8], _ at: Int) -> UInt32 {
        UInt32(b[at]) << 24 | UInt32(b[at + 1]) << 16 | UInt32(b[at + 2]) << 8 | UInt32(b[at + 3])
    }

    /// Parses an image file (magic 0x803): count, rows, columns and the pixels.
    public static func images(_ bytes: [UInt8], path: String) throws(DatasetError)
        -> (count: Int, rows: Int, columns: Int, pixels: ArraySlice<UInt8>) {
        guard bytes.count >= 16 else { throw .truncated(path: path, expected: 16, got: bytes.count) }
        let magic = be32(bytes, 0)
        guard magic == 0x803 else { throw .badMagic(path: path, expected: 0x803, got: magic) }
        let n = Int(be32(bytes, 4)), r = Int(be32(bytes, 8)), c = Int(be32(bytes, 12))
        let need = 16 + n * r * c
        guard bytes.count == need else { throw .truncated(path: path, expected: need, got: bytes.count) }
        return (n, r, c, bytes[16...])
    }

    /// Parses a label file (magic 0x801).
    public static func labels(_ bytes: [UInt8], path: String) throws(DatasetError) -> ArraySlice<UInt8> {
        guard bytes.count >= 8 else { throw .truncated(path: path, expected: 8, got: bytes.count) }
        let magic = be32(bytes, 0)
        guard magic == 0x801 else { throw .badMagic(path: path, expected: 0x801, got: magic) }
        let n = Int(be32(bytes, 4))
        guard bytes.count == 8 + n else { throw .truncated(path: path, expected: 8 + n, got: bytes.count) }
        return bytes[8...]
    }
}

/// Fashion-MNIST: 60,000 training and 10,000 test images of 28×28 grey pixels in 10 classes.
public enum FashionMNIST {
    /// Where Debian's `dataset-fashion-mnist` puts the files.
    public static let defaultDirectory = "/usr/share/datasets/fashion-mnist"
    public static let classNames = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]

    /// Loads one split as raw bytes and labels.
    public static func raw(directory: String = defaultDirectory, split: String)
        throws(DatasetError) -> (pixels: [UInt8], labels: [Int32], rows: Int, columns: Int) {
        let ip = "\(directory)/\(split)-images-idx3-ubyte.gz", lp = "\(directory)/\(split)-labels-idx1-ubyte.gz"
        let img = try IDX.images(try IDX.read(path: ip), path: ip)
        let lab = try IDX.labels(try IDX.read(path: lp), path: lp)
        guard img.count == lab.count else { throw .countMismatch(images: img.count, labels: lab.count) }
        var labels = [Int32](); labels.reserveCapacity(lab.count)
        for l in lab {
            guard l < 10 else { throw .badLabel(path: lp, label: Int(l)) }
            labels.append(Int32(l))
        }
        return (Array(img.pixels), labels, img.rows, img.columns)
    }

    /// Both splits, scaled to [0, 1] and then standardised with the training set's pixel mean and standard
    /// deviation (the usual "Normalize((0.2860,), (0.3530,))" of PyTorch examples, computed rather than pasted).
    public static func load(directory: String = defaultDirectory) throws(DatasetError) -> (train: Dataset, test: Dataset) {
        let files = try open(directory: directory)
        return (files.train(0..<files.trainCount), files.test(0..<files.testCount))
    }

    /// Both splits as bytes with the standardisation table; `train(_:)` and `test(_:)` convert only the samples
    /// asked for (a trainer with a 1,200-image job need not turn 70,000 images into floats).
    public static func open(directory: String = defaultDirectory) throws(DatasetError) -> StandardisedImages {
        let tr = try raw(directory: directory, split: "train"), te = try raw(directory: directory, split: "t10k")
        // Pixel by pixel in file order, so the table is the same to the last bit whatever the build; a `while`
        // over a raw pointer because the debug builds of tests and trainers run this over 47 million bytes.
        var sum = 0.0, sq = 0.0
        tr.pixels.withUnsafeBufferPointer { px in
            var i = 0
            while i < px.count { let v = Double(px[i]) / 255; sum += v; sq += v * v; i += 1 }
        }
        let n = Double(max(1, tr.pixels.count))
        let mean = sum / n, std = max(1e-12, (sq / n - mean * mean).squareRoot())
        // A lookup table: every pixel byte maps to exactly the same float, whichever split it is in.
        let table = (0..<256).map { Float((Double($0) / 255 - mean) / std) }
        return StandardisedImages(table: table, classes: 10,
                                  train: (tr.pixels, tr.labels, Shape(1, tr.rows, tr.columns)),
                                  test: (te.pixels, te.labels, Shape(1, te.rows, te.columns)))
    }
}

/// Image bytes of a train and a test split with the byte → float table that standardises them.
public struct StandardisedImages: Sendable {
    let table: [Float]
    let classes: Int
    let trainSplit: (pixels: [UInt8], labels: [Int32], shape: Shape)
    let testSplit: (pixels: [UInt8], labels: [Int32], shape: Shape)

    init(table: [Float], classes: Int, train: (pixels: [UInt8], labels: [Int32], shape: Shape),
         test: (pixels: [UInt8], labels: [Int32], shape: Shape)) {
        self.table = table; self.classes = classes; trainSplit = train; testSplit = test
    }

    public var trainCount: Int { trainSplit.labels.count }
    public var testCount: Int { testSplit.labels.count }
    /// Training samples in `range` (clamped to the split), standardised.
    public func train(_ range: Range<Int>) -> Dataset { convert(trainSplit, range) }
    /// Test samples in `range` (clamped to the split), standardised.
    public func test(_ range: Range<Int>) -> Dataset { convert(testSplit, range) }

    private func convert(_ split: (pixels: [UInt8], labels: [Int32], shape: Shape), _ range: Range<Int>) -> Dataset {
        let r = range.clamped(to: 0..<split.labels.count), size = split.shape.count
        var images = [Float](repeating: 0, count: r.count * size)
        if r.isEmpty { return Dataset(unchecked: images, [], split.shape, classes) }
        table.withUnsafeBufferPointer { t in
            split.pixels.withUnsafeBufferPointer { px in
                images.withUnsafeMutableBufferPointer { out in
                    let src = px.baseAddress! + r.lowerBound * size
                    var i = 0
                    while i < out.count { out[i] = t[Int(src[i])]; i += 1 }
                }
            }
        }
        return Dataset(unchecked: images, Array(split.labels[r]), split.shape, classes)
    }
}
