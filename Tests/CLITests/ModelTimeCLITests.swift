import Foundation
import Testing
import TestSupport

/// `gfl model-time` through the real binary: presets give d, --json gives the model's numbers, mistakes exit non-zero.
@Suite struct ModelTimeCLITests {
    @Test func predictsFromAPresetAndRefusesBadInput() throws {
        // LeNet-5 has 61,706 parameters: k = 617, ⌈log2 61706⌉ = 16 bits, 6 bytes per value, S = 3702 bytes.
        let (code, out, err) = try runGFL(["model-time", "--model", "lenet", "--fraction", "0.01", "--nodes", "10",
                                           "--bandwidth", "1", "--block-time", "2", "--compute-seconds", "1.5", "--json"])
        #expect(code == 0, "\(err)")
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])
        #expect(obj["parameters"] as? Int == 61706 && obj["k"] as? Double == 617 && obj["updateBytes"] as? Double == 3702)
        let seconds = try #require(obj["seconds"] as? [String: Double])
        // One miner: no forks, one block interval; upload S/B, download N·S/B with B = 10^6 bytes/s.
        let expected = 1.5 + 0.003702 + 0 + 2 + 0 + 0.03702
        #expect(abs((seconds["total"] ?? 0) - expected) < 1e-9, "\(seconds)")

        let (tcode, table, _) = try runGFL(["model-time", "--parameters", "1000", "--fraction", "0.1"])
        #expect(tcode == 0 && table.contains("h(k, λ) total") && table.contains("T_cr   cross-verification"))

        let (none, _, noneErr) = try runGFL(["model-time", "--fraction", "0.1"])
        #expect(none != 0 && noneErr.contains("give --parameters d or --model NAME"))
        let (bad, _, badErr) = try runGFL(["model-time", "--model", "resnet"])
        #expect(bad != 0 && badErr.contains("unknown model"))
        let (neg, _, negErr) = try runGFL(["model-time", "--parameters", "100", "--block-time", "0"])
        #expect(neg != 0 && negErr.contains("block time"), "\(negErr)")
    }
}
