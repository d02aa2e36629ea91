/// Hex coding for byte strings, with errors that say what is wrong and where.

/// An error from parsing hex text.
public enum HexError: Error, Equatable, CustomStringConvertible {
    /// A character that is not 0-9, a-f or A-F, at a position in the text (after any 0x prefix).
    case invalidCharacter(Character, position: Int)
    /// An odd number of hex digits where whole bytes are expected.
    case oddLength(Int)
    /// The decoded value does not have the length the type needs.
    case wrongLength(expected: Int, got: Int)
    /// A `0x` prefix was required but missing.
    case missingPrefix

    public var description: String {
        switch self {
        case .invalidCharacter(let c, let p): return "invalid hex character '\(c)' at position \(p)"
        case .oddLength(let n): return "hex string has an odd number of digits (\(n))"
        case .wrongLength(let e, let g): return "expected \(e) bytes of hex, got \(g)"
        case .missingPrefix: return "hex string must start with 0x"
        }
    }
}

@inline(__always)
func hexNibble(_ c: UInt8) -> UInt8? {
    switch c {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return c &- UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return c &- UInt8(ascii: "a") &+ 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return c &- UInt8(ascii: "A") &+ 10
    default: return nil
    }
}

private let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

public enum Hex {
    /// Strips an optional `0x`/`0X` prefix; returns the remaining UTF-8 bytes.
    static func body(_ text: String, requirePrefix: Bool) throws(HexError) -> Substring.UTF8View {
        let utf8 = Substring(text).utf8
        if utf8.count >= 2, utf8.first == UInt8(ascii: "0"),
           let x = utf8.dropFirst().first, x == UInt8(ascii: "x") || x == UInt8(ascii: "X") {
            return Substring(text).dropFirst(2).utf8
        }
        if requirePrefix { throw .missingPrefix }
        return utf8
    }

    /// Decodes hex text (with or without `0x`) into bytes. An odd digit count is an error.
    public static func decode(_ text: String, requirePrefix: Bool = false) throws(HexError) -> [UInt8] {
        let digits = try body(text, requirePrefix: requirePrefix)
        if digits.count % 2 != 0 { throw .oddLength(digits.count) }
        var out = [UInt8]()
        out.reserveCapacity(digits.count / 2)
        var high: UInt8 = 0
        var index = 0
        for c in digits {
            guard let v = hexNibble(c) else {
                throw .invalidCharacter(Character(Unicode.Scalar(c)), position: index)
            }
            if index & 1 == 0 { high = v } else { out.append(high << 4 | v) }
            index += 1
        }
        return out
    }

    /// Decodes hex text that must hold exactly `count` bytes.
    public static func decode(_ text: String, count: Int) throws(HexError) -> [UInt8] {
        let bytes = try decode(text)
        guard bytes.count == count else { throw .wrongLength(expected: count, got: bytes.count) }
        return bytes
    }

    /// Lower-case hex of `bytes`, with a `0x` prefix unless `prefix` is false.
    public static func encode<C: Collection>(_ bytes: C, prefix: Bool = true) -> String where C.Element == UInt8 {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2 + 2)
        if prefix { out.append(UInt8(ascii: "0")); out.append(UInt8(ascii: "x")) }
        for b in bytes {
            out.append(hexDigits[Int(b >> 4)])
            out.append(hexDigits[Int(b & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension Array where Element == UInt8 {
    /// Parses hex text (optional `0x`) into bytes.
    public init(hex: String) throws(HexError) { self = try Hex.decode(hex) }
    /// `0x`-prefixed lower-case hex.
    public var hexString: String { Hex.encode(self) }
}
