import Foundation
import Testing
import Primitives
import TestSupport

/// The vectors of tools/vectors/uint256_vectors.py: results computed with Python's big integers from the
/// Yellow Paper's definitions.
private enum Vectors {
    struct Failure: Error, CustomStringConvertible { let description: String }

    /// The whole file (about 1 MB; each test reads it again, which takes milliseconds).
    static func root() throws -> [String: Any] {
        guard let root = try Fixtures.json(Fixtures.vector("PrimitivesTests", "uint256.json")) as? [String: Any] else {
            throw Failure(description: "uint256.json is not a JSON object")
        }
        return root
    }

    /// The cases of list `name` under `group` ("cases" or "knuth"), each parsed into numbers.
    static func cases(_ name: String, in group: String = "cases") throws -> [[UInt256]] {
        guard let lists = try root()[group] as? [String: Any], let list = lists[name] as? [[String]] else {
            throw Failure(description: "uint256.json has no list \(group).\(name)")
        }
        return try list.map { row in try row.map { try UInt256(parsing: $0) } }
    }
}

private let one = UInt256.one
private func bool(_ b: Bool) -> UInt256 { b ? .one : .zero }

@Suite struct UInt256VectorTests {
    @Test func addSubtract() throws {
        let add = try Vectors.cases("add"), sub = try Vectors.cases("sub")
        #expect(add.count > 100 && sub.count > 100)
        for c in add {
            #expect(c[0] &+ c[1] == c[2], "\(c[0].hexString) + \(c[1].hexString)")
            #expect(c[0].addingReportingOverflow(c[1]).overflow == (c[2] < c[0]))
        }
        for c in sub { #expect(c[0] &- c[1] == c[2], "\(c[0].hexString) - \(c[1].hexString)") }
    }

    @Test func multiply() throws {
        let mul = try Vectors.cases("mul"), full = try Vectors.cases("mulFull")
        #expect(mul.count > 100 && full.count > 100)
        for c in mul { #expect(c[0] &* c[1] == c[2], "\(c[0].hexString) * \(c[1].hexString)") }
        for c in full {
            let (high, low) = c[0].multipliedFullWidth(by: c[1])
            #expect(high == c[2] && low == c[3], "\(c[0].hexString) * \(c[1].hexString) full width")
            let r = c[0].multipliedReportingOverflow(by: c[1])
            #expect(r.partialValue == c[3] && r.overflow == !c[2].isZero)
        }
    }

    @Test func divideAndModulo() throws {
        let cases = try Vectors.cases("divmod")
        #expect(cases.count > 1000)
        #expect(cases.contains { $0[1].isZero }, "division by zero is covered")
        for c in cases {
            let (q, r) = c[0].quotientAndRemainder(dividingBy: c[1])
            #expect(q == c[2] && r == c[3], "\(c[0].hexString) divmod \(c[1].hexString)")
            #expect(c[0] / c[1] == c[2])
            #expect(c[0] % c[1] == c[3])
        }
    }

    /// Operands built to reach Knuth's rare branches (the generator proves each does with a simulation).
    @Test func knuthRareBranches() throws {
        for kind in ["addback", "equal"] {
            let div = try Vectors.cases(kind + "_div", in: "knuth")
            let mulmod = try Vectors.cases(kind + "_mulmod", in: "knuth")
            #expect(div.count >= 12 && mulmod.count >= 12)
            for c in div {
                let (q, r) = c[0].quotientAndRemainder(dividingBy: c[1])
                #expect(q == c[2] && r == c[3], "\(kind): \(c[0].hexString) divmod \(c[1].hexString)")
            }
            for c in mulmod {
                #expect(UInt256.mulmod(c[0], c[1], c[2]) == c[3],
                        "\(kind): mulmod(\(c[0].hexString), \(c[1].hexString), \(c[2].hexString))")
            }
        }
    }

    @Test func signedDivision() throws {
        let cases = try Vectors.cases("sdivSmod")
        #expect(cases.count > 100)
        for c in cases {
            #expect(c[0].sdiv(c[1]) == c[2], "sdiv(\(c[0].hexString), \(c[1].hexString))")
            #expect(c[0].smod(c[1]) == c[3], "smod(\(c[0].hexString), \(c[1].hexString))")
        }
    }

    @Test func comparisons() throws {
        let signed = try Vectors.cases("sltSgt"), unsigned = try Vectors.cases("lt")
        #expect(signed.count > 100 && unsigned.count > 100)
        for c in signed {
            #expect(bool(c[0].slt(c[1])) == c[2], "slt(\(c[0].hexString), \(c[1].hexString))")
            #expect(bool(c[0].sgt(c[1])) == c[3], "sgt(\(c[0].hexString), \(c[1].hexString))")
        }
        for c in unsigned { #expect(bool(c[0] < c[1]) == c[2]) }
    }

    @Test func modularArithmetic() throws {
        let cases = try Vectors.cases("addmodMulmod")
        #expect(cases.count > 300)
        for c in cases {
            #expect(UInt256.addmod(c[0], c[1], c[2]) == c[3],
                    "addmod(\(c[0].hexString), \(c[1].hexString), \(c[2].hexString))")
            #expect(UInt256.mulmod(c[0], c[1], c[2]) == c[4],
                    "mulmod(\(c[0].hexString), \(c[1].hexString), \(c[2].hexString))")
        }
    }

