import ContentStore
import Foundation
import Primitives
import Storage
import Testing

@Suite struct BlockStoreTests {
    @Test func addCatRoundTripAcrossSizes() throws {
        let store = try TestFiles.leveldbStore()
        for size in [0, 1, 1000, 262_144, 262_145, 3 * 262_144 + 77] {
            let data = TestFiles.bytes(size, seed: UInt64(size) + 9)
            let added = try store.add(bytes: data)
            #expect(added.cid == (try computeCID(bytes: data)).cid)
            #expect(added.fileSize == UInt64(size))
            #expect(try store.cat(added.cid) == data, "size \(size)")
            #expect(try store.cat(added.cid.v1) == data, "v1 names the same DAG")
            #expect(try store.isPinned(added.cid))
        }
    }

    /// A deep tree (three levels) with a small chunker and fan-out, read back through the verifying reader.
    @Test func deepTreeRoundTrip() throws {
        let kv = MemoryStore()
        let store = try BlockStore(kv: kv)
        let data = TestFiles.bytes(10_000, seed: 77)
        var blocks = 0
        let builder = DAGBuilder(chunkSize: 100, maxLinks: 4) { (digest, block) throws(StoreError) in
            try store.put(digest: digest, block: block)
            blocks += 1
        }
        try data.withUnsafeBytes { raw in
            // Uneven pieces exercise the chunk buffer.
            var i = 0, step = 1
            while i < raw.count {
                let n = min(step, raw.count - i)
                try builder.append(UnsafeRawBufferPointer(rebasing: raw[i..<(i + n)]))
                i += n
                step = step * 3 % 257 + 1
            }
        }
        let added = try builder.finish()
        // 100 leaves → 25 level-1 nodes → 7 level-2 → 2 level-3 → root at level 4.
        #expect(blocks == 100 + 25 + 7 + 2 + 1)
        #expect(added.fileSize == 10_000)
        #expect(try store.cat(added.cid) == data)
        // Tsize of the root counts every block.
        #expect(added.cumulativeSize == (try store.stats()).bytes)
    }

