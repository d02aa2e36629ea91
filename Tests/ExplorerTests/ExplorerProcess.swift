import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import TestSupport

/// `gfl explorer serve --port 0` as a child process; the URL is read from its "explorer listening on" line.
final class ExplorerProcess: @unchecked Sendable {
    let process = Process()
    private let lock = NSLock()
    private var output = ""
    private(set) var url = URL(string: "http://127.0.0.1/")!

    init(arguments: [String], env: [String: String]) throws {
        process.executableURL = NodeProcess.binary
        process.arguments = ["explorer", "serve", "--port", "0"] + arguments
        var environment = ProcessInfo.processInfo.environment
        for (k, v) in env { environment[k] = v }
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        pipe.fileHandleForReading.readabilityHandler = { [weak self] h in
            let d = h.availableData
            guard let self, !d.isEmpty else { return }
            self.lock.lock(); self.output += String(decoding: d, as: UTF8.self); self.lock.unlock()
        }
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if let r = log.range(of: "explorer listening on ") {
                let line = log[r.upperBound...].prefix { !$0.isNewline }
                if let u = URL(string: String(line)), u.port != nil, u.port != 0 { url = u; return }
            }
            if !process.isRunning { throw HarnessError("gfl explorer serve exited early: \(log)") }
            Thread.sleep(forTimeInterval: 0.05)
        }
        stop()
        throw HarnessError("gfl explorer serve did not report listening within 30 s: \(log)")
    }

    var log: String { lock.lock(); defer { lock.unlock() }; return output }

    func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }

    /// GET `path`: (status, body, final URL after redirects).
    func get(_ path: String) async throws -> (status: Int, body: String, url: URL?) {
        let target = URL(string: path, relativeTo: url)!
        let (data, response) = try await URLSession.shared.data(from: target)
        guard let http = response as? HTTPURLResponse else { throw HarnessError("no HTTP response for \(path)") }
        return (http.statusCode, String(decoding: data, as: UTF8.self), http.url)
    }
}

/// Runs a program with a hard time limit (killed when it runs over); returns (exit status, stdout, stderr).
func runBounded(_ executable: String, _ args: [String], timeout: TimeInterval) throws -> (Int32, String, String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: executable)
    p.arguments = args
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    p.standardInput = FileHandle.nullDevice
    final class Box: @unchecked Sendable { var data = Data() }
    let outBox = Box(), errBox = Box()
    try p.run()
    let readers = [Thread { outBox.data = out.fileHandleForReading.readDataToEndOfFile() },
                   Thread { errBox.data = err.fileHandleForReading.readDataToEndOfFile() }]
    readers.forEach { $0.start() }
    let deadline = Date().addingTimeInterval(timeout)
    while p.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
    if p.isRunning {
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        throw HarnessError("\(executable) \(args.joined(separator: " ")) ran over \(Int(timeout)) s and was killed")
    }
    p.waitUntilExit()
    // Helper processes a browser leaves behind may hold the pipes open: read what there is, bounded.
    let readDeadline = Date().addingTimeInterval(5)
    while readers.contains(where: \.isExecuting) && Date() < readDeadline { Thread.sleep(forTimeInterval: 0.01) }
    return (p.terminationStatus, String(decoding: outBox.data, as: UTF8.self), String(decoding: errBox.data, as: UTF8.self))
}

/// Chromium from Debian's `chromium` package (installed by tools/setup), or nil.
func chromiumPath() -> String? {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }
}
