/// The key-value storage protocol that chain data, trie nodes and content-store blocks live on.
/// `LevelDBStore` is the implementation that ships; `MemoryStore` serves tests and scratch state.

/// An error from a storage engine, with the engine's own message.
public enum StorageError: Error, CustomStringConvertible, Equatable {
    /// The database could not be opened (path, permissions, lock held by another process, corruption).
    case openFailed(path: String, reason: String)
    /// A read failed in the engine (not "key absent", which is `nil`).
    case readFailed(String)
    /// A write or batch commit failed; nothing of the batch was applied.
    case writeFailed(String)
    /// The store was closed.
    case closed

    public var description: String {
        switch self {
        case .openFailed(let p, let r): return "cannot open database at \(p): \(r)"
        case .readFailed(let r): return "database read failed: \(r)"
        case .writeFailed(let r): return "database write failed: \(r)"
        case .closed: return "database is closed"
        }
    }
}

/// A set of puts and deletes applied all together or not at all.
public struct WriteBatch: Sendable {
    public enum Operation: Sendable, Equatable {
        case put(key: [UInt8], value: [UInt8])
        case delete(key: [UInt8])
    }

    public private(set) var operations: [Operation] = []

    public init() {}

    public mutating func put(_ key: [UInt8], _ value: [UInt8]) { operations.append(.put(key: key, value: value)) }
    public mutating func delete(_ key: [UInt8]) { operations.append(.delete(key: key)) }
    public var isEmpty: Bool { operations.isEmpty }
    public var count: Int { operations.count }
}

/// Ordered byte-string keys to byte-string values.
public protocol KeyValueStore: AnyObject, Sendable {
    /// The value at `key`, or nil when absent.
    func get(_ key: [UInt8]) throws(StorageError) -> [UInt8]?
    /// Stores one value (durable once the call returns when the store is opened with `sync`).
    func put(_ key: [UInt8], _ value: [UInt8]) throws(StorageError)
    /// Removes a key; absent keys are fine.
    func delete(_ key: [UInt8]) throws(StorageError)
    /// Applies every operation of the batch atomically, in order.
    func write(_ batch: WriteBatch) throws(StorageError)
    /// Calls `body` for each key with the given prefix, in ascending key order, until it returns false.
    func scan(prefix: [UInt8], _ body: ([UInt8], [UInt8]) throws -> Bool) throws
}

extension KeyValueStore {
    /// True when the key is present.
    public func has(_ key: [UInt8]) throws(StorageError) -> Bool { try get(key) != nil }
}