    @Test func corruptBlockIsDetectedAndNamed() throws {
        let store = try TestFiles.leveldbStore()
        let data = TestFiles.bytes(3 * 262_144 + 10, seed: 5)
        let added = try store.add(bytes: data)
        // Find the second leaf's CID from the root's links and flip one byte of it in the database.
        let root = try PBNode(decoding: try store.block(added.cid))
        let victim = root.links[1].cid
        var bytes = try #require(try store.rawBlock(victim.digest))
        bytes[bytes.count / 2] ^= 0x40
        try store.kv.put(try #require(try store.dataKey(of: victim.digest)), bytes)

        #expect(throws: StoreError.self) { try store.cat(added.cid) }
        do {
            _ = try store.cat(added.cid)
        } catch {
            guard case .corruptBlock(let cid, _) = error else { Issue.record("wrong error \(error)"); return }
            #expect(cid == victim)
            #expect(error.description.contains(victim.string))
        }
        // get() leaves no file behind.
        let dir = try TestFiles.tempDir("get")
        let out = dir.appendingPathComponent("out").path
        #expect(throws: StoreError.self) { try store.get(added.cid, to: out) }
        #expect(!FileManager.default.fileExists(atPath: out))
        #expect(!FileManager.default.fileExists(atPath: out + ".partial"))
        // Pinning checks the whole DAG too.
        #expect(throws: StoreError.self) { try store.pin(added.cid) }
    }

    @Test func missingBlockIsNamed() throws {
        let store = try BlockStore(kv: MemoryStore())
        let cid = try CID("QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH")
        do {
            _ = try store.cat(cid)
            Issue.record("cat of an absent CID returned data")
        } catch {
            #expect(error.description.contains(cid.string))
        }
    }

    @Test func pinsAndGarbageCollection() throws {
        let store = try TestFiles.leveldbStore()
        let a = TestFiles.bytes(2 * 262_144 + 3, seed: 1)
        let b = Array(a.prefix(2 * 262_144)) + TestFiles.bytes(262_144, seed: 2)  // shares two leaves with a
        let addedA = try store.add(bytes: a)
        let addedB = try store.add(bytes: b, pin: false)
        let before = try store.stats()
        // a: 3 leaves + root; b: 2 shared + 1 new leaf + root.
        #expect(before.blocks == 6)
        #expect(before.pins == 1)

        let removed = try store.gc()
        #expect(removed.count == 2)  // b's root and its own leaf
        #expect(try store.cat(addedA.cid) == a)
        #expect(throws: StoreError.self) { try store.cat(addedB.cid) }

        // Re-adding b and pinning it, then unpinning a: gc keeps the shared leaves.
        _ = try store.add(bytes: b)
        try store.unpin(addedA.cid)
        #expect(throws: StoreError.self) { try store.unpin(addedA.cid) }
        #expect(try store.gc().count == 2)
        #expect(try store.cat(addedB.cid) == b)
        try store.unpin(addedB.cid)
        #expect(try store.gc().count == 4)
        let after = try store.stats()
        #expect(after == StoreStats(blocks: 0, bytes: 0, pins: 0))
    }

    @Test func statsSurviveReopen() throws {
        let dir = try TestFiles.tempDir("reopen")
        let data = TestFiles.bytes(300_000, seed: 3)
        let expected: StoreStats
        let cid: CID
        do {
            let store = try BlockStore(path: dir.path)
            cid = try store.add(bytes: data).cid
            expected = try store.stats()
        }
        let store = try BlockStore(path: dir.path)
        #expect(try store.stats() == expected)
        #expect(try store.cat(cid) == data)
    }

    /// Blocks of an add in progress are protected from a concurrent GC.
    @Test func gcSparesAnAddInProgress() throws {
        let store = try BlockStore(kv: MemoryStore())
        let adder = FileAdder(store: store)
        // More than one 8 MiB write batch, so some blocks are in the store before the root exists.
        let data = TestFiles.bytes(10 << 20, seed: 4)
        try adder.append(Array(data.prefix(9 << 20)))
        #expect(try store.stats().blocks >= 32)
        #expect(try store.gc().isEmpty)
        try adder.append(Array(data.dropFirst(9 << 20)))
        let added = try adder.finish()
        #expect(try store.gc().isEmpty)
        #expect(try store.cat(added.cid) == data)
    }
}

@Suite struct FormatTests {
    /// RFC 4648 §10 test vectors (lower case, no padding).
    @Test func base32() throws {
        let cases = ["": "", "f": "my", "fo": "mzxq", "foo": "mzxw6", "foob": "mzxw6yq", "fooba": "mzxw6ytb",
                     "foobar": "mzxw6ytboi"]
        for (plain, encoded) in cases {
            #expect(Base32.encode(Array(plain.utf8)) == encoded)
            #expect(try Base32.decode(encoded) == Array(plain.utf8))
            #expect(try Base32.decode(encoded.uppercased()) == Array(plain.utf8))
        }
        #expect(throws: MultibaseError.self) { try Base32.decode("m") }
        #expect(throws: MultibaseError.self) { try Base32.decode("mz1") }
        #expect(throws: MultibaseError.self) { try Base32.decode("mz") }  // non-zero spare bits
    }

