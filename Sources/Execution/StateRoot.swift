import EVM
import Primitives
import Trie

/// Merkle roots of world state and the logs hash, as the Yellow Paper and the state tests define them.
public enum StateRoot {
    /// Root of an account's storage trie (zero slots omitted).
    public static func storageRoot(_ storage: [UInt256: UInt256]) -> Hash32 {
        if storage.isEmpty { return MerklePatriciaTrie.emptyRoot }
        var t = SecureTrie()
        for (k, v) in storage where !v.isZero { t.put(k.bytes, RLPWriter.uint(v)) }
        return t.rootHash
    }

    /// RLP of an account as stored in the state trie.
    public static func accountRLP(_ a: Account) -> [UInt8] {
        RLPWriter.list([RLPWriter.uint(a.nonce), RLPWriter.uint(a.balance),
                        RLPWriter.string(storageRoot(a.storage).bytes), RLPWriter.string(a.codeHash.bytes)])
    }

    /// Root of the secure account trie.
    public static func root(_ accounts: [Address: Account]) -> Hash32 {
        var t = SecureTrie()
        for (addr, acct) in accounts { t.put(addr.bytes, accountRLP(acct)) }
        return t.rootHash
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
