import GFLContracts
import Primitives
import RPCClient
import Testing

/// DFL accuracy receipts (`Contracts/Receipts.vy`) on a real chain: posting, events, views and every refusal.
@Suite struct ReceiptsContractTests {
    /// A running two-round job of four nodes (0 and 1 trusted) and a Receipts contract bound to its Controller.
    static func setup(keyBase: Int) async throws -> (s: JobTests.Setup, receipts: ReceiptsContract) {
        let s = try await JobTests.setup(.init(jobCid: "receipts", rounds: 2, maxNodes: 4, heartbeatTimeout: 2, roundTimeout: 1,
                                               aggregationTimeout: 100), count: 4, trusted: [0, 1], keyBase: keyBase)
        let receipts = try await ReceiptsDeployment.deploy(on: s.t.chain, from: s.t.deployer, controller: s.t.controller.address)
        #expect(try await receipts.controller() == s.t.controller.address)
        return (s, receipts)
    }

    static func refHash(_ i: Int) -> [UInt8] { Keccak256.hash("model \(i)").bytes }

    /// Ends the running round: the timeout passed, an aggregator is chosen and posts the global model.
    static func completeRound(_ s: JobTests.Setup, _ round: UInt256) async throws {
        try await s.t.chain.mine(blocks: 1)
        try await s.t.controller.selectAggregator(jobId: s.jobId, round: round, from: s.nodes[2])
        let aggregator = try await s.t.controller.aggregatorOf(jobId: s.jobId, round: round)
        let key = s.nodes.first { $0.address == aggregator }!
        try await s.storage.postGlobal(round: round, ref: [UInt8](repeating: 7, count: 62), from: key)
    }

    @Test func receiptsAreStoredTotalledAndLogged() async throws {
        let (s, r) = try await Self.setup(keyBase: 4000)
        let c = s.t.controller, job = s.jobId
        let n = s.nodes.map(\.address)
        await expectRevert("job is not running") {
            try await r.post(jobId: job, round: 1, senders: [n[1]], refHashes: [Self.refHash(1)], accuracies: [5000], from: s.nodes[0])
        }
        try await c.startJob(jobId: job, from: s.owner)
        let start = try await s.t.chain.blockNumber()

        // Round 1: node 0 tests the models of 1, 2, 3 in one transaction; node 1 tests node 0's alone.
        let batch = try await r.post(jobId: job, round: 1, senders: [n[1], n[2], n[3]],
                                     refHashes: [Self.refHash(1), Self.refHash(2), Self.refHash(3)],
                                     accuracies: [9100, 8000, 0], from: s.nodes[0])
        let single = try await r.post(jobId: job, round: 1, senders: [n[0]], refHashes: [Self.refHash(0)],
                                      accuracies: [10000], from: s.nodes[1])
        print("gas Receipts.post: 1 receipt \(single.gasUsed), batch of 3 \(batch.gasUsed) (\(batch.gasUsed / 3) each)")
        #expect(single.gasUsed < 125_000 && batch.gasUsed < 3 * single.gasUsed, "single \(single.gasUsed), batch \(batch.gasUsed)")

        // The receipt's own logs decode to the receipts, in order.
        let logged = try batch.logs.compactMap { log throws -> ReceiptsContract.AccuracyReceipt? in
            guard case .accuracyReceipt(let e)? = try ReceiptsContract.Event(log: log) else { return nil }
            return e
        }
        #expect(logged.map(\.sender) == [n[1], n[2], n[3]])
        #expect(logged.map(\.accuracy) == [9100, 8000, 0])
        #expect(logged.allSatisfy { $0.tester == n[0] && $0.jobId == job && $0.round == 1 })
        #expect(logged.map(\.refHash) == [Self.refHash(1), Self.refHash(2), Self.refHash(3)])

        // Views: an accuracy of 0 is still a receipt; a missing one reverts.
        #expect(try await r.accuracyOf(jobId: job, round: 1, tester: n[0], sender: n[2]) == 8000)
        #expect(try await r.accuracyOf(jobId: job, round: 1, tester: n[0], sender: n[3]) == 0)
        #expect(try await r.hasReceipt(jobId: job, round: 1, tester: n[0], sender: n[3]))
        #expect(try await r.hasReceipt(jobId: job, round: 1, tester: n[3], sender: n[0]) == false)
        await expectRevert("no receipt") { _ = try await r.accuracyOf(jobId: job, round: 1, tester: n[3], sender: n[0]) }

        // Round 2: node 2 also tests node 1's model; node 1's totals span both rounds.
        try await Self.completeRound(s, 1)
        #expect(try await c.runningRound(jobId: job) == 2)
        let later = try await r.post(jobId: job, round: 2, senders: [n[1]], refHashes: [Self.refHash(21)], accuracies: [8500],
                                     from: s.nodes[2])
        print("gas Receipts.post: 1 receipt about a node already receipted \(later.gasUsed)")
        #expect(later.gasUsed < single.gasUsed, "the totals slot is no longer zero: \(later.gasUsed)")
        let t1 = try await r.totals(jobId: job, sender: n[1])
        #expect(t1 == ReceiptsContract.Totals(count: 2, sumAccuracy: 17600, lastRound: 2))
        #expect(try await r.meanAccuracy(jobId: job, sender: n[1]) == 8800)
        #expect(try await r.meanAccuracy(jobId: job, sender: n[0]) == 10000)
        #expect(try await r.meanAccuracy(jobId: job, sender: n[3]) == 0)
        #expect(try await r.totals(jobId: job, sender: n[3]).count == 1, "a receipt of accuracy 0 counts")
        #expect(try await r.meanAccuracy(jobId: job &+ 1, sender: n[1]) == 0, "other jobs are separate")

        // A follower's eth_getLogs, filtered by the indexed job, tester and sender.
        let all = try await r.accuracyReceiptEvents(jobId: job, fromBlock: .number(start))
        #expect(all.count == 5)
        let aboutNode1 = try await r.accuracyReceiptEvents(jobId: job, sender: n[1])
        #expect(aboutNode1.map(\.round) == [1, 2] && aboutNode1.map(\.tester) == [n[0], n[2]])
        #expect(try await r.accuracyReceiptEvents(tester: n[1]).map(\.sender) == [n[0]])
        #expect(try await r.accuracyReceiptEvents(jobId: job &+ 1).isEmpty)
    }