    /// Bitcoin base58 vectors (from the base58 spec draft and Bitcoin Core's base58_encode_decode.json).
    @Test func base58() throws {
        let cases: [(String, String)] = [("", ""), ("61", "2g"), ("626262", "a3gV"), ("636363", "aPEr"),
            ("73696d706c792061206c6f6e6720737472696e67", "2cFupjhnEsSn59qHXstmK2ffpLv2"),
            ("00eb15231dfceb60925886b67d065299925915aeb172c06647", "1NS17iag9jJgTHD1VXjvLCEnZuQ3rJDE9L"),
            ("516b6fcd0f", "ABnLTmg"), ("bf4f89001e670274dd", "3SEo3LWLoPntC"), ("572e4794", "3EFU7m"),
            ("ecac89cad93923c02321", "EJDM8drfXA6uyA"), ("10c8511e", "Rt5zm"), ("00000000000000000000", "1111111111")]
        for (hex, text) in cases {
            #expect(Base58.encode(try Hex.decode(hex)) == text)
            #expect(try Base58.decode(text) == (try Hex.decode(hex)))
        }
        #expect(throws: MultibaseError.self) { try Base58.decode("0OIl") }
    }

    @Test func cidParsingErrors() throws {
        for bad in ["", "Qm", "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQ0", "xyz", "bafy", "zzzz",
                    "bafkreie" + String(repeating: "a", count: 40), "bafkqaaa"] {
            #expect(throws: CIDError.self, "\(bad)") { try CID(bad) }
        }
        let v0 = try CID("QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH")
        #expect(try CID("/ipfs/QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH") == v0)
        #expect(try CID(binary: v0.v1.bytes) == v0.v1)
        #expect(try CID("z" + Base58.encode(v0.v1.bytes)) == v0.v1)
    }

    @Test func dagPBRejectsMalformedBlocks() throws {
        // Unknown field, truncated length, Data twice, a link without Hash.
        for bad: [UInt8] in [[0x1a, 0x00], [0x0a, 0x05, 0x08], [0x0a, 0x00, 0x0a, 0x00], [0x12, 0x02, 0x18, 0x01]] {
            #expect(throws: DagPBError.self) { try PBNode(decoding: bad) }
        }
        // A block that hashes correctly but is not dag-pb is reported as malformed, naming its CID.
        let store = try BlockStore(kv: MemoryStore())
        let cid = try store.put(block: [0xff, 0xff, 0xff])
        do { _ = try store.cat(cid); Issue.record("malformed block accepted") } catch {
            guard case .malformedBlock(let c, _) = error else { Issue.record("wrong error \(error)"); return }
            #expect(c == cid)
        }
    }

    @Test func multipartParserHandlesAnySplit() throws {
        let boundary = "XyZ-boundary"
        let file1 = TestFiles.bytes(5000, seed: 11) + Array("\r\n--XyZ-bound".utf8)  // a near-delimiter inside
        var body = MultipartParser.fileHeader(boundary: boundary, fileName: "a b.bin")
        body += file1
        body += Array("\r\n--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"two\"\r\n\r\n".utf8)
        body += Array("second".utf8)
        body += MultipartParser.footer(boundary: boundary)
        for piece in [1, 2, 7, 64, 4096, body.count] {
            var parser = MultipartParser(boundary: try MultipartParser.boundary(contentType: "multipart/form-data; boundary=\"\(boundary)\""))
            var parts: [(String?, [UInt8])] = []
            var i = 0
            while i < body.count {
                let n = min(piece, body.count - i)
                try body[i..<(i + n)].withUnsafeBytes { raw in
                    try parser.feed(raw) { event in
                        switch event {
                        case .partStart(let h): parts.append((h["content-disposition"].flatMap(MultipartParser.fileName), []))
                        case .body(let b): parts[parts.count - 1].1 += Array(b)
                        case .partEnd: break
                        }
                    }
                }
                i += n
            }
            try parser.finish()
            #expect(parts.count == 2)
            #expect(parts.first?.0 == "a b.bin")
            #expect(parts.first?.1 == file1, "piece \(piece)")
            #expect(parts.last?.1 == Array("second".utf8))
        }
        #expect(throws: MultipartError.self) { try MultipartParser.boundary(contentType: "application/json") }
        var p = MultipartParser(boundary: "b")
        try Array("--b\r\n\r\nabc".utf8).withUnsafeBytes { raw in try p.feed(raw) { _ in } }
        #expect(throws: MultipartError.self) { try p.finish() }
    }
}
