import EVM
import Primitives
import Trie

/// Merkle roots of world state and the logs hash, as the Yellow Paper and the state tests define them.
public enum StateRoot {
    /// Root of an account's storage trie (zero slots omitted).
    public static func storageRoot(_ storage: [UInt256: UInt256]) -> Hash32 {
        if storage.isEmpty { return MerklePatriciaTrie.emptyRoot }
        var entries: [(key: [UInt8], value: [UInt8])] = []
        entries.reserveCapacity(storage.count)
        for (k, v) in storage where !v.isZero { entries.append((Keccak256.hash(k.bytes).bytes, RLPWriter.uint(v))) }
        return MerklePatriciaTrie.root(of: entries)
    }

    /// RLP of an account as stored in the state trie.
    public static func accountRLP(_ a: Account) -> [UInt8] {
        RLPWriter.list([RLPWriter.uint(a.nonce), RLPWriter.uint(a.balance),
                        RLPWriter.string(storageRoot(a.storage).bytes), RLPWriter.string(a.codeHash.bytes)])
    }

    /// Root of the secure account trie (built bottom-up in one pass: state tests hash whole states).
    public static func root(_ accounts: [Address: Account]) -> Hash32 {
        var entries: [(key: [UInt8], value: [UInt8])] = []
        entries.reserveCapacity(accounts.count)
        for (addr, acct) in accounts { entries.append((Keccak256.hash(addr.bytes).bytes, accountRLP(acct))) }
        return MerklePatriciaTrie.root(of: entries)
    }

    /// keccak256(RLP(logs)).
    public static func logsHash(_ logs: [Log]) -> Hash32 {
        let items = logs.map { log in
            RLPWriter.list([RLPWriter.string(log.address.bytes),
                            RLPWriter.list(log.topics.map { RLPWriter.string($0.bytes) }),
                            RLPWriter.string(log.data)])
        }
        return Keccak256.hash(RLPWriter.list(items))
    }
}
