import Foundation
import Learning
import TestSupport
import Testing

/// Forward outputs and gradients against PyTorch (float64) vectors from tools/vectors/learning_torch.py.
@Suite struct TorchVectorTests {
    nonisolated(unsafe) static let root: [String: Any] = {
        (try? Fixtures.json(Fixtures.vector("LearningTests", "torch-layers.json"))) as? [String: Any] ?? [:]
    }()

    static func floats(_ v: Any?) -> [Float] { ((v as? [Any]) ?? []).map { Float(($0 as? NSNumber)?.doubleValue ?? .nan) } }

    static var layerNames: [String] { ((root["layers"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String } }

    @Test func vectorsArePresent() {
        #expect(Self.layerNames.count >= 10)
        #expect(((Self.root["losses"] as? [Any]) ?? []).count == 4)  // ce, squared, kl, euclidean
    }

    @Test(arguments: layerNames, ConvStrategy.allCases)
    func layerMatchesTorch(name: String, strategy: ConvStrategy) throws {
        let c = try #require((Self.root["layers"] as? [[String: Any]])?.first { $0["name"] as? String == name })
        let spec = try ModelSpec(parsing: try #require(c["spec"] as? String))
        let model = try Model(spec: spec, parameters: Self.floats(c["params"]))
        let batch = try #require(c["batch"] as? Int)
        let pass = runPass(model, input: Self.floats(c["input"]), batch: batch, r: Self.floats(c["r"]), strategy: strategy)
        expectClose(pass.output, Self.floats(c["output"]), abs: 1e-5, rel: 1e-4, "\(name) output")
        expectClose(pass.gradInput, Self.floats(c["grad_input"]), abs: 1e-5, rel: 1e-4, "\(name) input gradient")
        expectClose(pass.gradParams, Self.floats(c["grad_params"]), abs: 1e-4, rel: 1e-4, "\(name) parameter gradient")
    }

    @Test func lossesMatchTorch() throws {
        for c in try #require(Self.root["losses"] as? [[String: Any]]) {
            let name = try #require(c["name"] as? String)
            let lambda = Float(try #require(c["lambda"] as? Double))
            let T = Float(try #require(c["temperature"] as? Double)), alpha = Float(try #require(c["alpha"] as? Double))
            let loss: DistillationLoss = switch name {
            case "ce": .squaredLogits(lambda: 0)
            case "squared": .squaredLogits(lambda: lambda)
            case "euclidean": .euclideanLogits(lambda: lambda)
            case "kl": .kl(temperature: T, alpha: alpha)
            default: try #require(nil as DistillationLoss?, "unknown loss case \(name)")
            }
            let r = try loss.evaluate(student: Self.floats(c["logits"]), teacher: Self.floats(c["teacher"]),
                                      labels: try #require(c["labels"] as? [Int]), classes: try #require(c["classes"] as? Int))
            let want = try #require(c["loss"] as? Double)
            #expect(abs(r.loss - want) <= 1e-4 * max(1, abs(want)), "\(name): \(r.loss) vs \(want)")
            expectClose(r.gradient, Self.floats(c["grad"]), abs: 1e-5, rel: 1e-4, "\(name) gradient")
        }
    }
}
