import Foundation
import Learning
import Testing

@Suite struct AdversaryTests {
    @Test func signFlipFormulaIsExact() {
        let w: [Float] = [1, 2, 3, -0.25], g: [Float] = [0.5, 0.5, 0.5, 0.25]
        // g − 4(w − g): 0.5 − 2 = −1.5; 0.5 − 6 = −5.5; 0.5 − 10 = −9.5; 0.25 + 2 = 2.25
        #expect(Adversary.poison(model: w, global: g, kind: .signFlip, seed: 1) == [-1.5, -5.5, -9.5, 2.25])
        #expect(Adversary.poison(model: w, global: g, kind: .signFlip, seed: 1, scale: 1) == [0, -1, -2, 0.75])
        // The update reverses direction and grows: w' − g = −scale·(w − g), checked in Double on random vectors.
        var rng = Xoshiro256(seed: 4)
        let rw = randomArray(1000, &rng), rg = randomArray(1000, &rng)
        let p = Adversary.poison(model: rw, global: rg, kind: .signFlip, seed: 0, scale: 3)
        for i in 0..<1000 {
            let want = Double(rg[i]) - 3 * (Double(rw[i]) - Double(rg[i]))
            #expect(abs(Double(p[i]) - want) <= 1e-5 * max(1, abs(want)))
        }
    }

    @Test func honestKindsLeaveTheModel() {
        let w: [Float] = [1, 2, 3]
        #expect(Adversary.poison(model: w, global: [0, 0, 0], kind: .none, seed: 1) == w)
        #expect(Adversary.poison(model: w, global: [0, 0, 0], kind: .labelFlip, seed: 1) == w)
    }

    @Test func noiseIsSeededAndScaledLikeTheModel() {
        var rng = Xoshiro256(seed: 8)
        let w = randomArray(20_000, &rng, scale: 0.05).map { $0 + 0.3 }
        let a = Adversary.poison(model: w, global: w, kind: .noise, seed: 42)
        let b = Adversary.poison(model: w, global: w, kind: .noise, seed: 42)
        let c = Adversary.poison(model: w, global: w, kind: .noise, seed: 43)
        #expect(a == b)
        #expect(a != c)
        #expect(a.count == w.count)
        let sigma = Adversary.noiseStd(for: w)
        #expect(abs(sigma - 0.05) < 0.002)
        let mean = a.reduce(0.0) { $0 + Double($1) } / Double(a.count)
        let std = (a.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(a.count)).squareRoot()
        #expect(abs(mean) < 0.002)  // centred on 0, not on the model's mean 0.3
        #expect(abs(std - sigma) / sigma < 0.03)
        #expect(Adversary.noiseStd(for: [2, 2, 2]) == 1)
        #expect(Adversary.noiseStd(for: []) == 1)
    }

    @Test func labelFlip() throws {
        let d = try Dataset(images: [1, 2, 3, 4, 5, 6], labels: [0, 3, 9], shape: Shape(1, 1, 2), classes: 10)
        let f = Adversary.flipLabels(d)
        #expect(f.labels == [9, 6, 0])
        #expect(f.images == d.images && f.classes == 10 && f.count == 3)
        #expect(Adversary.flipLabels(f).labels == d.labels)
    }

    @Test func namesAndCoding() throws {
        #expect(Adversary.allCases.map(\.rawValue) == ["none", "noise", "sign-flip", "label-flip"])
        #expect(Adversary(rawValue: "sign-flip") == .signFlip)
        let data = try JSONEncoder().encode([Adversary.labelFlip])
        #expect(String(decoding: data, as: UTF8.self) == #"["label-flip"]"#)
        #expect(try JSONDecoder().decode([Adversary].self, from: data) == [.labelFlip])
        #expect(throws: StrategyError.self) {
            try Adversary.poisonChecked(model: [1, 2], global: [1], kind: .signFlip, seed: 0)
        }
        #expect(try Adversary.poisonChecked(model: [1], global: [0], kind: .signFlip, seed: 0) == [-4])
    }
}
