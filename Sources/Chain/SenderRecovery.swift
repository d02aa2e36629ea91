/// Parallel sender recovery: signature recovery (~30 µs per transaction) dominates block import, and each
/// recovery is independent, so a batch is spread over all cores.
import Dispatch
import Foundation
import Primitives

public enum SenderRecovery {
    /// A destination buffer shared by the workers; each index is written by exactly one worker.
    private struct Slots: @unchecked Sendable {
        let base: UnsafeMutablePointer<Result<Address, TransactionError>>
    }

    /// The sender of each transaction (or why it has none), in order, recovered on up to `concurrency` threads.
    /// libsecp256k1's context is read-only after creation, so concurrent recovery is safe.
    public static func recover(_ txs: [SignedTransaction],
                               concurrency: Int = ProcessInfo.processInfo.activeProcessorCount)
        -> [Result<Address, TransactionError>] {
        let n = txs.count
        if n == 0 { return [] }
        let workers = max(1, min(concurrency, n))
        if workers == 1 || n < 4 {
            return txs.map { tx in Result { () throws(TransactionError) in try tx.recoverSender() } }
        }
        let slots = Slots(base: .allocate(capacity: n))
        defer { slots.base.deinitialize(count: n); slots.base.deallocate() }
        // Contiguous chunks, a few per worker so a slow thread does not hold up the batch.
        let chunks = min(n, workers * 4)
        txs.withUnsafeBufferPointer { buffer in
            let input = UnsafeTransactions(base: buffer.baseAddress!, count: n)
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                let lo = c * n / chunks, hi = (c + 1) * n / chunks
                for i in lo..<hi {
                    let tx = input.base[i]
                    (slots.base + i).initialize(to: Result { () throws(TransactionError) in try tx.recoverSender() })
                }
            }
        }
        return Array(UnsafeBufferPointer(start: slots.base, count: n))
    }

    private struct UnsafeTransactions: @unchecked Sendable {
        let base: UnsafePointer<SignedTransaction>
        let count: Int
    }
}
