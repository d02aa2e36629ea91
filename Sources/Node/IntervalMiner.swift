import Foundation

/// Mines a block every `interval` seconds on its own thread (`gfl node --block-time`, `gfl job run --block-time`),
/// empty blocks included, until `stop()`.
public final class IntervalMiner: @unchecked Sendable {
    private let lock = NSLock()
    private var stopped = false

    /// Starts mining on `chain`; `onError` hears a block that could not be produced (mining goes on).
    public init(chain: Blockchain, interval: Double, onError: @escaping @Sendable (any Error) -> Void = { _ in }) {
        let thread = Thread { [self] in
            while !isStopped {
                Thread.sleep(forTimeInterval: interval)
                if isStopped { return }
                do { try chain.mine() } catch { onError(error) }
            }
        }
        thread.start()
    }

    public func stop() { lock.lock(); stopped = true; lock.unlock() }

    private var isStopped: Bool { lock.lock(); defer { lock.unlock() }; return stopped }
}
