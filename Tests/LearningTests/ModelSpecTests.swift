import Learning
import Testing

@Suite struct ModelSpecTests {
    /// LeNet-5's count is the issue's (61,706); the MLP is FedAvg's "2NN" (199,210 in McMahan et al.).
    @Test func presetParameterCounts() throws {
        #expect(ModelSpec.lenet.parameterCount == 61_706)
        #expect(ModelSpec.mlp.parameterCount == 199_210)
        // conv 1→5 k5 (130) + conv 5→5 k5 (630) + dense 80→500 (40,500) + dense 500→10 (5,010).
        #expect(ModelSpec.gflCNN.parameterCount == 46_270)
        #expect(ModelSpec.lenet.outputShape == Shape(10, 1, 1))
        let plans = try ModelSpec.lenet.plan()
        #expect(plans.map(\.output) == [Shape(6, 28, 28), Shape(6, 28, 28), Shape(6, 14, 14), Shape(16, 10, 10),
                                        Shape(16, 10, 10), Shape(16, 5, 5), Shape(400, 1, 1), Shape(120, 1, 1),
                                        Shape(120, 1, 1), Shape(84, 1, 1), Shape(84, 1, 1), Shape(10, 1, 1)])
    }

    @Test func canonicalTextRoundTrips() throws {
        for spec in [ModelSpec.lenet, .mlp, .gflCNN, try ModelSpec(parsing: "input 3x9x9\n conv 4 k3 s2 p1\navgpool k2 s1;dropout 0.25; dense 7")] {
            let again = try ModelSpec(parsing: spec.description)
            #expect(again == spec)
            #expect(again.description == spec.description)
        }
        #expect(ModelSpec.lenet.description.hasPrefix("input 1x28x28; conv 6 k5 s1 p2; relu; maxpool k2 s2"))
    }

    @Test(arguments: [
        ("", "empty"), ("conv 3 k3", "must start with 'input"), ("input 1x28", "must start with 'input"),
        ("input 1x4x4; conv 2 k5", "does not fit"), ("input 1x4x4; softmax", "unknown layer"),
        ("input 1x4x4; conv 2", "expected 'conv"), ("input 1x4x4; conv 2 k3 q1", "unexpected 'q1'"),
        ("input 1x4x4; dropout 1.5", "0 ≤ p < 1"), ("input 1x4x4; maxpool k5", "larger than input"),
        ("input 1x4x4; dense -3", "not a positive integer"), ("input 1x4x4; conv 2 k3 p3", "padding"),
    ])
    func malformedSpecsAreRejected(text: String, message: String) {
        do {
            _ = try ModelSpec(parsing: text)
            Issue.record("accepted '\(text)'")
        } catch {
            #expect(error.description.contains(message), "\(error.description)")
        }
    }

    @Test func presetsByName() throws {
        #expect(try ModelSpec.named("lenet") == .lenet)
        #expect(try ModelSpec.named("mlp") == .mlp)
        #expect(throws: ModelSpecError.unknownModel("resnet")) { try ModelSpec.named("resnet") }
    }

    /// PyTorch's default init for Linear/Conv2d: U(−1/√fan_in, 1/√fan_in) for weights and biases.
    @Test func initialisationFollowsPyTorchBounds() throws {
        let m = try Model(spec: .lenet, seed: 42)
        for plan in m.plans where plan.parameterCount > 0 {
            let bound = 1 / Float(plan.fanIn).squareRoot()
            let slice = m.parameters[plan.parameterOffset..<(plan.parameterOffset + plan.parameterCount)]
            #expect(slice.allSatisfy { abs($0) <= bound })
            // Uniform on (−b, b): the mean of |w| is b/2.
            let meanAbs = slice.reduce(Float(0)) { $0 + abs($1) } / Float(slice.count)
            #expect(abs(meanAbs - bound / 2) < bound * 0.15)
        }
        #expect(try Model(spec: .lenet, seed: 42).parameters == m.parameters)
        #expect(try Model(spec: .lenet, seed: 43).parameters != m.parameters)
    }

    @Test func tensorsFollowStateDictOrder() throws {
        let m = try Model(spec: .lenet, seed: 1)
        let t = m.tensors
        #expect(t.map(\.name) == ["0.weight", "0.bias", "3.weight", "3.bias", "7.weight", "7.bias",
                                  "9.weight", "9.bias", "11.weight", "11.bias"])
        #expect(t[0].shape == [6, 1, 5, 5] && t[2].shape == [16, 6, 5, 5] && t[4].shape == [120, 400])
        #expect(t.last!.offset + t.last!.count == m.parameterCount)
    }
}

@Suite struct ModelFileTests {
    @Test func roundTripAndDeterministicBytes() throws {
        let a = try Model(spec: .lenet, seed: 3)
        let bytes = ModelFile.encode(a)
        let spec = Array(ModelSpec.lenet.description.utf8)
        #expect(bytes.count == 20 + spec.count + 4 * 61_706)
        #expect(Array(bytes[0..<4]) == Array("GFLM".utf8))
        #expect(Array(bytes[4..<8]) == [1, 0, 0, 0])
        // Little-endian float32 of the first parameter, byte for byte.
        let first = a.parameters[0].bitPattern
        #expect(Array(bytes[(20 + spec.count)..<(24 + spec.count)]) ==
                [UInt8(first & 0xff), UInt8(first >> 8 & 0xff), UInt8(first >> 16 & 0xff), UInt8(first >> 24)])
        let b = try ModelFile.decode(bytes)
        #expect(b.spec == a.spec && b.parameters == a.parameters)
        #expect(ModelFile.encode(b) == bytes)
        let c = try Model(spec: .lenet, parameters: a.parameters)
        #expect(ModelFile.encode(c) == bytes)
    }

    @Test func malformedFilesAreRejected() throws {
        let bytes = ModelFile.encode(try Model(spec: try ModelSpec(parsing: "input 2x1x1; dense 2"), seed: 1))
        let specLen = Int(bytes[8])
        func expectFailure(_ b: [UInt8], _ want: ModelFile.Failure) {
            #expect(throws: want) { try ModelFile.decode(b) }
        }
        expectFailure(Array(bytes.prefix(7)), .truncated(expected: 12, got: 7))
        expectFailure(Array(bytes.dropLast(3)), .truncated(expected: bytes.count, got: bytes.count - 3))
        expectFailure(bytes + [0], .trailingBytes(1))
        var magic = bytes; magic[0] = UInt8(ascii: "X")
        expectFailure(magic, .badMagic(Array("XFLM".utf8)))
        var version = bytes; version[4] = 2
        expectFailure(version, .unsupportedVersion(2))
        var count = bytes; count[12 + specLen] = 7
        expectFailure(count, .countMismatch(spec: 6, file: 7))
        var spec = bytes; spec[12] = UInt8(ascii: "j")
        #expect(throws: ModelFile.Failure.self) { try ModelFile.decode(spec) }
        var huge = bytes; huge[11] = 0x7f
        #expect(throws: ModelFile.Failure.self) { try ModelFile.decode(huge) }
        do { _ = try ModelFile.decode(magic) } catch { #expect(error.description.contains("not a GFL model file")) }
    }
}
