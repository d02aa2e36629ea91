import Foundation
import Primitives
import Storage
import Synchronization

/// An error from the content store.
public enum StoreError: Error, CustomStringConvertible {
    /// The block is not in the store (or not at the peer).
    case notFound(CID)
    /// A block's bytes do not hash to its CID: corruption on disk or a substituted block from a peer.
    case corruptBlock(CID, actual: Bytes32)
    /// The block hashes correctly but is not valid dag-pb/UnixFS.
    case malformedBlock(CID, reason: String)
    /// The CID names something other than a file (a directory, symlink, HAMT shard…).
    case notAFile(CID, type: String)
    /// The bytes read do not add up to the size the DAG declares.
    case sizeMismatch(CID, expected: UInt64, got: UInt64)
    /// The CID is not pinned (for unpin).
    case notPinned(CID)
    /// The underlying key-value store failed.
    case storage(StorageError)
    /// Reading or writing a local file failed.
    case io(path: String, reason: String)
    /// Bad CID text or binary.
    case invalidCID(CIDError)
    /// A request to a remote store (our server or kubo) failed.
    case remote(url: String, reason: String)
    /// Encryption or decryption of stored content failed.
    case encryption(String)

    public var description: String {
        switch self {
        case .notFound(let c): return "block \(c) not found"
        case .corruptBlock(let c, let a):
            return "block \(c) is corrupt: its bytes hash to \(a.hex.dropFirst(2)), not to the CID's digest"
        case .malformedBlock(let c, let r): return "block \(c) is malformed: \(r)"
        case .notAFile(let c, let t): return "\(c) is a UnixFS \(t), not a file"
        case .sizeMismatch(let c, let e, let g): return "\(c) declares \(e) file bytes but its blocks hold \(g)"
        case .notPinned(let c): return "\(c) is not pinned"
        case .storage(let e): return "block store: \(e.description)"
        case .io(let p, let r): return "\(p): \(r)"
        case .invalidCID(let e): return e.description
        case .remote(let u, let r): return "remote store \(u): \(r)"
        case .encryption(let r): return r
        }
    }
}

/// Totals kept by the store: what `stat` and kubo's `repo/stat` report.
public struct StoreStats: Equatable, Sendable {
    public var blocks: UInt64
    public var bytes: UInt64
    public var pins: UInt64

    public init(blocks: UInt64, bytes: UInt64, pins: UInt64) {
        self.blocks = blocks; self.bytes = bytes; self.pins = pins
    }
}

/// Blocks keyed by multihash on a `KeyValueStore` (LevelDB in a node), with recursive pins and mark-and-sweep
/// garbage collection of blocks no pin reaches.
///
/// Keys:
/// - `ipfs/i` + digest → index entry: sequence number (8 bytes BE) and block length (4 bytes BE);
/// - `ipfs/d` + sequence number (8 bytes BE) → the block's bytes;
/// - `ipfs/p` + digest → the pinned CID's binary form;
/// - `ipfs/s` → block count, byte total and next sequence number (three BE UInt64), written in the same atomic
///   batch as the blocks so they never drift.
///
/// Why the indirection: block data keyed by hash lands at random places in LevelDB's key space, so every
/// compaction rewrites it again; keyed by an increasing sequence number it is appended in order and LevelDB
/// rewrites it far less often (tables of old data no longer overlap new ones). Only the small index entries are
/// random. Measured here on a 512 MiB add: about 25% less CPU and 20–35% less wall time than digest keys.
///
/// Concurrency: writes, pin changes and GC serialise on one lock; reads go straight to the key-value store.
/// Blocks written by an add or fetch still in progress are *protected* (reference-counted in memory) until the
/// operation pins its root or ends, so a concurrent GC cannot sweep a half-built DAG.
public final class BlockStore: Sendable {
    public let kv: KeyValueStore

    struct State {
        var blocks: UInt64
        var bytes: UInt64
        var nextSequence: UInt64
        var protected: [Bytes32: Int] = [:]
    }
    private let state: Mutex<State>

