import ArgumentParser
import ContentStore
import Dispatch
import Foundation
import Primitives
import Synchronization

/// Options every `gfl store` command shares: where the local store lives, or which remote API to use.
struct StoreLocation: ParsableArguments {
    @Option(help: "Local store directory (default: $GFL_STORE or ~/.gfl/store).")
    var repo: String?

    @Option(help: "Use the store behind this kubo-style API URL instead of the local one (a GFL node or a kubo daemon, e.g. http://127.0.0.1:5001).")
    var api: String?

    var repoPath: String {
        if let repo { return repo }
        if let env = ProcessInfo.processInfo.environment["GFL_STORE"] { return env }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".gfl/store").path
    }

    /// Opens the local store, creating its directory.
    func openLocal() throws -> BlockStore {
        try FileManager.default.createDirectory(atPath: repoPath, withIntermediateDirectories: true)
        return try BlockStore(path: repoPath)
    }

    /// The remote client when `--api` was given.
    func client() throws -> StoreClient? {
        guard let api else { return nil }
        return try StoreClient(url: api)
    }
}

/// Parses CID text; the error names the text and the problem (printed as "Error: invalid CID '…': …").
func parseCID(_ text: String) throws -> CID {
    try CID(text)
}

/// Holds an async result for `runBlocking`: written once by the task, read by the
/// waiting thread after the semaphore.
final class ResultBox<T: Sendable>: Sendable {
    private let value = Mutex<Result<T, any Error>?>(nil)
    func set(_ r: Result<T, any Error>) { value.withLock { $0 = r } }
    func get() throws -> T {
        guard let r = value.withLock({ $0 }) else { throw ValidationError("async operation produced no result") }
        return try r.get()
    }
}

/// Runs async work from a synchronous command (the `gfl` root command is synchronous) and waits for it.
func runBlocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    let box = ResultBox<T>()
    let done = DispatchSemaphore(value: 0)
    Task {
        do { box.set(.success(try await body())) } catch { box.set(.failure(error)) }
        done.signal()
    }
    done.wait()
    return try box.get()
}

/// Writes bytes to standard output.
func writeStdout(_ bytes: [UInt8]) {
    FileHandle.standardOutput.write(Data(bytes))
}

/// Reads a hex key file (optional 0x, surrounding whitespace ignored).
func readKeyFile(_ path: String, bytes count: Int) throws -> [UInt8] {
    let text = try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    do { return try Hex.decode(text, count: count) } catch { throw ValidationError("\(path): \(error.description)") }
}
