import Foundation
import GFLContracts
import Primitives
import RPCClient
import TestSupport

/// Why a test node could not be started.
struct NodeStartError: Error, CustomStringConvertible {
    let description: String
}

/// A `gfl node` process on a free loopback port with a fresh data directory, stopped when released. The binary is
/// the one `swift build` put next to the test bundle (`.build/<config>/gfl`), or `$GFL_BIN`. (The same approach as
/// RPCTests' NodeProcess; this one waits without blocking a thread, since the contract tests are async and run
/// several nodes at once. Both could move to TestSupport.)
final class NodeProcess: @unchecked Sendable {
    // Set once in init and only read afterwards; deinit terminates the process.
    let url: URL
    private let process: Process
    private let datadir: URL

    static func binary() throws -> String {
        if let env = ProcessInfo.processInfo.environment["GFL_BIN"] { return env }
        // SwiftPM builds the executable into the folder of the test product (.build/<triple>/<config>/), as
        // RPCTests' NodeProcess also assumes.
        let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        var candidates = [besideTests.appendingPathComponent("gfl").path,
                          Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("gfl").path]
        for config in ["debug", "release"] {
            candidates.append(Fixtures.repoRoot.appendingPathComponent(".build/\(config)/gfl").path)
        }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw NodeStartError(description: "no gfl binary (build it with `swift build`, or set GFL_BIN); looked at \(candidates)")
        }
        return found
    }

    private init(process: Process, datadir: URL, url: URL) {
        self.process = process; self.datadir = datadir; self.url = url
    }

    /// Starts a node and waits (without blocking a thread) until it listens.
    static func start(extra: [String] = []) async throws -> NodeProcess {
        let datadir = FileManager.default.temporaryDirectory.appendingPathComponent("gfl-contracts-node-\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(at: datadir, withIntermediateDirectories: true)
        let logURL = datadir.appendingPathComponent("node.log")
        FileManager.default.createFile(atPath: logURL.path, contents: nil)
        let log = try FileHandle(forWritingTo: logURL)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try Self.binary())
        process.arguments = ["node", "--datadir", datadir.appendingPathComponent("chain").path,
                             "--genesis", Fixtures.repoRoot.appendingPathComponent("genesis/dev.json").path,
                             "--http.addr", "127.0.0.1", "--http.port", "0", "--no-sync", "--log-level", "info"] + extra
        process.standardOutput = log
        process.standardError = log
        try process.run()
        // The node picks a free port and logs "listening on http://127.0.0.1:<port>". The whole suite starts many
        // nodes at once on two cores, so the wait is generous.
        let deadline = Date().addingTimeInterval(180)
        while Date() < deadline && process.isRunning {
            let text = (try? String(contentsOf: logURL, encoding: .utf8)) ?? ""
            if let r = text.range(of: #"listening on http://127\.0\.0\.1:[0-9]+"#, options: .regularExpression),
               let url = URL(string: String(text[r].dropFirst("listening on ".count))) {
                return NodeProcess(process: process, datadir: datadir, url: url)
            }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        let text = (try? String(contentsOf: logURL, encoding: .utf8)) ?? ""
        if process.isRunning { process.terminate() }
        try? FileManager.default.removeItem(at: datadir)
        throw NodeStartError(description: "gfl node did not report its port within 180 s; its log:\n\(text.suffix(2000))")
    }

    deinit {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: datadir)
    }
}
