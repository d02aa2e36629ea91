import Foundation
import Testing
import TestSupport

/// Starts the real `gfl node` and runs tools/interop/web3_interop.py with the venv's web3.py 8 against it.
@Suite(.serialized) struct InteropTests {
    @Test(.timeLimit(.minutes(3))) func web3pyDeploysCallsTransactsAndSeesReverts() throws {
        let python = Fixtures.repoRoot.appendingPathComponent("tools/.venv/bin/python")
        guard FileManager.default.isExecutableFile(atPath: python.path) else {
            Issue.record("tools/.venv/bin/python is missing: run tools/setup")
            return
        }
        let dir = NSTemporaryDirectory() + "gfl-interop-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let node = try NodeProcess(datadir: dir)
        defer { node.stop() }
        let p = Process()
        p.executableURL = python
        p.arguments = [Fixtures.repoRoot.appendingPathComponent("tools/interop/web3_interop.py").path, node.url.absoluteString,
                       Fixtures.repoRoot.deletingLastPathComponent().appendingPathComponent("shared/evm-benchmarks/erc20/Token.vy").path,
                       Fixtures.repoRoot.appendingPathComponent("tools/interop/Guard.vy").path]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "web3_interop.py failed:\n\(text)\nnode log:\n\(node.log)")
        #expect(text.contains("web3.py interop: ok"))
    }

    /// eth_subscribe (newHeads, logs) over a WebSocket on the node's HTTP port, with web3.py's WebSocketProvider.
    @Test(.timeLimit(.minutes(3))) func web3pySubscribesOverWebSocket() throws {
        let python = Fixtures.repoRoot.appendingPathComponent("tools/.venv/bin/python")
        guard FileManager.default.isExecutableFile(atPath: python.path) else {
            Issue.record("tools/.venv/bin/python is missing: run tools/setup")
            return
        }
        let dir = NSTemporaryDirectory() + "gfl-interop-ws-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let node = try NodeProcess(datadir: dir)
        defer { node.stop() }
        var ws = URLComponents(url: node.url, resolvingAgainstBaseURL: false)!
        ws.scheme = "ws"
        let p = Process()
        p.executableURL = python
        p.arguments = [Fixtures.repoRoot.appendingPathComponent("tools/interop/web3_subscribe.py").path, ws.string!,
                       Fixtures.repoRoot.deletingLastPathComponent().appendingPathComponent("shared/evm-benchmarks/erc20/Token.vy").path]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "web3_subscribe.py failed:\n\(text)\nnode log:\n\(node.log)")
        #expect(text.contains("web3.py subscriptions: ok"))
    }
}
