import Foundation
import Primitives
import Storage
import Testing
import TestSupport
@testable import Trie

/// The official TrieTests and the hex-prefix vectors from BasicTests.
@Suite struct TrieVectorTests {
    /// "0x…" strings are hex; other strings are their ASCII bytes; null is an empty value (delete).
    static func bytes(_ v: Any?) throws -> [UInt8] {
        guard let s = v as? String else { return [] }
        if s.hasPrefix("0x") { return try Hex.decode(s) }
        return Array(s.utf8)
    }

    static func pairs(_ input: Any?) throws -> [([UInt8], [UInt8])] {
        if let list = input as? [[Any]] {
            return try list.map { (try bytes($0[0]), try bytes($0.count > 1 ? $0[1] : nil)) }
        }
        if let obj = input as? [String: Any] {
            return try obj.keys.sorted().map { (try bytes($0), try bytes(obj[$0])) }
        }
        return []
    }

    func check(_ file: String, secure: Bool) throws {
        let json = try #require(Fixtures.json(Fixtures.ethereumTests.appendingPathComponent("TrieTests/\(file)"))
            as? [String: Any])
        #expect(!json.isEmpty)
        for (name, t) in json {
            let t = try #require(t as? [String: Any])
            var trie = MerklePatriciaTrie()
            for (k, v) in try Self.pairs(t["in"]) {
                trie.put(secure ? Keccak256.hash(k).bytes : k, v)
            }
            let expected = try #require(t["root"] as? String)
            #expect(trie.rootHash.hex == expected, "\(file) \(name)")
        }
    }

    @Test func trietest() throws { try check("trietest.json", secure: false) }
    @Test func trieanyorder() throws { try check("trieanyorder.json", secure: false) }
    @Test func trietestSecure() throws { try check("trietest_secureTrie.json", secure: true) }
    @Test func trieanyorderSecure() throws { try check("trieanyorder_secureTrie.json", secure: true) }
    @Test func hexEncodedSecure() throws { try check("hex_encoded_securetrie_test.json", secure: true) }

    @Test func hexPrefixVectors() throws {
        let json = try #require(Fixtures.json(Fixtures.ethereumTests.appendingPathComponent("BasicTests/hexencodetest.json"))
            as? [String: Any])
        #expect(!json.isEmpty)
        for (name, t) in json {
            let t = try #require(t as? [String: Any])
            let seq = try #require(t["seq"] as? [Int]).map { UInt8($0) }
            let term = try #require(t["term"] as? Bool)
            let out = try #require(t["out"] as? String)
            #expect(Hex.encode(HexPrefix.encode(seq, leaf: term), prefix: false) == out, "\(name)")
        }
    }

    @Test func getAndDelete() throws {
        var trie = MerklePatriciaTrie()
        trie.put(Array("dog".utf8), Array("puppy".utf8))
        trie.put(Array("doge".utf8), Array("coin".utf8))
        #expect(trie.get(Array("dog".utf8)) == Array("puppy".utf8))
        #expect(trie.get(Array("do".utf8)) == nil)
        let before = trie.rootHash
        trie.put(Array("horse".utf8), Array("stallion".utf8))
        #expect(trie.rootHash != before)
        trie.delete(Array("horse".utf8))
        #expect(trie.rootHash == before)
        trie.delete(Array("dog".utf8)); trie.delete(Array("doge".utf8))
        #expect(trie.rootHash == MerklePatriciaTrie.emptyRoot)
    }

    @Test func commitWritesRootNode() throws {
        var trie = MerklePatriciaTrie()
        for i in 0..<100 { trie.put(Keccak256.hash([UInt8(i)]).bytes, [UInt8](repeating: UInt8(i), count: 40)) }
        let store = MemoryStore()
        let root = try trie.commit(to: store)
        let rootNode = try #require(try store.get(root.bytes))
        #expect(Keccak256.hash(rootNode) == root)
    }

    /// The bottom-up builder must agree with repeated `put` on the official vectors' shapes: prefixes of other
    /// keys, repeated keys (last wins), empty values (absent), and block-style rlp(index) keys.
    @Test func builderMatchesPut() throws {
        var rng = SystemRandomNumberGenerator()
        for round in 0..<200 {
            var entries: [(key: [UInt8], value: [UInt8])] = []
            let n = round < 100 ? Int.random(in: 0...40, using: &rng) : Int.random(in: 100...1200, using: &rng)
            for i in 0..<n {
                let key: [UInt8]
                switch round % 4 {
                case 0: key = RLP.encode(UInt64(i))
                case 1: key = (0..<Int.random(in: 0...4, using: &rng)).map { _ in UInt8.random(in: 0...3, using: &rng) }
                case 2: key = Keccak256.hash([UInt8(i & 0xff), UInt8(i >> 8)]).bytes
                default: key = (0..<Int.random(in: 1...70, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
                }
                let len = Int.random(in: 0...80, using: &rng)
                entries.append((key, (0..<len).map { _ in UInt8.random(in: 0...255, using: &rng) }))
            }
            var trie = MerklePatriciaTrie()
            for e in entries { trie.put(e.key, e.value) }
            #expect(MerklePatriciaTrie.root(of: entries) == trie.rootHash, "round \(round)")
        }
        #expect(MerklePatriciaTrie.root(of: []) == MerklePatriciaTrie.emptyRoot)
    }

    /// Cached hashes must not go stale: a trie updated after its root was read hashes like a fresh one.
    @Test func incrementalRootMatchesRebuild() throws {
        var trie = MerklePatriciaTrie()
        var model: [[UInt8]: [UInt8]] = [:]
        for step in 0..<50 {
            for i in 0..<40 {
                let k = Keccak256.hash([UInt8(truncatingIfNeeded: i * 7 + step)]).bytes
                let v: [UInt8] = (step + i) % 5 == 0 ? [] : [UInt8(truncatingIfNeeded: step), UInt8(i)]
                trie.put(k, v)
                model[k] = v.isEmpty ? nil : v
            }
            var fresh = MerklePatriciaTrie()
            for (k, v) in model { fresh.put(k, v) }
            #expect(trie.rootHash == fresh.rootHash, "step \(step)")
        }
    }
}
