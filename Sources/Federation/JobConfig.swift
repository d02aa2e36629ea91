import Foundation
import GFLContracts
import Learning
import Primitives

/// A federated-learning job as the model provider writes it (`job.json`): what to train, on which data split,
/// for how many rounds, with which RDFL parameters, and which nodes misbehave. The file is added to the content
/// store and its CID goes on chain in `createJob`, so every trainer reads the same description.
public struct JobConfig: Codable, Sendable, Equatable {
    /// `rdfl` (the paper), a star baseline with one fixed aggregator (`fedavg`, `median`, `trimmed-mean`, `krum`),
    /// or a related paper's strategy: `dfl` (reputation-weighted FedAvg with accuracy receipts), `bcfl` (Top-k
    /// compressed updates with error compensation), `fd-1bit` (1-bit federated distillation voted on a contract).
    public var strategy: String = "rdfl"
    /// A preset name (`lenet`, `mlp`, `gfl-cnn`) or a model spec text.
    public var model: String = "lenet"
    /// Training samples used (the first N of Fashion-MNIST's 60,000), split over the nodes.
    public var trainSamples: Int = 60_000
    /// Test samples used for the global model's accuracy (the first N of the 10,000).
    public var testSamples: Int = 10_000
    /// Test samples each node uses for its own accuracy (the first N).
    public var nodeTestSamples: Int = 1_000
    /// `iid`, `dirichlet` (with `alpha`) or `shards`.
    public var partition: String = "iid"
    public var alpha: Double = 1.0
    public var nodes: Int = 6
    public var rounds: Int = 5
    public var localEpochs: Int = 1
    public var batchSize: Int = 64
    public var learningRate: Float = 0.01
    /// Round r trains (and distils) with `learningRate · learningRateDecay^(r−1)`; 1 keeps it constant.
    public var learningRateDecay: Float = 1
    public var momentum: Float = 0.9
    /// λ of the distillation loss: CE + λ·‖z_teacher − z_student‖² (`ed`), CE + λ·‖z_teacher − z_student‖
    /// (`euclidean`), or the KL weight α (`kl`).
    public var distillationWeight: Float = 0.05
    /// Temperature, for the KL variant of the loss (`distillationLoss: "kl"`); unused by the default `ed` loss.
    public var temperature: Float = 2
    /// `ed` (squared distance of the logits), `euclidean` (the distance itself: its pull is bounded by λ, so a
    /// large λ does not blow up) or `kl`.
    public var distillationLoss: String = "ed"
    /// Passes over its own data a trusted node makes while distilling.
    public var distillationEpochs: Int = 1
    /// Fraction of the other models taken as teachers in round 1 (the nearest by Euclidean distance)…
    public var teacherFraction: Double = 0.3
    /// …growing by this much every round, up to `teacherFractionMax`.
    public var teacherFractionStep: Double = 0.1
    public var teacherFractionMax: Double = 1.0
    /// Number of trusted nodes (RDFL), chosen by `trustedSelection` when the job starts.
    public var trusted: Int = 3
    /// `data-size`: the `trusted` nodes with the largest data shards, ties to the lower ring position (the
    /// Controller's rule; `gfl job start` always uses it). `spread`: evenly spaced around the ring, as in the
    /// paper's figure (embedded runs only: `gfl job run`, `job compare`; `gfl demo` always spreads). `nodes`: the
    /// ring indices in `trustedNodes`, as an owner who vetted them would mark them (embedded runs only).
    public var trustedSelection: String = "data-size"
    public var trustedNodes: [Int] = []
    /// Seed of the initial model, the data split and every node's shuffling.
    public var seed: UInt64 = 0
    /// Blocks without a heartbeat before a node may be reported down.
    public var heartbeatTimeoutBlocks: Int = 60
    public var roundTimeoutBlocks: Int = 400
    public var aggregationTimeoutBlocks: Int = 40
    /// Seconds between a node's heartbeats.
    public var heartbeatSeconds: Double = 2.0
    /// Seconds a node waits in one phase of a round before going on with what it has.
    public var phaseTimeoutSeconds: Double = 120
    /// Which nodes (indices 0..<nodes, in the order they were started) misbehave, and how.
    public var adversaries: [AdversarySpec] = []
    /// For `trimmed-mean` (values cut at each end) and `krum` (assumed attackers).
    public var byzantine: Int = 1
    /// DFL: reputation lost by the sender of the least accurate buffered model per aggregation, and buffer size B.
    public var dflDelta: Double = 0.05
    public var dflBuffer: Int = 10
    /// DFL: own training samples each node tests received models on (the first N of its shard).
    public var dflValidationSamples: Int = 500
    /// BCFL: fraction of the update's coordinates sent each round (Top-k, k = ⌈fraction·d⌉; 1 = no compression).
    public var topkFraction: Double = 0.01
    /// 1-bit FD: size of the public reference set (the last N of Fashion-MNIST's training images; no node trains
    /// on them), and passes over it with the voted hard labels after each round.
    public var referenceSamples: Int = 1_000
    public var referenceEpochs: Int = 1
    /// 1-bit FD: reward pool in wei the model provider deposits for the Peer Truth Serum payments.
    public var rewardPoolWei: String = "1000000000000000000"
    /// Addresses of the per-chain `Receipts` (dfl) and `Distillation` (fd-1bit) contracts; `gfl job create` and
    /// `gfl job run` fill them in.
    public var receiptsContract: String = ""
    public var distillationContract: String = ""

