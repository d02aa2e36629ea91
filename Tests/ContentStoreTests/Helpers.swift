import ContentStore
import Foundation
import Storage

/// Shared helpers: seeded test files and temporary directories.
enum TestFiles {
    /// A fresh temporary directory (removed by the caller when it wants to).
    static func tempDir(_ tag: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gfl-cs-\(tag)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// `count` seeded pseudo-random bytes (xorshift64, 8 bytes per step so debug builds stay fast).
    static func bytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        var x = seed | 1
        out.withUnsafeMutableBytes { b in
            var i = 0
            while i + 8 <= b.count {
                x ^= x << 13; x ^= x >> 7; x ^= x << 17
                b.storeBytes(of: x, toByteOffset: i, as: UInt64.self)
                i += 8
            }
            while i < b.count {
                x ^= x << 13; x ^= x >> 7; x ^= x << 17
                b[i] = UInt8(truncatingIfNeeded: x)
                i += 1
            }
        }
        return out
    }

    /// Writes seeded bytes to `dir/name` and returns the path.
    static func write(_ count: Int, seed: UInt64, in dir: URL, name: String) throws -> String {
        let url = dir.appendingPathComponent(name)
        try Data(bytes(count, seed: seed)).write(to: url)
        return url.path
    }

    /// A LevelDB-backed block store in a new temporary directory.
    static func leveldbStore() throws -> BlockStore {
        try BlockStore(path: tempDir("db").path, sync: false)
    }
}
