/// The chain database: headers, bodies, receipts, canonical numbers, transaction locations, flat state and head
/// pointer over one `KeyValueStore` (LevelDB in the node). docs/chain-storage.md documents the key schema; every
/// block's records go into one `WriteBatch` so a crash leaves either the whole block or none of it.
import Chain
import Primitives
import Storage

/// Why the chain database could not be read.
public enum ChainDatabaseError: Error, CustomStringConvertible {
    case storage(StorageError)
    /// A stored record does not decode; names the record kind and key.
    case corrupt(record: String, key: String, reason: String)
    /// The database was created for another genesis block.
    case genesisMismatch(stored: Hash32, given: Hash32)
    /// The flat state does not hash to the head block's state root (a partial write or foreign data).
    case stateRootMismatch(head: UInt64, expected: Hash32, computed: Hash32)

    public var description: String {
        switch self {
        case .storage(let e): return "chain database: \(e)"
        case .corrupt(let r, let k, let why): return "chain database: corrupt \(r) record at key \(k): \(why)"
        case .genesisMismatch(let s, let g):
            return "chain database holds genesis \(s) but the genesis file gives \(g): use another --datadir"
        case .stateRootMismatch(let n, let e, let c):
            return "chain database: state at head block \(n) hashes to \(c), header says \(e)"
        }
    }
}

/// Key construction for the schema in docs/chain-storage.md. One ASCII prefix byte names the record kind.
public enum ChainKeys {
    public static let headerPrefix = UInt8(ascii: "h")
    public static let bodyPrefix = UInt8(ascii: "b")
    public static let receiptsPrefix = UInt8(ascii: "r")
    public static let sendersPrefix = UInt8(ascii: "f")
    public static let canonicalPrefix = UInt8(ascii: "n")
    public static let txLookupPrefix = UInt8(ascii: "t")
    public static let accountPrefix = UInt8(ascii: "a")
    public static let storagePrefix = UInt8(ascii: "s")
    public static let codePrefix = UInt8(ascii: "c")
    /// The hash of the last committed block.
    public static let head: [UInt8] = Array("LastBlock".utf8)
    /// The genesis block hash, written with block 0.
    public static let genesis: [UInt8] = Array("Genesis".utf8)

    public static func header(_ h: Hash32) -> [UInt8] { [headerPrefix] + h.bytes }
    public static func body(_ h: Hash32) -> [UInt8] { [bodyPrefix] + h.bytes }
    public static func receipts(_ h: Hash32) -> [UInt8] { [receiptsPrefix] + h.bytes }
    public static func senders(_ h: Hash32) -> [UInt8] { [sendersPrefix] + h.bytes }
    public static func canonical(_ n: UInt64) -> [UInt8] { [canonicalPrefix] + bigEndian(n) }
    public static func txLookup(_ h: Hash32) -> [UInt8] { [txLookupPrefix] + h.bytes }
    public static func account(_ a: Address) -> [UInt8] { [accountPrefix] + a.bytes }
    public static func storage(_ a: Address, _ slot: UInt256) -> [UInt8] { [storagePrefix] + a.bytes + slot.bytes }
    public static func storagePrefix(_ a: Address) -> [UInt8] { [storagePrefix] + a.bytes }
    public static func code(_ h: Hash32) -> [UInt8] { [codePrefix] + h.bytes }

    static func bigEndian(_ n: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: n >> (56 - 8 * UInt64($0))) } }
}

/// Where a transaction sits in the canonical chain.
public struct TransactionLocation: Sendable, Equatable {
    public var blockNumber: UInt64
    public var blockHash: Hash32
    public var index: Int
}

/// Typed reads and batch writes of chain records.
public struct ChainDatabase: @unchecked Sendable {
    public let store: any KeyValueStore

    public init(store: any KeyValueStore) { self.store = store }

    func get(_ key: [UInt8]) throws(ChainDatabaseError) -> [UInt8]? {
        do { return try store.get(key) } catch { throw .storage(error) }
    }

    public func headHash() throws(ChainDatabaseError) -> Hash32? {
        guard let v = try get(ChainKeys.head) else { return nil }
        guard v.count == 32 else { throw .corrupt(record: "head", key: "LastBlock", reason: "\(v.count) bytes") }
        return Hash32(v)
    }

