import Dispatch
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

/// Runs CPU-heavy work (training, distillation, evaluation) on threads outside Swift's cooperative pool, at most
/// `width` jobs at a time. The cooperative pool has one thread per core; blocking it with training would starve
/// the heartbeats and event polling of every node in the process.
public final class ComputePool: @unchecked Sendable {
    private let queue: DispatchQueue
    private let slots: DispatchSemaphore

    public init(width: Int) {
        queue = DispatchQueue(label: "gfl.compute", attributes: .concurrent)
        slots = DispatchSemaphore(value: max(1, width))
    }

    /// The machine's active cores.
    public static var cores: Int { ProcessInfo.processInfo.activeProcessorCount }

    public func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<T, Error>) in
            queue.async { [slots] in
                slots.wait()
                defer { slots.signal() }
                do { c.resume(returning: try body()) } catch { c.resume(throwing: error) }
            }
        }
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
