/// The world state of the chain's head, held in memory as a `JournaledState` (what the EVM executes on), with the
/// state trie and one storage trie per contract kept beside it so that each block's state root is an update of the
/// previous tries by the accounts and slots the block changed: O(k·depth) hashing for k changes, never a rebuild.
///
/// Why a JournaledState seeded with every account rather than a trie-backed lazy Host: the interpreter is
/// specialised for `JournaledState` (the EVM target's `execute` is `where H == JournaledState`), which has no
/// loader hook, so the executed state must hold every account. A dev chain's state fits in memory; the flat
/// account and slot records in LevelDB (written per block, in the block's batch) rebuild it at start-up.
import EVM
import Execution
import Primitives
import Storage
import Trie

/// One version of the state: the accounts and the tries that hash them. Cheap to keep: dictionaries are
/// copy-on-write and trie nodes are shared between versions.
public struct StateVersion {
    public var accounts: [Address: Account]
    var accountTrie: MerklePatriciaTrie
    var storageTries: [Address: MerklePatriciaTrie]
    public var root: Hash32 { accountTrie.rootHash }
}

/// What a block changed, as found by comparing two versions' account maps.
struct StateDiff {
    var changed: [(Address, Account)] = []
    var deleted: [Address] = []
}

enum WorldState {
    /// The state version of a full account map (genesis, start-up): builds every trie once.
    static func build(_ accounts: [Address: Account]) -> StateVersion {
        var v = StateVersion(accounts: [:], accountTrie: MerklePatriciaTrie(), storageTries: [:])
        var batch = WriteBatch()
        advance(&v, to: accounts, batch: &batch)
        return v
    }

    /// The accounts that differ between `old` and `new`. Unchanged accounts share their storage dictionary's
    /// buffer with the previous version, so Dictionary's identity check makes the comparison cheap.
    static func diff(_ old: [Address: Account], _ new: [Address: Account]) -> StateDiff {
        var d = StateDiff()
        var added = 0
        for (a, acct) in new {
            if let o = old[a] {
                if o.nonce == acct.nonce, o.balance == acct.balance, o.codeHash == acct.codeHash,
                   o.storage == acct.storage { continue }
            } else {
                added += 1
            }
            d.changed.append((a, acct))
        }
        // new = old + added − deleted, so a second pass is needed only when something was deleted.
        if old.count + added != new.count {
            for a in old.keys where new[a] == nil { d.deleted.append(a) }
        }
        return d
    }

    /// Moves `version` to the account map `new`: updates the tries for the changed accounts and slots only, and
    /// adds the flat-state records (accounts, slots, new code) to `batch`. It compares whole maps, so it serves
    /// the rare moves (genesis, start-up, evm_revert); blocks use `apply` with the executed state's write set.
    static func advance(_ version: inout StateVersion, to new: [Address: Account], batch: inout WriteBatch) {
        let old = version.accounts
        let d = diff(old, new)
        for a in d.deleted {
            version.accountTrie.delete(Keccak256.hash(a.bytes).bytes)
            version.storageTries[a] = nil
            batch.delete(ChainKeys.account(a))
            for k in old[a]?.storage.keys ?? [:].keys { batch.delete(ChainKeys.storage(a, k)) }
        }
        for (a, acct) in d.changed {
            let before = old[a]
            var trie = version.storageTries[a] ?? MerklePatriciaTrie()
            let oldStorage = before?.storage ?? [:]
            if oldStorage != acct.storage {
                for (k, v) in acct.storage where oldStorage[k] != v {
                    trie.put(Keccak256.hash(k.bytes).bytes, RLPWriter.uint(v))
                    batch.put(ChainKeys.storage(a, k), v.trimmedBytes)
                }
                for k in oldStorage.keys where acct.storage[k] == nil {
                    trie.delete(Keccak256.hash(k.bytes).bytes)
                    batch.delete(ChainKeys.storage(a, k))
                }
            }
            version.storageTries[a] = acct.storage.isEmpty ? nil : trie
            if before?.codeHash != acct.codeHash && !acct.code.isEmpty {
                batch.put(ChainKeys.code(acct.codeHash), acct.code)
            }
            version.accountTrie.put(Keccak256.hash(a.bytes).bytes,
                                    accountRLP(acct, storageRoot: acct.storage.isEmpty ? MerklePatriciaTrie.emptyRoot : trie.rootHash))
            batch.put(ChainKeys.account(a), flatRecord(acct))
        }
        version.accounts = new
    }

