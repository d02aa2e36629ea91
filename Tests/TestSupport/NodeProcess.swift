import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Errors of the process and HTTP helpers; descriptions say what went wrong.
public struct HarnessError: Error, CustomStringConvertible {
    public var description: String
    public init(_ d: String) { description = d }
}

/// A `gfl node` child process on a free loopback port (port 0; the port is read from its "listening on" line).
///
/// The binary is `$GFL_BIN` when set, else `gfl` next to the test bundle (SwiftPM builds the executable into the
/// same folder as the test product: `.build/<triple>/debug/`), else `<repo>/.build/debug/gfl`.
public final class NodeProcess: @unchecked Sendable {
    public let process = Process()
    public let datadir: String
    private let lock = NSLock()
    private var output = ""
    public private(set) var port = 0

    public static var binary: URL {
        if let env = ProcessInfo.processInfo.environment["GFL_BIN"] { return URL(fileURLWithPath: env) }
        let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("gfl")
        if FileManager.default.isExecutableFile(atPath: besideTests.path) { return besideTests }
        return Fixtures.repoRoot.appendingPathComponent(".build/debug/gfl")
    }

    public init(datadir: String, extra: [String] = []) throws {
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
        let deadline = Date().addingTimeInterval(120)
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
        throw HarnessError("gfl node did not report listening within 120 s: \(output)")
    }

    public var log: String { lock.lock(); defer { lock.unlock() }; return output }
    public var url: URL { URL(string: "http://127.0.0.1:\(port)/")! }

    /// SIGKILL, as a crash would; waits for the process to be gone.
    public func kill9() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    public func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }
}


/// Runs the `gfl` binary with arguments and extra environment; returns (exit code, stdout, stderr).
public func runGFL(_ args: [String], env: [String: String] = [:], timeout: TimeInterval = 120) throws -> (Int32, String, String) {
    let p = Process()
    p.executableURL = NodeProcess.binary
    p.arguments = args
    var environment = ProcessInfo.processInfo.environment
    for (k, v) in env { environment[k] = v }
    p.environment = environment
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    p.standardInput = FileHandle.nullDevice
    try p.run()
    // Read both pipes before waiting, so a chatty command cannot block on a full pipe.
    final class Box: @unchecked Sendable { var data = Data() }
    let errBox = Box()
    let reader = Thread { errBox.data = err.fileHandleForReading.readDataToEndOfFile() }
    reader.start()
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let deadline = Date().addingTimeInterval(timeout)
    while p.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
    if p.isRunning { p.terminate(); throw HarnessError("gfl \(args.joined(separator: " ")) timed out") }
    p.waitUntilExit()
    while reader.isExecuting { Thread.sleep(forTimeInterval: 0.01) }
    return (p.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: errBox.data, as: UTF8.self))
}
