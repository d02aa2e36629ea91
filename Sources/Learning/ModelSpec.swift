/// Model specifications: a compact, canonical text form of a layer stack, as stored in GFL job files and in the
/// header of the binary model format.
///
/// Grammar (layers separated by `;` or newlines, the first one is the input shape):
///
///     input 1x28x28; conv 6 k5 p2; relu; maxpool k2; conv 16 k5; relu; maxpool k2; flatten;
///     dense 120; relu; dense 84; relu; dense 10
///
/// `conv <filters> k<size> [s<stride>] [p<padding>]`, `maxpool k<size> [s<stride>]` and `avgpool …` (stride defaults
/// to the window size), `dense <outputs>`, `relu`, `flatten`, `dropout <probability>`.

/// A tensor shape for one sample: channels × height × width (a vector of n values is n×1×1).
public struct Shape: Equatable, Hashable, Sendable, CustomStringConvertible {
    public var channels: Int, height: Int, width: Int
    public init(_ channels: Int, _ height: Int, _ width: Int) {
        self.channels = channels; self.height = height; self.width = width
    }
    /// Number of values in one sample.
    public var count: Int { channels * height * width }
    public var description: String { "\(channels)x\(height)x\(width)" }
}

/// One layer of a model spec.
public enum LayerSpec: Equatable, Hashable, Sendable {
    case conv(filters: Int, kernel: Int, stride: Int, padding: Int)
    case maxPool(kernel: Int, stride: Int)
    case avgPool(kernel: Int, stride: Int)
    case dense(outputs: Int)
    case relu
    case flatten
    case dropout(probability: Float)

    /// The canonical text of this layer.
    public var text: String {
        switch self {
        case let .conv(f, k, s, p): return "conv \(f) k\(k) s\(s) p\(p)"
        case let .maxPool(k, s): return "maxpool k\(k) s\(s)"
        case let .avgPool(k, s): return "avgpool k\(k) s\(s)"
        case let .dense(n): return "dense \(n)"
        case .relu: return "relu"
        case .flatten: return "flatten"
        case let .dropout(p): return "dropout \(p)"
        }
    }
}

/// Why a model spec was rejected.
public enum ModelSpecError: Error, CustomStringConvertible, Equatable {
    case empty
    case badInput(String)
    case unknownLayer(String)
    case badArgument(layer: String, detail: String)
    case shape(layer: Int, detail: String)
    case unknownModel(String)

    public var description: String {
        switch self {
        case .empty: return "model spec is empty"
        case .badInput(let s): return "model spec must start with 'input CxHxW', got '\(s)'"
        case .unknownLayer(let s): return "unknown layer '\(s)' in model spec"
        case let .badArgument(l, d): return "bad argument in layer '\(l)': \(d)"
        case let .shape(i, d): return "layer \(i) does not fit its input: \(d)"
        case .unknownModel(let s): return "unknown model '\(s)' (known: \(ModelSpec.presetNames.joined(separator: ", ")))"
        }
    }
}

/// A layer with its resolved shapes and the slice of the flat parameter vector it owns.
public struct LayerPlan: Equatable, Sendable {
    public var spec: LayerSpec
    public var input: Shape
    public var output: Shape
    /// Offset of this layer's weights in the flat parameter vector (PyTorch order: weight then bias).
    public var parameterOffset: Int
    /// Number of weights (without biases).
    public var weightCount: Int
    /// Number of biases.
    public var biasCount: Int
    public var parameterCount: Int { weightCount + biasCount }
    /// Fan-in used for PyTorch's default initialisation.
    public var fanIn: Int
}

/// A model: an input shape and a stack of layers.
public struct ModelSpec: Equatable, Hashable, Sendable, CustomStringConvertible {
    public var input: Shape
    public var layers: [LayerSpec]

    public init(input: Shape, layers: [LayerSpec]) {
        self.input = input; self.layers = layers
    }

    /// Parses the text form (see the type's documentation).
    public init(parsing text: String) throws(ModelSpecError) {
        let items = text.split(whereSeparator: { $0 == ";" || $0 == "\n" })
            .map { $0.trimmingCharacters() }.filter { !$0.isEmpty }
        guard let first = items.first else { throw .empty }
        let head = first.split(separator: " ").map(String.init)
        guard head.count == 2, head[0] == "input" else { throw .badInput(first) }
        let dims = head[1].split(separator: "x").compactMap { Int($0) }
        guard dims.count == 3, dims.allSatisfy({ $0 > 0 && $0 <= 1 << 16 }) else { throw .badInput(first) }
        input = Shape(dims[0], dims[1], dims[2])
        layers = []
        for item in items.dropFirst() { layers.append(try ModelSpec.parseLayer(item)) }
        _ = try plan()
    }

