import Learning
import Testing

@Suite struct FederatedTests {
    @Test func distanceAndAverage() throws {
        #expect(try Federated.distance([0, 0, 1], [3, 4, 1]) == 5)
        #expect(try Federated.squaredDistance([1, 2], [1, 2]) == 0)
        #expect(throws: LearningError.self) { try Federated.distance([1], [1, 2]) }
        let avg = try Federated.fedAvg([[1, 10], [4, 40]], weights: [2, 1])
        #expect(avg == [2, 20])
        #expect(throws: LearningError.self) { try Federated.fedAvg([], weights: []) }
        #expect(throws: LearningError.self) { try Federated.fedAvg([[1], [2, 3]], weights: [1, 1]) }
        #expect(throws: LearningError.self) { try Federated.fedAvg([[1], [2]], weights: [0, 0]) }
        #expect(try Federated.averageLogits([[1, 2], [3, 6]]) == [2, 4])
    }

    @Test func flattenUnflattenAndLogits() throws {
        let a = try Model(spec: .lenet, seed: 1), b = try Model(spec: .lenet, seed: 2)
        let flat = b.flattened()
        try a.unflatten(flat)
        #expect(a.parameters == b.parameters)
        #expect(throws: LearningError.parameterCount(expected: 61_706, got: 3)) { try a.unflatten([1, 2, 3]) }
        var rng = Xoshiro256(seed: 5)
        let x = randomArray(300 * 784, &rng)
        let z = try Federated.logits(model: a, inputs: x, count: 300)
        #expect(z.count == 3000)
        // The chunked path equals a single forward pass on the same samples.
        let one = runPass(a, input: Array(x[(260 * 784)..<(262 * 784)]), batch: 2, r: [Float](repeating: 0, count: 20))
        expectClose(Array(z[2600..<2620]), one.output, abs: 1e-5, rel: 1e-5, "logits")
        #expect(throws: LearningError.self) { try Federated.logits(model: a, inputs: [1, 2], count: 1) }
    }
}