    static let indexPrefix: [UInt8] = Array("ipfs/i".utf8)
    static let dataPrefix: [UInt8] = Array("ipfs/d".utf8)
    static let pinPrefix: [UInt8] = Array("ipfs/p".utf8)
    static let statsKey: [UInt8] = Array("ipfs/s".utf8)

    /// Opens the store on `kv`, reading the saved totals.
    public init(kv: KeyValueStore) throws(StoreError) {
        self.kv = kv
        var totals: [UInt64] = [0, 0, 0]
        do {
            if let s = try kv.get(BlockStore.statsKey) {
                guard s.count == 24 else { throw StoreError.storage(.readFailed("content store totals are \(s.count) bytes, expected 24")) }
                s.withUnsafeBytes { b in
                    for i in 0..<3 { totals[i] = UInt64(bigEndian: b.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)) }
                }
            }
        } catch let e as StoreError {
            throw e
        } catch let e as StorageError {
            throw .storage(e)
        } catch {
            throw .storage(.readFailed("\(error)"))
        }
        state = Mutex(State(blocks: totals[0], bytes: totals[1], nextSequence: totals[2]))
    }

    /// Opens (creating, with any missing parent directories) a LevelDB-backed store in `directory`.
    public convenience init(path directory: String, sync: Bool = false) throws(StoreError) {
        do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            throw .io(path: directory, reason: error.localizedDescription)
        }
        let db: LevelDBStore
        do { db = try LevelDBStore(path: directory, sync: sync) } catch { throw .storage(error) }
        try self.init(kv: db)
    }

    static func key(_ prefix: [UInt8], _ digest: Bytes32) -> [UInt8] {
        var k = prefix
        k.reserveCapacity(prefix.count + 32)
        appendDigest(digest, to: &k)
        return k
    }

    static func dataKey(_ sequence: UInt64) -> [UInt8] {
        var k = dataPrefix
        withUnsafeBytes(of: sequence.bigEndian) { k.append(contentsOf: $0) }
        return k
    }

    static func indexValue(_ sequence: UInt64, _ length: Int) -> [UInt8] {
        var v = [UInt8]()
        v.reserveCapacity(12)
        withUnsafeBytes(of: sequence.bigEndian) { v.append(contentsOf: $0) }
        withUnsafeBytes(of: UInt32(truncatingIfNeeded: length).bigEndian) { v.append(contentsOf: $0) }
        return v
    }

    /// (sequence, length) from an index entry, nil when it is not 12 bytes.
    static func parseIndex(_ v: [UInt8]) -> (UInt64, UInt64)? {
        guard v.count == 12 else { return nil }
        return v.withUnsafeBytes { b in
            (UInt64(bigEndian: b.loadUnaligned(fromByteOffset: 0, as: UInt64.self)),
             UInt64(UInt32(bigEndian: b.loadUnaligned(fromByteOffset: 8, as: UInt32.self))))
        }
    }

    static func statsValue(_ s: State) -> [UInt8] {
        var v = [UInt8]()
        v.reserveCapacity(24)
        for x in [s.blocks, s.bytes, s.nextSequence] { withUnsafeBytes(of: x.bigEndian) { v.append(contentsOf: $0) } }
        return v
    }

    // MARK: Blocks

    /// Stores a block under `digest`, which the caller computed from `block` (the builder and fetcher have it
    /// already). Storing a present block again changes nothing. With `protect`, the block stays safe from GC
    /// until `unprotect` is called with the same digest.
    public func put(digest: Bytes32, block: [UInt8], protect: Bool = false) throws(StoreError) {
        try put(blocks: [(digest, block)], protect: protect)
    }

    /// Stores several blocks in one atomic batch (one LevelDB log write instead of one per block), each under
    /// the digest the caller computed. Present blocks and repeats within the batch are skipped.
    public func put(blocks: [(digest: Bytes32, block: [UInt8])], protect: Bool = false) throws(StoreError) {
        try state.withLock { (s) throws(StoreError) in
            if protect { for b in blocks { s.protected[b.digest, default: 0] += 1 } }
            var batch = WriteBatch()
            var next = s
            var inBatch = Set<Bytes32>()
            do throws(StorageError) {
                for b in blocks {
                    let index = BlockStore.key(BlockStore.indexPrefix, b.digest)
                    guard inBatch.insert(b.digest).inserted, try !kv.has(index) else { continue }
                    batch.put(index, BlockStore.indexValue(next.nextSequence, b.block.count))
                    batch.put(BlockStore.dataKey(next.nextSequence), b.block)
                    next.nextSequence += 1
                    next.blocks += 1
                    next.bytes += UInt64(b.block.count)
                }
                guard next.blocks != s.blocks else { return }
                batch.put(BlockStore.statsKey, BlockStore.statsValue(next))
                try kv.write(batch)
            } catch {
                throw .storage(error)
            }
            s.blocks = next.blocks
            s.bytes = next.bytes
            s.nextSequence = next.nextSequence
        }
    }

    /// Hashes and stores a block; returns its CID (v0 for dag-pb, v1 for raw).
    @discardableResult
    public func put(block: [UInt8], codec: CID.Codec = .dagPB) throws(StoreError) -> CID {
        let digest = SHA256.hash(block)
        try put(digest: digest, block: block)
        return codec == .dagPB ? CID(v0: digest) : CID(v1: digest, codec: .raw)
    }

    /// Releases protection taken by `put(…, protect: true)`.
    public func unprotect(_ digests: some Sequence<Bytes32>) {
        state.withLock { s in
            for d in digests {
                guard let n = s.protected[d] else { continue }
                s.protected[d] = n > 1 ? n - 1 : nil
            }
        }
    }

    /// The raw stored bytes, unverified (nil when absent). Most callers want `block(_:)`.
    public func rawBlock(_ digest: Bytes32) throws(StoreError) -> [UInt8]? {
        guard let key = try dataKey(of: digest) else { return nil }
        do { return try kv.get(key) } catch { throw .storage(error) }
    }

    /// The key-value key under which a block's bytes are kept (nil when the block is absent), for repair tools
    /// and for tests that damage a block on purpose.
    public func dataKey(of digest: Bytes32) throws(StoreError) -> [UInt8]? {
        let entry: [UInt8]?
        do { entry = try kv.get(BlockStore.key(BlockStore.indexPrefix, digest)) } catch { throw .storage(error) }
        guard let entry else { return nil }
        guard let (sequence, _) = BlockStore.parseIndex(entry) else {
            throw .storage(.readFailed("index entry of \(CID(v0: digest)) is \(entry.count) bytes, expected 12"))
        }
        return BlockStore.dataKey(sequence)
    }

    /// The block named by `cid`, after checking that it hashes to the CID: corruption is an error naming the CID.
    public func block(_ cid: CID) throws(StoreError) -> [UInt8] {
        guard let bytes = try rawBlock(cid.digest) else { throw .notFound(cid) }
        let actual = SHA256.hash(bytes)
        guard actual == cid.digest else { throw .corruptBlock(cid, actual: actual) }
        return bytes
    }

    /// True when the block is stored.
    public func has(_ cid: CID) throws(StoreError) -> Bool {
        do { return try kv.has(BlockStore.key(BlockStore.indexPrefix, cid.digest)) } catch { throw .storage(error) }
    }

    /// Block count, byte total and number of pins.
    public func stats() throws(StoreError) -> StoreStats {
        let (blocks, bytes) = state.withLock { ($0.blocks, $0.bytes) }
        return StoreStats(blocks: blocks, bytes: bytes, pins: UInt64(try pins().count))
    }

    // MARK: Pins

    /// Pins `cid` recursively. Every block of its DAG must be present and valid (checked now), as kubo's
    /// `pin add` requires.
    public func pin(_ cid: CID) throws(StoreError) {
        _ = try reachable(from: [cid])
        try state.withLock { (_) throws(StoreError) in
            do throws(StorageError) { try kv.put(BlockStore.key(BlockStore.pinPrefix, cid.digest), cid.bytes) } catch {
                throw .storage(error)
            }
        }
    }

    /// Removes a recursive pin. Its blocks stay until the next `gc`.
    public func unpin(_ cid: CID) throws(StoreError) {
        let key = BlockStore.key(BlockStore.pinPrefix, cid.digest)
        try state.withLock { (_) throws(StoreError) in
            do {
                guard try kv.has(key) else { throw StoreError.notPinned(cid) }
                try kv.delete(key)
            } catch let e as StoreError {
                throw e
            } catch let e as StorageError {
                throw .storage(e)
            } catch {
                throw .storage(.writeFailed("\(error)"))
            }
        }
    }

    /// True when `cid` itself is pinned (recursively).
    public func isPinned(_ cid: CID) throws(StoreError) -> Bool {
        do { return try kv.has(BlockStore.key(BlockStore.pinPrefix, cid.digest)) } catch { throw .storage(error) }
    }

    /// All pinned roots, as they were pinned (v0 or v1).
    public func pins() throws(StoreError) -> [CID] {
        var out: [CID] = []
        do {
            try kv.scan(prefix: BlockStore.pinPrefix) { _, value in
                out.append(try CID(binary: value))
                return true
            }
        } catch let e as StorageError {
            throw .storage(e)
        } catch let e as CIDError {
            throw .invalidCID(e)
        } catch {
            throw .storage(.readFailed("\(error)"))
        }
        return out
    }

    // MARK: Garbage collection

    /// Digests of every block reachable from `roots`, each verified; a missing or corrupt block is an error.
    func reachable(from roots: [CID]) throws(StoreError) -> Set<Bytes32> {
        var seen = Set<Bytes32>()
        var stack = roots
        while let cid = stack.popLast() {
            guard seen.insert(cid.digest).inserted else { continue }
            let bytes = try block(cid)
            guard cid.codec == .dagPB else { continue }
            let node: PBNode
            do { node = try PBNode(decoding: bytes) } catch { throw .malformedBlock(cid, reason: error.description) }
            for link in node.links where !seen.contains(link.cid.digest) { stack.append(link.cid) }
        }
        return seen
    }

    /// Deletes every block that no pin reaches and no operation in progress protects. Returns the removed
    /// blocks' digests. Holds the write lock throughout, so pins and puts wait for it.
    @discardableResult
    public func gc() throws(StoreError) -> [Bytes32] {
        try state.withLock { (s) throws(StoreError) -> [Bytes32] in
            let live = try reachable(from: try pins())
            var removed: [Bytes32] = []
            var freed: UInt64 = 0
            var batch = WriteBatch()
            do {
                try kv.scan(prefix: BlockStore.indexPrefix) { key, value in
                    guard key.count == BlockStore.indexPrefix.count + 32 else { return true }
                    let digest = bytes32(key, at: BlockStore.indexPrefix.count)
                    if !live.contains(digest) && s.protected[digest] == nil {
                        removed.append(digest)
                        batch.delete(key)
                        if let (sequence, length) = BlockStore.parseIndex(value) {
                            batch.delete(BlockStore.dataKey(sequence))
                            freed += length
                        }
                    }
                    return true
                }
                // Saturating, so totals damaged by hand cannot trap.
                var next = s
                let n = UInt64(removed.count)
                next.blocks = s.blocks >= n ? s.blocks - n : 0
                next.bytes = s.bytes >= freed ? s.bytes - freed : 0
                batch.put(BlockStore.statsKey, BlockStore.statsValue(next))
                try kv.write(batch)
                s.blocks = next.blocks
                s.bytes = next.bytes
            } catch let e as StorageError {
                throw .storage(e)
            } catch {
                throw .storage(.readFailed("\(error)"))
            }
            return removed
        }
    }
}
