import Primitives

extension MerklePatriciaTrie {
    /// The root hash of the trie holding `entries`, built bottom-up from the sorted keys: every node is encoded
    /// and hashed exactly once, and no intermediate node is allocated, unlike repeated `put`. This is how a
    /// block's transactions and receipts roots are computed (fresh tries of up to thousands of entries).
    /// Empty values are absent (as in `put`); when a key repeats, its last value counts.
    public static func root(of entries: [(key: [UInt8], value: [UInt8])]) -> Hash32 {
        var items: [(nibbles: [UInt8], value: [UInt8])] = []
        items.reserveCapacity(entries.count)
        for e in entries { items.append((HexPrefix.nibbles(e.key), e.value)) }
        // Stable, so that among equal keys the last one given stays last and wins below.
        let order = items.indices.sorted { a, b in
            let c = compare(items[a].nibbles, items[b].nibbles)
            return c != 0 ? c < 0 : a < b
        }
        var sorted: [(nibbles: [UInt8], value: [UInt8])] = []
        sorted.reserveCapacity(items.count)
        for i in order {
            if let last = sorted.last, last.nibbles == items[i].nibbles { sorted.removeLast() }
            sorted.append(items[i])
        }
        sorted.removeAll { $0.value.isEmpty }
        if sorted.isEmpty { return emptyRoot }
        var b = Builder(items: sorted)
        return Keccak256.hash(b.node(sorted.startIndex, sorted.endIndex, depth: 0))
    }

    /// Lexicographic order of nibble strings (a prefix sorts first).
    static func compare(_ a: [UInt8], _ b: [UInt8]) -> Int {
        let n = min(a.count, b.count)
        for i in 0..<n where a[i] != b[i] { return a[i] < b[i] ? -1 : 1 }
        return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
    }

    /// Encodes the subtrie of a sorted, duplicate-free, non-empty range of entries.
    private struct Builder {
        let items: [(nibbles: [UInt8], value: [UInt8])]

        /// The node for `items[lo..<hi]`, whose keys agree on their first `depth` nibbles.
        mutating func node(_ lo: Int, _ hi: Int, depth: Int) -> [UInt8] {
            var out: [UInt8] = []
            let first = items[lo].nibbles
            if hi - lo == 1 {
                TrieEncoding.leaf(first[depth...], items[lo].value, to: &out)
                return out
            }
            // Sorted keys: the prefix shared by the first and last is shared by all.
            let last = items[hi - 1].nibbles
            var cp = depth
            while cp < first.count && cp < last.count && first[cp] == last[cp] { cp += 1 }
            if cp == depth { return branch(lo, hi, depth: depth) }
            let child = branch(lo, hi, depth: cp)
            let pl = TrieEncoding.pathLength(cp - depth)
            let cl = child.count < 32 ? child.count : 33
            RLP.appendListHeader(payloadLength: pl + cl, to: &out)
            TrieEncoding.appendPath(first[depth..<cp], leaf: false, to: &out)
            Self.appendReference(child, to: &out)
            return out
        }

        /// A branch at nibble `depth`: a key that ends here is the branch's value, the rest go to 16 children.
        mutating func branch(_ lo: Int, _ hi: Int, depth: Int) -> [UInt8] {
            var value: [UInt8] = []
            var i = lo
            if items[i].nibbles.count == depth { value = items[i].value; i += 1 }
            var refs: [[UInt8]] = []
            var slots = [Int](repeating: -1, count: 16)
            var payload = 0
            while i < hi {
                let nib = items[i].nibbles[depth]
                var j = i + 1
                while j < hi && items[j].nibbles[depth] == nib { j += 1 }
                let child = node(i, j, depth: depth + 1)
                var ref: [UInt8] = []
                Self.appendReference(child, to: &ref)
                slots[Int(nib)] = refs.count
                payload += ref.count
                refs.append(ref)
                i = j
            }
            payload += 16 - refs.count + RLP.encodedLength(bytes: value.count, first: value.first)
            var out: [UInt8] = []
            out.reserveCapacity(RLP.headerLength(payloadLength: payload) + payload)
            RLP.appendListHeader(payloadLength: payload, to: &out)
            for s in slots {
                if s >= 0 { out.append(contentsOf: refs[s]) } else { out.append(0x80) }
            }
            RLP.appendBytes(value, to: &out)
            return out
        }

        static func appendReference(_ encoding: [UInt8], to out: inout [UInt8]) {
            if encoding.count < 32 { out.append(contentsOf: encoding) } else {
                RLP.appendWord(Keccak256.hash(encoding), to: &out)
            }
        }
    }
}