    private static func parseLayer(_ item: String) throws(ModelSpecError) -> LayerSpec {
        let words = item.split(separator: " ").map(String.init)
        func positive(_ s: String) throws(ModelSpecError) -> Int {
            guard let v = Int(s), v > 0, v <= 1 << 20 else { throw .badArgument(layer: item, detail: "'\(s)' is not a positive integer") }
            return v
        }
        // Parses `k5 s2 p1` style options.
        func options(_ words: ArraySlice<String>, allowed: Set<Character>) throws(ModelSpecError) -> [Character: Int] {
            var out: [Character: Int] = [:]
            for w in words {
                guard let key = w.first, allowed.contains(key), out[key] == nil,
                      let v = Int(w.dropFirst()), v >= 0, v <= 1 << 16 else {
                    throw .badArgument(layer: item, detail: "unexpected '\(w)'")
                }
                out[key] = v
            }
            return out
        }
        switch words[0] {
        case "conv":
            guard words.count >= 3 else { throw .badArgument(layer: item, detail: "expected 'conv <filters> k<size>'") }
            let f = try positive(words[1])
            let o = try options(words[2...], allowed: ["k", "s", "p"])
            guard let k = o["k"], k > 0 else { throw .badArgument(layer: item, detail: "missing kernel size k<n>") }
            let s = o["s"] ?? 1
            guard s > 0 else { throw .badArgument(layer: item, detail: "stride must be positive") }
            return .conv(filters: f, kernel: k, stride: s, padding: o["p"] ?? 0)
        case "maxpool", "avgpool":
            let o = try options(words[1...], allowed: ["k", "s"])
            guard let k = o["k"], k > 0 else { throw .badArgument(layer: item, detail: "missing window size k<n>") }
            let s = o["s"] ?? k
            guard s > 0 else { throw .badArgument(layer: item, detail: "stride must be positive") }
            return words[0] == "maxpool" ? .maxPool(kernel: k, stride: s) : .avgPool(kernel: k, stride: s)
        case "dense":
            guard words.count == 2 else { throw .badArgument(layer: item, detail: "expected 'dense <outputs>'") }
            return .dense(outputs: try positive(words[1]))
        case "relu", "flatten":
            guard words.count == 1 else { throw .badArgument(layer: item, detail: "takes no arguments") }
            return words[0] == "relu" ? .relu : .flatten
        case "dropout":
            guard words.count == 2, let p = Float(words[1]), p >= 0, p < 1 else {
                throw .badArgument(layer: item, detail: "expected 'dropout <p>' with 0 ≤ p < 1")
            }
            return .dropout(probability: p)
        default:
            throw .unknownLayer(item)
        }
    }

    /// The canonical text: equal specs give equal text, and parsing it gives back the same spec.
    public var description: String {
        (["input \(input)"] + layers.map(\.text)).joined(separator: "; ")
    }

    /// Resolves shapes and parameter offsets, or says which layer does not fit.
    public func plan() throws(ModelSpecError) -> [LayerPlan] {
        var shape = input
        var offset = 0
        var plans: [LayerPlan] = []
        for (i, layer) in layers.enumerated() {
            var out = shape
            var weights = 0, biases = 0, fanIn = 0
            switch layer {
            case let .conv(f, k, s, p):
                let oh = (shape.height + 2 * p - k) / s + 1, ow = (shape.width + 2 * p - k) / s + 1
                guard shape.height + 2 * p >= k, shape.width + 2 * p >= k, oh > 0, ow > 0 else {
                    throw .shape(layer: i, detail: "kernel \(k) larger than padded input \(shape)")
                }
                guard p < k else { throw .shape(layer: i, detail: "padding \(p) must be smaller than kernel \(k)") }
                out = Shape(f, oh, ow)
                fanIn = shape.channels * k * k
                weights = f * fanIn; biases = f
            case let .maxPool(k, s), let .avgPool(k, s):
                guard shape.height >= k, shape.width >= k else {
                    throw .shape(layer: i, detail: "window \(k) larger than input \(shape)")
                }
                out = Shape(shape.channels, (shape.height - k) / s + 1, (shape.width - k) / s + 1)
            case let .dense(n):
                fanIn = shape.count
                out = Shape(n, 1, 1)
                weights = n * fanIn; biases = n
            case .flatten:
                out = Shape(shape.count, 1, 1)
            case .relu, .dropout:
                break
            }
            plans.append(LayerPlan(spec: layer, input: shape, output: out, parameterOffset: offset,
                                   weightCount: weights, biasCount: biases, fanIn: fanIn))
            offset += weights + biases
            shape = out
        }
        return plans
    }

    /// Total number of trainable parameters.
    public var parameterCount: Int {
        ((try? plan()) ?? []).reduce(0) { $0 + $1.parameterCount }
    }

    /// The shape of the model's output for one sample.
    public var outputShape: Shape { ((try? plan())?.last?.output) ?? input }

    // MARK: Presets

    /// LeNet-5 for 28×28 inputs (61,706 parameters).
    public static let lenet = try! ModelSpec(parsing:
        "input 1x28x28; conv 6 k5 p2; relu; maxpool k2; conv 16 k5; relu; maxpool k2; flatten; dense 120; relu; dense 84; relu; dense 10")
    /// The two-hidden-layer MLP of McMahan et al.'s FedAvg paper ("2NN", 199,210 parameters).
    public static let mlp = try! ModelSpec(parsing:
        "input 1x28x28; flatten; dense 200; relu; dense 200; relu; dense 10")
    /// The GFL paper's MNIST CNN: two convolutions with 5 filters (5×5), each followed by 2×2 max-pooling, a dense
    /// layer of 500 and the output layer. The paper does not give kernel sizes; 5×5 without padding is our reading.
    public static let gflCNN = try! ModelSpec(parsing:
        "input 1x28x28; conv 5 k5; relu; maxpool k2; conv 5 k5; relu; maxpool k2; flatten; dense 500; relu; dense 10")

    public static let presetNames = ["lenet", "mlp", "gfl-cnn"]

    /// A preset by name (`lenet`, `mlp`, `gfl-cnn`), or a spec in the text form.
    public static func named(_ name: String) throws(ModelSpecError) -> ModelSpec {
        switch name {
        case "lenet", "lenet5", "lenet-5": return lenet
        case "mlp", "2nn": return mlp
        case "gfl-cnn", "gflcnn", "cnn": return gflCNN
        default:
            if name.hasPrefix("input ") { return try ModelSpec(parsing: name) }
            throw .unknownModel(name)
        }
    }
}

extension Substring {
    func trimmingCharacters() -> String {
        var s = self[...]
        while let f = s.first, f == " " || f == "\t" || f == "\r" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" { s = s.dropLast() }
        return String(s)
    }
}
