import Federation
import Foundation
import GFLContracts
import Learning
import Testing
import TestSupport

/// The related papers' strategies run end to end on an embedded cluster (a chain node, the contracts, one store
/// per node), with node B a noise attacker: what each one puts on chain and moves between stores is checked from
/// the nodes' round records.
@Suite(.serialized) struct StrategyClusterTests {
    static func run(_ strategy: String, rounds: Int = 3, edit: (inout JobConfig) -> Void = { _ in }) async throws -> RunReport {
        var job = JobConfig()
        job.strategy = strategy
        job.model = "mlp"; job.nodes = 5; job.rounds = rounds
        job.trainSamples = 2_000; job.testSamples = 300; job.nodeTestSamples = 200; job.seed = 3
        job.heartbeatSeconds = 0.5; job.phaseTimeoutSeconds = 60
        job.adversaries = [JobConfig.AdversarySpec(node: 1, kind: "noise")]
        edit(&job)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gfl-\(strategy)-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var options = LocalCluster.Options(job: job, workDirectory: dir)
        options.genesisPath = Fixtures.repoRoot.appendingPathComponent("genesis/dev.json").path
        options.trustedRingIndices = [0]
        let report = try await LocalCluster(options: options).run()
        try #require(report.rounds.count == rounds, "every round has records: \(report.rounds.map(\.round))")
        return report
    }

    @Test(.timeLimit(.minutes(6))) func bcflMovesTopKUpdatesAndTheAggregatedSparseUpdate() async throws {
        // Clean: BCFL has no defence, a noise node's Top-k values swamp the average (the comparison shows it).
        let report = try await Self.run("bcfl") { $0.topkFraction = 0.02; $0.adversaries = [] }
        let d = try ModelSpec.named("mlp").parameterCount
        let full = ModelFile.encode(try Model(spec: try ModelSpec.named("mlp"), seed: 1)).count
        let records = report.records ?? []
        let submissions = records.flatMap(\.transfers).filter { $0.phase == "submission" }
        #expect(submissions.count == 4 * 3, "the aggregator fetched 4 updates per round: \(submissions.count)")
        #expect(records.filter { $0.role == "aggregator" }.allSatisfy { $0.aggregated.count == 5 })
        // k = 2 % of d values with their indices, sealed: a small fraction of a model file.
        #expect(submissions.allSatisfy { $0.bytes < full / 10 }, "update sizes \(submissions.map(\.bytes)) vs model \(full)")
        let downloads = records.flatMap(\.transfers).filter { $0.phase == "global" }
        #expect(downloads.count == 4 * 3)
        #expect(downloads.allSatisfy { $0.bytes < full / 2 }, "aggregated update sizes \(downloads.map(\.bytes)), d = \(d)")
        #expect(report.rounds.last!.globalAccuracy > report.rounds.first!.globalAccuracy,
                "it learns: \(report.rounds.map(\.globalAccuracy))")
        #expect(report.finalAccuracy > 0.2, "accuracy \(report.finalAccuracy)")
    }

    @Test(.timeLimit(.minutes(6))) func dflPostsReceiptsAndTheAttackerLosesReputation() async throws {
        let report = try await Self.run("dfl") { $0.dflDelta = 0.05; $0.dflBuffer = 10 }
        let records = report.records ?? []
        for r in records { #expect(r.transactions >= 2, "\(r.name) round \(r.round): submit and receipts, got \(r.transactions)") }
        let last = records.filter { $0.round == 3 && $0.adversary == "none" }
        try #require(last.count == 4)
        for r in last {
            let reps = r.reputation ?? [:]
            #expect(reps.count == 4, "\(r.name) rated every other node: \(reps)")
            let attacker = report.nodes.first { $0.name == "B" }!.address
            let honest = reps.filter { $0.key.lowercased() != attacker.lowercased() }.values
            let bad = reps.first { $0.key.lowercased() == attacker.lowercased() }?.value ?? 1
            #expect(bad < 1 && honest.allSatisfy { $0 > bad }, "\(r.name): B \(bad), others \(Array(honest))")
        }
        #expect(report.finalAccuracy > 0.4, "accuracy \(report.finalAccuracy)")
    }

    @Test(.timeLimit(.minutes(8))) func fdVotesOnChainAndHonestNodesEarnMore() async throws {
        let report = try await Self.run("fd-1bit") { $0.referenceSamples = 200; $0.trainSamples = 4_000 }
        let records = report.records ?? []
        let voteBytes = OneBitVotes.byteCount(samples: 200, classes: 10)
        for r in records {
            #expect(r.chainBytes > voteBytes, "\(r.name) round \(r.round) sent its votes as calldata: \(r.chainBytes) bytes")
            #expect(r.transfers.isEmpty, "no model moves in 1-bit FD")
        }
        func earned(_ name: String) -> Double {
            records.filter { $0.name == name }.compactMap { $0.rewardWei.flatMap(Double.init) }.reduce(0, +)
        }
        // Each node's PTSC peer is drawn from prevrandao, so one honest node paired with the attacker every round
        // can earn little; on average over the honest nodes agreement pays, noise does not.
        let honest = ["A", "C", "D", "E"].map(earned)
        let mean = honest.reduce(0, +) / Double(honest.count)
        #expect(mean > 2 * earned("B"), "honest nodes earned \(honest) wei, the noise node B \(earned("B"))")
        #expect(honest.reduce(0, +) > 0)
    }
}
