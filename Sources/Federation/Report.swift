import Foundation
import Learning

/// One round of a run, in the report's machine-readable shape (`metrics.json`).
public struct RoundMetrics: Codable, Sendable, Equatable {
    public var round: Int
    public var globalAccuracy: Double
    public var globalLoss: Double
    public var nodeAccuracy: [String: Double]
    public var aggregator: String?
    public var teachers: [String: [TeacherChoice]]
    public var bytesOnChain: Int
    public var bytesStore: [String: Int]
    public var seconds: [String: Double]

    enum CodingKeys: String, CodingKey {
        case round, aggregator, teachers, seconds
        case globalAccuracy = "global_accuracy", globalLoss = "global_loss", nodeAccuracy = "node_accuracy"
        case bytesOnChain = "bytes_on_chain", bytesStore = "bytes_store"
    }
}

/// A node of a run as the report lists it.
public struct ReportNode: Codable, Sendable, Equatable {
    public var name: String
    public var address: String
    public var position: String
    public var trusted: Bool
    public var adversary: String
    public var samples: Int
    public var alive: Bool
    public var store: String
    public init(name: String, address: String, position: String, trusted: Bool, adversary: String, samples: Int,
                alive: Bool, store: String) {
        self.name = name; self.address = address; self.position = position; self.trusted = trusted
        self.adversary = adversary; self.samples = samples; self.alive = alive; self.store = store
    }
}

/// A whole run: what `metrics.json` holds.
public struct RunReport: Codable, Sendable {
    public var strategy: String
    public var jobId: String?
    /// The Controller the job ran on (RDFL runs).
    public var controller: String?
    public var job: JobConfig
    public var nodes: [ReportNode]
    public var rounds: [RoundMetrics]
    public var finalAccuracy: Double
    public var seconds: Double
    /// Bytes of one on-chain model reference, total gas and transactions of the run.
    public var referenceBytes: Int
    public var gasUsed: UInt64
    public var transactions: Int
    /// (chain + store seconds) / round wall seconds, averaged over rounds and nodes.
    public var chainStoreShare: Double
    /// The nodes' raw round records (written to records.jsonl, not to metrics.json).
    public var records: [NodeRoundRecord]? = nil
    /// What happened besides the rounds' metrics, in order: injected faults, down reports, aggregator
    /// (re)selections, trusted places refilled, and nodes that stopped with an error while the job went on.
    public var events: [String]? = nil

    enum CodingKeys: String, CodingKey {
        case strategy, job, nodes, rounds, seconds, transactions, events
        case controller
        case jobId = "job_id", finalAccuracy = "final_accuracy", referenceBytes = "reference_bytes"
        case gasUsed = "gas_used", chainStoreShare = "chain_store_share"
    }