    public init() {}

    /// One malicious node.
    public struct AdversarySpec: Codable, Sendable, Equatable {
        public var node: Int
        /// `noise`, `sign-flip` or `label-flip`.
        public var kind: String
        public init(node: Int, kind: String) { self.node = node; self.kind = kind }
    }

    /// Decodes a job file; unknown fields are refused so a typo does not silently fall back to a default.
    public static func decode(_ data: Data) throws(JobConfigError) -> JobConfig {
        // Fields left out take their defaults: the user's object is laid over the encoded default job.
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw .malformed("not a JSON object")
        }
        guard var merged = try? JSONSerialization.jsonObject(with: JobConfig().encoded()) as? [String: Any] else {
            throw .malformed("internal: default job does not encode")
        }
        for key in object.keys.sorted() {
            guard merged[key] != nil else { throw .unknownField(key) }
            merged[key] = object[key]
        }
        let config: JobConfig
        do {
            let bytes = try JSONSerialization.data(withJSONObject: merged)
            config = try JSONDecoder().decode(JobConfig.self, from: bytes)
        } catch {
            throw .malformed(Self.describe(error))
        }
        try config.validate()
        return config
    }

    public static func load(path: String) throws(JobConfigError) -> JobConfig {
        guard let data = FileManager.default.contents(atPath: path) else { throw .unreadable(path) }
        return try decode(data)
    }

    public func encoded() -> Data {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        return (try? e.encode(self)) ?? Data()
    }

    /// Checks ranges and names; every message says which field and what is allowed.
    public func validate() throws(JobConfigError) {
        func need(_ ok: Bool, _ field: String, _ what: String) throws(JobConfigError) {
            if !ok { throw .invalid(field: field, why: what) }
        }
        try need(Strategy(rawValue: strategy) != nil, "strategy", "one of \(Strategy.allCases.map(\.rawValue).joined(separator: ", "))")
        do { _ = try modelSpec() } catch { throw .invalid(field: "model", why: "\(error)") }
        try need(nodes >= 1 && nodes <= 256, "nodes", "1…256")
        try need(rounds >= 1 && rounds <= 10_000, "rounds", "1…10000")
        try need(trainSamples >= nodes && trainSamples <= 60_000, "trainSamples", "nodes…60000")
        try need(testSamples >= 1 && testSamples <= 10_000, "testSamples", "1…10000")
        try need(nodeTestSamples >= 1 && nodeTestSamples <= 10_000, "nodeTestSamples", "1…10000")
        try need(["iid", "dirichlet", "shards"].contains(partition), "partition", "iid, dirichlet or shards")
        try need(alpha > 0 && alpha.isFinite, "alpha", "a positive number")
        try need(localEpochs >= 1 && localEpochs <= 100, "localEpochs", "1…100")
        try need(batchSize >= 1 && batchSize <= 4096, "batchSize", "1…4096")
        try need(learningRate > 0 && learningRate.isFinite, "learningRate", "a positive number")
        try need(learningRateDecay > 0 && learningRateDecay <= 1, "learningRateDecay", "in (0, 1]")
        try need(distillationWeight >= 0 && distillationWeight.isFinite, "distillationWeight", "≥ 0")
        try need(["ed", "euclidean", "kl"].contains(distillationLoss), "distillationLoss", "ed, euclidean or kl")
        try need(distillationEpochs >= 0 && distillationEpochs <= 100, "distillationEpochs", "0…100")
        try need(teacherFraction > 0 && teacherFraction <= 1, "teacherFraction", "in (0, 1]")
        try need(teacherFractionStep >= 0 && teacherFractionStep <= 1, "teacherFractionStep", "in [0, 1]")
        try need(trusted >= 1 && trusted <= nodes, "trusted", "1…nodes")
        try need(["data-size", "spread", "nodes"].contains(trustedSelection), "trustedSelection", "data-size, spread or nodes")
        if trustedSelection == "nodes" {
            try need(trustedNodes.count == trusted && Set(trustedNodes).count == trusted
                     && trustedNodes.allSatisfy { $0 >= 0 && $0 < nodes },
                     "trustedNodes", "\(trusted) different ring indices in 0…\(nodes - 1) (as many as trusted)")
        } else {
            try need(trustedNodes.isEmpty, "trustedNodes", "empty unless trustedSelection is nodes")
        }
        try need(heartbeatTimeoutBlocks >= 1 && aggregationTimeoutBlocks >= 1 && roundTimeoutBlocks >= 1,
                 "…TimeoutBlocks", "positive")
        try need(heartbeatSeconds > 0 && phaseTimeoutSeconds > 0, "heartbeatSeconds/phaseTimeoutSeconds", "positive")
        for a in adversaries {
            try need(a.node >= 0 && a.node < nodes, "adversaries.node", "0…\(nodes - 1)")
            try need(Adversary(rawValue: a.kind).map { $0 != .none } ?? false, "adversaries.kind",
                     "noise, sign-flip or label-flip")
        }
        try need(byzantine >= 0 && byzantine < nodes, "byzantine", "0…nodes-1")
        try need(dflDelta >= 0 && dflDelta <= 1, "dflDelta", "in [0, 1]")
        try need(dflBuffer >= 1 && dflBuffer <= 1_000, "dflBuffer", "1…1000")
        try need(dflValidationSamples >= 1, "dflValidationSamples", "≥ 1")
        try need(topkFraction > 0 && topkFraction <= 1, "topkFraction", "in (0, 1]")
        try need(referenceSamples >= 1 && referenceSamples <= 1_000, "referenceSamples", "1…1000")
        try need(referenceEpochs >= 0 && referenceEpochs <= 100, "referenceEpochs", "0…100")
        if strategy == Strategy.fd1bit.rawValue {
            try need(trainSamples + referenceSamples <= 60_000, "trainSamples",
                     "at most 60000 − referenceSamples for fd-1bit (the reference set is the end of the training set)")
        }
        try need((try? UInt256(decimal: rewardPoolWei)) != nil, "rewardPoolWei", "a decimal amount of wei")
        for (f, v) in [("receiptsContract", receiptsContract), ("distillationContract", distillationContract)] where !v.isEmpty {
            try need((try? Address(hex: v)) != nil, f, "empty or a 0x address")
        }
    }

    public func modelSpec() throws -> ModelSpec {
        if ModelSpec.presetNames.contains(model) { return try ModelSpec.named(model) }
        return try ModelSpec(parsing: model)
    }

    public var partitioner: Partitioner {
        switch partition {
        case "dirichlet": return .dirichlet(alpha: alpha, minSize: 10)
        case "shards": return .shards(perNode: 2)
        default: return .iid
        }
    }

    /// The learning rate of a round (1-based): decayed once per round after the first.
    public func learningRate(round: Int) -> Float {
        learningRate * Float(pow(Double(learningRateDecay), Double(max(0, round - 1))))
    }

    /// The teacher fraction of a round (1-based): the initial fraction plus the step per later round, capped.
    public func teacherFraction(round: Int) -> Double {
        min(teacherFractionMax, teacherFraction + Double(max(0, round - 1)) * teacherFractionStep)
    }

    /// Ring indices in the order the Controller's data-size rule trusts them (at start, and when it refills a
    /// place): largest size first, ties to the lower index.
    public static func dataSizeOrder(sizes: [Int]) -> [Int] {
        sizes.indices.sorted { (sizes[$0], -$0) > (sizes[$1], -$1) }
    }

    /// Ring indices of the trusted nodes under the Controller's data-size rule: the first `count` of
    /// `dataSizeOrder`, ascending.
    public static func trustedByDataSize(sizes: [Int], count: Int) -> [Int] {
        Array(dataSizeOrder(sizes: sizes).prefix(count)).sorted()
    }

    /// Ring indices of `count` trusted nodes spaced evenly around a ring of `nodes` (the paper's A, D, F for 6/3).
    public static func trustedSpread(nodes: Int, count: Int) -> [Int] {
        if nodes == 6 && count == 3 { return [0, 3, 5] }
        return (0..<count).map { $0 * nodes / count }
    }

    /// How node `index` misbehaves (`.none` for an honest node).
    public func adversary(ofNode index: Int) -> Adversary {
        adversaries.first { $0.node == index }.flatMap { Adversary(rawValue: $0.kind) } ?? .none
    }

    public var loss: DistillationLoss {
        switch distillationLoss {
        case "kl": .kl(temperature: temperature, alpha: min(1, distillationWeight))
        case "euclidean": .euclideanLogits(lambda: distillationWeight)
        default: .squaredLogits(lambda: distillationWeight)
        }
    }

    static func describe(_ error: Error) -> String {
        switch error {
        case DecodingError.typeMismatch(_, let c), DecodingError.valueNotFound(_, let c):
            return "field \(c.codingPath.map(\.stringValue).joined(separator: ".")): \(c.debugDescription)"
        case DecodingError.dataCorrupted(let c): return c.debugDescription
        case DecodingError.keyNotFound(let k, _): return "missing field \(k.stringValue)"
        default: return "\(error)"
        }
    }
}

