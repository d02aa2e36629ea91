/// The two text encodings of CIDs that IPFS prints: base58btc (CIDv0 `Qm…`, no multibase prefix) and RFC 4648
/// base32, lower case, unpadded (CIDv1 with multibase prefix `b`, as in `bafy…`).

/// An error from decoding base58 or base32 text.
public enum MultibaseError: Error, Equatable, CustomStringConvertible {
    /// A character outside the alphabet, at a position in the text.
    case invalidCharacter(Character, position: Int, alphabet: String)
    /// Base32 text whose length cannot come from whole bytes, or whose spare bits are not zero.
    case invalidBase32Length(Int)

    public var description: String {
        switch self {
        case .invalidCharacter(let c, let p, let a): return "invalid \(a) character '\(c)' at position \(p)"
        case .invalidBase32Length(let n): return "base32 text of \(n) characters does not encode whole bytes"
        }
    }
}

private let base58Alphabet: [UInt8] = Array("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz".utf8)
private let base58Index: [Int8] = {
    var t = [Int8](repeating: -1, count: 256)
    for (i, c) in base58Alphabet.enumerated() { t[Int(c)] = Int8(i) }
    return t
}()

/// Bitcoin's base58 (the alphabet without 0, O, I and l), as IPFS uses for CIDv0 and peer ids.
public enum Base58 {
    /// Base58btc text of `bytes`; each leading zero byte becomes a leading '1'.
    public static func encode(_ bytes: [UInt8]) -> String {
        let zeros = bytes.prefix { $0 == 0 }.count
        // Repeated division by 58 over a big-endian base-58 digit buffer (inputs here are short: 34-40 bytes).
        var digits = [UInt8](repeating: 0, count: bytes.count * 138 / 100 + 1)
        var length = 0
        for byte in bytes[zeros...] {
            var carry = Int(byte)
            var i = 0
            while carry != 0 || i < length {
                let index = digits.count - 1 - i
                carry += 256 * Int(digits[index])
                digits[index] = UInt8(carry % 58)
                carry /= 58
                i += 1
            }
            length = i
        }
        var out = [UInt8](repeating: base58Alphabet[0], count: zeros)
        out.reserveCapacity(zeros + length)
        for d in digits[(digits.count - length)...] { out.append(base58Alphabet[Int(d)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes base58btc text; each leading '1' becomes a zero byte.
    public static func decode(_ text: String) throws(MultibaseError) -> [UInt8] {
        let chars = Array(text.utf8)
        let ones = chars.prefix { $0 == base58Alphabet[0] }.count
        var bytes = [UInt8](repeating: 0, count: chars.count * 733 / 1000 + 1)
        var length = 0
        for (position, c) in chars.enumerated().dropFirst(ones) {
            let value = base58Index[Int(c)]
            guard value >= 0 else {
                throw .invalidCharacter(Character(Unicode.Scalar(c)), position: position, alphabet: "base58btc")
            }
            var carry = Int(value)
            var i = 0
            while carry != 0 || i < length {
                let index = bytes.count - 1 - i
                carry += 58 * Int(bytes[index])
                bytes[index] = UInt8(carry & 0xff)
                carry >>= 8
                i += 1
            }
            length = i
        }
        return [UInt8](repeating: 0, count: ones) + bytes[(bytes.count - length)...]
    }
}

private let base32Alphabet: [UInt8] = Array("abcdefghijklmnopqrstuvwxyz234567".utf8)

/// RFC 4648 base32, lower case, no padding (multibase `b`).
public enum Base32 {
    /// Lower-case unpadded base32 of `bytes`.
    public static func encode(_ bytes: [UInt8]) -> String {
        var out = [UInt8]()
        out.reserveCapacity((bytes.count * 8 + 4) / 5)
        var buffer: UInt32 = 0
        var bits = 0
        for b in bytes {
            buffer = buffer << 8 | UInt32(b)
            bits += 8
            while bits >= 5 {
                bits -= 5
                out.append(base32Alphabet[Int((buffer >> UInt32(bits)) & 31)])
            }
        }
        if bits > 0 { out.append(base32Alphabet[Int((buffer << UInt32(5 - bits)) & 31)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes unpadded base32 (either case). Text whose trailing bits are not zero is rejected, so each byte
    /// string has exactly one accepted spelling.
    public static func decode(_ text: String) throws(MultibaseError) -> [UInt8] {
        let chars = Array(text.utf8)
        // 1, 3 or 6 characters left over cannot come from whole bytes.
        if [1, 3, 6].contains(chars.count % 8) { throw .invalidBase32Length(chars.count) }
        var out = [UInt8]()
        out.reserveCapacity(chars.count * 5 / 8)
        var buffer: UInt32 = 0
        var bits = 0
        for (position, c) in chars.enumerated() {
            let v: UInt8
            switch c {
            case UInt8(ascii: "a")...UInt8(ascii: "z"): v = c - UInt8(ascii: "a")
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): v = c - UInt8(ascii: "A")
            case UInt8(ascii: "2")...UInt8(ascii: "7"): v = c - UInt8(ascii: "2") + 26
            default:
                throw .invalidCharacter(Character(Unicode.Scalar(c)), position: position, alphabet: "base32")
            }
            buffer = (buffer << 5 | UInt32(v)) & 0xffff
            bits += 5
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
            }
        }
        if bits > 0 && buffer & ((1 << UInt32(bits)) - 1) != 0 { throw .invalidBase32Length(chars.count) }
        return out
    }
}
