import ExplorerWeb
import Foundation
import GFLContracts
import Primitives
import RPCClient
import Testing
import TestSupport

/// The accuracy receipts section of the job page and of `gfl explorer job`: present with `--receipts`, absent without.
@Suite(.serialized) struct ExplorerReceiptsTests {
    @Test(.timeLimit(.minutes(10))) func jobPagesShowReceiptsWhenAReceiptsContractIsKnown() async throws {
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("gfl-explorer-receipts-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: tmp) }
        let node = try NodeProcess(datadir: tmp.appendingPathComponent("chain").path)
        defer { node.stop() }
        // The explorer scenario leaves job 1 running in round 2, node 3 down.
        let s = try await ExplorerServeTests.play(on: node.url)
        let chain = RPCChain(url: node.url)
        let deployer = try HDWallet.accounts(mnemonic: HDWallet.testMnemonic, count: 1)[0]
        let receipts = try await ReceiptsDeployment.deploy(on: chain, from: deployer, controller: s.controller)
        let keys = try (0..<4).map(ExplorerServeTests.key)
        func h(_ i: Int) -> [UInt8] { Keccak256.hash("explorer receipt \(i)").bytes }
        // Node 1's model: 9000 (from node 0) and 8500 (from node 2), mean 87.50%; node 0's: 7000; node 2's: 8000.
        try await receipts.post(jobId: s.jobId, round: 2, senders: [s.nodes[1], s.nodes[2]], refHashes: [h(1), h(2)],
                                accuracies: [9000, 8000], from: keys[0])
        try await receipts.post(jobId: s.jobId, round: 2, senders: [s.nodes[0]], refHashes: [h(0)], accuracies: [7000], from: keys[1])
        try await receipts.post(jobId: s.jobId, round: 2, senders: [s.nodes[1]], refHashes: [h(3)], accuracies: [8500], from: keys[2])

        let rpc = "http://127.0.0.1:\(node.port)"
        let env = ["GFL_HOME": tmp.appendingPathComponent("home").path]
        do {
            let explorer = try ExplorerProcess(arguments: ["--rpc", rpc, "--controller", s.controller.checksummed,
                                                           "--receipts", receipts.address.checksummed], env: env)
            defer { explorer.stop() }
            let job = try await explorer.get("/job/\(s.jobId)")
            #expect(job.status == 200)
            let page = job.body
            let section = try #require(page.range(of: "<h2 id=\"receipts\">Accuracy receipts</h2>"), "no receipts section")
            let rest = String(page[section.upperBound...])
            let table = String(rest[..<(rest.range(of: "<h2>")?.lowerBound ?? rest.endIndex)])
            #expect(table.contains(receipts.address.checksummed))
            // One row per member: receipts, mean, last round.
            func row(_ a: Address) -> String? {
                guard let start = table.range(of: ">\(a.checksummed)</a>") else { return nil }
                let after = table[start.upperBound...]
                return String(after[..<(after.range(of: "</tr>")?.lowerBound ?? after.endIndex)])
            }
            #expect(row(s.nodes[1])?.contains("<td>2</td><td>87.50%</td><td>2</td>") == true, "\(row(s.nodes[1]) ?? "no row")")
            #expect(row(s.nodes[0])?.contains("<td>1</td><td>70.00%</td><td>2</td>") == true, "\(row(s.nodes[0]) ?? "no row")")
            #expect(row(s.down)?.contains("<td>0</td><td>—</td><td>—</td>") == true, "\(row(s.down) ?? "no row")")
        }
        do {
            let explorer = try ExplorerProcess(arguments: ["--rpc", rpc, "--controller", s.controller.checksummed], env: env)
            defer { explorer.stop() }
            let job = try await explorer.get("/job/\(s.jobId)")
            #expect(job.status == 200)
            #expect(!job.body.contains("Accuracy receipts"), "without --receipts the section is omitted")
            #expect(job.body.contains("<svg id=\"ring\""))
        }
        // A Receipts address without a contract is said on the page, not a failed page.
        do {
            let explorer = try ExplorerProcess(arguments: ["--rpc", rpc, "--controller", s.controller.checksummed,
                                                           "--receipts", s.nodes[0].checksummed], env: env)
            defer { explorer.stop() }
            let job = try await explorer.get("/job/\(s.jobId)")
            #expect(job.status == 200)
            #expect(job.body.contains("no contract at the Receipts address"))
        }

        // The terminal.
        let base = ["explorer", "job", s.jobId.description, "--controller", s.controller.checksummed, "--rpc", rpc]
        let (code, out, err) = try runGFL(base + ["--receipts", receipts.address.checksummed], env: env)
        #expect(code == 0, "\(err)")
        for line in out.split(separator: "\n") { #expect(line.count <= 100, "line wider than 100 columns: \(line)") }
        let line1 = out.split(separator: "\n").first { $0.hasPrefix(s.nodes[1].checksummed) && $0.contains("%") }
        #expect(line1.map { $0.contains(" 2 ") && $0.contains("87.50%") && $0.hasSuffix("2") } == true, "\(out)")
        let (plainCode, plain, _) = try runGFL(base, env: env)
        #expect(plainCode == 0 && !plain.contains("accuracy receipts"))

        let (jcode, json, jerr) = try runGFL(base + ["--receipts", receipts.address.checksummed, "--json"], env: env)
        #expect(jcode == 0, "\(jerr)")
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let section = try #require(obj["receipts"] as? [String: Any])
        let entries = try #require(section["nodes"] as? [[String: Any]])
        let e1 = try #require(entries.first { $0["node"] as? String == s.nodes[1].checksummed })
        #expect(e1["count"] as? String == "2" && e1["meanAccuracy"] as? Double == 0.875 && e1["lastRound"] as? String == "2")
        let (_, plainJSON, _) = try runGFL(base + ["--json"], env: env)
        #expect((try JSONSerialization.jsonObject(with: Data(plainJSON.utf8)) as? [String: Any])?["receipts"] == nil)

        let (bad, _, badErr) = try runGFL(base + ["--receipts", "0x1234"], env: env)
        #expect(bad != 0 && badErr.contains("--receipts is not an address"))
    }
}