/// The strategies a job can name.
public enum Strategy: String, CaseIterable, Sendable {
    case rdfl, fedavg, median, trimmedMean = "trimmed-mean", krum, dfl, bcfl, fd1bit = "fd-1bit"
}

/// Why a job file was refused.
public enum JobConfigError: Error, CustomStringConvertible, Equatable {
    case unreadable(String)
    case malformed(String)
    case unknownField(String)
    case invalid(field: String, why: String)
    public var description: String {
        switch self {
        case .unreadable(let p): return "cannot read job file \(p)"
        case .malformed(let why): return "job file is not valid: \(why)"
        case .unknownField(let f): return "job file has an unknown field \"\(f)\""
        case .invalid(let f, let why): return "job file field \(f) must be \(why)"
        }
    }
}

extension JobConfig {
    /// The on-chain parameters of this job for `Controller.createJob`, with the job file's CID. With
    /// `trustedByDataSize` the Controller picks the `trusted` largest data sizes at start; otherwise the owner marks them.
    /// Trusted nodes on chain: RDFL's `trusted`; every other strategy has one — the fixed aggregator (star
    /// strategies) or the round keeper that closes each round (dfl, fd-1bit).
    public var trustedOnChain: Int { strategy == Strategy.rdfl.rawValue ? trusted : 1 }

    public func jobSpec(cid: String, trustedByDataSize: Bool = true) -> GFLDeployment.JobSpec {
        GFLDeployment.JobSpec(
            jobCid: cid, description: "\(strategy) \(model) on Fashion-MNIST", rounds: UInt256(rounds),
            maxNodes: UInt256(nodes), heartbeatTimeout: UInt256(heartbeatTimeoutBlocks),
            roundTimeout: UInt256(roundTimeoutBlocks), aggregationTimeout: UInt256(aggregationTimeoutBlocks),
            trustedCount: UInt256(trustedByDataSize ? trustedOnChain : 0))
    }
}
