import Learning
import Testing

/// The 1-bit vote format the Distillation contract takes, and the PTSC reference.
@Suite struct OneBitVotesTests {
    @Test func packingRoundTripsAndUsesLittleEndianBitOrder() throws {
        // Sample 0 class 1 is bit 1 of byte 0; sample 1 class 0 is bit 10 = byte 1, bit 2; 20 bits -> 3 bytes.
        let two = try OneBitVotes.pack(labels: [1, 0], classes: 10)
        #expect(two == [0b0000_0010, 0b0000_0100, 0])
        var rng = SystemRandomNumberGenerator()
        for classes in [2, 3, 10, 16] {
            for samples in [1, 7, 64, 333, 1000] {
                let labels = (0..<samples).map { _ in Int.random(in: 0..<classes, using: &rng) }
                let bytes = try OneBitVotes.pack(labels: labels, classes: classes)
                #expect(bytes.count == (samples * classes + 7) / 8)
                #expect(bytes.reduce(0) { $0 + $1.nonzeroBitCount } == samples, "one bit per sample")
                #expect(try OneBitVotes.unpack(bytes, samples: samples, classes: classes) == labels)
            }
        }
    }

    @Test func malformedInputIsATypedError() throws {
        let good = try OneBitVotes.pack(labels: [3, 9, 0], classes: 10)  // 30 bits in 4 bytes
        #expect(throws: OneBitVotesError.length(expected: 4, got: 3)) {
            try OneBitVotes.validate(Array(good.prefix(3)), samples: 3, classes: 10)
        }
        var two = good
        two[0] |= 1  // sample 0: classes 0 and 3
        #expect(throws: OneBitVotesError.severalClassBits(sample: 0, classes: [0, 3])) {
            try OneBitVotes.validate(two, samples: 3, classes: 10)
        }
        var none = good
        none[2] &= ~UInt8(1 << 3)  // sample 1, class 9 is bit 19: byte 2, bit 3
        #expect(throws: OneBitVotesError.noClassBit(sample: 1)) { try OneBitVotes.validate(none, samples: 3, classes: 10) }
        var padded = good
        padded[3] |= 0x80  // bit 31, after the 30 bits of 3 samples
        #expect(throws: OneBitVotesError.padding) { try OneBitVotes.validate(padded, samples: 3, classes: 10) }
        #expect(throws: OneBitVotesError.labelOutOfRange(sample: 1, label: 10, classes: 10)) {
            _ = try OneBitVotes.pack(labels: [0, 10], classes: 10)
        }
        #expect(throws: OneBitVotesError.classCount(17)) { _ = try OneBitVotes.pack(labels: [0], classes: 17) }
        #expect(throws: OneBitVotesError.sampleCount(1001)) {
            _ = try OneBitVotes.pack(labels: [Int](repeating: 0, count: 1001), classes: 2)
        }
        #expect(throws: OneBitVotesError.sampleCount(0)) { _ = try OneBitVotes.pack(labels: [], classes: 2) }
        #expect(OneBitVotesError.noClassBit(sample: 4).description.contains("sample 4"))
    }

    @Test func argmaxAndHardLabelsBreakTiesToTheLowestClass() throws {
        #expect(OneBitVotes.argmax([0.1, 0.7, 0.7, 0.2] as [Float]) == 1)
        #expect(try OneBitVotes.argmaxLabels(scores: [1, 2, 0, 5, 5, 1], classes: 3) == [1, 0])
        #expect(throws: OneBitVotesError.self) { _ = try OneBitVotes.argmaxLabels(scores: [1, 2, 3, 4], classes: 3) }
        let counts = OneBitVotes.aggregate([[0, 1, 2], [1, 1, 0], [1, 2, 0], [0, 2, 1]], classes: 3)
        #expect(counts == [[2, 2, 0], [0, 2, 2], [2, 1, 1]])
        #expect(OneBitVotes.hardLabels(counts: counts) == [0, 1, 0])
    }

    @Test func peerTruthSerumPaysAgreementOnRareAnswers() {
        // Three nodes, four samples, two classes. Node 0 and 1 agree everywhere; node 2 always says 0.
        let answers = [[0, 1, 1, 1], [0, 1, 1, 1], [0, 0, 0, 0]]
        let scores = PeerTruthSerum.scores(answers: answers, peers: [1, 0, 0], classes: 2)
        // Node 0: others' answers 0,1,1,1,0,0,0,0 -> R(0) = 5/8, R(1) = 3/8; agreement on all four samples.
        #expect(abs(scores[0] - (8.0 / 5 + 3 * 8.0 / 3 - 4)) < 1e-12)
        // Node 2 (constant 0) agrees with node 0 on sample 0 only: R_-2(0) = 2/8.
        #expect(abs(scores[2] - (8.0 / 2 - 4)) < 1e-12)
        let rewards = PeerTruthSerum.rewards(scores: scores + [-3], budget: 100)
        #expect(rewards[3] == 0 && abs(rewards.reduce(0, +) - 100) < 1e-9)
        #expect(PeerTruthSerum.rewards(scores: [-1, 0], budget: 100) == [0, 0])
    }
}
