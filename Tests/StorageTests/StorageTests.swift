import Foundation
import Testing
import Storage

/// The same behaviour is required of both implementations.
@Suite struct StorageTests {
    static func tempDir() -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gfl-storage-\(UUID().uuidString)")
        return dir.path
    }

    static func stores() throws -> [KeyValueStore] {
        [MemoryStore(), try LevelDBStore(path: tempDir(), sync: false)]
    }

    @Test func putGetDeleteBatchScan() throws {
        for store in try Self.stores() {
            #expect(try store.get([1]) == nil)
            try store.put([1], [10])
            try store.put([1, 2], [12])
            try store.put([2], [20])
            #expect(try store.get([1]) == [10])
            var batch = WriteBatch()
            batch.put([1, 3], [13])
            batch.delete([2])
            batch.put([1, 1], [])
            try store.write(batch)
            #expect(try store.get([2]) == nil)
            #expect(try store.has([1, 1]))
            #expect(try store.get([1, 1]) == [])
            var seen: [[UInt8]] = []
            try store.scan(prefix: [1]) { k, _ in seen.append(k); return true }
            #expect(seen == [[1], [1, 1], [1, 2], [1, 3]], "\(type(of: store))")
            seen = []
            try store.scan(prefix: [1]) { k, _ in seen.append(k); return seen.count < 2 }
            #expect(seen.count == 2)
        }
    }

    @Test func levelDBPersistsAcrossReopen() throws {
        let path = Self.tempDir()
        do {
            let db = try LevelDBStore(path: path)
            var batch = WriteBatch()
            for i in 0..<100 { batch.put([UInt8(i)], [UInt8](repeating: UInt8(i), count: i)) }
            try db.write(batch)
        }
        let db = try LevelDBStore(path: path)
        for i in 0..<100 { #expect(try db.get([UInt8(i)]) == [UInt8](repeating: UInt8(i), count: i)) }
    }

    @Test func openFailureIsAClearError() throws {
        let path = Self.tempDir()
        let first = try LevelDBStore(path: path)
        // LevelDB holds a lock file: a second open of the same directory must fail with a message, not crash.
        #expect(throws: StorageError.self) { _ = try LevelDBStore(path: path) }
        do {
            _ = try LevelDBStore(path: path)
        } catch {
            #expect(error.description.contains("cannot open database at \(path)"))
        }
        withExtendedLifetime(first) {}
        #expect(throws: StorageError.self) { _ = try LevelDBStore(path: "/proc/no-such-dir/db") }
    }
}
