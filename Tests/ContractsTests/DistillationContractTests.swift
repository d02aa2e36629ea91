import Foundation
import GFLContracts
import Learning
import Primitives
import RPCClient
import Testing

/// 1-bit compressed federated distillation on chain (Contracts/Distillation.vy): access control, vote aggregation
/// against the Swift reference (`OneBitVotes`), Peer Truth Serum rewards against `PeerTruthSerum`, payouts, and
/// the gas of submissions and finalization.
@Suite struct DistillationContractTests {
    static let classes = 10

    /// A running job (round 1) with `count` nodes, node 0 trusted, and Distillation deployed and configured.
    struct Setup {
        let job: JobTests.Setup
        let d: DistillationContract
        var jobId: UInt256 { job.jobId }
        var nodes: [PrivateKey] { job.nodes }
        var chain: any ChainAccess { job.t.chain }
    }

    static func setup(count: Int, samples: Int, keyBase: Int, rounds: UInt256 = 3, start: Bool = true,
                      configure: Bool = true, timeoutBlocks: UInt256 = 0) async throws -> Setup {
        let s = try await JobTests.setup(.init(jobCid: "QmDistil", rounds: rounds, maxNodes: UInt256(count),
                                               heartbeatTimeout: 1000, roundTimeout: 1000, aggregationTimeout: 10),
                                         count: count, trusted: [0], keyBase: keyBase)
        let d = try await DistillationDeployment.deploy(on: s.t.chain, from: s.t.deployer, controller: s.t.controller.address)
        if configure {
            try await d.configure(jobId: s.jobId, samples: UInt256(samples), classes: UInt256(classes), roundBudget: 0,
                                  timeoutBlocks: timeoutBlocks, from: s.owner)
        }
        if start { try await s.t.controller.startJob(jobId: s.jobId, from: s.owner) }
        return Setup(job: s, d: d)
    }

    /// A signed int256 word or a wei amount as a Double (exact enough for comparisons at 1e-9).
    static func double(_ x: UInt256, signed: Bool = false) -> Double {
        let m = signed ? x.signedMagnitude : x
        let v = Double(m.l3) * 0x1p192 + Double(m.l2) * 0x1p128 + Double(m.l1) * 0x1p64 + Double(m.l0)
        return signed && x.isNegative ? -v : v
    }

    /// Vote counts `[sample][class]` from the contract's raw counter words (3 samples of 10 8-bit counters a word).
    static func counts(fromWords words: [UInt256], samples: Int) -> [[Int]] {
        let perWord = 256 / (8 * classes)
        return (0..<samples).map { s in
            (0..<classes).map { c in Int(((words[s / perWord] >> (8 * (classes * (s % perWord) + c))).l0) & 0xFF) }
        }
    }

    // MARK: - access control and malformed votes