    /// Merges the nodes' round records into per-round metrics.
    public static func build(strategy: String, jobId: String?, job: JobConfig, nodes: [ReportNode],
                             records: [NodeRoundRecord], seconds: Double) -> RunReport {
        let nameOf = Dictionary(nodes.map { ($0.address.lowercased(), $0.name) }, uniquingKeysWith: { a, _ in a })
        func name(_ address: String?) -> String? { address.map { nameOf[$0.lowercased()] ?? $0 } }
        var rounds: [RoundMetrics] = []
        var share = 0.0, shareCount = 0
        for r in Set(records.map(\.round)).sorted() {
            let rs = records.filter { $0.round == r }.sorted { $0.name < $1.name }
            let full = rs.compactMap { rec in rec.globalTestAccuracy.map { ($0, rec.globalTestLoss ?? 0) } }.first
            let acc = full?.0 ?? rs.map(\.globalAccuracy).reduce(0, +) / Double(max(1, rs.count))
            let loss = full?.1 ?? rs.map(\.globalLoss).reduce(0, +) / Double(max(1, rs.count))
            var teachers: [String: [TeacherChoice]] = [:]
            var bytesStore: [String: Int] = [:]
            for rec in rs {
                if !rec.teachers.isEmpty {
                    teachers[rec.name] = rec.teachers.map { TeacherChoice(node: name($0.node) ?? $0.node, distance: $0.distance) }
                }
                bytesStore[rec.name] = rec.bytesReceived
            }
            func mean(_ f: (PhaseSeconds) -> Double) -> Double { rs.map { f($0.seconds) }.reduce(0, +) / Double(max(1, rs.count)) }
            let wall = rs.map(\.seconds.wall).max() ?? 0
            for rec in rs where rec.seconds.wall > 0 {
                share += (rec.seconds.chain + rec.seconds.store) / rec.seconds.wall; shareCount += 1
            }
            rounds.append(RoundMetrics(
                round: r, globalAccuracy: acc, globalLoss: loss,
                nodeAccuracy: Dictionary(rs.map { ($0.name, $0.localAccuracy) }, uniquingKeysWith: { a, _ in a }),
                aggregator: name(rs.compactMap(\.aggregator).first), teachers: teachers,
                bytesOnChain: rs.map(\.chainBytes).reduce(0, +), bytesStore: bytesStore,
                seconds: ["training": mean { $0.training }, "distillation": mean { $0.distillation },
                          "chain": mean { $0.chain }, "store": mean { $0.store }, "evaluation": mean { $0.evaluation },
                          "wall": wall]))
        }
        return RunReport(strategy: strategy, jobId: jobId, controller: nil, job: job, nodes: nodes, rounds: rounds,
                         finalAccuracy: rounds.last?.globalAccuracy ?? 0, seconds: seconds,
                         referenceBytes: records.map(\.referenceBytes).max() ?? 0,
                         gasUsed: records.map(\.gasUsed).reduce(0, +), transactions: records.map(\.transactions).reduce(0, +),
                         chainStoreShare: shareCount > 0 ? share / Double(shareCount) : 0)
    }

    /// Writes metrics.json, metrics.csv, ring.json and accuracy.svg into `directory`.
    public func write(to directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let e = ReportJSON.encoder(pretty: true)
        try e.encode(self).write(to: URL(fileURLWithPath: directory + "/metrics.json"))
        try e.encode(nodes).write(to: URL(fileURLWithPath: directory + "/ring.json"))
        try csv().write(toFile: directory + "/metrics.csv", atomically: true, encoding: .utf8)
        try chart().svg().write(toFile: directory + "/accuracy.svg", atomically: true, encoding: .utf8)
    }

    /// One line per round; node accuracies as columns `acc_NAME`.
    public func csv() -> String {
        let names = nodes.map(\.name)
        var lines = [(["round", "global_accuracy", "global_loss", "aggregator", "bytes_on_chain", "bytes_store",
                       "training_s", "distillation_s", "chain_s", "store_s", "wall_s"] + names.map { "acc_\($0)" })
            .joined(separator: ",")]
        for r in rounds {
            var row = [String(r.round), fmt(r.globalAccuracy), fmt(r.globalLoss), r.aggregator ?? "",
                       String(r.bytesOnChain), String(r.bytesStore.values.reduce(0, +))]
            for k in ["training", "distillation", "chain", "store", "wall"] { row.append(fmt(r.seconds[k] ?? 0)) }
            for n in names { row.append(r.nodeAccuracy[n].map(fmt) ?? "") }
            lines.append(row.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    func fmt(_ x: Double) -> String { String(format: "%.4f", x) }

    /// Global accuracy (solid) and each node's local accuracy (dashed) by round.
    public func chart() -> LineChart {
        var series = [LineChart.Series(name: "global (\(strategy))",
                                       points: rounds.map { (x: Double($0.round), y: $0.globalAccuracy) }, dashed: false)]
        for n in nodes {
            let pts = rounds.compactMap { r in r.nodeAccuracy[n.name].map { (x: Double(r.round), y: $0) } }
            let tag = n.trusted ? " trusted" : (n.adversary != "none" ? " \(n.adversary)" : "")
            series.append(LineChart.Series(name: "\(n.name)\(tag)", points: pts, dashed: true))
        }
        return LineChart(title: "\(strategy.uppercased()): test accuracy by round", xLabel: "round",
                         yLabel: "accuracy", series: series, yRange: 0...1)
    }
}
