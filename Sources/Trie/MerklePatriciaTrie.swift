import Primitives
import Storage

/// A hexary Merkle Patricia Trie (Yellow Paper, Appendix D) held in memory, with `commit(to:)` writing its
/// nodes to a key-value store keyed by hash. Empty values mean "absent" (putting one deletes the key).
public struct MerklePatriciaTrie {
    var root: TrieNode?

    /// keccak256(RLP("")), the root of the empty trie.
    public static let emptyRoot = Keccak256.hash([0x80])

    public init() {}

    /// The value stored under `key`, or nil.
    public func get(_ key: [UInt8]) -> [UInt8]? {
        var node = root
        let path = HexPrefix.nibbles(key)
        var i = 0
        while let n = node {
            switch n.kind {
            case .leaf(let p, let v):
                return Array(path[i...]) == p ? v : nil
            case .ext(let p, let child):
                guard path.count - i >= p.count, Array(path[i..<(i + p.count)]) == p else { return nil }
                i += p.count
                node = child
            case .branch(let children, let v):
                if i == path.count { return v }
                node = children[Int(path[i])]
                i += 1
            }
        }
        return nil
    }

    /// Sets `key` to `value`; an empty value deletes the key.
    public mutating func put(_ key: [UInt8], _ value: [UInt8]) {
        let path = HexPrefix.nibbles(key)
        if value.isEmpty {
            root = Self.delete(root, path[...])
        } else {
            root = Self.insert(root, path[...], value)
        }
    }

    /// Removes `key`.
    public mutating func delete(_ key: [UInt8]) { root = Self.delete(root, HexPrefix.nibbles(key)[...]) }

    /// The root hash: keccak256 of the root node's RLP.
    public var rootHash: Hash32 {
        guard let r = root else { return Self.emptyRoot }
        return r.hash
    }

    /// Writes every node whose encoding is 32 bytes or more (the ones referenced by hash), and the root,
    /// to `store` under its hash in one atomic batch. Returns the root hash.
    @discardableResult
    public func commit(to store: any KeyValueStore) throws(StorageError) -> Hash32 {
        var batch = WriteBatch()
        if let r = root {
            var stack = [r]
            while let n = stack.popLast() {
                let e = n.encoding
                if e.count >= 32 || n === r { batch.put(n.hash.bytes, e) }
                switch n.kind {
                case .leaf: break
                case .ext(_, let c): stack.append(c)
                case .branch(let cs, _): for c in cs { if let c { stack.append(c) } }
                }
            }
        }
        try store.write(batch)
        return rootHash
    }

    static func commonPrefix(_ a: ArraySlice<UInt8>, _ b: ArraySlice<UInt8>) -> Int {
        var i = 0
        let n = min(a.count, b.count)
        while i < n && a[a.startIndex + i] == b[b.startIndex + i] { i += 1 }
        return i
    }

    static func insert(_ node: TrieNode?, _ path: ArraySlice<UInt8>, _ value: [UInt8]) -> TrieNode {
        guard let node else { return TrieNode(.leaf(path: Array(path), value: value)) }
        switch node.kind {
        case .leaf(let p, let v):
            let c = commonPrefix(p[...], path)
            if c == p.count && c == path.count { return TrieNode(.leaf(path: p, value: value)) }
            var children = [TrieNode?](repeating: nil, count: 16)
            var bv: [UInt8]? = nil
            if c == p.count { bv = v } else { children[Int(p[c])] = TrieNode(.leaf(path: Array(p[(c + 1)...]), value: v)) }
            if c == path.count {
                bv = value
            } else {
                let s = path.startIndex + c
                children[Int(path[s])] = TrieNode(.leaf(path: Array(path[(s + 1)...]), value: value))
            }
            let b = TrieNode(.branch(children: children, value: bv))
            return c > 0 ? TrieNode(.ext(path: Array(p[..<c]), child: b)) : b
        case .ext(let p, let child):
            let c = commonPrefix(p[...], path)
            if c == p.count {
                return TrieNode(.ext(path: p, child: insert(child, path.dropFirst(c), value)))
            }
            var children = [TrieNode?](repeating: nil, count: 16)
            var bv: [UInt8]? = nil
            children[Int(p[c])] = c + 1 == p.count ? child : TrieNode(.ext(path: Array(p[(c + 1)...]), child: child))
            if c == path.count {
                bv = value
            } else {
                let s = path.startIndex + c
                children[Int(path[s])] = TrieNode(.leaf(path: Array(path[(s + 1)...]), value: value))
            }
            let b = TrieNode(.branch(children: children, value: bv))
            return c > 0 ? TrieNode(.ext(path: Array(p[..<c]), child: b)) : b
        case .branch(var children, let v):
            guard let first = path.first else { return TrieNode(.branch(children: children, value: value)) }
            children[Int(first)] = insert(children[Int(first)], path.dropFirst(), value)
            return TrieNode(.branch(children: children, value: v))
        }
    }

    static func delete(_ node: TrieNode?, _ path: ArraySlice<UInt8>) -> TrieNode? {
        guard let node else { return nil }
        switch node.kind {
        case .leaf(let p, _):
            return p[...] == path ? nil : node
        case .ext(let p, let child):
            guard path.count >= p.count, path.prefix(p.count) == p[...] else { return node }
            let nc = delete(child, path.dropFirst(p.count))
            if nc === child { return node }
            return joinExtension(p, nc)
        case .branch(var children, var v):
            if let first = path.first {
                let old = children[Int(first)]
                let nc = delete(old, path.dropFirst())
                if nc === old { return node }
                children[Int(first)] = nc
            } else {
                if v == nil { return node }
                v = nil
            }
            return normalizeBranch(children, v)
        }
    }

    /// An extension over `child`, merged with it when the child is no longer a branch.
    static func joinExtension(_ p: [UInt8], _ child: TrieNode?) -> TrieNode? {
        guard let child else { return nil }
        switch child.kind {
        case .leaf(let p2, let v): return TrieNode(.leaf(path: p + p2, value: v))
        case .ext(let p2, let c): return TrieNode(.ext(path: p + p2, child: c))
        case .branch: return TrieNode(.ext(path: p, child: child))
        }
    }

    /// A branch left with one entry collapses into a leaf or an extension.
    static func normalizeBranch(_ children: [TrieNode?], _ v: [UInt8]?) -> TrieNode? {
        var count = v == nil ? 0 : 1
        var only = -1
        for (i, c) in children.enumerated() where c != nil { count += 1; only = i }
        if count == 0 { return nil }
        if count > 1 { return TrieNode(.branch(children: children, value: v)) }
        if let v { return TrieNode(.leaf(path: [], value: v)) }
        return joinExtension([UInt8(only)], children[only])
    }
}

/// A trie whose keys are keccak256-hashed before use, as Ethereum's state and storage tries are.
public struct SecureTrie {
    public private(set) var trie = MerklePatriciaTrie()
    public init() {}
    public func get(_ key: [UInt8]) -> [UInt8]? { trie.get(Keccak256.hash(key).bytes) }
    public mutating func put(_ key: [UInt8], _ value: [UInt8]) { trie.put(Keccak256.hash(key).bytes, value) }
    public mutating func delete(_ key: [UInt8]) { trie.delete(Keccak256.hash(key).bytes) }
    public var rootHash: Hash32 { trie.rootHash }
}
