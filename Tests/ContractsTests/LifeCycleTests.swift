import GFLContracts
import Primitives
import RPCClient
import Testing

/// A job run through all its rounds the way the trainers drive it, with an aggregator that times out.
@Suite struct LifeCycleTests {
    @Test func jobRunsAllRoundsWithReselectionAfterTimeout() async throws {
        // Eight nodes; the three with the largest data size become trusted when the job starts.
        let s = try await JobTests.setup(.init(jobCid: "QmLifeCycle", description: "three rounds", rounds: 3, maxNodes: 8,
                                               heartbeatTimeout: 1000, roundTimeout: 50, aggregationTimeout: 3, trustedCount: 3),
                                         count: 8, trusted: [], keyBase: 3000)
        let c = s.t.controller, job = s.jobId
        var rng = SeededRandom(seed: 42)
        var follower = JobEventFollower(controller: c, storage: s.storage, jobId: job)
        let early = try await follower.poll()
        #expect(early.count == 1 + 8, "JobCreated and eight NodeJoined")

        try await c.startJob(jobId: job, from: s.owner)
        // Data sizes are 100 + index: nodes 5, 6 and 7 are the largest.
        let trusted = [5, 6, 7].map { s.nodes[$0].address }
        for (i, k) in s.nodes.enumerated() {
            #expect(try await c.isTrusted(jobId: job, node: k.address) == trusted.contains(k.address), "node \(i)")
        }
        #expect(try await c.jobs(job).jobStatus == .running)
        let keyOf = Dictionary(uniqueKeysWithValues: s.nodes.map { ($0.address, $0) })

        for round in 1...3 {
            let r = UInt256(UInt64(round))
            #expect(try await c.runningRound(jobId: job) == r)
            // Untrusted nodes hand their sealed model reference to their trusted node.
            var byTrusted: [Address: [(Address, [UInt8])]] = [:]
            for k in s.nodes where !trusted.contains(k.address) {
                let to = try await c.firstTrustedClockwise(jobId: job, position: ControllerContract.ringPosition(of: k.address))
                let ref = rng.bytes(62)
                try await s.storage.submit(round: r, to: to, ref: ref, from: k)
                byTrusted[to, default: []].append((k.address, ref))
            }
            // Trusted ring steps, phase 1 (before distillation) and 2 (after), then the distilled models.
            for phase: UInt8 in [1, 2] {
                for a in trusted {
                    let next = try await c.nextTrusted(jobId: job, node: a)
                    let batch = byTrusted[a] ?? []
                    try await s.storage.forward(round: r, phase: phase, step: 1, to: next, origins: batch.map(\.0),
                                                refs: batch.map(\.1), from: keyOf[a]!)
                }
            }
            for a in trusted { try await s.storage.postDistilled(round: r, ref: rng.bytes(62), from: keyOf[a]!) }
            #expect(try await s.storage.distilledCount(r) == 3)

            try await c.selectAggregator(jobId: job, round: r, from: s.nodes[0])
            var aggregator = try await c.aggregatorOf(jobId: job, round: r)
            #expect(trusted.contains(aggregator))
            if round == 2 {
                // The chosen aggregator stays silent; after the timeout anyone may replace it, never by itself.
                try await s.t.chain.mine(blocks: 4)
                try await c.reselectAggregator(jobId: job, round: r, from: s.nodes[1])
                let replacement = try await c.aggregatorOf(jobId: job, round: r)
                #expect(replacement != aggregator && trusted.contains(replacement))
                #expect(try await c.aggregations(job, r).attempt == 1)
                await expectRevert("only the selected aggregator") {
                    try await s.storage.postGlobal(round: r, ref: rng.bytes(62), from: keyOf[aggregator]!)
                }
                aggregator = replacement
            }
            let global = rng.bytes(62)
            try await s.storage.postGlobal(round: r, ref: global, from: keyOf[aggregator]!)
            #expect(try await s.storage.globalModel(r) == global)
        }
        let finished = try await c.jobs(job)
        #expect(finished.jobStatus == .finished && finished.currentRound == 3)
        #expect(try await c.runningRound(jobId: job) == 0)
        await expectRevert("job is not running") {
            try await s.storage.submit(round: 3, to: trusted[0], ref: [1], from: s.nodes[0])
        }

        // What a follower saw since its first poll, in chain order.
        let events = try await follower.poll()
        #expect(try await follower.poll().isEmpty)
        var statuses: [UInt8] = [], completed: [UInt256] = [], globals = 0, selections = 0, submissions = 0, trustedSet = 0
        for e in events {
            switch e {
            case .controller(.jobStatusChanged(let x)): statuses.append(x.status)
            case .controller(.roundCompleted(let x)): completed.append(x.round)
            case .controller(.aggregatorSelected): selections += 1
            case .controller(.trustedSet(let x)): if x.trusted { trustedSet += 1 }
            case .storage(.globalModel): globals += 1
            case .storage(.submitted): submissions += 1
            default: break
            }
        }
        #expect(statuses == [ControllerContract.JobStatus.running.rawValue, ControllerContract.JobStatus.finished.rawValue])
        #expect(completed == [1, 2, 3] && globals == 3 && selections == 4 && submissions == 15 && trustedSet == 3)

        // The explorer's view of the job.
        let view = try await JobView.load(c, jobId: job)
        #expect(view.rounds.count == 3)
        #expect(view.rounds.allSatisfy { !$0.globalModel.isEmpty && $0.submissions.count == 5 && $0.distilled.count == 3 })
        #expect(view.rounds[1].selections.count == 2 && view.rounds[0].selections.count == 1)
        #expect(view.rounds.allSatisfy { $0.forwards.count == 2 * 5 })
        #expect(view.ring.count == 8 && view.members.count == 8)
        #expect(view.job.jobCid == "QmLifeCycle" && view.job.description == "three rounds")
    }

