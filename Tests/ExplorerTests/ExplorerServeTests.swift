import ExplorerWeb
import Foundation
import GFLContracts
import Primitives
import RPCClient
import Testing
import TestSupport

/// The web explorer end to end: a real `gfl node`, the GFL contracts deployed through JSON-RPC, a job with four
/// nodes (two trusted) that runs one round and loses a node, then `gfl explorer serve` as a real process whose pages
/// are fetched over HTTP and rendered by headless Chromium; and `gfl explorer job` / `contract` in the terminal.
@Suite(.serialized) struct ExplorerServeTests {
    /// What the scenario left on chain, to look for on the pages.
    struct Scenario {
        var controller: Address
        var blueprint: Address
        var jobId: UInt256
        var nodes: [Address]
        var trusted: Set<Address>
        var down: Address
        var createJobTx: Hash32
        var createJobBlock: UInt64
        var joinTx: Hash32
        var globalModel: String
        /// The newest block the scenario made (the down report).
        var lastBlock: UInt64
    }

    static func key(_ i: Int) throws -> PrivateKey { try PrivateKey(secret: Keccak256.hash("gfl-explorer-test/\(i)")) }

    /// Deploys the contracts and plays one round of a job with 4 nodes; node 3 is then reported down.
    static func play(on url: URL) async throws -> Scenario {
        let chain = RPCChain(url: url)
        let deployer = try HDWallet.accounts(mnemonic: HDWallet.testMnemonic, count: 1)[0]
        let gfl = try await GFLDeployment.deploy(on: chain, from: deployer)
        let c = gfl.controller
        let owner = try key(100)
        let keys = try (0..<4).map(key)
        // Fund the owner and the nodes from the deployer, one receipt wait for the batch.
        let sender = TransactionSender(client: chain.client, key: deployer)
        var nonce = try await chain.client.nonce(deployer.address)
        var last: Hash32?
        for k in [owner] + keys {
            last = try await sender.send(to: k.address, value: UInt256(10_000_000_000_000_000_000 as UInt64),
                                         options: SendOptions(gas: 21_000, nonce: nonce))
            nonce += 1
        }
        if let last { _ = try await chain.client.waitForReceipt(last) }

        let spec = GFLDeployment.JobSpec(jobCid: "QmExplorerTestJob", description: "explorer <test> job", rounds: 3,
                                         heartbeatTimeout: 3, aggregationTimeout: 2, trustedCount: 0)
        let created = try await c.createJob(jobCid: spec.jobCid, description: spec.description, rounds: spec.rounds,
                                            maxNodes: spec.maxNodes, heartbeatTimeout: spec.heartbeatTimeout,
                                            roundTimeout: spec.roundTimeout, aggregationTimeout: spec.aggregationTimeout,
                                            trustedCount: spec.trustedCount, from: owner)
        let jobId = try await c.jobCount()
        var joinTx: Hash32?
        for (i, k) in keys.enumerated() {
            let r = try await c.join(jobId: jobId, publicKey: k.publicKey.uncompressed, dataSize: UInt256(UInt64(100 + i)),
                                     apiUrl: "http://127.0.0.1:\(7000 + i)", from: k)
            if i == 0 { joinTx = r.transactionHash }
        }
        let trusted = [keys[0], keys[1]]
        for k in trusted { _ = try await c.setTrusted(jobId: jobId, node: k.address, trusted: true, from: owner) }
        _ = try await c.startJob(jobId: jobId, from: owner)
        let storage = try await gfl.storage(ofJob: jobId)

        // Round 1: untrusted nodes submit to their trusted node, the trusted ring forwards, distils, aggregates.
        for k in keys[2...] {
            let to = try await c.firstTrustedClockwise(jobId: jobId, position: ControllerContract.ringPosition(of: k.address))
            _ = try await storage.submit(round: 1, to: to, ref: Array("model-\(k.address.checksummed.prefix(8))-r1".utf8), from: k)
        }
        _ = try await storage.forward(round: 1, phase: 1, step: 1, to: trusted[1].address, origins: [keys[2].address],
                                      refs: [Array("forwarded-r1".utf8)], from: trusted[0])
        for k in trusted { _ = try await storage.postDistilled(round: 1, ref: Array("distilled-r1".utf8), from: k) }
        _ = try await c.selectAggregator(jobId: jobId, round: 1, from: keys[2])
        // The first aggregator lets its time pass; anyone may then have another one chosen.
        try await chain.mine(blocks: 3)
        let reselection = try await c.reselectAggregator(jobId: jobId, round: 1, from: keys[2])
        let events = try reselection.logs.compactMap { try ControllerContract.Event(log: $0) }
        guard case .aggregatorSelected(let sel)? = events.first, sel.attempt == 1 else {
            throw HarnessError("no AggregatorSelected event with attempt 1 in the reselection")
        }
        let aggregator = try #require(keys.first { $0.address == sel.aggregator })
        let global = "QmGlobalModelRound1"
        _ = try await storage.postGlobal(round: 1, ref: Array(global.utf8), from: aggregator)

        // Node 3 goes silent: after the heartbeat timeout node 2 reports it.
        try await chain.mine(blocks: 5)
        let report = try await c.reportDown(jobId: jobId, node: keys[3].address, from: keys[2])
        return Scenario(controller: c.address, blueprint: gfl.storageBlueprint, jobId: jobId, nodes: keys.map(\.address), trusted: Set(trusted.map(\.address)),
                        down: keys[3].address, createJobTx: created.transactionHash, createJobBlock: created.blockNumber,
                        joinTx: try #require(joinTx), globalModel: global, lastBlock: report.blockNumber)
    }

    @Test(.timeLimit(.minutes(10))) func servesChainAndJobPages() async throws {
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("gfl-explorer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: tmp) }
        let node = try NodeProcess(datadir: tmp.appendingPathComponent("chain").path)
        defer { node.stop() }
        let s = try await Self.play(on: node.url)

        // A run report with the round's accuracy, as trainers write it off chain.
        let reports = tmp.appendingPathComponent("reports/run-1")
        try FileManager.default.createDirectory(at: reports, withIntermediateDirectories: true)
        try #"{"job_id": \#(s.jobId), "rounds": [{"round": 1, "global_accuracy": 0.8123, "loss": 0.5}]}"#
            .write(to: reports.appendingPathComponent("metrics.json"), atomically: true, encoding: .utf8)

        let rpc = "http://127.0.0.1:\(node.port)"
        let env = ["GFL_HOME": tmp.appendingPathComponent("home").path]
        let explorer = try ExplorerProcess(arguments: ["--rpc", rpc, "--controller", s.controller.checksummed,
                                                       "--reports", tmp.appendingPathComponent("reports").path], env: env)
        defer { explorer.stop() }

        try await checkChainPages(explorer, s)
        try await checkJobPages(explorer, s)
        try checkTerminal(rpc: rpc, env: env, s)
        try checkInBrowser(explorer, s, dir: tmp)
    }

    func checkChainPages(_ e: ExplorerProcess, _ s: Scenario) async throws {
        let started = Date()
        let home = try await e.get("/")
        print("explorer: front page (20 blocks) in \(Int(Date().timeIntervalSince(started) * 1000)) ms")
        #expect(home.status == 200)
        #expect(home.body.contains("Latest blocks"))
        #expect(home.body.contains("head block <a href=\"/block/\(s.lastBlock)\">"))
        #expect(home.body.contains("<td><a href=\"/block/\(s.lastBlock - 1)\">\(s.lastBlock - 1)</a></td>"))
        #expect(home.body.contains("name=\"q\""), "search box")

        let block = try await e.get("/block/\(s.createJobBlock)")
        #expect(block.status == 200)
        #expect(block.body.contains("Block \(s.createJobBlock)"))
        #expect(block.body.contains("href=\"/tx/\(s.createJobTx.hex)\""))
        #expect(block.body.contains("<code>createJob</code>"), "the call is named through the Controller's ABI")

        let tx = try await e.get("/tx/\(s.createJobTx.hex)")
        #expect(tx.status == 200)
        #expect(tx.body.contains("createJob(string,string,uint256,uint256,uint256,uint256,uint256,uint256)"))
        #expect(tx.body.contains("QmExplorerTestJob"))
        #expect(tx.body.contains("explorer &lt;test&gt; job") && !tx.body.contains("explorer <test> job"))
        #expect(tx.body.contains("class=\"ok\">success"))
        #expect(tx.body.contains("JobCreated("), "the log is decoded into its event")

        let controller = try await e.get("/address/\(s.controller.checksummed)")
        #expect(controller.status == 200)
        #expect(controller.body.contains("Controller"))
        #expect(controller.body.contains("<code>jobCount</code></td><td><code>\(s.jobId)</code>"))
        #expect(controller.body.contains("<b>created this</b>"), "the deployment is among the Controller's transactions")
        let member = try await e.get("/address/\(s.nodes[0].checksummed)")
        #expect(member.status == 200)
        #expect(member.body.contains("href=\"/tx/\(s.joinTx.hex)\""), "the node's join transaction is among its recent ones")
        #expect(member.body.contains("10 ether") || member.body.contains("9.9"), "balance in ether")

        // Search redirects to the page of what it finds, else says so with 404.
        #expect(try await e.get("/search?q=\(s.createJobTx.hex)").url?.path == "/tx/\(s.createJobTx.hex)")
        #expect(try await e.get("/search?q=\(s.createJobBlock)").url?.path == "/block/\(s.createJobBlock)")
        #expect(try await e.get("/search?q=\(s.nodes[1].checksummed.lowercased())").url?.path == "/address/\(s.nodes[1].checksummed)")
        #expect(try await e.get("/search?q=job+\(s.jobId)").url?.path == "/job/\(s.jobId)")
        let nothing = try await e.get("/search?q=banana")
        #expect(nothing.status == 404)
        #expect(nothing.body.contains("nothing matches"))
        #expect(try await e.get("/search?q=0x" + String(repeating: "0", count: 64)).status == 404)
        #expect(try await e.get("/tx/0x" + String(repeating: "ab", count: 32)).status == 404)
        #expect(try await e.get("/tx/0xabc").status == 400)
        #expect(try await e.get("/block/99999999").status == 404)
        #expect(try await e.get("/no-such-page").status == 404)
    }

    func checkJobPages(_ e: ExplorerProcess, _ s: Scenario) async throws {
        let jobs = try await e.get("/jobs")
        #expect(jobs.status == 200)
        #expect(jobs.body.contains("href=\"/job/\(s.jobId)\""))

        let started = Date()
        let job = try await e.get("/job/\(s.jobId)")
        print("explorer: job page \(job.body.utf8.count) bytes in \(Int(Date().timeIntervalSince(started) * 1000)) ms")
        #expect(job.status == 200)
        let page = job.body
        #expect(page.contains("<svg id=\"ring\""))
        #expect(page.contains("QmExplorerTestJob"))
        #expect(page.contains("running"))
        for a in s.nodes {
            let role = a == s.down ? "down" : s.trusted.contains(a) ? "trusted" : "untrusted"
            #expect(page.contains("<g class=\"node \(role)\" data-address=\"\(a.checksummed)\">"), "\(a) drawn as \(role)")
            #expect(page.contains(">\(a.checksummed)</a>"), "\(a) in the ring table")
        }
        #expect(page.contains(s.globalModel))
        #expect(page.contains("0.8123"), "accuracy from the run report")
        #expect(page.contains("Round 1") && page.contains("Round 2"))
        #expect(page.contains("NodeDown"))
        #expect(page.contains("(2 selections)"), "the reselection is counted")
        #expect(page.contains("forwarded-r1") && page.contains("distilled-r1"))
        #expect(try await e.get("/job/\(s.jobId &+ 41)").status == 404)
    }

    func checkTerminal(rpc: String, env: [String: String], _ s: Scenario) throws {
        let (code, out, err) = try runGFL(["explorer", "job", s.jobId.description, "--controller", s.controller.checksummed,
                                           "--rpc", rpc], env: env)
        #expect(code == 0, "gfl explorer job failed: \(err)")
        for line in out.split(separator: "\n") { #expect(line.count <= 100, "line wider than 100 columns: \(line)") }
        for a in s.nodes { #expect(out.contains(a.checksummed)) }
        #expect(out.contains(s.globalModel))
        #expect(out.contains("accuracy lives off chain"))

        let (jcode, json, jerr) = try runGFL(["explorer", "job", s.jobId.description, "--controller", s.controller.checksummed,
                                              "--rpc", rpc, "--json"], env: env)
        #expect(jcode == 0, "\(jerr)")
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let ring = try #require(obj["ring"] as? [[String: Any]])
        #expect(ring.count == 4)
        #expect(Set(ring.compactMap { $0["role"] as? String }) == ["trusted", "untrusted", "down"])
        #expect(ring.filter { $0["role"] as? String == "trusted" }.compactMap { $0["node"] as? String }.sorted()
                == s.trusted.map(\.checksummed).sorted())

        let (ccode, contract, _) = try runGFL(["explorer", "contract", s.controller.checksummed, "--rpc", rpc], env: env)
        #expect(ccode == 0)
        #expect(contract.contains("gfl explorer job ID --controller \(s.controller.checksummed)"))

        let (mcode, _, missing) = try runGFL(["explorer", "job", "99", "--controller", s.controller.checksummed, "--rpc", rpc], env: env)
        #expect(mcode != 0)
        #expect(missing.contains("no job 99"))

        // Without --controller the ABI registry's entry named Controller is used: deploy a second, empty Controller
        // with gfl deploy (which registers it) and the job is looked for there.
        #expect(try runGFL(["explorer", "job", "1", "--rpc", rpc], env: env).2.contains("pass --controller"))
        let artifact = Fixtures.repoRoot.appendingPathComponent("Contracts/build/Controller.json").path
        let (dcode, deployed, derr) = try runGFL(["deploy", artifact, s.blueprint.checksummed, "--dev-account", "0", "--rpc", rpc, "--json"], env: env)
        #expect(dcode == 0, "gfl deploy Controller: \(derr)")
        let registered = try #require((try JSONSerialization.jsonObject(with: Data(deployed.utf8)) as? [String: Any])?["contractAddress"] as? String)
        let (rcode, _, rerr) = try runGFL(["explorer", "job", "1", "--rpc", rpc], env: env)
        #expect(rcode != 0)
        #expect(rerr.lowercased().contains("no job 1 on controller \(registered.lowercased()) (it has 0 jobs)"), "\(rerr)")
    }

    /// Headless Chromium loads the job page: a screenshot of plausible size, and the DOM it built holds the ring.
    func checkInBrowser(_ e: ExplorerProcess, _ s: Scenario, dir: URL) throws {
        guard let chromium = chromiumPath() else {
            Issue.record("chromium is not installed: run tools/setup (it installs Debian's chromium package)")
            return
        }
        let page = URL(string: "/job/\(s.jobId)", relativeTo: e.url)!.absoluteString
        let shot = dir.appendingPathComponent("job.png")
        let common = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                      "--user-data-dir=\(dir.appendingPathComponent("chromium-profile").path)"]
        let (code, _, err) = try runBounded(chromium, common + ["--screenshot=\(shot.path)", "--window-size=1200,900", page],
                                            timeout: 120)
        #expect(code == 0, "chromium failed: \(err.suffix(600))")
        let png = try Data(contentsOf: shot)
        // GFL_EXPLORER_SCREENSHOT=FILE keeps the screenshot (and FILE.html the DOM) for a person to look at.
        if let keep = ProcessInfo.processInfo.environment["GFL_EXPLORER_SCREENSHOT"] { try? png.write(to: URL(fileURLWithPath: keep)) }
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]), "not a PNG")
        #expect(png.count > 20_000, "a 1200×900 screenshot of the job page is only \(png.count) bytes")
        let (dcode, dom, derr) = try runBounded(chromium, common + ["--dump-dom", page], timeout: 120)
        #expect(dcode == 0, "chromium --dump-dom failed: \(derr.suffix(600))")
        if let keep = ProcessInfo.processInfo.environment["GFL_EXPLORER_SCREENSHOT"] { try? dom.write(toFile: keep + ".html", atomically: true, encoding: .utf8) }
        #expect(dom.contains("<svg id=\"ring\""))
        #expect(dom.contains("data-address=\"\(s.down.checksummed)\""))
    }
}