    @Test func refusalsHaveReasons() async throws {
        let (s, r) = try await Self.setup(keyBase: 4100)
        let c = s.t.controller, job = s.jobId
        let n = s.nodes.map(\.address)
        let stranger = try TestKeys.key(4199)
        try await s.t.fund([stranger])
        try await c.startJob(jobId: job, from: s.owner)
        let h = Self.refHash(9)

        await expectRevert("tester is not a live member of the job") {
            try await r.post(jobId: job, round: 1, senders: [n[0]], refHashes: [h], accuracies: [1], from: stranger)
        }
        await expectRevert("sender is not a live member of the job") {
            try await r.post(jobId: job, round: 1, senders: [stranger.address], refHashes: [h], accuracies: [1], from: s.nodes[0])
        }
        await expectRevert("not the current round") {
            try await r.post(jobId: job, round: 2, senders: [n[1]], refHashes: [h], accuracies: [1], from: s.nodes[0])
        }
        await expectRevert("not the current round") {
            try await r.post(jobId: job, round: 0, senders: [n[1]], refHashes: [h], accuracies: [1], from: s.nodes[0])
        }
        await expectRevert("a tester cannot receipt its own model") {
            try await r.post(jobId: job, round: 1, senders: [n[1], n[0]], refHashes: [h, h], accuracies: [1, 1], from: s.nodes[0])
        }
        await expectRevert("accuracy above 10000 basis points") {
            try await r.post(jobId: job, round: 1, senders: [n[1]], refHashes: [h], accuracies: [10001], from: s.nodes[0])
        }
        await expectRevert("senders, refHashes and accuracies differ in length") {
            try await r.post(jobId: job, round: 1, senders: [n[1], n[2]], refHashes: [h], accuracies: [1, 2], from: s.nodes[0])
        }
        await expectRevert("senders, refHashes and accuracies differ in length") {
            try await r.post(jobId: job, round: 1, senders: [n[1]], refHashes: [h], accuracies: [1, 2], from: s.nodes[0])
        }
        await expectRevert("no receipts") {
            try await r.post(jobId: job, round: 1, senders: [], refHashes: [], accuracies: [], from: s.nodes[0])
        }
        await expectRevert("tester is not a live member of the job") {
            try await r.post(jobId: job &+ 1, round: 1, senders: [n[1]], refHashes: [h], accuracies: [1], from: s.nodes[0])
        }

        // One receipt per (round, tester, sender), also within one batch; the failed batch wrote nothing.
        try await r.post(jobId: job, round: 1, senders: [n[1]], refHashes: [h], accuracies: [7000], from: s.nodes[0])
        await expectRevert("receipt already posted for this round and sender") {
            try await r.post(jobId: job, round: 1, senders: [n[1]], refHashes: [h], accuracies: [7500], from: s.nodes[0])
        }
        await expectRevert("receipt already posted for this round and sender") {
            try await r.post(jobId: job, round: 1, senders: [n[2], n[2]], refHashes: [h, h], accuracies: [1, 2], from: s.nodes[0])
        }
        #expect(try await r.hasReceipt(jobId: job, round: 1, tester: n[0], sender: n[2]) == false)
        #expect(try await r.totals(jobId: job, sender: n[1]) == ReceiptsContract.Totals(count: 1, sumAccuracy: 7000, lastRound: 1))
        // Another tester may receipt the same model.
        try await r.post(jobId: job, round: 1, senders: [n[1]], refHashes: [h], accuracies: [6000], from: s.nodes[2])
        #expect(try await r.meanAccuracy(jobId: job, sender: n[1]) == 6500)

        // A node reported down can neither test nor be tested.
        try await s.t.chain.mine(blocks: 3)
        try await c.heartbeat(jobId: job, from: s.nodes[0])
        try await c.reportDown(jobId: job, node: n[3], from: s.nodes[0])
        await expectRevert("tester is not a live member of the job") {
            try await r.post(jobId: job, round: 1, senders: [n[2]], refHashes: [h], accuracies: [1], from: s.nodes[3])
        }
        await expectRevert("sender is not a live member of the job") {
            try await r.post(jobId: job, round: 1, senders: [n[3]], refHashes: [h], accuracies: [1], from: s.nodes[0])
        }

        // Deploying against an address that is not a Controller is refused before any transaction.
        await #expect(throws: ContractError.self) {
            _ = try await ReceiptsDeployment.deploy(on: s.t.chain, from: s.t.deployer, controller: n[0])
        }
        await #expect(throws: ContractError.self) {
            _ = try await ReceiptsDeployment.attach(r.address, on: s.t.chain, controller: n[0])
        }
        #expect(try await ReceiptsDeployment.attach(r.address, on: s.t.chain, controller: c.address).address == r.address)
    }
}