    /// Moves `version` forward by a block's writes as reported by `JournaledState.takeChanges()`: only the
    /// written accounts and slots are compared, hashed and recorded, so the cost is O(changes·depth) however
    /// large the state is. Entries equal to the previous version are skipped.
    static func apply(_ changes: [AccountChange], to version: inout StateVersion, batch: inout WriteBatch) {
        for c in changes {
            let a = c.address
            // Taken out so that its storage dictionary is uniquely referenced (mutated in place) unless a
            // history version shares it.
            let before = version.accounts.removeValue(forKey: a)
            guard var acct = c.account else {
                guard let before else { continue }
                version.accountTrie.delete(Keccak256.hash(a.bytes).bytes)
                version.storageTries[a] = nil
                batch.delete(ChainKeys.account(a))
                for k in before.storage.keys { batch.delete(ChainKeys.storage(a, k)) }
                continue
            }
            var storage = before?.storage ?? [:]
            var trie: MerklePatriciaTrie? = nil
            for (k, v) in c.slots {
                let old = storage[k]
                if v.isZero {
                    if old == nil { continue }
                    storage[k] = nil
                    if trie == nil { trie = version.storageTries[a] ?? MerklePatriciaTrie() }
                    trie!.delete(Keccak256.hash(k.bytes).bytes)
                    batch.delete(ChainKeys.storage(a, k))
                } else {
                    if old == v { continue }
                    storage[k] = v
                    if trie == nil { trie = version.storageTries[a] ?? MerklePatriciaTrie() }
                    trie!.put(Keccak256.hash(k.bytes).bytes, RLPWriter.uint(v))
                    batch.put(ChainKeys.storage(a, k), v.trimmedBytes)
                }
            }
            acct.storage = storage
            if let before, trie == nil, before.nonce == acct.nonce, before.balance == acct.balance,
               before.codeHash == acct.codeHash {
                version.accounts[a] = acct
                continue
            }
            if let trie { version.storageTries[a] = storage.isEmpty ? nil : trie }
            if before?.codeHash != acct.codeHash && !acct.code.isEmpty {
                batch.put(ChainKeys.code(acct.codeHash), acct.code)
            }
            let root = storage.isEmpty ? MerklePatriciaTrie.emptyRoot
                : (version.storageTries[a] ?? MerklePatriciaTrie()).rootHash
            version.accountTrie.put(Keccak256.hash(a.bytes).bytes, accountRLP(acct, storageRoot: root))
            batch.put(ChainKeys.account(a), flatRecord(acct))
            version.accounts[a] = acct
        }
    }

    /// rlp([nonce, balance, storageRoot, codeHash]), the state trie's leaf value, in one buffer.
    static func accountRLP(_ a: Account, storageRoot: Hash32) -> [UInt8] {
        let payload = RLP.encodedLength(of: a.nonce) + RLP.encodedLength(of: a.balance) + 66
        var out: [UInt8] = []
        out.reserveCapacity(RLP.headerLength(payloadLength: payload) + payload)
        RLP.appendListHeader(payloadLength: payload, to: &out)
        RLP.appendUInt(a.nonce, to: &out)
        RLP.appendUInt(a.balance, to: &out)
        RLP.appendWord(storageRoot, to: &out)
        RLP.appendWord(a.codeHash, to: &out)
        return out
    }

    /// The flat account record: rlp([nonce, balance, codeHash]).
    static func flatRecord(_ a: Account) -> [UInt8] {
        let payload = RLP.encodedLength(of: a.nonce) + RLP.encodedLength(of: a.balance) + 33
        var out: [UInt8] = []
        out.reserveCapacity(RLP.headerLength(payloadLength: payload) + payload)
        RLP.appendListHeader(payloadLength: payload, to: &out)
        RLP.appendUInt(a.nonce, to: &out)
        RLP.appendUInt(a.balance, to: &out)
        RLP.appendWord(a.codeHash, to: &out)
        return out
    }

    /// Reads the flat state written by `advance` back into an account map.
    static func load(_ db: ChainDatabase) throws(ChainDatabaseError) -> [Address: Account] {
        struct Flat { var nonce: UInt64; var balance: UInt256; var codeHash: Hash32; var storage: [UInt256: UInt256] }
        var flat: [Address: Flat] = [:]
        do {
            try db.store.scan(prefix: [ChainKeys.accountPrefix]) { k, v in
                guard k.count == 21 else { return true }
                let items = try RLP.decode(v).asList()
                guard items.count == 3 else {
                    throw ChainDatabaseError.corrupt(record: "account", key: Hex.encode(k), reason: "\(items.count) fields")
                }
                flat[Address(Array(k[1...]))] = Flat(nonce: try items[0].asUInt64(), balance: try items[1].asUInt256(),
                                                     codeHash: try items[2].asWord(), storage: [:])
                return true
            }
            try db.store.scan(prefix: [ChainKeys.storagePrefix]) { k, v in
                guard k.count == 53 else { return true }
                let a = Address(Array(k[1..<21]))
                guard flat[a] != nil else {
                    throw ChainDatabaseError.corrupt(record: "storage", key: Hex.encode(k), reason: "no account record")
                }
                flat[a]!.storage[UInt256(bigEndian: k[21...])] = UInt256(bigEndian: v)
                return true
            }
        } catch let e as ChainDatabaseError { throw e } catch let e as StorageError { throw .storage(e) } catch {
            throw .corrupt(record: "state", key: "", reason: "\(error)")
        }
        var out: [Address: Account] = [:]
        out.reserveCapacity(flat.count)
        for (a, f) in flat {
            var code: [UInt8] = []
            if f.codeHash != emptyCodeHash {
                guard let c = try db.code(f.codeHash) else {
                    throw .corrupt(record: "code", key: f.codeHash.hex, reason: "missing for account \(a)")
                }
                code = c
            }
            out[a] = Account(nonce: f.nonce, balance: f.balance, code: code, storage: f.storage)
        }
        return out
    }
}
