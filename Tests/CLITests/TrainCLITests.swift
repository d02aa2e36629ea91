import Foundation
import Testing
import TestSupport

/// `gfl train --partition … --node` through the real binary: one node's share or several pooled, and bad lists refused.
@Suite struct TrainCLITests {
    /// Totals per node from the histogram table `--partition` prints ("node 3  …  total 1844").
    private func totals(_ out: String) -> [Int: Int] {
        var result: [Int: Int] = [:]
        for line in out.split(separator: "\n") where line.hasPrefix("node ") {
            let words = line.split(separator: " ")
            if let node = Int(words[1]), let total = Int(words.last ?? "") { result[node] = total }
        }
        return result
    }

    @Test func poolsTheListedNodesSharesAndRefusesBadLists() throws {
        let base = ["train", "--subset", "6000", "--partition", "dirichlet:0.5", "--nodes", "6", "--seed", "3",
                    "--epochs", "0", "--quiet", "--json"]
        let (code, out, err) = try runGFL(base + ["--node", "1,4"])
        #expect(code == 0, "\(err)")
        let table = totals(out)
        #expect(table.count == 6 && table.values.reduce(0, +) == 6000, "\(out)")
        let last = try #require(out.split(separator: "\n").last)
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any])
        #expect(obj["train_samples"] as? Int == (table[1] ?? -1) + (table[4] ?? -1), "\(last)")

        let (one, oneOut, _) = try runGFL(base + ["--node", "2"])
        let oneObj = try JSONSerialization.jsonObject(with: Data((oneOut.split(separator: "\n").last ?? "").utf8)) as? [String: Any]
        #expect(one == 0 && oneObj?["train_samples"] as? Int == table[2])

        for (list, message) in [("1,1", "listed twice"), ("6", "not in 0..<6"), ("1,x", "not a node index")] {
            let (bad, _, badErr) = try runGFL(base + ["--node", list])
            #expect(bad != 0 && badErr.contains(message), "\(list): \(badErr)")
        }
        let (alone, _, aloneErr) = try runGFL(["train", "--node", "1"])
        #expect(alone != 0 && aloneErr.contains("needs --partition"), "\(aloneErr)")
    }
}
