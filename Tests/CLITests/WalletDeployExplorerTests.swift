import Foundation
import Testing
import TestSupport

/// The README's walk-through, driven through the real `gfl` binary against a real `gfl node`: create a wallet, fund
/// it from a dev account, deploy the ERC-20 from Vyper source, transfer tokens, and find the transfer with
/// `gfl explorer`; then the mistakes a user makes, each of which must give one clear line and a non-zero exit.
@Suite(.serialized) struct WalletDeployExplorerTests {
    let dev0 = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"

    func json(_ text: String) throws -> [String: Any] {
        guard let obj = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw HarnessError("not a JSON object: \(text)")
        }
        return obj
    }

    @Test(.timeLimit(.minutes(5))) func walkThroughAndMistakes() throws {
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("gfl-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: tmp) }
        let node = try NodeProcess(datadir: tmp.appendingPathComponent("chain").path)
        defer { node.stop() }
        let rpc = "http://127.0.0.1:\(node.port)"
        let pw = tmp.appendingPathComponent("pw").path
        try "correct horse\n".write(toFile: pw, atomically: true, encoding: .utf8)
        let env = ["GFL_KEYSTORE": tmp.appendingPathComponent("keystore").path, "GFL_HOME": tmp.appendingPathComponent("home").path,
                   "GFL_RPC": rpc, "GFL_VYPER": Fixtures.repoRoot.appendingPathComponent("tools/.venv/bin/vyper").path]
        func gfl(_ args: String...) throws -> (Int32, String, String) { try runGFL(args, env: env) }
        func ok(_ args: String...) throws -> String {
            let (code, out, err) = try runGFL(args, env: env)
            #expect(code == 0, "gfl \(args.joined(separator: " ")) failed: \(err)")
            return out
        }

        // Wallet: a new key, funded from dev account 0.
        let created = try json(ok("wallet", "new", "--password-file", pw, "--json"))
        let me = try #require(created["address"] as? String)
        let keyFile = try #require(created["path"] as? String)
        let funding = try json(ok("wallet", "send", "--to", me, "--value", "10ether", "--dev-account", "0", "--json"))
        #expect(funding["status"] as? String == "0x1")
        #expect(try json(ok("wallet", "balance", me, "--json"))["wei"] as? String == "10000000000000000000")

        // The key file opens with eth-account (interoperability of what the CLI wrote).
        let python = Fixtures.repoRoot.appendingPathComponent("tools/.venv/bin/python").path
        #expect(FileManager.default.isExecutableFile(atPath: python), "run tools/setup: \(python) is missing")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = ["-c", "import json,sys; from eth_account import Account; k=Account.decrypt(json.load(open(sys.argv[1])), 'correct horse'); print(Account.from_key(k).address)", keyFile]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let pyOut = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(pyOut.trimmingCharacters(in: .whitespacesAndNewlines) == me)

        // Deploy the benchmark ERC-20 from source, transfer, read back.
        let token = Fixtures.repoRoot.deletingLastPathComponent().appendingPathComponent("shared/evm-benchmarks/erc20/Token.vy").path
        let deployed = try json(ok("deploy", token, "1000000", "--password-file", pw, "--json"))
        #expect(deployed["status"] as? String == "0x1")
        let address = try #require(deployed["contractAddress"] as? String)
        let transfer = try json(ok("send", address, "transfer(address,uint256)", dev0, "250", "--password-file", pw, "--json"))
        let txHash = try #require(transfer["transactionHash"] as? String)
        #expect(try ok("call", address, "balanceOf(address)(uint256)", dev0).trimmingCharacters(in: .whitespacesAndNewlines) == "250")
        #expect(try ok("call", address, "balanceOf", me).trimmingCharacters(in: .whitespacesAndNewlines) == "999750")

        // The explorer sees the transfer, decoded through the ABI that gfl deploy registered.
        let tx = try json(ok("explorer", "tx", txHash, "--json"))
        let decodedCall = try #require(tx["decoded"] as? [String: Any])
        #expect(decodedCall["function"] as? String == "transfer(address,uint256)")
        #expect((decodedCall["arguments"] as? [String])?.last?.hasSuffix("250") == true)
        let receipt = try json(ok("explorer", "receipt", txHash, "--json"))
        let events = try #require(receipt["decoded"] as? [[String: Any]])
        #expect(events.first?["event"] as? String == "Transfer(address,address,uint256)")
        let logsText = try ok("explorer", "logs", "--address", address, "--event",
                              "Transfer(address indexed sender, address indexed receiver, uint256 value)", "--json")
        let logs = try #require(try JSONSerialization.jsonObject(with: Data(logsText.utf8)) as? [[String: Any]])
        #expect(logs.count == 2)  // the mint in the constructor and the transfer
        #expect(try ok("explorer", "account", address).contains("Token (deployed with gfl deploy)"))

        // Mistakes: one line on stderr, non-zero exit, nothing sent.
        func fails(_ args: [String], saying needle: String) throws {
            let (code, _, err) = try runGFL(args, env: env)
            #expect(code != 0, "gfl \(args.joined(separator: " ")) should fail")
            let lines = err.split(separator: "\n").filter { !$0.isEmpty }
            #expect(lines.count == 1 && err.contains(needle), "gfl \(args.joined(separator: " ")): \(err)")
        }
        let wrongPw = tmp.appendingPathComponent("wrong").path
        try "nope\n".write(toFile: wrongPw, atomically: true, encoding: .utf8)
        try fails(["wallet", "send", "--to", dev0, "--value", "1ether", "--password-file", wrongPw], saying: "could not decrypt key")
        try fails(["wallet", "send", "--to", dev0.lowercased().replacingOccurrences(of: "f39f", with: "F39f"), "--value", "1",
                   "--password-file", pw], saying: "checksum")
        try fails(["wallet", "send", "--to", dev0, "--value", "1000000ether", "--password-file", pw], saying: "insufficient funds")
        try fails(["send", address, "transfer(address,uint256)", dev0, "--password-file", pw], saying: "takes 2 argument(s), got 1")
        try fails(["send", address, "transfer(address,uint256)", "0x1234", "5", "--password-file", pw], saying: "arg 0")
        try fails(["call", address, "noSuchFunction"], saying: "noSuchFunction")
        try fails(["send", address, "transfer(address,uint256)", dev0, "99999999999", "--password-file", pw],
                  saying: "execution reverted")
        try fails(["wallet", "balance", dev0, "--rpc", "http://127.0.0.1:1"], saying: "cannot reach node")
        #expect(try ok("call", address, "balanceOf(address)(uint256)", dev0).trimmingCharacters(in: .whitespacesAndNewlines) == "250")
    }

    /// `gfl node` serves the content store's kubo-shaped API on its JSON-RPC port.
    @Test(.timeLimit(.minutes(2))) func nodeServesTheStoreAPI() throws {
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("gfl-cli-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: tmp) }
        let node = try NodeProcess(datadir: tmp.appendingPathComponent("chain").path)
        defer { node.stop() }
        let api = "http://127.0.0.1:\(node.port)"
        let file = tmp.appendingPathComponent("model.bin")
        try Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }).write(to: file)
        let (c1, localCID, e1) = try runGFL(["store", "add", "--only-hash", "-q", file.path, "--repo", tmp.appendingPathComponent("local").path])
        #expect(c1 == 0, "\(e1)")
        let (c2, cid, e2) = try runGFL(["store", "add", "--api", api, "-q", file.path])
        #expect(c2 == 0, "\(e2)")
        #expect(cid == localCID && cid.hasPrefix("Qm"))
        let back = tmp.appendingPathComponent("back.bin")
        let (c3, _, e3) = try runGFL(["store", "get", "--api", api, cid.trimmingCharacters(in: .whitespacesAndNewlines), "-o", back.path])
        #expect(c3 == 0, "\(e3)")
        #expect(try Data(contentsOf: back) == Data(contentsOf: file))
        // JSON-RPC still answers on the same port.
        let (c4, out, e4) = try runGFL(["wallet", "balance", "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", "--rpc", api])
        #expect(c4 == 0 && out.hasPrefix("10000 ether"), "\(out) \(e4)")
    }
}
