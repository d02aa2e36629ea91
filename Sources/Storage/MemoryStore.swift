import Synchronization

/// An in-memory `KeyValueStore` for tests and throw-away state. Not the store that ships: nodes use `LevelDBStore`.
public final class MemoryStore: KeyValueStore {
    private let entries = Mutex<[[UInt8]: [UInt8]]>([:])

    public init() {}

    public func get(_ key: [UInt8]) throws(StorageError) -> [UInt8]? { entries.withLock { $0[key] } }

    public func put(_ key: [UInt8], _ value: [UInt8]) throws(StorageError) { entries.withLock { $0[key] = value } }

    public func delete(_ key: [UInt8]) throws(StorageError) { _ = entries.withLock { $0.removeValue(forKey: key) } }

    public func write(_ batch: WriteBatch) throws(StorageError) {
        entries.withLock { e in
            for op in batch.operations {
                switch op {
                case .put(let k, let v): e[k] = v
                case .delete(let k): e.removeValue(forKey: k)
                }
            }
        }
    }

    public func scan(prefix: [UInt8], _ body: ([UInt8], [UInt8]) throws -> Bool) throws {
        let matching = entries.withLock { e in
            e.filter { $0.key.starts(with: prefix) }.sorted { $0.key.lexicographicallyPrecedes($1.key) }
        }
        for (k, v) in matching where try !body(k, v) { break }
    }

    /// Number of keys held.
    public var count: Int { entries.withLock { $0.count } }
}
