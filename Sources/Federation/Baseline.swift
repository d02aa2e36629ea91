import Foundation
import Learning

/// The baselines RDFL is compared with, on the same seeds and splits: every node trains from the global model, one
/// fixed aggregator combines all models with plain FedAvg (weighted by sample counts) or a robust rule (coordinate
/// median, trimmed mean, Krum). No ring, no distillation, no chain: the aggregation rule is what is compared.
public enum Baseline {
    public static func run(job: JobConfig, data: FederatedData, strategy: Strategy,
                           progress: (@Sendable (RoundMetrics) -> Void)? = nil) async throws -> RunReport {
        let t0 = now()
        let spec = try job.modelSpec()
        let compute = ComputePool(width: ComputePool.cores)
        var global = try Model(spec: spec, seed: job.seed).parameters
        var records: [NodeRoundRecord] = []
        let names = (0..<job.nodes).map(LocalCluster.name)
        var rounds: [RoundMetrics] = []
        for r in 1...job.rounds {
            let start = global
            let results = try await withThrowingTaskGroup(of: (Int, [Float], Evaluation, Double).self) { group in
                for i in 0..<job.nodes {
                    let kind = job.adversary(ofNode: i)
                    let shard = kind == .labelFlip ? Adversary.flipLabels(data.train[i]) : data.train[i]
                    let test = data.nodeTest
                    group.addTask {
                        try await compute.run {
                            let t = now()
                            let seed = job.seed &+ UInt64(i) &* 1_000_003 &+ UInt64(r)
                            var w = try LocalLearning.train(spec: spec, start: start, data: shard, job: job, seed: seed)
                            if kind == .noise || kind == .signFlip { w = Adversary.poison(model: w, global: start, kind: kind, seed: seed) }
                            let e = try LocalLearning.evaluate(spec: spec, parameters: w, data: test)
                            return (i, w, e, now() - t)
                        }
                    }
                }
                var out: [(Int, [Float], Evaluation, Double)] = []
                for try await x in group { out.append(x) }
                return out.sorted { $0.0 < $1.0 }
            }
            let models = results.map(\.1)
            let ta = now()
            switch strategy {
            case .fedavg, .rdfl:
                global = try Federated.fedAvg(models, weights: data.train.map { Double($0.count) })
            case .median: global = try RobustAggregation.median(models)
            case .trimmedMean: global = try RobustAggregation.trimmedMean(models, trim: job.byzantine)
            case .krum: global = try RobustAggregation.multiKrum(models, byzantine: job.byzantine, select: 1)
            }
            let aggSeconds = now() - ta
            let g = global
            let full = try await compute.run { try LocalLearning.evaluate(spec: spec, parameters: g, data: data.test) }
            for (i, _, e, secs) in results {
                var rec = NodeRoundRecord(node: names[i], name: names[i], round: r, role: i == 0 ? "aggregator" : "node",
                                          adversary: job.adversary(ofNode: i).rawValue)
                rec.localAccuracy = e.accuracy; rec.localLoss = e.loss
                rec.globalAccuracy = full.accuracy; rec.globalLoss = full.loss
                if i == 0 { rec.globalTestAccuracy = full.accuracy; rec.globalTestLoss = full.loss; rec.aggregator = names[0] }
                rec.seconds.training = secs
                rec.seconds.wall = secs + aggSeconds
                records.append(rec)
            }
            let partial = RunReport.build(strategy: strategy.rawValue, jobId: nil, job: job, nodes: [],
                                          records: records.filter { $0.round == r }, seconds: 0)
            if let m = partial.rounds.first { rounds.append(m); progress?(m) }
        }
        let nodes = (0..<job.nodes).map { i in
            ReportNode(name: names[i], address: names[i], position: "", trusted: false,
                       adversary: job.adversary(ofNode: i).rawValue, samples: data.train[i].count, alive: true, store: "")
        }
        return RunReport.build(strategy: strategy.rawValue, jobId: nil, job: job, nodes: nodes, records: records,
                               seconds: now() - t0)
    }
}
