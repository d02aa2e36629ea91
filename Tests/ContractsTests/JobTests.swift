import GFLContracts
import Primitives
import RPCClient
import Testing

/// Access control and the life cycle of a job, through the bindings.
@Suite struct JobTests {
    /// A job with `count` joined nodes; `trusted` of them (by index) marked trusted by the owner.
    struct Setup {
        let t: TestChain
        let owner: PrivateKey
        let jobId: UInt256
        let storage: StorageContract
        let nodes: [PrivateKey]
        let trusted: [PrivateKey]
        var untrusted: [PrivateKey] { nodes.filter { n in !trusted.contains(n) } }
    }

    static func setup(_ spec: GFLDeployment.JobSpec, count: Int, trusted: Set<Int>, keyBase: Int) async throws -> Setup {
        let t = try await TestChain.start()
        let owner = try TestKeys.key(keyBase + 999)
        let nodes = try TestKeys.keys(keyBase..<(keyBase + count))
        try await t.fund(nodes + [owner])
        let (jobId, storage) = try await t.gfl.createJob(spec, from: owner)
        for (i, k) in nodes.enumerated() {
            try await t.controller.join(jobId: jobId, publicKey: TestKeys.publicKey(k), dataSize: UInt256(100 + i),
                                        apiUrl: "http://127.0.0.1:\(5000 + i)", from: k)
        }
        if spec.trustedCount.isZero {
            for i in trusted.sorted() {
                try await t.controller.setTrusted(jobId: jobId, node: nodes[i].address, trusted: true, from: owner)
            }
        }
        return Setup(t: t, owner: owner, jobId: jobId, storage: storage, nodes: nodes,
                     trusted: trusted.sorted().map { nodes[$0] })
    }

    @Test func accessControlRevertsWithReasons() async throws {
        let s = try await Self.setup(.init(jobCid: "acl", rounds: 2, maxNodes: 5, heartbeatTimeout: 20, roundTimeout: 100,
                                           aggregationTimeout: 4), count: 5, trusted: [1, 3], keyBase: 2000)
        let c = s.t.controller, job = s.jobId
        let stranger = try TestKeys.key(2500)
        try await s.t.fund([stranger])
        let ref = [UInt8](repeating: 0xAB, count: 62)

        // Joining: limits and input checks.
        await expectRevert("job is full") {
            try await c.join(jobId: job, publicKey: TestKeys.publicKey(stranger), dataSize: 1, apiUrl: "", from: stranger)
        }
        await expectRevert("already joined") {
            try await c.join(jobId: job, publicKey: TestKeys.publicKey(s.nodes[0]), dataSize: 1, apiUrl: "", from: s.nodes[0])
        }
        // Only the owner sets trusted nodes, starts and aborts.
        await expectRevert("only the job owner") { try await c.setTrusted(jobId: job, node: s.nodes[0].address, trusted: true, from: s.nodes[0]) }
        await expectRevert("only the job owner") { try await c.startJob(jobId: job, from: stranger) }
        await expectRevert("only the job owner") { try await c.abortJob(jobId: job, from: s.nodes[1]) }
        // Nothing is written into a job that does not run.
        await expectRevert("job is not running") { try await s.storage.submit(round: 1, to: s.trusted[0].address, ref: ref, from: s.nodes[0]) }
        try await c.startJob(jobId: job, from: s.owner)
        await expectRevert("job is not in Created state") { try await c.startJob(jobId: job, from: s.owner) }
        await expectRevert("job is not accepting nodes") {
            try await c.join(jobId: job, publicKey: TestKeys.publicKey(stranger), dataSize: 1, apiUrl: "", from: stranger)
        }
        await expectRevert("trusted nodes are fixed once the job starts") {
            try await c.setTrusted(jobId: job, node: s.nodes[0].address, trusted: true, from: s.owner)
        }

        // A stranger cannot write into the job.
        await expectRevert("not a member of the job") { try await s.storage.submit(round: 1, to: s.trusted[0].address, ref: ref, from: stranger) }
        await expectRevert("not a member of the job") { try await s.storage.postKey(to: s.nodes[0].address, encryptedKey: ref, from: stranger) }
        await expectRevert("only a live trusted node") { try await s.storage.postDistilled(round: 1, ref: ref, from: stranger) }
        await expectRevert("reporter is not a live member of the job") { try await c.reportDown(jobId: job, node: s.nodes[0].address, from: stranger) }
        await expectRevert("not a live member of the job") { try await c.heartbeat(jobId: job, from: stranger) }
        // Members are limited to their role.
        await expectRevert("recipient is not a live trusted node") { try await s.storage.submit(round: 1, to: s.nodes[0].address, ref: ref, from: s.nodes[2]) }
        await expectRevert("not the current round") { try await s.storage.submit(round: 2, to: s.trusted[0].address, ref: ref, from: s.nodes[0]) }
        await expectRevert("only a live trusted node forwards") {
            try await s.storage.forward(round: 1, phase: 1, step: 1, to: s.trusted[0].address, origins: [s.nodes[0].address], refs: [ref], from: s.nodes[0])
        }
        await expectRevert("phase must be 1 or 2") {
            try await s.storage.forward(round: 1, phase: 3, step: 1, to: s.trusted[1].address, origins: [], refs: [], from: s.trusted[0])
        }
        await expectRevert("only the job's storage contract") { try await c.roundCompleted(jobId: job, round: 1, from: s.owner) }
        // A node whose heartbeat is fresh cannot be reported down.
        await expectRevert("node heartbeat is fresh") { try await c.reportDown(jobId: job, node: s.nodes[4].address, from: s.nodes[0]) }

        // Aggregation: not before the trusted models are in (or the round timeout), and only the chosen node posts.
        await expectRevert("trusted models are not all in") { _ = try await c.selectAggregator(jobId: job, round: 1, from: s.nodes[0]) }
        for k in s.trusted { try await s.storage.postDistilled(round: 1, ref: ref, from: k) }
        await expectRevert("already posted") { try await s.storage.postDistilled(round: 1, ref: ref, from: s.trusted[0]) }
        await expectRevert("no aggregator selected") { _ = try await c.reselectAggregator(jobId: job, round: 1, from: s.nodes[0]) }
        let receipt = try await c.selectAggregator(jobId: job, round: 1, from: s.nodes[0])
        let selected = try receipt.logs.compactMap { try ControllerContract.Event(log: $0) }
        guard case .aggregatorSelected(let sel)? = selected.first else { Issue.record("no AggregatorSelected event"); return }
        await expectRevert("aggregator already selected") { _ = try await c.selectAggregator(jobId: job, round: 1, from: s.nodes[0]) }
        await expectRevert("aggregator still has time") { _ = try await c.reselectAggregator(jobId: job, round: 1, from: s.nodes[0]) }
        let notChosen = s.nodes.first { $0.address != sel.aggregator }!
        await expectRevert("only the selected aggregator") { try await s.storage.postGlobal(round: 1, ref: ref, from: notChosen) }
        let chosen = s.nodes.first { $0.address == sel.aggregator }!
        await expectRevert("empty reference") { try await s.storage.postGlobal(round: 1, ref: [], from: chosen) }

        try await c.abortJob(jobId: job, from: s.owner)
        #expect(try await c.jobs(job).jobStatus == .aborted)
        await expectRevert("job already ended") { try await c.abortJob(jobId: job, from: s.owner) }
        await expectRevert("job is not running") { try await s.storage.postGlobal(round: 1, ref: ref, from: chosen) }
    }

