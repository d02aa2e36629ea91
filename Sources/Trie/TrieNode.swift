import Primitives

/// A trie node. Nodes are immutable once built: an update replaces the nodes on the path from the root
/// to the changed key and shares every other subtree, so each node's encoding and hash are computed at most
/// once and cached. A block touching k keys therefore hashes O(k·depth) new nodes; the unchanged siblings on a
/// rebuilt path contribute their cached hashes instead of being re-hashed.
final class TrieNode {
    enum Kind {
        case leaf(path: [UInt8], value: [UInt8])
        case ext(path: [UInt8], child: TrieNode)
        case branch(children: [TrieNode?], value: [UInt8]?)
    }
    let kind: Kind
    /// RLP encoding of the node, computed on first use.
    private var cachedEncoding: [UInt8]?
    /// keccak256 of the encoding, computed on first use (only asked of nodes referenced by hash, and roots).
    private var cachedHash: Hash32?

    init(_ kind: Kind) { self.kind = kind }

    /// RLP of this node, built in one buffer sized up front.
    var encoding: [UInt8] {
        if let e = cachedEncoding { return e }
        var e: [UInt8] = []
        switch kind {
        case .leaf(let path, let value):
            TrieEncoding.leaf(path[...], value, to: &e)
        case .ext(let path, let child):
            let pl = TrieEncoding.pathLength(path.count)
            e.reserveCapacity(RLP.headerLength(payloadLength: pl + 33) + pl + 33)
            RLP.appendListHeader(payloadLength: pl + child.referenceLength, to: &e)
            TrieEncoding.appendPath(path[...], leaf: false, to: &e)
            child.appendReference(to: &e)
        case .branch(let children, let value):
            var payload = 0
            for c in children { payload += c?.referenceLength ?? 1 }
            let v = value ?? []
            payload += RLP.encodedLength(bytes: v.count, first: v.first)
            e.reserveCapacity(RLP.headerLength(payloadLength: payload) + payload)
            RLP.appendListHeader(payloadLength: payload, to: &e)
            for c in children {
                if let c { c.appendReference(to: &e) } else { e.append(0x80) }
            }
            RLP.appendBytes(v, to: &e)
        }
        cachedEncoding = e
        return e
    }

    /// keccak256 of the encoding.
    var hash: Hash32 {
        if let h = cachedHash { return h }
        let h = Keccak256.hash(encoding)
        cachedHash = h
        return h
    }

    /// Length of `reference`: the RLP inline when shorter than 32 bytes, else a 33-byte hash string.
    var referenceLength: Int {
        let n = encoding.count
        return n < 32 ? n : 33
    }

    /// Appends how a parent refers to this node: its RLP inline when shorter than 32 bytes, else its hash.
    func appendReference(to out: inout [UInt8]) {
        let e = encoding
        if e.count < 32 { out.append(contentsOf: e) } else { RLP.appendWord(hash, to: &out) }
    }

    /// How a parent refers to this node (see `appendReference`).
    var reference: [UInt8] {
        var out: [UInt8] = []
        appendReference(to: &out)
        return out
    }
}

/// RLP encodings of trie nodes from nibble paths, written straight into an output buffer (no per-item arrays).
enum TrieEncoding {
    /// Length of the RLP string holding the hex-prefix form of a path of `nibbles` nibbles.
    @inline(__always)
    static func pathLength(_ nibbles: Int) -> Int {
        let b = nibbles / 2 + 1
        // A one-byte hex prefix is at most 0x3f, so it encodes as itself.
        return b == 1 ? 1 : RLP.headerLength(payloadLength: b) + b
    }

    /// Appends the hex-prefix (Yellow Paper, Appendix C) form of `path` as an RLP string.
    static func appendPath(_ path: ArraySlice<UInt8>, leaf: Bool, to out: inout [UInt8]) {
        let b = path.count / 2 + 1
        if b > 1 {
            if b < 56 { out.append(0x80 &+ UInt8(b)) } else {
                var h: [UInt8] = []
                RLP.appendListHeader(payloadLength: b, to: &h)
                h[0] = h[0] &- 0x40  // same length form, string base 0x80 instead of list base 0xc0
                out.append(contentsOf: h)
            }
        }
        let flag: UInt8 = leaf ? 2 : 0
        var i = path.startIndex
        if path.count & 1 == 1 {
            out.append((flag + 1) << 4 | path[i]); i += 1
        } else {
            out.append(flag << 4)
        }
        while i < path.endIndex { out.append(path[i] << 4 | path[i + 1]); i += 2 }
    }

    /// A leaf: rlp([hexPrefix(path, leaf), value]).
    static func leaf(_ path: ArraySlice<UInt8>, _ value: [UInt8], to out: inout [UInt8]) {
        let payload = pathLength(path.count) + RLP.encodedLength(bytes: value.count, first: value.first)
        out.reserveCapacity(out.count + RLP.headerLength(payloadLength: payload) + payload)
        RLP.appendListHeader(payloadLength: payload, to: &out)
        appendPath(path, leaf: true, to: &out)
        RLP.appendBytes(value, to: &out)
    }
}
