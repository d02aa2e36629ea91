import Dispatch
import Logging
import ServiceLifecycle
#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A first-in first-out lock for async code: a node's transactions go through one at a time, so two tasks of the
/// same node (the round loop and the heartbeat) never pick the same nonce.
public final class AsyncLock: @unchecked Sendable {
    private let lock = NSLock()
    private var held = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    public init() {}

    public func acquire() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            lock.lock()
            if held { waiters.append(c); lock.unlock(); return }
            held = true
            lock.unlock()
            c.resume()
        }
    }

    public func release() {
        lock.lock()
        if waiters.isEmpty { held = false; lock.unlock(); return }
        let next = waiters.removeFirst()
        lock.unlock()
        next.resume()
    }

    public func withLock<T: Sendable>(_ body: () async throws -> T) async rethrows -> T {
        await acquire()
        defer { release() }
        return try await body()
    }
}

/// Runs CPU-heavy work (training, distillation, evaluation) on `width` threads of its own, outside Swift's
/// cooperative pool: blocking that pool with training would starve the heartbeats and event polling of every node
/// in the process. The threads run at a lower scheduling priority (nice 10 by default) so that when many simulated
/// nodes share a few cores, chain and store traffic does not queue behind training as it would not on separate
/// machines; with idle cores the work runs at full speed.
public final class ComputePool: @unchecked Sendable {
    private let jobs: JobQueue

    public init(width: Int, niceness: Int32 = 10) {
        jobs = JobQueue()
        for i in 0..<max(1, width) {
            let thread = Thread { [jobs] in
                #if os(Linux)
                // On Linux the nice value is per thread: this lowers only this worker.
                _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, niceness)
                #endif
                while let job = jobs.next() { job() }
            }
            thread.name = "gfl-compute-\(i)"
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    deinit { jobs.close() }

    /// The machine's active cores.
    public static var cores: Int { ProcessInfo.processInfo.activeProcessorCount }

    public func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<T, Error>) in
            jobs.add { do { c.resume(returning: try body()) } catch { c.resume(throwing: error) } }
        }
    }

    /// First-in first-out work for the pool's threads; `close` lets them finish what is queued and exit.
    private final class JobQueue: @unchecked Sendable {
        private let condition = NSCondition()
        private var pending: [() -> Void] = []
        private var closed = false

        func add(_ job: @escaping () -> Void) {
            condition.lock(); pending.append(job); condition.signal(); condition.unlock()
        }

        func next() -> (() -> Void)? {
            condition.lock(); defer { condition.unlock() }
            while pending.isEmpty && !closed { condition.wait() }
            return pending.isEmpty ? nil : pending.removeFirst()
        }

        func close() { condition.lock(); closed = true; condition.broadcast(); condition.unlock() }
    }
}

/// Wall-clock seconds, for the per-phase time split.
@inline(__always) func now() -> Double { Date().timeIntervalSince1970 }

/// A flag one task sets and others poll. Used instead of task cancellation for anything that may be inside a
/// URLSession request: cancelling such a task can deadlock swift-corelibs-foundation's URLSession on Linux.
public final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var stopped = false
    public init() {}
    public func stop() { lock.lock(); stopped = true; lock.unlock() }
    public var isStopped: Bool { lock.lock(); defer { lock.unlock() }; return stopped }
}

/// Thrown by a node that was stopped (a killed node in a fault-injection run).
public struct NodeStopped: Error, CustomStringConvertible {
    public var description: String { "node stopped" }
}

/// A token that exactly one caller can claim (the first aggregator selected in a fault-injection round).
public final class OneShot: @unchecked Sendable {
    private let lock = NSLock()
    private var claimed = false
    public init() {}
    /// True for the first caller only.
    public func claim() -> Bool { lock.lock(); defer { lock.unlock() }; if claimed { return false }; claimed = true; return true }
}

/// JSON for reports and node records. A diverged model has a NaN or infinite loss; such values are written as
/// the strings "NaN" / "Infinity" / "-Infinity" (read back the same way) instead of failing the whole report.
enum ReportJSON {
    static let nonFinite = (positive: "Infinity", negative: "-Infinity", nan: "NaN")

    static func encoder(pretty: Bool = false) -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys] : [.sortedKeys]
        e.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: nonFinite.positive, negativeInfinity: nonFinite.negative, nan: nonFinite.nan)
        return e
    }

    static func decoder() -> JSONDecoder {
        let d = JSONDecoder()
        d.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: nonFinite.positive, negativeInfinity: nonFinite.negative, nan: nonFinite.nan)
        return d
    }
}

/// An HTTP server (a Hummingbird application) running in a task of its own, stopped by a graceful shutdown: it
/// closes its listening socket and ends its connections. Cancelling the task instead can trap inside SwiftNIO when
/// a connection is accepted at that moment ("Deinited NIOAsyncWriter without calling finish()", apple/swift-nio#3481).
final class ServerTask: Sendable {
    private let group: ServiceGroup

    init(_ service: some Service, label: String) {
        let group = ServiceGroup(configuration: .init(services: [service], gracefulShutdownSignals: [],
                                                      logger: Logger(label: label)))
        self.group = group
        Task { try? await group.run() }
    }

    /// Starts the shutdown and returns at once; the server is gone shortly after.
    func stop() {
        let group = self.group
        Task { await group.triggerGracefulShutdown() }
    }
}