    /// The ring's monitoring during a running job: heartbeats keep a node in, silence gets it reported, and an
    /// aggregator that goes down can be replaced at once.
    @Test func downAggregatorIsReplacedWithoutWaiting() async throws {
        let s = try await JobTests.setup(.init(jobCid: "down", rounds: 1, maxNodes: 4, heartbeatTimeout: 2, roundTimeout: 1,
                                               aggregationTimeout: 1000), count: 4, trusted: [0, 1, 2], keyBase: 3100)
        let c = s.t.controller, job = s.jobId
        try await c.startJob(jobId: job, from: s.owner)
        try await s.t.chain.mine(blocks: 2)
        // The round timeout has passed: an aggregator may be chosen with no distilled model in.
        try await c.selectAggregator(jobId: job, round: 1, from: s.nodes[3])
        let first = try await c.aggregatorOf(jobId: job, round: 1)
        let reporter = s.nodes.first { $0.address != first }!
        try await c.heartbeat(jobId: job, from: reporter)
        try await c.reportDown(jobId: job, node: first, from: reporter)
        try await c.reselectAggregator(jobId: job, round: 1, from: reporter)
        let second = try await c.aggregatorOf(jobId: job, round: 1)
        #expect(second != first && s.trusted.map(\.address).contains(second))
    }

    /// A trusted node reported down is routed around for the rest of its round; when the round ends the Controller
    /// fills its place with the live untrusted node of the largest data size, so the next round has t again.
    @Test func downTrustedNodeIsReplacedWhenTheRoundEnds() async throws {
        let s = try await JobTests.setup(.init(jobCid: "refill", rounds: 2, maxNodes: 6, heartbeatTimeout: 2, roundTimeout: 1,
                                               aggregationTimeout: 1000, trustedCount: 2), count: 6, trusted: [], keyBase: 3200)
        let c = s.t.controller, job = s.jobId
        try await c.startJob(jobId: job, from: s.owner)
        // Data sizes are 100 + index: nodes 4 and 5 are trusted; node 3 is the largest untrusted one.
        let (n3, n4, n5) = (s.nodes[3].address, s.nodes[4].address, s.nodes[5].address)
        #expect(try await c.isTrusted(jobId: job, node: n5))
        #expect(try await c.isTrusted(jobId: job, node: n4))
        try await s.t.chain.mine(blocks: 3)
        try await c.reportDown(jobId: job, node: n5, from: s.nodes[0])
        #expect(try await c.isTrusted(jobId: job, node: n3) == false, "roles do not change inside a round")
        let afterDown = try await c.ring(jobId: job)
        #expect(afterDown.filter(\.trusted).map(\.node) == [n4])

        try await s.storage.postDistilled(round: 1, ref: [UInt8](repeating: 1, count: 62), from: s.nodes[4])
        try await c.selectAggregator(jobId: job, round: 1, from: s.nodes[0])
        #expect(try await c.aggregatorOf(jobId: job, round: 1) == n4)
        try await s.storage.postGlobal(round: 1, ref: [UInt8](repeating: 2, count: 62), from: s.nodes[4])
        #expect(try await c.runningRound(jobId: job) == 2)
        #expect(try await c.isTrusted(jobId: job, node: n3), "the largest live untrusted node was promoted")
        let ring = try await c.ring(jobId: job)
        #expect(Set(ring.filter(\.trusted).map(\.node)) == [n3, n4])
        #expect(!ring.map(\.node).contains(n5))
        // The promoted node now takes the models of the untrusted nodes behind it on the ring.
        for k in s.nodes where ![n3, n4, n5].contains(k.address) {
            let to = try await c.firstTrustedClockwise(jobId: job, position: ControllerContract.ringPosition(of: k.address))
            #expect([n3, n4].contains(to))
        }
    }

    /// An owner-chosen trusted set (trustedCount 0) is never refilled: the owner vetted those nodes, and the
    /// data-size rule would otherwise promote a node the owner left out (in `gfl demo`, the malicious one).
    @Test func ownerChosenTrustedSetIsNotRefilled() async throws {
        let s = try await JobTests.setup(.init(jobCid: "no-refill", rounds: 2, maxNodes: 6, heartbeatTimeout: 2, roundTimeout: 1,
                                               aggregationTimeout: 1000), count: 6, trusted: [0, 2], keyBase: 3300)
        let c = s.t.controller, job = s.jobId
        try await c.startJob(jobId: job, from: s.owner)
        let (n0, n2) = (s.nodes[0].address, s.nodes[2].address)
        try await s.t.chain.mine(blocks: 3)
        try await c.reportDown(jobId: job, node: n2, from: s.nodes[1])
        try await s.storage.postDistilled(round: 1, ref: [UInt8](repeating: 1, count: 62), from: s.nodes[0])
        try await c.selectAggregator(jobId: job, round: 1, from: s.nodes[1])
        try await s.storage.postGlobal(round: 1, ref: [UInt8](repeating: 2, count: 62), from: s.nodes[0])
        #expect(try await c.runningRound(jobId: job) == 2)
        let ring = try await c.ring(jobId: job)
        #expect(ring.filter(\.trusted).map(\.node) == [n0], "nobody was promoted in place of the owner's node")
        #expect(ring.count == 5)
    }
}
