import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import TestSupport

/// Errors of the process and HTTP helpers; descriptions say what went wrong.
struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// A `gfl node` child process on a free loopback port (port 0; the port is read from its "listening on" line).
///
/// The binary is `$GFL_BIN` when set, else `gfl` next to the test bundle (SwiftPM builds the executable into the
/// same folder as the test product: `.build/<triple>/debug/`), else `<repo>/.build/debug/gfl`.
final class NodeProcess: @unchecked Sendable {
    let process = Process()
    let datadir: String
    private let lock = NSLock()
    private var output = ""
    private(set) var port = 0

    static var binary: URL {
        if let env = ProcessInfo.processInfo.environment["GFL_BIN"] { return URL(fileURLWithPath: env) }
        let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("gfl")
        if FileManager.default.isExecutableFile(atPath: besideTests.path) { return besideTests }
        return Fixtures.repoRoot.appendingPathComponent(".build/debug/gfl")
    }

    init(datadir: String, extra: [String] = []) throws {
        self.datadir = datadir
        let bin = Self.binary
        guard FileManager.default.isExecutableFile(atPath: bin.path) else {
            throw HarnessError("gfl binary not found at \(bin.path): run swift build first or set GFL_BIN")
        }
        process.executableURL = bin
        process.arguments = ["node", "--datadir", datadir,
                             "--genesis", Fixtures.repoRoot.appendingPathComponent("genesis/dev.json").path,
                             "--http.addr", "127.0.0.1", "--http.port", "0"] + extra
        let pipe = Pipe()
        process.standardError = pipe
        process.standardOutput = pipe
        pipe.fileHandleForReading.readabilityHandler = { [weak self] h in
            let d = h.availableData
            guard let self, !d.isEmpty else { return }
            self.lock.lock(); self.output += String(decoding: d, as: UTF8.self); self.lock.unlock()
        }
        try process.run()
        // Wait (bounded) for the listening line.
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            lock.lock(); let text = output; lock.unlock()
            if let r = text.range(of: "listening on http://127.0.0.1:") {
                let digits = text[r.upperBound...].prefix { $0.isNumber }
                if let p = Int(digits), p > 0 { port = p; return }
            }
            if !process.isRunning { throw HarnessError("gfl node exited early: \(text)") }
            Thread.sleep(forTimeInterval: 0.05)
        }
        kill9()
        throw HarnessError("gfl node did not report listening within 30 s: \(output)")
    }

    var log: String { lock.lock(); defer { lock.unlock() }; return output }
    var url: URL { URL(string: "http://127.0.0.1:\(port)/")! }

    /// SIGKILL, as a crash would; waits for the process to be gone.
    func kill9() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }
}

/// A minimal synchronous JSON-RPC client over HTTP (tests only).
struct RPCClient {
    let url: URL

    /// Posts `body`; returns the parsed JSON response.
    func post(_ body: String, timeout: TimeInterval = 10) throws -> Any {
        var req = URLRequest(url: url)
        req.httpMethod = "POST"
        req.httpBody = Data(body.utf8)
        req.setValue("application/json", forHTTPHeaderField: "Content-Type")
        req.timeoutInterval = timeout
        final class Box: @unchecked Sendable { var data: Data?; var error: Error? }
        let box = Box()
        let sem = DispatchSemaphore(value: 0)
        URLSession.shared.dataTask(with: req) { d, _, e in box.data = d; box.error = e; sem.signal() }.resume()
        sem.wait()
        if let e = box.error { throw e }
        guard let d = box.data else { throw HarnessError("no response body") }
        return try JSONSerialization.jsonObject(with: d, options: [.fragmentsAllowed])
    }

    /// Calls one method; returns `result` or throws the error object's message.
    func call(_ method: String, _ params: String = "[]") throws -> Any {
        let r = try post(#"{"jsonrpc":"2.0","id":1,"method":"\#(method)","params":\#(params)}"#)
        guard let obj = r as? [String: Any] else { throw HarnessError("not an object: \(r)") }
        if let e = obj["error"] as? [String: Any] { throw HarnessError("\(method): \(e["message"] ?? e)") }
        return obj["result"] ?? NSNull()
    }
}