    @Test func accessControlAndMalformedVotesRevertWithReasons() async throws {
        // 21 samples of 10 classes: 210 bits in 27 bytes, 6 padding bits.
        let samples = 21
        let s = try await Self.setup(count: 4, samples: samples, keyBase: 7000, start: false, configure: false)
        let d = s.d, job = s.jobId, owner = s.job.owner
        let stranger = try TestKeys.key(7500)
        try await s.job.t.fund([stranger])
        let labels = (0..<samples).map { $0 % Self.classes }
        let good = try OneBitVotes.pack(labels: labels, classes: Self.classes)

        await expectRevert("distillation is not configured for the job") {
            try await d.submit(jobId: job, round: 1, votes: good, from: s.nodes[0])
        }
        await expectRevert("only the job owner") {
            try await d.configure(jobId: job, samples: 21, classes: 10, roundBudget: 0, timeoutBlocks: 0, from: s.nodes[0])
        }
        await expectRevert("no such job") {
            try await d.configure(jobId: 99, samples: 21, classes: 10, roundBudget: 0, timeoutBlocks: 0, from: owner)
        }
        await expectRevert("samples must be 1..1000") {
            try await d.configure(jobId: job, samples: 1001, classes: 10, roundBudget: 0, timeoutBlocks: 0, from: owner)
        }
        await expectRevert("classes must be 2..16") {
            try await d.configure(jobId: job, samples: 21, classes: 17, roundBudget: 0, timeoutBlocks: 0, from: owner)
        }
        try await d.configure(jobId: job, samples: 21, classes: 10, roundBudget: 0, timeoutBlocks: 0, from: owner)
        await expectRevert("already configured") {
            try await d.configure(jobId: job, samples: 21, classes: 10, roundBudget: 0, timeoutBlocks: 0, from: owner)
        }
        let config = try await d.configs(job)
        #expect(config.samples == 21 && config.classes == 10 && config.pool.isZero)
        // Configured but the Controller has not started the job.
        await expectRevert("job is not running") { try await d.submit(jobId: job, round: 1, votes: good, from: s.nodes[0]) }
        try await s.job.t.controller.startJob(jobId: job, from: owner)

        await expectRevert("not a member of the job") { try await d.submit(jobId: job, round: 1, votes: good, from: stranger) }
        await expectRevert("not the current round") { try await d.submit(jobId: job, round: 2, votes: good, from: s.nodes[0]) }
        await expectRevert("votes must be ceil(samples * classes / 8) bytes") {
            try await d.submit(jobId: job, round: 1, votes: Array(good.dropLast()), from: s.nodes[0])
        }
        await expectRevert("votes must be ceil(samples * classes / 8) bytes") {
            try await d.submit(jobId: job, round: 1, votes: good + [0], from: s.nodes[0])
        }
        var two = good
        two[0] |= 0b100  // sample 0 votes class 0 and class 2
        await expectRevert("a sample has more than one class bit set (one-hot required)") {
            try await d.submit(jobId: job, round: 1, votes: two, from: s.nodes[0])
        }
        var none = good
        let k = 5 * Self.classes + labels[5]  // clear sample 5's only bit
        none[k / 8] &= ~UInt8(1 << (k % 8))
        await expectRevert("a sample has no class bit set (one-hot required)") {
            try await d.submit(jobId: job, round: 1, votes: none, from: s.nodes[0])
        }
        var padded = good
        padded[26] |= 0x80  // bit 215, after the 210 bits of the samples
        await expectRevert("padding bits after the last sample must be zero") {
            try await d.submit(jobId: job, round: 1, votes: padded, from: s.nodes[0])
        }
        #expect(throws: OneBitVotesError.self) { try OneBitVotes.validate(padded, samples: samples, classes: Self.classes) }

        try await d.submit(jobId: job, round: 1, votes: good, from: s.nodes[0])
        await expectRevert("already submitted this round") { try await d.submit(jobId: job, round: 1, votes: good, from: s.nodes[0]) }
        #expect(try await d.hasSubmitted(jobId: job, round: 1, node: s.nodes[0].address))
        #expect(try await d.submissionCount(jobId: job, round: 1) == 1)

        // One of four live members submitted and there is no timeout: too early.
        await expectRevert("round is open: live members have not all submitted and the timeout has not passed") {
            try await d.finalize(jobId: job, round: 1, from: stranger)
        }
        await expectRevert("no submissions in this round") { try await d.finalize(jobId: job, round: 2, from: stranger) }
        for n in s.nodes.dropFirst() { try await d.submit(jobId: job, round: 1, votes: good, from: n) }
        try await d.finalize(jobId: job, round: 1, from: stranger)  // anyone may finalize
        await expectRevert("round already finalized") { try await d.finalize(jobId: job, round: 1, from: stranger) }
        // Unanimous answers agree with every peer on every sample: class c, given n_c times, has R(c) = n_c / 21,
        // so each score is sum_c n_c * 21 / n_c - 21 = 10 * 21 - 21 = 189 (exact in fixed point here).
        for n in s.nodes { #expect(Self.double(try await d.scoreOf(job, 1, n.address), signed: true) == 189e18) }
        let round = try await d.rounds(job, 1)
        #expect(round.finalized && round.closed && round.scored == 4 && round.paid.isZero && round.budget.isZero)
        await expectRevert("nothing to withdraw") { try await d.withdraw(from: s.nodes[0]) }
        await expectRevert("job has not ended") { try await d.reclaim(jobId: job, from: owner) }
        await expectRevert("only the job owner") { try await d.reclaim(jobId: job, from: s.nodes[1]) }
        if s.chain is RPCChain {
            await expectRevert("distillation is not configured for the job") {
                try await d.fund(jobId: 99, value: 1, from: owner)
            }
        }
    }

    /// A round closes after `timeoutBlocks` even if some member never submits.
    @Test func roundCanBeFinalizedAfterTheTimeout() async throws {
        let s = try await Self.setup(count: 3, samples: 8, keyBase: 7100, timeoutBlocks: 3)
        let votes = try OneBitVotes.pack(labels: [0, 1, 2, 3, 4, 5, 6, 7], classes: Self.classes)
        try await s.d.submit(jobId: s.jobId, round: 1, votes: votes, from: s.nodes[0])
        try await s.d.submit(jobId: s.jobId, round: 1, votes: votes, from: s.nodes[1])
        await expectRevert("round is open: live members have not all submitted and the timeout has not passed") {
            try await s.d.finalize(jobId: s.jobId, round: 1, from: s.nodes[0])
        }
        try await s.chain.mine(blocks: 4)
        try await s.d.finalize(jobId: s.jobId, round: 1, from: s.nodes[0])
        await expectRevert("round is closed (finalize has started)") {
            try await s.d.submit(jobId: s.jobId, round: 1, votes: votes, from: s.nodes[2])
        }
        // Two identical submitters, each the other's peer: 8 agreements with R(x) = 1/8 -> 8 * 8 - 8 = 56.
        for n in s.nodes.prefix(2) {
            #expect(Self.double(try await s.d.scoreOf(s.jobId, 1, n.address), signed: true) == 56e18)
        }
    }

    // MARK: - aggregation and PTSC rewards

    @Test func aggregationHardLabelsAndPeerTruthSerumRewards() async throws {
        // Eight nodes: six honest (the noisy ground truth: right 75% of the time, else a random class), one random,
        // one constant. R = 300 samples of 10 classes.
        let samples = 300, honest = 6
        let s = try await Self.setup(count: 8, samples: samples, keyBase: 7200)
        let d = s.d, job = s.jobId
        var rng = SeededRandom(seed: 7)
        let truth = (0..<samples).map { _ in Int.random(in: 0..<Self.classes, using: &rng) }
        var answers: [[Int]] = (0..<honest).map { _ in
            truth.map { t in Double.random(in: 0..<1, using: &rng) < 0.75 ? t : Int.random(in: 0..<Self.classes, using: &rng) }
        }
        answers.append((0..<samples).map { _ in Int.random(in: 0..<Self.classes, using: &rng) })  // random
        answers.append([Int](repeating: 3, count: samples))                                          // constant
        let funded = s.chain is RPCChain
        let pool = UInt256(6_000_000_000_000_000_000 as UInt64)  // 6 ETH over 3 rounds: 2 ETH this round
        if funded { try await d.fund(jobId: job, value: pool, from: s.job.owner) }

        for (i, labels) in answers.enumerated() {
            let receipt = try await d.submit(jobId: job, round: 1, votes: try OneBitVotes.pack(labels: labels, classes: Self.classes),
                                             from: s.nodes[i])
            let event = try DistillationContract.VotesSubmitted(log: try #require(receipt.logs.first))
            #expect(receipt.logs.count == 1 && event.jobId == job && event.round == 1 && event.node == s.nodes[i].address
                    && event.samples == UInt256(samples))
        }
        #expect(try await d.submitterList(jobId: job, round: 1) == s.nodes.map(\.address))

        // Aggregation equals the Swift reference, sample by sample and class by class.
        let reference = OneBitVotes.aggregate(answers, classes: Self.classes)
        let words = try await d.counterWords(jobId: job, round: 1)
        #expect(words.count == (samples + 2) / 3)
        #expect(Self.counts(fromWords: words, samples: samples) == reference)
        for sample in [0, 1, 2, 150, 299] {
            #expect(try await d.votes(jobId: job, round: 1, sample: UInt256(sample)) == reference[sample].map { UInt256($0) })
        }
        let hard = try await d.hardLabels(jobId: job, round: 1)
        #expect(hard.map(Int.init) == OneBitVotes.hardLabels(counts: reference))
        #expect(zip(hard, truth).filter { Int($0) == $1 }.count > samples * 9 / 10, "the majority recovers the truth")

        // Rewards: scores against the reference with the peers the contract drew.
        let receipts = try await d.finalizeRound(jobId: job, round: 1, from: s.nodes[0])
        #expect(receipts.count == 1)
        var peers = [Int](repeating: -1, count: answers.count)
        var scores = [Double](repeating: 0, count: answers.count), amounts = [UInt256](repeating: 0, count: answers.count)
        var finalized: DistillationContract.RoundFinalized?
        let index = Dictionary(uniqueKeysWithValues: s.nodes.enumerated().map { ($1.address, $0) })
        for log in receipts.flatMap(\.logs) {
            switch try DistillationContract.Event(log: log) {
            case .scored(let e)?:
                peers[index[e.node]!] = index[e.peer]!
                scores[index[e.node]!] = Self.double(e.score, signed: true) / 1e18
            case .rewarded(let e)?: amounts[index[e.node]!] = e.amount
            case .roundFinalized(let e)?: finalized = e
            default: break
            }
        }
        #expect(peers.enumerated().allSatisfy { $1 >= 0 && $1 != $0 }, "every node has another node as peer")
        let expected = PeerTruthSerum.scores(answers: answers, peers: peers, classes: Self.classes)
        for i in answers.indices {
            #expect(abs(scores[i] - expected[i]) < 1e-9 * max(1, abs(expected[i])), "node \(i): \(scores[i]) vs \(expected[i])")
            #expect(Self.double(try await d.scoreOf(job, 1, s.nodes[i].address), signed: true) / 1e18 == scores[i])
        }
        // Honest nodes paired with an honest peer score well above the random and the constant node; in
        // expectation over the peer choice every honest node does.
        let random = honest, constant = honest + 1
        let pairedHonest = (0..<honest).filter { peers[$0] < honest }
        #expect(!pairedHonest.isEmpty)
        for i in pairedHonest { #expect(scores[i] > scores[random] && scores[i] > scores[constant], "node \(i)") }
        func expectedScore(_ i: Int) -> Double {
            let others = answers.indices.filter { $0 != i }
            return others.map { p in
                var pe = peers
                pe[i] = p
                return PeerTruthSerum.scores(answers: answers, peers: pe, classes: Self.classes)[i]
            }.reduce(0, +) / Double(others.count)
        }
        let randomMean = expectedScore(random), constantMean = expectedScore(constant)
        for i in 0..<honest { #expect(expectedScore(i) > max(randomMean, constantMean) + Double(samples), "node \(i)") }

        let round = try #require(finalized)
        #expect(round.submissions == 8)
        let total = amounts.reduce(UInt256(0)) { $0 &+ $1 }
        #expect(total == round.paid && total <= round.budget)
        guard funded else {
            #expect(total.isZero, "an unfunded pool pays nothing")
            return
        }
        // Budget: the 6 ETH pool over 3 rounds; payouts are shares of the positive scores, rounded down.
        #expect(round.budget == UInt256(2_000_000_000_000_000_000 as UInt64))
        #expect(Self.double(round.budget &- total) < Double(answers.count), "at most one wei of rounding per node")
        let expectedAmounts = PeerTruthSerum.rewards(scores: expected, budget: Self.double(round.budget))
        for i in answers.indices {
            #expect(abs(Self.double(amounts[i]) - expectedAmounts[i]) <= 1e-9 * expectedAmounts[i] + 2, "node \(i)")
            #expect(try await d.rewardOf(job, s.nodes[i].address) == amounts[i])
        }
        for i in pairedHonest { #expect(amounts[i] > amounts[random] && amounts[i] > amounts[constant]) }
        #expect(try await d.configs(job).pool == pool &- total)
        #expect(try await d.heldBalance() == pool)

        // Withdraw pays the credited amount once.
        let winner = pairedHonest[0], key = s.nodes[winner]
        let rpc = try #require(s.chain as? RPCChain)
        let before = try await rpc.client.balance(key.address)
        let receipt = try await d.withdraw(from: key)
        let after = try await rpc.client.balance(key.address)
        #expect(try await d.balanceOf(key.address) == 0)
        #expect(try await d.heldBalance() == pool &- amounts[winner])
        #expect(after > before && after <= before &+ amounts[winner], "received the reward minus the fee")
        let withdrawn = try DistillationContract.Withdrawn(log: try #require(receipt.logs.first))
        #expect(withdrawn.node == key.address && withdrawn.amount == amounts[winner])
        await expectRevert("nothing to withdraw") { try await d.withdraw(from: key) }
    }

    // MARK: - many submitters

    /// More submitters than one `finalize` call scores (96): the round finalizes in two calls, scores match the
    /// reference and the payouts stay within the budget. `GFL_DISTILLATION_MANY=255,1000` runs it with 255 nodes
    /// and R = 1000 and prints the gas of each call (the README's figure).
    @Test func finalizeScoresInBatches() async throws {
        let size = ProcessInfo.processInfo.environment["GFL_DISTILLATION_MANY"]?.split(separator: ",").compactMap { Int($0) }
        let (count, samples) = size?.count == 2 ? (size![0], size![1]) : (100, 100)
        let s = try await Self.setup(count: count, samples: samples, keyBase: 8000)
        var rng = SeededRandom(seed: 13)
        let truth = (0..<samples).map { _ in Int.random(in: 0..<Self.classes, using: &rng) }
        var answers: [[Int]] = []
        for k in s.nodes {
            let labels = truth.map { t in Int.random(in: 0..<3, using: &rng) == 0 ? Int.random(in: 0..<Self.classes, using: &rng) : t }
            answers.append(labels)
            try await s.d.submit(jobId: s.jobId, round: 1, votes: try OneBitVotes.pack(labels: labels, classes: Self.classes), from: k)
        }
        let gas = try await s.d.finalizeGas(jobId: s.jobId, round: 1, sender: s.nodes[0].address, submissions: UInt256(count))
        let first = try await s.d.finalize(jobId: s.jobId, round: 1, from: s.nodes[0], gas: gas)
        var round = try await s.d.rounds(s.jobId, 1)
        #expect(round.closed && !round.finalized && round.scored == 96)
        let receipts = [first] + (try await s.d.finalizeRound(jobId: s.jobId, round: 1, from: s.nodes[0]))
        #expect(receipts.count == (count + 95) / 96)
        round = try await s.d.rounds(s.jobId, 1)
        #expect(round.finalized && round.scored == UInt256(count) && round.paid <= round.budget)
        var peers = [Int](repeating: -1, count: count), paid = 0
        let index = Dictionary(uniqueKeysWithValues: s.nodes.enumerated().map { ($1.address, $0) })
        for log in receipts.flatMap(\.logs) {
            switch try DistillationContract.Event(log: log) {
            case .scored(let e)?: peers[index[e.node]!] = index[e.peer]!
            case .rewarded?: paid += 1
            default: break
            }
        }
        #expect(paid == count, "one Rewarded event per submitter")
        let expected = PeerTruthSerum.scores(answers: answers, peers: peers, classes: Self.classes)
        for i in [0, 1, count / 2, count - 1] {
            let score = Self.double(try await s.d.scoreOf(s.jobId, 1, s.nodes[i].address), signed: true) / 1e18
            #expect(abs(score - expected[i]) < 1e-9 * max(1, abs(expected[i])), "node \(i)")
        }
        for r in receipts { #expect(r.gasUsed < 30_000_000) }
        print("Distillation finalize with \(count) submitters, R=\(samples): \(receipts.map(\.gasUsed))")
    }

    // MARK: - gas

    /// Gas from the receipts for 4 and 10 nodes at R = 1000 and R = 500 (printed for Contracts/README.md); every
    /// transaction stays below the 30M block gas limit.
    @Test func gasOfSubmissionsAndFinalization() async throws {
        let s = try await Self.setup(count: 10, samples: 1000, keyBase: 7300, configure: false)
        var rng = SeededRandom(seed: 11)
        var lines: [String] = []
        for (jobIndex, (count, samples)) in [(4, 1000), (10, 1000), (4, 500), (10, 500)].enumerated() {
            // Each configuration is its own job of the same Controller, joined by the first `count` nodes.
            let spec = GFLDeployment.JobSpec(jobCid: "QmGas\(jobIndex)", rounds: 2, maxNodes: UInt256(count),
                                             heartbeatTimeout: 1000, roundTimeout: 1000)
            let (job, _) = try await s.job.t.gfl.createJob(spec, from: s.job.owner)
            for k in s.nodes.prefix(count) {
                try await s.job.t.controller.join(jobId: job, publicKey: TestKeys.publicKey(k), dataSize: 1, apiUrl: "", from: k)
            }
            try await s.job.t.controller.setTrusted(jobId: job, node: s.nodes[0].address, trusted: true, from: s.job.owner)
            try await s.d.configure(jobId: job, samples: UInt256(samples), classes: UInt256(Self.classes), roundBudget: 0,
                                    timeoutBlocks: 0, from: s.job.owner)
            try await s.job.t.controller.startJob(jobId: job, from: s.job.owner)
            let truth = (0..<samples).map { _ in Int.random(in: 0..<Self.classes, using: &rng) }
            var gas: [UInt64] = []
            for k in s.nodes.prefix(count) {
                let labels = truth.map { t in Int.random(in: 0..<4, using: &rng) == 0 ? Int.random(in: 0..<Self.classes, using: &rng) : t }
                let votes = try OneBitVotes.pack(labels: labels, classes: Self.classes)
                gas.append(try await s.d.submit(jobId: job, round: 1, votes: votes, from: k).gasUsed)
            }
            let finalize = try await s.d.finalizeRound(jobId: job, round: 1, from: s.nodes[0]).map(\.gasUsed)
            let later = gas.dropFirst()
            lines.append("n=\(count) R=\(samples): submit first \(gas[0]), later avg \(later.reduce(0, +) / UInt64(later.count)) "
                         + "(min \(later.min()!), max \(later.max()!)), per sample later \(Double(later.reduce(0, +)) / Double(later.count * samples)); "
                         + "finalize \(finalize)")
            for g in gas + finalize { #expect(g < 30_000_000) }
            #expect(try await s.d.rounds(job, 1).finalized)
        }
        print("Distillation gas:\n" + lines.joined(separator: "\n"))
    }
}
