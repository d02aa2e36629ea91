import Testing
import Primitives

/// Seeded random inputs for the ABI parsers and decoder: nothing may crash, every failure must be an
/// `ABIError`, and whatever is accepted must survive a round trip unchanged.
@Suite struct ABIFuzzTests {
    /// SplitMix64: small, deterministic, good enough to spread inputs.
    struct Rng {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func int(_ n: Int) -> Int { Int(next() % UInt64(n)) }
        mutating func bool() -> Bool { next() & 1 == 1 }
    }

    static func randomType(_ r: inout Rng, depth: Int = 0) -> ABIType {
        switch r.int(depth < 3 ? 10 : 7) {
        case 0: return .uint(8 * (1 + r.int(32)))
        case 1: return .int(8 * (1 + r.int(32)))
        case 2: return r.bool() ? .address : .bool
        case 3: return .fixedBytes(1 + r.int(32))
        case 4: return .bytes
        case 5: return .string
        case 6: return .uint(256)
        case 7: return .array(randomType(&r, depth: depth + 1))
        case 8: return .fixedArray(randomType(&r, depth: depth + 1), 1 + r.int(3))
        default: return .tuple((0..<(1 + r.int(3))).map { _ in randomType(&r, depth: depth + 1) })
        }
    }

    static func randomValue(_ t: ABIType, _ r: inout Rng) -> ABIValue {
        func word() -> UInt256 { UInt256(l0: r.next(), l1: r.next(), l2: r.next(), l3: r.next()) }
        func mask(_ v: UInt256, _ bits: Int) -> UInt256 {
            var m = UInt256.max
            for i in 0..<4 where (i + 1) * 64 > bits {
                m[limb: i] = i * 64 >= bits ? 0 : (UInt64.max >> UInt64(64 - (bits - i * 64)))
            }
            return v & m
        }
        switch t {
        case .uint(let m): return .uint(mask(word(), m))
        case .int(let m):
            let v = mask(word(), m - 1)
            return .int(r.bool() ? ~v : v)  // ~v is negative with the same magnitude range
        case .address: return .address(Address(word: word().word))
        case .bool: return .bool(r.bool())
        case .fixedBytes(let m): return .fixedBytes((0..<m).map { _ in UInt8(truncatingIfNeeded: r.next()) })
        case .bytes: return .bytes((0..<r.int(70)).map { _ in UInt8(truncatingIfNeeded: r.next()) })
        case .string: return .string(["", "a", "héllo", "🚀🚀", String(repeating: "z", count: r.int(80))][r.int(5)])
        case .array(let e): return .array((0..<r.int(4)).map { _ in randomValue(e, &r) })
        case .fixedArray(let e, let k): return .array((0..<k).map { _ in randomValue(e, &r) })
        case .tuple(let ts): return .tuple(ts.map { randomValue($0, &r) })
        }
    }

    @Test func roundTripsAndSurvivesMutation() throws {
        var r = Rng(state: 42)
        var accepted = 0, rejected = 0
        for _ in 0..<400 {
            let types = (0..<(1 + r.int(3))).map { _ in Self.randomType(&r) }
            let values = types.map { Self.randomValue($0, &r) }
            let data = try ABI.encode(types, values)
            #expect(try ABI.decode(types, from: data) == values, "\(types)")
            for (t, v) in zip(types, values) {
                #expect(try ABI.parseArgument(ABI.format(v), as: t) == v, "text of \(t)")
            }
            for _ in 0..<8 {
                var mutated = data
                switch r.int(3) {
                case 0 where !mutated.isEmpty: mutated[r.int(mutated.count)] = UInt8(truncatingIfNeeded: r.next())
                case 1: mutated = Array(mutated.prefix(r.int(mutated.count + 1)))
                default:
                    if mutated.count >= 32 {
                        let w = r.int(mutated.count / 32) * 32
                        let v = [UInt256.max, UInt256(UInt64(r.int(mutated.count + 64))), UInt256.one][r.int(3)].bytes
                        mutated.replaceSubrange(w..<w + 32, with: v)
                    }
                }
                do {
                    let decoded = try ABI.decode(types, from: mutated)
                    accepted += 1
                    // Whatever is accepted is a valid value of the types: it encodes and decodes back.
                    #expect(try ABI.decode(types, from: ABI.encode(types, decoded)) == decoded)
                } catch {
                    rejected += 1
                }
            }
        }
        #expect(accepted > 100 && rejected > 100, "accepted \(accepted), rejected \(rejected)")
    }

    @Test func parsersNeverCrash() throws {
        var r = Rng(state: 7)
        let typeAlphabet = ["uint", "int", "8", "256", "bytes", "32", "string", "address", "bool", "(", ")", ",",
                            "[", "]", "2", "0", " ", "tuple", "x", "indexed", "a", "returns"]
        var parsedTypes = 0
        for _ in 0..<3000 {
            let text = (0..<(1 + r.int(10))).map { _ in typeAlphabet[r.int(typeAlphabet.count)] }.joined()
            if let t = try? ABIType(parsing: text) {
                parsedTypes += 1
                #expect(try ABIType(parsing: t.canonical) == t)
            }
            if let f = try? ABIFunction(signature: "f" + text) {
                #expect(try ABIFunction(signature: f.signature).signature == f.signature)
            }
        }
        #expect(parsedTypes > 50)
        let textAlphabet = ["[", "]", "(", ")", ",", "\"", "\\", "1", "-", "0x", "ff", "true", " ", "a", "é"]
        for _ in 0..<3000 {
            let t = Self.randomType(&r)
            let text = (0..<r.int(12)).map { _ in textAlphabet[r.int(textAlphabet.count)] }.joined()
            if let v = try? ABI.parseArgument(text, as: t) {
                #expect(try ABI.parseArgument(ABI.format(v), as: t) == v, "\(t) '\(text)'")
            }
        }
        let jsonAlphabet = ["[", "]", "{", "}", ",", ":", "\"type\"", "\"function\"", "\"name\"", "\"f\"",
                            "\"inputs\"", "\"tuple\"", "\"components\"", "\"uint8\"", "true", "1"]
        for _ in 0..<2000 {
            let text = (0..<r.int(30)).map { _ in jsonAlphabet[r.int(jsonAlphabet.count)] }.joined()
            _ = try? ABIContract(json: text)
        }
    }
}
