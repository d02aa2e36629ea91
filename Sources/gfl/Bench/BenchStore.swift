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
    @Flag(help: "One JSON object per line: {\"name\", \"mb_per_s\", \"seconds\"}.") var json = false

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
        var rows: [(String, Double)] = []

        func median(_ body: () throws -> Void) rethrows -> Double {
            var samples: [Double] = []
            for _ in 0..<trials {
                let start = nowNanos()
                try body()
                samples.append(Double(nowNanos() - start) / 1e9)
            }
            samples.sort()
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

        for (name, seconds) in rows {
            let rate = megabytes / seconds
            if json {
                print(#"{"name":"store/\#(name)/\#(mib)MiB","mb_per_s":\#(format2(rate)),"seconds":\#(format2(seconds))}"#)
            } else {
                print("store/\(name)/\(mib)MiB".padded(32) + "\(format2(rate)) MB/s  (\(format2(seconds)) s)")
            }
        }
    }
}
