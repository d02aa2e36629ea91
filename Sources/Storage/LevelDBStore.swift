import CLevelDB

/// A `KeyValueStore` on LevelDB (Debian's libleveldb, through its C API).
///
/// Batches are LevelDB write batches, so a block's data commits in one atomic step. With `sync: true`
/// each write is flushed to disk before returning, so a `kill -9` loses nothing that was acknowledged.
public final class LevelDBStore: KeyValueStore, @unchecked Sendable {
    // LevelDB's DB object is thread-safe for concurrent reads and writes (its documented guarantee),
    // and these option objects are immutable after init: that is why @unchecked Sendable is sound here.
    private let db: OpaquePointer
    private let options: OpaquePointer
    private let readOptions: OpaquePointer
    private let writeOptions: OpaquePointer
    private let cache: OpaquePointer
    private let filter: OpaquePointer
    public let path: String

    /// Opens (creating if missing) the database at `path`.
    /// - Parameters:
    ///   - sync: flush every write to disk before returning (durability against power loss and kill -9).
    ///   - cacheMB: LevelDB's block cache size.
    public init(path: String, sync: Bool = true, cacheMB: Int = 64) throws(StorageError) {
        self.path = path
        options = leveldb_options_create()
        leveldb_options_set_create_if_missing(options, 1)
        cache = leveldb_cache_create_lru(cacheMB << 20)
        leveldb_options_set_cache(options, cache)
        filter = leveldb_filterpolicy_create_bloom(10)
        leveldb_options_set_filter_policy(options, filter)
        leveldb_options_set_write_buffer_size(options, 16 << 20)
        readOptions = leveldb_readoptions_create()
        leveldb_readoptions_set_verify_checksums(readOptions, 1)
        writeOptions = leveldb_writeoptions_create()
        leveldb_writeoptions_set_sync(writeOptions, sync ? 1 : 0)
        var err: UnsafeMutablePointer<CChar>? = nil
        let handle = leveldb_open(options, path, &err)
        if let message = LevelDBStore.take(err) {
            leveldb_options_destroy(options); leveldb_cache_destroy(cache); leveldb_filterpolicy_destroy(filter)
            leveldb_readoptions_destroy(readOptions); leveldb_writeoptions_destroy(writeOptions)
            throw .openFailed(path: path, reason: message)
        }
        guard let handle else {
            leveldb_options_destroy(options); leveldb_cache_destroy(cache); leveldb_filterpolicy_destroy(filter)
            leveldb_readoptions_destroy(readOptions); leveldb_writeoptions_destroy(writeOptions)
            throw .openFailed(path: path, reason: "leveldb_open returned no handle")
        }
        db = handle
    }

    deinit {
        leveldb_close(db)
        leveldb_options_destroy(options)
        leveldb_cache_destroy(cache)
        leveldb_filterpolicy_destroy(filter)
        leveldb_readoptions_destroy(readOptions)
        leveldb_writeoptions_destroy(writeOptions)
    }

    /// Converts LevelDB's malloc'd error string into a Swift string and frees it.
    private static func take(_ err: UnsafeMutablePointer<CChar>?) -> String? {
        guard let err else { return nil }
        defer { leveldb_free(err) }
        return String(cString: err)
    }

    public func get(_ key: [UInt8]) throws(StorageError) -> [UInt8]? {
        var err: UnsafeMutablePointer<CChar>? = nil
        var length = 0
        let value = key.withUnsafeBytes { k in
            leveldb_get(db, readOptions, k.baseAddress?.assumingMemoryBound(to: CChar.self), k.count, &length, &err)
        }
        if let message = LevelDBStore.take(err) { throw .readFailed(message) }
        guard let value else { return nil }
        defer { leveldb_free(value) }
        return [UInt8](UnsafeRawBufferPointer(start: value, count: length))
    }

    public func put(_ key: [UInt8], _ value: [UInt8]) throws(StorageError) {
        var batch = WriteBatch()
        batch.put(key, value)
        try write(batch)
    }

    public func delete(_ key: [UInt8]) throws(StorageError) {
        var batch = WriteBatch()
        batch.delete(key)
        try write(batch)
    }

    public func write(_ batch: WriteBatch) throws(StorageError) {
        let wb = leveldb_writebatch_create()
        defer { leveldb_writebatch_destroy(wb) }
        for op in batch.operations {
            switch op {
            case .put(let k, let v):
                k.withUnsafeBytes { kb in
                    v.withUnsafeBytes { vb in
                        leveldb_writebatch_put(wb, kb.baseAddress?.assumingMemoryBound(to: CChar.self), kb.count,
                                               vb.baseAddress?.assumingMemoryBound(to: CChar.self), vb.count)
                    }
                }
            case .delete(let k):
                k.withUnsafeBytes { kb in
                    leveldb_writebatch_delete(wb, kb.baseAddress?.assumingMemoryBound(to: CChar.self), kb.count)
                }
            }
        }
        var err: UnsafeMutablePointer<CChar>? = nil
        leveldb_write(db, writeOptions, wb, &err)
        if let message = LevelDBStore.take(err) { throw .writeFailed(message) }
    }

    public func scan(prefix: [UInt8], _ body: ([UInt8], [UInt8]) throws -> Bool) throws {
        guard let it = leveldb_create_iterator(db, readOptions) else { throw StorageError.readFailed("no iterator") }
        defer { leveldb_iter_destroy(it) }
        prefix.withUnsafeBytes { p in
            leveldb_iter_seek(it, p.baseAddress?.assumingMemoryBound(to: CChar.self), p.count)
        }
        while leveldb_iter_valid(it) != 0 {
            var klen = 0, vlen = 0
            let kp = leveldb_iter_key(it, &klen)
            let key = [UInt8](UnsafeRawBufferPointer(start: kp, count: klen))
            guard key.starts(with: prefix) else { break }
            let vp = leveldb_iter_value(it, &vlen)
            let value = [UInt8](UnsafeRawBufferPointer(start: vp, count: vlen))
            if try !body(key, value) { break }
            leveldb_iter_next(it)
        }
        var err: UnsafeMutablePointer<CChar>? = nil
        leveldb_iter_get_error(it, &err)
        if let message = LevelDBStore.take(err) { throw StorageError.readFailed(message) }
    }
}
