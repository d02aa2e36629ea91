import Learning
import Testing

@Suite struct ReputationTests {
    @Test func handCheckedRound() throws {
        var r = ReputationAggregator(delta: 0.3, bufferSize: 3)
        #expect(r.reputation(of: "A") == 1 && r.reputation(of: "never-seen") == 1)
        r.receive(sender: "A", model: [2], accuracy: 0.9)
        r.receive(sender: "B", model: [4], accuracy: 0.5)
        r.receive(sender: "C", model: [6], accuracy: 0.7)
        let out = try r.aggregate(previous: [0])
        // B was least accurate: reputation 0.7, weight 0.35; A 0.9; C 0.7. Σw = 1.95.
        // ((0.9·2 + 0.35·4 + 0.7·6) / 1.95 + 0) / 2 = (7.4 / 1.95) / 2
        #expect(abs(Double(out[0]) - 7.4 / 1.95 / 2) < 1e-6)
        #expect(abs(r.reputation(of: "B") - 0.7) < 1e-12)
        #expect(r.reputation(of: "A") == 1 && r.reputation(of: "C") == 1)
        // No new model: the same buffered worst model does not cost B again.
        _ = try r.aggregate(previous: [0])
        #expect(abs(r.reputation(of: "B") - 0.7) < 1e-12)
    }

    @Test func worstSenderFadesToZeroAndNeverRecovers() throws {
        var r = ReputationAggregator(delta: 0.3, bufferSize: 2)
        var expected = 1.0
        for round in 0..<6 {
            r.receive(sender: "good", model: [10, 10], accuracy: 0.8)
            r.receive(sender: "bad", model: [-100, -100], accuracy: 0.1)
            let out = try r.aggregate(previous: [0, 0])
            expected = max(0, expected - 0.3)
            #expect(abs(r.reputation(of: "bad") - expected) < 1e-12, "round \(round)")
            #expect(r.reputation(of: "good") == 1)
            if expected == 0 { #expect(out == [5, 5]) }  // (10 + 0) / 2: "bad" has no weight left
        }
        #expect(r.reputation(of: "bad") == 0)
        // Now "bad" sends the best model: its reputation stays 0 (it never rises), "good" is the worst and pays.
        r.receive(sender: "bad", model: [1, 1], accuracy: 0.99)
        r.receive(sender: "good", model: [3, 3], accuracy: 0.5)
        let out = try r.aggregate(previous: [1, 1])
        #expect(r.reputation(of: "bad") == 0)
        #expect(abs(r.reputation(of: "good") - 0.7) < 1e-12)
        #expect(out == [2, 2])  // only "good" has weight: (3 + 1) / 2
    }

    @Test func reputationsNeverRiseUnderRandomTraffic() throws {
        var rng = Xoshiro256(seed: 5)
        var r = ReputationAggregator(delta: 0.05, bufferSize: 4)
        let senders = ["n0", "n1", "n2", "n3", "n4"]
        var last = [String: Double]()
        for _ in 0..<200 {
            for _ in 0..<(1 + rng.nextInt(below: 3)) {
                let s = senders[rng.nextInt(below: senders.count)]
                r.receive(sender: s, model: [Float(rng.nextGaussian())], accuracy: rng.nextDouble())
            }
            let out = try r.aggregate(previous: [0])
            #expect(out[0].isFinite)
            #expect(r.buffer.count <= 4)
            for s in senders {
                let now = r.reputation(of: s)
                #expect(now >= 0 && now <= (last[s] ?? 1))
                last[s] = now
            }
        }
        #expect(senders.contains { r.reputation(of: $0) < 1 })
    }

    @Test func bufferKeepsTheLastB() throws {
        var r = ReputationAggregator(delta: 0.1, bufferSize: 2)
        r.receive(sender: "x", model: [100], accuracy: 0.0)
        r.receive(sender: "y", model: [2], accuracy: 0.5)
        r.receive(sender: "z", model: [4], accuracy: 0.5)
        #expect(r.buffer.map(\.sender) == ["y", "z"])
        // x dropped out before it could be penalised; y and z tie as least accurate and both pay.
        let out = try r.aggregate(previous: [0])
        #expect(r.reputation(of: "x") == 1)
        #expect(abs(r.reputation(of: "y") - 0.9) < 1e-12 && abs(r.reputation(of: "z") - 0.9) < 1e-12)
        #expect(out == [1.5])  // equal weights: ((2 + 4) / 2 + 0) / 2
    }

    @Test func edgeCases() throws {
        var r = ReputationAggregator(delta: 0.5, bufferSize: 3)
        #expect(throws: StrategyError.noModels) { try r.aggregate(previous: [1]) }
        r.receive(sender: "a", model: [1, 2], accuracy: 0)
        // Every weight is 0 (accuracy 0): the previous model is kept.
        #expect(try r.aggregate(previous: [7, 7]) == [7, 7])
        r.receive(sender: "b", model: [1], accuracy: 0.5)
        #expect(throws: StrategyError.mismatchedLengths(index: 1, expected: 2, got: 1)) {
            try r.aggregate(previous: [7, 7])
        }
        // A negative δ would let reputation rise; it counts as 0.
        var n = ReputationAggregator(delta: -1, bufferSize: 0)
        #expect(n.delta == 0 && n.bufferSize == 1)
        n.receive(sender: "a", model: [1], accuracy: .nan)
        n.receive(sender: "b", model: [3], accuracy: 2)
        #expect(try n.aggregate(previous: [1]) == [2])  // b alone (accuracy clamped to 1): (3 + 1) / 2
        #expect(n.reputation(of: "b") == 1)
    }
}
