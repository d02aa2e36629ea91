import Foundation
import Testing
import Primitives
import TestSupport

/// Builds the item a `rlptest.json` "in" value describes: a string is its UTF-8 bytes, an integer its minimal
/// big-endian bytes, "#<decimal>" a big integer (which may exceed 256 bits), a list a list.
func rlpItem(fromTestInput value: Any) throws -> RLPItem {
    if let s = value as? String {
        if s.hasPrefix("#") { return .bytes(try bigDecimalBytes(String(s.dropFirst()))) }
        return .bytes(Array(s.utf8))
    }
    if let l = value as? [Any] { return .list(try l.map { try rlpItem(fromTestInput: $0) }) }
    if let n = value as? Int, n >= 0 { return .uint(UInt64(n)) }
    throw TestFailure("unexpected RLP test input \(value)")
}

/// Big-endian bytes, without leading zeros, of a decimal of any size.
func bigDecimalBytes(_ text: String) throws -> [UInt8] {
    var out: [UInt8] = []  // little-endian while building
    for c in text.utf8 {
        guard c >= 48 && c <= 57 else { throw TestFailure("bad decimal \(text)") }
        var carry = Int(c - 48)
        for i in 0..<out.count {
            let v = Int(out[i]) * 10 + carry
            out[i] = UInt8(v & 0xff)
            carry = v >> 8
        }
        while carry > 0 { out.append(UInt8(carry & 0xff)); carry >>= 8 }
    }
    while out.last == 0 { out.removeLast() }
    return out.reversed()
}

/// Items described as hex strings (byte strings) and arrays (lists), as in rlp.json.
func rlpItem(fromHexTree value: Any) throws -> RLPItem {
    if let s = value as? String { return .bytes(try Hex.decode(s)) }
    if let l = value as? [Any] { return .list(try l.map { try rlpItem(fromHexTree: $0) }) }
    throw TestFailure("unexpected tree node \(value)")
}