    @Test func createJobChecksItsLimits() async throws {
        let t = try await TestChain.start()
        let owner = try TestKeys.key(2600)
        try await t.fund([owner])
        let c = t.controller
        await expectRevert("rounds out of range") {
            try await c.createJob(jobCid: "x", description: "", rounds: 0, maxNodes: 4, heartbeatTimeout: 1, roundTimeout: 1,
                                  aggregationTimeout: 1, trustedCount: 0, from: owner)
        }
        await expectRevert("maxNodes out of range") {
            try await c.createJob(jobCid: "x", description: "", rounds: 1, maxNodes: 257, heartbeatTimeout: 1, roundTimeout: 1,
                                  aggregationTimeout: 1, trustedCount: 0, from: owner)
        }
        await expectRevert("trustedCount above maxNodes") {
            try await c.createJob(jobCid: "x", description: "", rounds: 1, maxNodes: 4, heartbeatTimeout: 1, roundTimeout: 1,
                                  aggregationTimeout: 1, trustedCount: 5, from: owner)
        }
        await expectRevert("timeouts must be positive") {
            try await c.createJob(jobCid: "x", description: "", rounds: 1, maxNodes: 4, heartbeatTimeout: 0, roundTimeout: 1,
                                  aggregationTimeout: 1, trustedCount: 0, from: owner)
        }
        // The contract's answer for the would-be job id, read with an eth_call before sending.
        #expect(try await c.createJobResult(jobCid: "x", description: "", rounds: 1, maxNodes: 4, heartbeatTimeout: 1, roundTimeout: 1,
                                            aggregationTimeout: 1, trustedCount: 0, sender: owner.address) == 1)
        let (jobId, _) = try await t.gfl.createJob(.init(jobCid: "x", rounds: 1, maxNodes: 4), from: owner)
        await expectRevert("no trusted node") { try await c.startJob(jobId: jobId, from: owner) }
        await expectRevert("public key must be 64 bytes") {
            try await c.join(jobId: jobId, publicKey: [1, 2, 3], dataSize: 1, apiUrl: "", from: owner)
        }
    }

    /// With `trustedCount = t` the start picks the t largest declared data sizes, ties going to the lower ring
    /// position; checked against a sort in Swift for t below, at and above half the ring, with many ties.
    @Test func trustedNodesByDataSize() async throws {
        let t = try await TestChain.start()
        let owner = try TestKeys.key(2700)
        let nodes = try TestKeys.keys(2701..<2713)
        try await t.fund(nodes + [owner])
        var rng = SeededRandom(seed: 7)
        for count in [1, 6, 7, 12] {
            let (jobId, _) = try await t.gfl.createJob(.init(jobCid: "size", rounds: 1, maxNodes: 12,
                                                             trustedCount: UInt256(UInt64(count))), from: owner)
            var sizes: [Address: UInt64] = [:]
            for k in nodes {
                let size = UInt64.random(in: 1...3, using: &rng)
                sizes[k.address] = size
                try await t.controller.join(jobId: jobId, publicKey: TestKeys.publicKey(k), dataSize: UInt256(size), apiUrl: "", from: k)
            }
            try await t.controller.startJob(jobId: jobId, from: owner)
            let ranked = nodes.map(\.address).sorted { a, b in
                sizes[a]! != sizes[b]! ? sizes[a]! > sizes[b]! : ControllerContract.ringPosition(of: a) < ControllerContract.ringPosition(of: b)
            }
            let expected = Set(ranked.prefix(count))
            let ring = try await t.controller.ring(jobId: jobId)
            #expect(Set(ring.filter(\.trusted).map(\.node)) == expected, "t = \(count)")
            for k in nodes { #expect(try await t.controller.isTrusted(jobId: jobId, node: k.address) == expected.contains(k.address)) }
        }
    }
}
