import Chain
import ContentStore
import Federation
import Foundation
import GFLContracts
import Learning
import Primitives
import Testing
import TestSupport

@Suite struct JobConfigTests {
    @Test func missingFieldsTakeDefaultsAndUnknownOnesAreRefused() throws {
        let c = try JobConfig.decode(Data(#"{"nodes": 10, "rounds": 20, "partition": "dirichlet", "alpha": 0.1}"#.utf8))
        #expect(c.nodes == 10 && c.rounds == 20 && c.alpha == 0.1)
        #expect(c.model == JobConfig().model && c.teacherFraction == 0.3)
        #expect(throws: JobConfigError.unknownField("nodez")) { try JobConfig.decode(Data(#"{"nodez": 3}"#.utf8)) }
        #expect(throws: JobConfigError.self) { try JobConfig.decode(Data("[1, 2]".utf8)) }
        #expect(throws: JobConfigError.self) { try JobConfig.decode(Data(#"{"nodes": "six"}"#.utf8)) }
        var message = "accepted"
        if case .failure(let e) = Result(catching: { try JobConfig.decode(Data(#"{"nodes": 4, "trusted": 5}"#.utf8)) }) {
            message = "\(e)"
        }
        #expect(message.contains("trusted"), "more trusted nodes than nodes must be refused, naming the field: \(message)")
        #expect(throws: JobConfigError.self) {
            try JobConfig.decode(Data(#"{"adversaries": [{"node": 1, "kind": "gentle"}]}"#.utf8))
        }
    }

    @Test func trustedSelectionRules() throws {
        // The Controller's rule: largest data size first, ties to the lower ring position; result ascending.
        #expect(JobConfig.trustedByDataSize(sizes: [5, 7, 7, 1], count: 2) == [1, 2])
        #expect(JobConfig.trustedByDataSize(sizes: [5, 7, 7, 1], count: 3) == [0, 1, 2])
        #expect(JobConfig.trustedByDataSize(sizes: [6, 6, 6, 6, 6], count: 2) == [0, 1])
        #expect(JobConfig.trustedByDataSize(sizes: [1, 2, 3, 9], count: 1) == [3])
        #expect(JobConfig.trustedSpread(nodes: 6, count: 3) == [0, 3, 5])
        #expect(JobConfig.trustedSpread(nodes: 10, count: 3) == [0, 3, 6])
        let bad = Data(#"{"trustedSelection":"random"}"#.utf8)
        #expect(throws: JobConfigError.self) { try JobConfig.decode(bad) }
        // An owner's list: as many different ring indices as `trusted`, and only with "nodes".
        let listed = try JobConfig.decode(Data(#"{"nodes":10,"trusted":3,"trustedSelection":"nodes","trustedNodes":[6,2,4]}"#.utf8))
        #expect(listed.trustedNodes == [6, 2, 4])
        for text in [#"{"nodes":10,"trusted":3,"trustedSelection":"nodes","trustedNodes":[2,4]}"#,
                     #"{"nodes":10,"trusted":3,"trustedSelection":"nodes","trustedNodes":[2,4,4]}"#,
                     #"{"nodes":10,"trusted":3,"trustedSelection":"nodes","trustedNodes":[2,4,10]}"#,
                     #"{"nodes":10,"trusted":3,"trustedNodes":[2,4,6]}"#] {
            #expect(throws: JobConfigError.self, "\(text)") { try JobConfig.decode(Data(text.utf8)) }
        }
    }

    @Test func teacherFractionGrowsByRoundUpToTheCap() {
        var c = JobConfig()
        c.teacherFraction = 0.3; c.teacherFractionStep = 0.2; c.teacherFractionMax = 0.8
        #expect(c.teacherFraction(round: 1) == 0.3)
        #expect(abs(c.teacherFraction(round: 2) - 0.5) < 1e-12)
        #expect(c.teacherFraction(round: 10) == 0.8)
    }

    @Test func learningRateDecayAndDistillationLossesParse() throws {
        let c = try JobConfig.decode(Data(#"{"learningRate":0.01,"learningRateDecay":0.5}"#.utf8))
        #expect(c.learningRate(round: 1) == 0.01)
        #expect(abs(c.learningRate(round: 2) - 0.005) < 1e-9)
        #expect(abs(c.learningRate(round: 4) - 0.00125) < 1e-9)
        #expect(JobConfig().learningRate(round: 20) == JobConfig().learningRate)
        let euclidean = try JobConfig.decode(Data(#"{"distillationLoss":"euclidean","distillationWeight":0.5}"#.utf8))
        #expect(euclidean.loss == .euclideanLogits(lambda: 0.5) && JobConfig().loss == .squaredLogits(lambda: 0.05))
        #expect(throws: JobConfigError.self) { try JobConfig.decode(Data(#"{"distillationLoss":"l1"}"#.utf8)) }
        for decay in ["0", "1.5", "-0.9"] {
            #expect(throws: JobConfigError.self, "\(decay)") { try JobConfig.decode(Data(#"{"learningRateDecay":\#(decay)}"#.utf8)) }
        }
    }
}

@Suite struct ModelSealerTests {
    @Test func referencesAre63BytesAndBoundToJobRoundAndAuthor() throws {
        let key = try Envelope.generateKey()
        let sealer = ModelSealer(key: key, jobId: UInt256(7))
        let author = Address(Array(repeating: 0x11, count: 20)), other = Address(Array(repeating: 0x22, count: 20))
        let cid = try computeCID(bytes: Array("model".utf8)).cid
        let ref = try sealer.sealReference(cid, round: 3, author: author)
        #expect(ref.count == 63)
        #expect(try sealer.openReference(ref, round: 3, author: author) == cid)
        #expect(throws: FederationError.self) { try sealer.openReference(ref, round: 4, author: author) }
        #expect(throws: FederationError.self) { try sealer.openReference(ref, round: 3, author: other) }
        #expect(throws: FederationError.self) {
            try ModelSealer(key: try Envelope.generateKey(), jobId: UInt256(7)).openReference(ref, round: 3, author: author)
        }
        var tampered = ref
        tampered[20] ^= 1
        #expect(throws: FederationError.self) { try sealer.openReference(tampered, round: 3, author: author) }
        let file = try sealer.sealFile(Array(repeating: 5, count: 1000), round: 1, author: author)
        #expect(try sealer.openFile(file, round: 1, author: author) == Array(repeating: 5, count: 1000))
        #expect(throws: FederationError.self) { try sealer.openFile(file, round: 1, author: other) }
    }
}

@Suite struct ReportTests {
    @Test func roundsMergeNodeRecordsAndNameNodes() throws {
        var a = NodeRoundRecord(node: "0xA", name: "A", round: 1, role: "trusted", adversary: "none")
        a.localAccuracy = 0.5; a.globalAccuracy = 0.6; a.globalTestAccuracy = 0.61; a.aggregator = "0xA"
        a.teachers = [TeacherChoice(node: "0xB", distance: 1.5)]
        a.chainBytes = 100; a.seconds.wall = 10; a.seconds.chain = 0.2; a.seconds.store = 0.3
        a.transfers = [TransferRecord(round: 1, phase: "submission", step: 0, from: "0xB", to: "0xA", origin: "0xB", bytes: 4096)]
        var b = NodeRoundRecord(node: "0xB", name: "B", round: 1, role: "untrusted", adversary: "noise")
        b.localAccuracy = 0.1; b.globalAccuracy = 0.58; b.chainBytes = 50; b.seconds.wall = 9
        let nodes = [ReportNode(name: "A", address: "0xA", position: "", trusted: true, adversary: "none", samples: 10, alive: true, store: ""),
                     ReportNode(name: "B", address: "0xB", position: "", trusted: false, adversary: "noise", samples: 10, alive: true, store: "")]
        let report = RunReport.build(strategy: "rdfl", jobId: "1", job: JobConfig(), nodes: nodes, records: [a, b], seconds: 12)
        let r = try #require(report.rounds.first)
        #expect(r.globalAccuracy == 0.61, "the full-test-set score wins over the nodes' subsets")
        #expect(r.nodeAccuracy == ["A": 0.5, "B": 0.1])
        #expect(r.aggregator == "A")
        #expect(r.teachers["A"]?.first?.node == "B")
        #expect(r.bytesOnChain == 150 && r.bytesStore["A"] == 4096)
        #expect(abs(report.chainStoreShare - 0.025) < 1e-9)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gfl-report-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try report.write(to: dir)
        let metrics = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/metrics.json"))) as? [String: Any])
        #expect(metrics["final_accuracy"] as? Double == 0.61)
        let rounds = try #require(metrics["rounds"] as? [[String: Any]])
        #expect(rounds.first?["global_accuracy"] as? Double == 0.61)
        #expect((rounds.first?["node_accuracy"] as? [String: Double])?["B"] == 0.1)
        let csv = try String(contentsOfFile: dir + "/metrics.csv", encoding: .utf8)
        #expect(csv.hasPrefix("round,global_accuracy") && csv.contains("acc_A,acc_B"))
        let svg = try String(contentsOfFile: dir + "/accuracy.svg", encoding: .utf8)
        #expect(svg.contains("<svg") && svg.contains("B noise"))
    }

    /// A diverged model has a NaN or infinite loss: the record and the report keep it (as "NaN"/"Infinity")
    /// instead of dropping the record or failing the whole report.
    @Test func nonFiniteLossesAreWrittenNotDropped() throws {
        var a = NodeRoundRecord(node: "0xA", name: "A", round: 1, role: "trusted", adversary: "none")
        a.globalLoss = .nan; a.localLoss = .infinity; a.globalAccuracy = 0.1; a.seconds.wall = 1
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gfl-nan-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = try RecordFile(path: dir + "/node-A.jsonl")
        file.append(a)
        let back = try RecordFile.read(path: dir + "/node-A.jsonl")
        #expect(back.count == 1)
        #expect(back.first?.globalLoss.isNaN == true && back.first?.localLoss == .infinity)
        let nodes = [ReportNode(name: "A", address: "0xA", position: "", trusted: true, adversary: "none", samples: 10, alive: true, store: "")]
        let report = RunReport.build(strategy: "rdfl", jobId: "1", job: JobConfig(), nodes: nodes, records: back, seconds: 1)
        try report.write(to: dir)
        let metrics = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/metrics.json"))) as? [String: Any])
        let rounds = try #require(metrics["rounds"] as? [[String: Any]])
        #expect(rounds.first?["global_loss"] as? String == "NaN")
        #expect(rounds.first?["global_accuracy"] as? Double == 0.1)
    }
}

/// A cluster with more providers than dev.json funds writes the genesis it really used next to the chain, so
/// `gfl node --datadir DIR/chain --genesis DIR/chain/genesis.json` reopens it.
@Suite struct ClusterGenesisTests {
    @Test func writtenGenesisReproducesTheFundedOne() throws {
        let path = Fixtures.repoRoot.appendingPathComponent("genesis/dev.json").path
        var expected = try Genesis(contentsOf: URL(fileURLWithPath: path))
        let extra = [try Address(hex: "0x00000000000000000000000000000000000000a1"),
                     try Address(hex: "0x00000000000000000000000000000000000000B2")]
        let balance = UInt256.exp(UInt256(10), UInt256(21))
        for a in extra { expected.alloc[a] = GenesisAccount(balance: balance) }
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("gfl-genesis-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        try LocalCluster.writeGenesis(from: path, adding: extra, balance: balance, to: out, expected: expected)
        let back = try Genesis(contentsOf: URL(fileURLWithPath: out))
        #expect(back == expected)
        #expect(back.alloc[extra[1]]?.balance == balance)
        // A genesis that does not match what the file would say is refused, and the file is left as it was.
        var other = expected
        other.alloc[extra[0]] = GenesisAccount(balance: UInt256(1))
        let elsewhere = out + ".other"
        #expect(throws: FederationError.self) {
            try LocalCluster.writeGenesis(from: path, adding: extra, balance: balance, to: elsewhere, expected: other)
        }
        #expect(!FileManager.default.fileExists(atPath: elsewhere))
    }
}

/// The round protocol in one process with faults: a trusted node dies when round 2 starts and the aggregator the
/// Controller picks in round 3 dies too; the remaining nodes report them down, route around them and finish.
@Suite(.serialized) struct ClusterFaultTests {
    @Test(.timeLimit(.minutes(6))) func jobSurvivesAKilledTrustedNodeAndAKilledAggregator() async throws {
        var job = JobConfig()
        job.model = "mlp"; job.nodes = 6; job.trusted = 3; job.rounds = 3
        job.trainSamples = 1800; job.testSamples = 300; job.nodeTestSamples = 200; job.seed = 5
        job.heartbeatSeconds = 0.5; job.heartbeatTimeoutBlocks = 60; job.aggregationTimeoutBlocks = 80
        job.phaseTimeoutSeconds = 60
        job.adversaries = [JobConfig.AdversarySpec(node: 1, kind: "noise")]
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gfl-cluster-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var options = LocalCluster.Options(job: job, workDirectory: dir)
        options.genesisPath = Fixtures.repoRoot.appendingPathComponent("genesis/dev.json").path
        options.trustedRingIndices = [0, 3, 5]
        options.killTrusted = (round: 2, ringIndex: 3)
        options.killAggregatorAtRound = 3
        let report = try await LocalCluster(options: options).run()
        try #require(report.rounds.count == 3, "every round has records: \(report.rounds.map(\.round))")
        #expect(report.rounds.allSatisfy { $0.aggregator != nil })
        #expect(report.rounds[2].aggregator != "D", "the killed trusted node cannot aggregate")
        #expect(report.referenceBytes == 63)
        let nodes = Dictionary(uniqueKeysWithValues: report.nodes.map { ($0.name, $0) })
        #expect(nodes["D"]?.alive == false, "D was reported down on chain")
        #expect(nodes["B"]?.trusted == false, "an owner-chosen trusted set is not refilled (B, the attacker, would be next by data size)")
        let events = report.events ?? []
        #expect(events.contains("D crashed (fault injection) in round 2"), "\(events)")
        #expect(events.contains { $0.hasPrefix("D reported down by ") }, "\(events)")
        #expect(!events.contains { $0.contains(" stopped in round ") }, "no node stopped with an error: \(events)")
        #expect(report.finalAccuracy > 0.4, "accuracy \(report.finalAccuracy)")
        // Every trusted node that distilled chose teachers, and the noise model of B was never one of them (it is far
        // from every honest model).
        #expect(!report.rounds[0].teachers.isEmpty)
        for r in report.rounds {
            #expect(r.teachers.values.allSatisfy { !$0.contains { $0.node == "B" } }, "round \(r.round): \(r.teachers)")
        }
    }
}
