import ArgumentParser
import ContentStore
import Foundation
import Primitives

/// `gfl bench store`: content-store throughput — CID computation alone, add into LevelDB, and verified cat.
struct BenchStore: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Content store add (hash-only and into LevelDB) and cat throughput in MB/s."
    )

    @Option(help: "File size in MiB.") var mib = 128
    @Option(help: "Trials per figure (the median is printed).") var trials = 3
    @Flag(help: "One JSON object per line: {\"name\", \"mb_per_s\", \"seconds\", \"cpu_seconds\", \"mb_per_cpu_s\"}.") var json = false

    func run() throws {
        guard mib > 0, trials > 0 else { throw ValidationError("--mib and --trials must be positive") }
        // Seeded xorshift data: incompressible and the same on every run.
        var data = [UInt8](repeating: 0, count: mib << 20)
        var x: UInt64 = 0x9E37_79B9_7F4A_7C15
        data.withUnsafeMutableBytes { b in
            for i in 0..<(b.count / 8) {
                x ^= x << 13; x ^= x >> 7; x ^= x << 17
                b.storeBytes(of: x, toByteOffset: i * 8, as: UInt64.self)
            }
        }
        let megabytes = Double(data.count) / 1e6
        var rows: [(String, (wall: Double, cpu: Double))] = []

        /// Median wall time and the CPU time (all threads, LevelDB's compaction thread included) of that trial.
        /// CPU time is printed too because on a shared machine wall time mostly measures the wait for a core.
        func median(_ body: () throws -> Void) rethrows -> (wall: Double, cpu: Double) {
            var samples: [(wall: Double, cpu: Double)] = []
            for _ in 0..<trials {
                let cpu0 = cpuSeconds()
                let start = nowNanos()
                try body()
                samples.append((Double(nowNanos() - start) / 1e9, cpuSeconds() - cpu0))
            }
            samples.sort { $0.wall < $1.wall }
            return samples[samples.count / 2]
        }

        var root: CID? = nil
        rows.append(("cid-only", try median { root = try computeCID(bytes: data).cid }))

        let base = FileManager.default.temporaryDirectory.appendingPathComponent("gfl-bench-store-\(getpid())")
        defer { try? FileManager.default.removeItem(at: base) }
        var stores: [BlockStore] = []
        var trial = 0
        rows.append(("add-leveldb", try median {
            // A fresh store per trial, so every block is really written.
            let store = try BlockStore(path: base.appendingPathComponent("\(trial)").path)
            trial += 1
            let added = try store.add(bytes: data)
            precondition(added.cid == root, "add and cid-only disagree")
            stores.append(store)
        }))
        // LevelDB alone: the same blocks, already hashed, written in the adder's 8 MiB batches.
        var blocks: [(digest: Bytes32, block: [UInt8])] = []
        let collect = DAGBuilder { (d, b) throws(StoreError) in blocks.append((d, b)) }
        try collect.append(data)
        _ = try collect.finish()
        rows.append(("leveldb-put-only", try median {
            let s = try BlockStore(path: base.appendingPathComponent("\(trial)").path)
            trial += 1
            var batch: [(digest: Bytes32, block: [UInt8])] = []
            var size = 0
            for b in blocks {
                batch.append(b)
                size += b.block.count
                if size >= 8 << 20 { try s.put(blocks: batch); batch.removeAll(); size = 0 }
            }
            try s.put(blocks: batch)
        }))
        blocks = []
        let store = stores[0]
        guard let root else { return }
        rows.append(("cat-verified", try median {
            let reader = store.reader(root)
            var n = 0
            while let piece = try reader.next() { n += piece.count }
            precondition(n == data.count, "cat returned \(n) bytes")
        }))

        for (name, t) in rows {
            let rate = megabytes / t.wall, perCPU = megabytes / t.cpu
            if json {
                print(#"{"name":"store/\#(name)/\#(mib)MiB","mb_per_s":\#(format2(rate)),"seconds":\#(format2(t.wall)),"# +
                      #""cpu_seconds":\#(format2(t.cpu)),"mb_per_cpu_s":\#(format2(perCPU))}"#)
            } else {
                print("store/\(name)/\(mib)MiB".padded(32) + "\(format2(rate)) MB/s".padded(14)
                      + "(\(format2(t.wall)) s wall, \(format2(t.cpu)) s CPU = \(format2(perCPU)) MB per CPU-s)")
            }
        }
    }

    /// User + system CPU seconds of this process so far (every thread).
    private func cpuSeconds() -> Double {
        var u = rusage()
        getrusage(RUSAGE_SELF.rawValue, &u)
        return Double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + Double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6
    }
}