/// Bytes taken by the outermost `count` headers of a nest built inner-first.
func headerBytes(_ innerFirst: [[UInt8]], skipping count: Int) -> Int {
    innerFirst.suffix(count).reduce(0) { $0 + $1.count }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

@Suite struct RLPTests {
    static func ethTests(_ name: String) throws -> [String: [String: Any]] {
        let url = Fixtures.ethereumTests.appendingPathComponent("RLPTests/\(name)")
        guard let root = try Fixtures.json(url) as? [String: [String: Any]] else { throw TestFailure("bad \(name)") }
        return root
    }

    /// ethereum/tests RLPTests/rlptest.json: every "in" encodes to "out", and "out" decodes back to "in".
    @Test func ethereumValidVectors() throws {
        let tests = try Self.ethTests("rlptest.json")
        #expect(tests.count == 28)
        for (name, t) in tests.sorted(by: { $0.key < $1.key }) {
            let item = try rlpItem(fromTestInput: t["in"]!)
            let out = try Hex.decode(t["out"] as! String)
            #expect(item.encoded == out, "\(name)")
            #expect(item.encodedLength == out.count, "\(name)")
            #expect(try RLP.decode(out) == item, "\(name)")
            #expect(try RLP.validate(out).end == out.count, "\(name)")
            // "#" big integers: those that fit come back through the UInt256 helper, 2^256 is refused.
            if let s = t["in"] as? String, s.hasPrefix("#") {
                let bytes = try bigDecimalBytes(String(s.dropFirst()))
                if bytes.count <= 32 {
                    let v = try RLP.decode(out).asUInt256()
                    #expect(v.trimmedBytes == bytes, "\(name)")
                    #expect(RLP.encode(v) == out, "\(name)")
                } else {
                    #expect(throws: RLPError.integerTooLarge(offset: 0, bytes: bytes.count, maxBytes: 32)) {
                        try RLP.decode(out).asUInt256()
                    }
                }
            }
            if let n = t["in"] as? Int { #expect(try RLP.decode(out).asUInt64() == UInt64(n), "\(name)") }
        }
    }

    /// ethereum/tests RLPTests/invalidRLPTest.json: every "out" must be rejected.
    @Test func ethereumInvalidVectors() throws {
        let tests = try Self.ethTests("invalidRLPTest.json")
        #expect(tests.count == 26)
        for (name, t) in tests.sorted(by: { $0.key < $1.key }) {
            #expect(t["in"] as? String == "INVALID")
            let raw = try Hex.decode(t["out"] as! String)
            #expect(throws: RLPError.self, "\(name)") { try RLP.decode(raw) }
            #expect(throws: RLPError.self, "\(name)") { try RLP.validate(raw) }
        }
    }

    @Test func ethereumRandomVectors() throws {
        let tests = try Self.ethTests("RandomRLPTests/example.json")
        #expect(!tests.isEmpty)
        for (name, t) in tests {
            #expect(t["in"] as? String == "VALID")
            let raw = try Hex.decode(t["out"] as! String)
            #expect(try RLP.decode(raw).encoded == raw, "\(name)")
        }
    }

    /// Structures and integers encoded by pyrlp (tools/vectors/rlp_vectors.py).
    @Test func pyrlpVectors() throws {
        let root = try Fixtures.json(Fixtures.vector("PrimitivesTests", "rlp.json")) as! [String: Any]
        let structures = root["structures"] as! [[String: Any]]
        #expect(structures.count == 120)
        for (i, s) in structures.enumerated() {
            let item = try rlpItem(fromHexTree: s["item"]!)
            let raw = try Hex.decode(s["rlp"] as! String)
            #expect(item.encoded == raw, "structure \(i)")
            #expect(try RLP.decode(raw) == item, "structure \(i)")
        }
        let integers = root["integers"] as! [[String: Any]]
        #expect(integers.count > 500)
        for v in integers {
            let hex = v["value"] as! String
            let value = try UInt256(bigEndian: Hex.decode(hex.count % 2 == 1 ? "0" + hex : hex))
            let raw = try Hex.decode(v["rlp"] as! String)
            #expect(RLP.encode(value) == raw, "\(hex)")
            #expect(RLPItem.uint(value).encoded == raw, "\(hex)")
            #expect(RLP.encodedLength(of: value) == raw.count, "\(hex)")
            #expect(try RLP.decode(raw).asUInt256() == value, "\(hex)")
            if value.fitsUInt64 {
                #expect(RLP.encode(value.l0) == raw, "\(hex)")
                #expect(RLP.encodedLength(of: value.l0) == raw.count, "\(hex)")
                var d = RLPDecoder(raw)
                #expect(try d.readUInt64() == value.l0)
            }
        }
    }

    /// Each kind of non-canonical or broken input gets its own error, at the right offset.
    @Test func strictDecodingNamesTheProblem() {
        #expect(throws: RLPError.empty(offset: 0)) { try RLP.decode([]) }
        #expect(throws: RLPError.nonCanonicalSingleByte(offset: 0)) { try RLP.decode([0x81, 0x7f]) }
        #expect(throws: RLPError.nonCanonicalSingleByte(offset: 2)) { try RLP.decode([0xc3, 0x01, 0x81, 0x05]) }
        #expect(throws: RLPError.nonCanonicalLongLength(offset: 0, length: 1)) { try RLP.decode([0xb8, 0x01, 0xff]) }
        #expect(throws: RLPError.leadingZeroInLength(offset: 0)) { try RLP.decode([0xb9, 0x00, 0x40] + [UInt8](repeating: 1, count: 64)) }
        #expect(throws: RLPError.trailingBytes(offset: 1, count: 2)) { try RLP.decode([0x05, 0x06, 0x07]) }
        #expect(throws: RLPError.truncated(offset: 0, needed: 4, available: 3)) { try RLP.decode([0x83, 0x61, 0x62]) }
        // An item claiming more than its enclosing list holds.
        #expect(throws: RLPError.truncated(offset: 1, needed: 3, available: 2)) { try RLP.decode([0xc2, 0x82, 0x61, 0x62]) }
        #expect(throws: RLPError.lengthOverflow(offset: 0)) {
            try RLP.decode([0xbf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00])
        }
        let e = RLPError.nonCanonicalSingleByte(offset: 7)
        #expect(e.description.contains("offset 7"))
    }

    @Test func integerHelpersRejectNonCanonicalValues() throws {
        #expect(throws: RLPError.integerLeadingZero(offset: 0)) { try RLP.decode([0x00]).asUInt64() }
        #expect(throws: RLPError.integerLeadingZero(offset: 0)) { try RLP.decode([0x82, 0x00, 0x01]).asUInt256() }
        #expect(throws: RLPError.integerTooLarge(offset: 0, bytes: 9, maxBytes: 8)) {
            try RLP.decode([0x89, 1, 2, 3, 4, 5, 6, 7, 8, 9]).asUInt64()
        }
        #expect(try RLP.decode([0x80]).asUInt64() == 0)
        #expect(try RLP.decode([0x89, 1, 2, 3, 4, 5, 6, 7, 8, 9]).asUInt256() == UInt256(bigEndian: [1, 2, 3, 4, 5, 6, 7, 8, 9]))
        #expect(throws: RLPError.expectedBytes(offset: 0)) { try RLP.decode([0xc0]).asUInt64() }
        #expect(throws: RLPError.expectedList(offset: 0)) { try RLP.decode([0x80]).asList() }
        #expect(throws: RLPError.wrongLength(offset: 0, expected: 20, got: 1)) { try RLP.decode([0x05]).asAddress() }
    }

    /// Field-by-field reading with the cursor, the way a transaction decoder uses it.
    @Test func cursorReadsAStructure() throws {
        let to = try Address(hex: "0x13978aee95f38490e9769c39b2773ed763d9cd5f")
        let h = Keccak256.hash("x")
        var out: [UInt8] = []
        var payload: [UInt8] = []
        RLP.appendUInt(UInt64(9), to: &payload)
        RLP.appendUInt(UInt256(l0: 0, l1: 1, l2: 0, l3: 0), to: &payload)
        RLP.appendAddress(to, to: &payload)
        RLP.appendWord(h, to: &payload)
        RLP.appendBytes([UInt8](repeating: 0xaa, count: 60), to: &payload)
        RLP.appendListHeader(payloadLength: payload.count, to: &out)
        out += payload
        let item = RLPItem.list([.uint(UInt64(9)), .uint(UInt256(l0: 0, l1: 1, l2: 0, l3: 0)), .address(to), .word(h),
                                 .bytes([UInt8](repeating: 0xaa, count: 60))])
        #expect(out == item.encoded)

        var d = RLPDecoder(out)
        let m = try d.enterList()
        #expect(try d.readUInt64() == 9)
        #expect(try d.readUInt256() == UInt256(l0: 0, l1: 1, l2: 0, l3: 0))
        #expect(try d.readAddress() == to)
        #expect(try d.readWord() == h)
        #expect(try d.readBytes() == [UInt8](repeating: 0xaa, count: 60))
        #expect(!d.hasMore)
        try d.exitList(m)
        try d.finish()

        // A reader that stops early is told the list has more.
        var e = RLPDecoder(out)
        let m2 = try e.enterList()
        _ = try e.readUInt64()
        #expect(throws: RLPError.listNotFullyConsumed(offset: 0, remaining: out.count - 2 - 1)) { try e.exitList(m2) }
        // Reading past the end of a list is an error, not a read of the next item.
        var f = RLPDecoder([0xc1, 0x01, 0x02])
        _ = try f.enterList()
        _ = try f.readUInt64()
        #expect(throws: RLPError.empty(offset: 2)) { try f.readUInt64() }
    }

    /// Deeply nested input is refused with an error instead of exhausting the stack.
    @Test func deepNestingIsBounded() throws {
        // 10,000 nested lists around an empty list, built from the inside out (headers only, then reversed).
        var headers: [[UInt8]] = []
        var length = 1
        for _ in 0..<10_000 {
            var h: [UInt8] = []
            RLP.appendListHeader(payloadLength: length, to: &h)
            headers.append(h)
            length += h.count
        }
        var raw: [UInt8] = []
        for h in headers.reversed() { raw += h }
        raw.append(0xc0)
        #expect(raw.count == length)
        // The 257th list, just after the outermost 256 headers, is the one refused.
        let tooDeep = RLPError.tooDeep(offset: headerBytes(headers, skipping: 256), limit: RLPDecoder.maxDepth)
        #expect(throws: tooDeep) { try RLP.decode(raw) }
        #expect(throws: tooDeep) { try RLP.validate(raw) }
        // Within the limit it decodes.
        var ok: [UInt8] = [0xc0]
        for _ in 0..<100 { ok = [0xc0 + UInt8(ok.count)] + ok; if ok.count >= 55 { break } }
        #expect(try RLP.decode(ok).encoded == ok)
    }
}
