import Foundation
import Testing
import TestSupport

/// RDFL as users run it across processes: a real `gfl node`, the contracts and a job created with `gfl job`, and
/// four `gfl trainer` processes, each with its own key, content store (served on its own port) and data shard.
/// Two rounds; then the chain's record of the job and the trainers' round records are checked.
@Suite(.serialized) struct RDFLProcessesTests {
    func json(_ text: String) throws -> [String: Any] {
        let line = text.split(separator: "\n").last.map(String.init) ?? text
        guard let obj = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw HarnessError("not a JSON object: \(text)")
        }
        return obj
    }

    @Test(.timeLimit(.minutes(12))) func nodeAndFourTrainerProcessesRunTwoRounds() throws {
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("gfl-rdfl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: tmp) }
        let node = try NodeProcess(datadir: tmp.appendingPathComponent("chain").path)
        defer { node.stop() }
        let env = ["GFL_RPC": "http://127.0.0.1:\(node.port)"]
        func ok(_ args: [String], _ extra: [String: String] = [:]) throws -> String {
            let (code, out, err) = try runGFL(args, env: env.merging(extra) { $1 }, timeout: 240)
            #expect(code == 0, "gfl \(args.joined(separator: " ")) failed: \(err)")
            if code != 0 { throw HarnessError("gfl \(args.joined(separator: " ")): \(err)") }
            return out
        }

        let deployed = try json(ok(["job", "deploy", "--dev-account", "0", "--json"]))
        let controller = try #require(deployed["controller"] as? String)
        let jobFile = tmp.appendingPathComponent("job.json").path
        let job: [String: Any] = ["model": "mlp", "nodes": 4, "trusted": 2, "rounds": 2, "trainSamples": 1200,
                                  "testSamples": 300, "nodeTestSamples": 200, "seed": 3, "heartbeatSeconds": 1, "heartbeatTimeoutBlocks": 400]
        try JSONSerialization.data(withJSONObject: job).write(to: URL(fileURLWithPath: jobFile))
        let cenv = ["GFL_CONTROLLER": controller]
        let created = try json(ok(["job", "create", jobFile, "--dev-account", "0", "--json"], cenv))
        let jobId = try #require(created["jobId"] as? Int)

        // Four trainer processes (dev accounts 1…4, shards 0…3).
        var trainers: [Process] = []
        let out = tmp.appendingPathComponent("records").path
        for i in 0..<4 {
            let p = Process()
            p.executableURL = NodeProcess.binary
            p.arguments = ["trainer", "--job", String(jobId), "--shard", String(i), "--dev-account", String(i + 1),
                           "--repo", tmp.appendingPathComponent("store\(i)").path, "--out", out, "--threads", "1"]
                + (i == 0 ? ["--evaluate-global"] : [])
            p.environment = ProcessInfo.processInfo.environment.merging(env.merging(cenv) { $1 }) { $1 }
            let log = tmp.appendingPathComponent("trainer\(i).log")
            FileManager.default.createFile(atPath: log.path, contents: nil)
            let h = try FileHandle(forWritingTo: log)
            p.standardOutput = h; p.standardError = h; p.standardInput = FileHandle.nullDevice
            try p.run()
            trainers.append(p)
        }
        defer { for p in trainers where p.isRunning { p.terminate() } }
        func log(_ i: Int) -> String {
            (try? String(contentsOf: tmp.appendingPathComponent("trainer\(i).log"), encoding: .utf8)) ?? ""
        }
        func trainerLogs() -> String {
            trainers.enumerated().map { i, p in
                "trainer \(i) (\(p.isRunning ? "running" : "exited \(p.terminationStatus)")):\n\(log(i))"
            }.joined(separator: "\n")
        }
        // Each trainer reads Fashion-MNIST before it joins; on a loaded 2-core CI machine that can take minutes.
        do {
            _ = try ok(["job", "start", String(jobId), "--dev-account", "0", "--wait-nodes", "4", "--timeout", "300"], cenv)
        } catch {
            throw HarnessError("\(error)\n\(trainerLogs())")
        }
        let deadline = Date().addingTimeInterval(360)
        while trainers.contains(where: \.isRunning) && Date() < deadline { Thread.sleep(forTimeInterval: 0.2) }
        for (i, p) in trainers.enumerated() {
            #expect(!p.isRunning && p.terminationStatus == 0, "trainer \(i) did not finish cleanly:\n\(log(i))")
        }

        // The chain's record: finished, every round with submissions, ring steps, distilled models and a global model.
        let status = try json(ok(["job", "status", String(jobId), "--json"], cenv))
        #expect(status["status"] as? String == "finished")
        let rounds = try #require(status["roundLog"] as? [[String: Any]])
        #expect(rounds.count == 2)
        for r in rounds {
            #expect(r["submissions"] as? Int == 2, "two untrusted nodes submit each round: \(r)")
            #expect((r["forwards"] as? Int ?? 0) >= 2 * 2, "both ring passes forward references: \(r)")
            #expect(r["distilled"] as? Int == 2)
            #expect(((r["global"] as? String)?.count ?? 0) == 2 + 2 * 63, "a 63-byte sealed reference: \(r)")
        }

        // The trainers' records: who fetched from whom, and the global model scored.
        var records: [[String: Any]] = []
        for i in 0..<4 {
            let text = try String(contentsOfFile: out + "/node-\(i).jsonl", encoding: .utf8)
            for line in text.split(separator: "\n") { records.append(try json(String(line))) }
        }
        #expect(records.count == 8)
        let trusted = records.filter { $0["role"] as? String == "trusted" }
        #expect(trusted.count == 4)
        for round in 1...2 {
            let ts = trusted.filter { $0["round"] as? Int == round }
            let transfers = ts.flatMap { $0["transfers"] as? [[String: Any]] ?? [] }
            // The trusted nodes fetched the untrusted nodes' models from those nodes' stores, and each other's groups
            // from the forwarding trusted node's store — not from the models' authors.
            #expect(transfers.filter { $0["phase"] as? String == "submission" && $0["from"] as? String == $0["origin"] as? String }.count == 2)
            #expect(transfers.contains { $0["phase"] as? String == "ring1" && $0["from"] as? String != $0["origin"] as? String },
                    "a forwarded model is fetched from the predecessor, not its author: \(transfers)")
            #expect(transfers.filter { $0["phase"] as? String == "ring2" }.count == 2)
            for t in ts { #expect(!(t["teachers"] as? [Any] ?? []).isEmpty) }
        }
        let scored = records.compactMap { $0["globalTestAccuracy"] as? Double }
        #expect(scored.count == 2 && scored.allSatisfy { $0 > 0.3 }, "the global model learns something: \(scored)")
    }
}