    @Test func exponentiation() throws {
        let cases = try Vectors.cases("exp")
        #expect(cases.count > 300)
        for c in cases { #expect(UInt256.exp(c[0], c[1]) == c[2], "exp(\(c[0].hexString), \(c[1].hexString))") }
    }

    @Test func shifts() throws {
        let cases = try Vectors.cases("shlShrSar")
        #expect(cases.count > 300)
        for c in cases {
            let (shift, value) = (c[0], c[1])
            #expect(value << shift == c[2], "shl(\(shift.hexString), \(value.hexString))")
            #expect(value >> shift == c[3], "shr(\(shift.hexString), \(value.hexString))")
            #expect(value.sar(shift) == c[4], "sar(\(shift.hexString), \(value.hexString))")
            // The Int forms agree wherever the count fits.
            if let n = shift.asInt {
                #expect(value << n == c[2] && value >> n == c[3] && value.sar(n) == c[4])
            }
        }
    }

    @Test func signextendAndByte() throws {
        let cases = try Vectors.cases("signextendByte")
        #expect(cases.count > 300)
        for c in cases {
            #expect(c[1].signextend(byteIndex: c[0]) == c[2], "signextend(\(c[0].hexString), \(c[1].hexString))")
            #expect(c[1].byte(at: c[0]) == c[3], "byte(\(c[0].hexString), \(c[1].hexString))")
        }
    }

    @Test func bitwise() throws {
        let cases = try Vectors.cases("andOrXor"), not = try Vectors.cases("not")
        #expect(cases.count > 100 && not.count > 100)
        for c in cases { #expect(c[0] & c[1] == c[2] && c[0] | c[1] == c[3] && c[0] ^ c[1] == c[4]) }
        for c in not { #expect(~c[0] == c[1]) }
    }
}

@Suite struct UInt256TextTests {
    /// Decimal and hex forms of edge values and of one value of every bit width, from Python's str and hex.
    @Test func decimalAndHexRoundTrips() throws {
        let rows = try #require(try Vectors.root()["text"] as? [[Any]])
        #expect(rows.count > 256)
        for row in rows {
            let hex = try #require(row[0] as? String), dec = try #require(row[1] as? String)
            let bytes = try #require(row[2] as? Int)
            let v = try UInt256(parsing: hex)
            #expect(v.description == dec)
            #expect(v.hexString == hex)
            #expect(try UInt256(parsing: dec) == v)
            #expect(try UInt256(decimal: dec) == v)
            #expect(UInt256(dec) == v)
            #expect(v.byteWidth == bytes, "byte length of \(hex) (EXP gas)")
            #expect(UInt256(bigEndian: v.trimmedBytes) == v && UInt256(word: v.word) == v)
        }
    }

    @Test func leadingZerosAndPrefixes() throws {
        #expect(try UInt256(parsing: "000123") == 123)
        #expect(try UInt256(parsing: "0X00ff") == 255)
        #expect(try UInt256(parsing: "0x" + String(repeating: "0", count: 70) + "1") == 1)
        #expect(try UInt256(parsing: "0x" + String(repeating: "f", count: 64)) == .max)
        #expect(try UInt256(parsing: "115792089237316195423570985008687907853269984665640564039457584007913129639935")
                == .max)
    }

    @Test func badInputNamesTheProblem() {
        #expect(throws: NumberParseError.empty) { try UInt256(parsing: "") }
        #expect(throws: NumberParseError.empty) { try UInt256(parsing: "0x") }
        #expect(throws: NumberParseError.invalidDigit("a", position: 2)) { try UInt256(parsing: "12a") }
        #expect(throws: NumberParseError.invalidDigit("-", position: 0)) { try UInt256(parsing: "-1") }
        #expect(throws: NumberParseError.invalidDigit(" ", position: 0)) { try UInt256(parsing: " 1") }
        #expect(throws: NumberParseError.invalidDigit("g", position: 3)) { try UInt256(parsing: "0x1g") }
        let twoTo256 = "115792089237316195423570985008687907853269984665640564039457584007913129639936"
        #expect(throws: NumberParseError.overflow(twoTo256)) { try UInt256(parsing: twoTo256) }
        let hex65 = "0x1" + String(repeating: "0", count: 64)
        #expect(throws: NumberParseError.overflow(hex65)) { try UInt256(parsing: hex65) }
        #expect(UInt256("12a") == nil && UInt256("") == nil)
        #expect(NumberParseError.invalidDigit("a", position: 2).description == "invalid digit 'a' at position 2")
        #expect(NumberParseError.overflow(hex65).description.contains("does not fit in 256 bits"))
    }
}

/// Seeded random operands (SplitMix64), so failures reproduce.
private struct SplitMix64 {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A value of a random bit width (1...256), so short and long operands are equally common.
    mutating func uint256() -> UInt256 {
        let full = UInt256(l0: next(), l1: next(), l2: next(), l3: next())
        return full >> Int(next() % 256)
    }
}

@Suite struct UInt256PropertyTests {
    @Test func divisionIdentity() {
        var rng = SplitMix64(state: 1)
        for _ in 0..<3000 {
            let a = rng.uint256(), b = rng.uint256()
            let (q, r) = a.quotientAndRemainder(dividingBy: b)
            if b.isZero {
                #expect(q.isZero && r.isZero, "EVM: x / 0 == x % 0 == 0")
                continue
            }
            #expect(r < b && q &* b &+ r == a, "\(a.hexString) divmod \(b.hexString)")
            // The quotient times the divisor must not overflow.
            #expect(!q.multipliedReportingOverflow(by: b).overflow)
        }
    }

    @Test func multiplicationIdentities() {
        var rng = SplitMix64(state: 2)
        for _ in 0..<2000 {
            let a = rng.uint256(), b = rng.uint256(), c = rng.uint256()
            #expect(a &* (b &+ c) == a &* b &+ a &* c)
            #expect(a &* b == b &* a)
            let (high, low) = a.multipliedFullWidth(by: b)
            #expect(low == a &* b)
            // The product fits in 256 bits exactly when low / a gives b back.
            if !a.isZero { #expect((low / a == b) == high.isZero) }
            #expect(UInt256.mulmod(a, b, b).isZero)
            let n = rng.uint256() | one
            #expect(UInt256.mulmod(a, b, n) == UInt256.mulmod(a % n, b % n, n))
        }
    }

    @Test func modularIdentities() {
        var rng = SplitMix64(state: 3)
        for _ in 0..<2000 {
            let a = rng.uint256(), b = rng.uint256(), n = rng.uint256()
            #expect(UInt256.addmod(a, 0, n) == a % n)
            #expect(UInt256.mulmod(a, 1, n) == a % n)
            #expect(UInt256.mulmod(a, 2, n) == UInt256.addmod(a, a, n))
            #expect(UInt256.addmod(a, b, n) == UInt256.addmod(a % n, b % n, n))
            if a.bitWidth <= 128 && b.bitWidth <= 128 { #expect(UInt256.mulmod(a, b, n) == (a &* b) % n) }
        }
    }

    @Test func exponentIdentities() {
        var rng = SplitMix64(state: 4)
        for _ in 0..<500 {
            let a = rng.uint256()
            let e1 = UInt256(rng.next() % 1000), e2 = UInt256(rng.next() >> UInt64(rng.next() % 64))
            #expect(UInt256.exp(a, e1 &+ e2) == UInt256.exp(a, e1) &* UInt256.exp(a, e2))
            #expect(UInt256.exp(a, 3) == a &* a &* a)
        }
    }

    @Test func signedIdentities() {
        var rng = SplitMix64(state: 5)
        for _ in 0..<2000 {
            var a = rng.uint256(), b = rng.uint256()
            if rng.next() & 1 == 0 { a = a.negated }
            if rng.next() & 1 == 0 { b = b.negated }
            if !b.isZero { #expect(a.sdiv(b) &* b &+ a.smod(b) == a, "\(a.hexString) sdiv \(b.hexString)") }
            // Signed order is unsigned order after adding 2^255.
            let bias = UInt256.one << 255
            #expect(a.slt(b) == (a &+ bias < b &+ bias))
            #expect(a.sgt(b) == b.slt(a))
            // SIGNEXTEND(k, x) equals SAR(SHL(x, s), s) with s = 256 - 8(k + 1).
            let k = Int(rng.next() % 31)
            let s = 256 - 8 * (k + 1)
            #expect(a.signextend(byteIndex: UInt256(UInt64(k))) == (a << s).sar(s))
            let i = Int(rng.next() % 32)
            #expect(a.byte(at: UInt256(UInt64(i))) == (a >> (248 - 8 * i)) & UInt256(0xff))
        }
        #expect(UInt256(signed: -1) == .max && UInt256(signed: -2) == .max &- one && UInt256(signed: 5) == 5)
        #expect((UInt256.one << 255).sdiv(.max) == UInt256.one << 255, "-2^255 / -1 wraps to -2^255")
    }

    @Test func shiftIdentities() {
        var rng = SplitMix64(state: 6)
        for _ in 0..<2000 {
            let a = rng.uint256()
            let k = Int(rng.next() % 300)
            #expect((a << k) >> k == a & (UInt256.max >> k))
            #expect(a << k == a << UInt256(UInt64(k)))
            #expect(a << (-k) == a >> k)
            if !a.isNegative { #expect(a.sar(k) == a >> k) }
            #expect(a >> k == a / UInt256.exp(2, UInt256(UInt64(k))) || k >= 256)
        }
        #expect(UInt256.one << Int.min == .zero && UInt256.max >> Int.max == .zero)
    }

    @Test func textRoundTrips() throws {
        var rng = SplitMix64(state: 7)
        for _ in 0..<1000 {
            let a = rng.uint256()
            #expect(try UInt256(parsing: a.description) == a)
            #expect(try UInt256(parsing: a.hexString) == a)
        }
    }
}