    public func genesisHash() throws(ChainDatabaseError) -> Hash32? {
        guard let v = try get(ChainKeys.genesis), v.count == 32 else { return nil }
        return Hash32(v)
    }

    public func header(_ hash: Hash32) throws(ChainDatabaseError) -> BlockHeader? {
        guard let v = try get(ChainKeys.header(hash)) else { return nil }
        do { return try BlockHeader(decoding: v) } catch {
            throw .corrupt(record: "header", key: hash.hex, reason: "\(error)")
        }
    }

    public func body(_ hash: Hash32) throws(ChainDatabaseError) -> BlockBody? {
        guard let v = try get(ChainKeys.body(hash)) else { return nil }
        do { return try BlockBody(decoding: v) } catch { throw .corrupt(record: "body", key: hash.hex, reason: "\(error)") }
    }

    public func canonicalHash(_ number: UInt64) throws(ChainDatabaseError) -> Hash32? {
        guard let v = try get(ChainKeys.canonical(number)), v.count == 32 else { return nil }
        return Hash32(v)
    }

    public func receipts(_ hash: Hash32) throws(ChainDatabaseError) -> [Receipt]? {
        guard let v = try get(ChainKeys.receipts(hash)) else { return nil }
        do {
            guard case .list(let items) = try RLP.decode(v) else {
                throw ChainDatabaseError.corrupt(record: "receipts", key: hash.hex, reason: "not a list")
            }
            return try items.map { try Receipt(decoding: try $0.asBytes()) }
        } catch let e as ChainDatabaseError { throw e } catch {
            throw .corrupt(record: "receipts", key: hash.hex, reason: "\(error)")
        }
    }

    public func senders(_ hash: Hash32) throws(ChainDatabaseError) -> [Address]? {
        guard let v = try get(ChainKeys.senders(hash)) else { return nil }
        guard v.count % 20 == 0 else { throw .corrupt(record: "senders", key: hash.hex, reason: "length \(v.count)") }
        return stride(from: 0, to: v.count, by: 20).map { Address(Array(v[$0..<($0 + 20)])) }
    }

    public func transactionLocation(_ txHash: Hash32) throws(ChainDatabaseError) -> TransactionLocation? {
        guard let v = try get(ChainKeys.txLookup(txHash)) else { return nil }
        guard v.count == 44 else { throw .corrupt(record: "tx lookup", key: txHash.hex, reason: "length \(v.count)") }
        var n: UInt64 = 0
        for b in v[0..<8] { n = n << 8 | UInt64(b) }
        var i: UInt32 = 0
        for b in v[40..<44] { i = i << 8 | UInt32(b) }
        return TransactionLocation(blockNumber: n, blockHash: Hash32(Array(v[8..<40])), index: Int(i))
    }

    public func code(_ hash: Hash32) throws(ChainDatabaseError) -> [UInt8]? { try get(ChainKeys.code(hash)) }

    /// Adds a block's records (header, body, receipts, senders, canonical number, tx locations, head pointer).
    public static func putBlock(_ block: Block, receipts: [Receipt], senders: [Address], into batch: inout WriteBatch) {
        let h = block.hash
        batch.put(ChainKeys.header(h), block.header.encoded)
        batch.put(ChainKeys.body(h), block.body.encoded)
        batch.put(ChainKeys.receipts(h), RLPItem.list(receipts.map { .bytes($0.encoded) }).encoded)
        batch.put(ChainKeys.senders(h), senders.flatMap { $0.bytes })
        batch.put(ChainKeys.canonical(block.number), h.bytes)
        for (i, tx) in block.transactions.enumerated() {
            let u = UInt32(i)
            batch.put(ChainKeys.txLookup(tx.hash), ChainKeys.bigEndian(block.number) + h.bytes
                      + [UInt8(u >> 24), UInt8(truncatingIfNeeded: u >> 16), UInt8(truncatingIfNeeded: u >> 8),
                         UInt8(truncatingIfNeeded: u)])
        }
        batch.put(ChainKeys.head, h.bytes)
    }
}
