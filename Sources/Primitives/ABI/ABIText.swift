/// Values as command-line text, the way Foundry's `cast` reads and prints them: integers in decimal or
/// `0x` hex (a leading `-` for signed types), EIP-55-checked addresses, `true`/`false`, hex bytes, strings
/// (quoted with `"` inside arrays and tuples when they hold separators), arrays `[1,2,3]`, tuples `(a,b)`.

extension ABI {
    /// Parses argument text into a value of `type`, checking ranges, lengths and checksums.
    public static func parseArgument(_ text: String, as type: ABIType) throws(ABIError) -> ABIValue {
        try type.validate()
        do { return try TextValueParser.parse(text, as: type, nested: false) } catch {
            throw error.abiError(names: nil)
        }
    }

    /// Parses one text argument per parameter; errors name the argument (`arg 1 (amount)`).
    public static func parseArguments(_ texts: [String], for params: [ABIParameter]) throws(ABIError) -> [ABIValue] {
        guard texts.count == params.count else {
            throw .wrongCount(path: "arguments", expected: params.count, got: texts.count)
        }
        var values: [ABIValue] = []
        for (i, (text, p)) in zip(texts, params).enumerated() {
            try p.type.validate()
            do { values.append(try TextValueParser.parse(text, as: p.type, nested: false)) } catch {
                throw error.inside(.arg(i)).abiError(names: params)
            }
        }
        return values
    }

    /// Formats a value as text that `parseArgument` reads back: decimal integers, checksummed addresses,
    /// `0x` hex bytes, `[a, b]` arrays and `(a, b)` tuples. Strings print raw at the top level and quoted
    /// (with `\"`, `\\`, `\n` escapes) when `nested` or inside arrays and tuples.
    public static func format(_ value: ABIValue, nested: Bool = false) -> String {
        switch value {
        case .uint(let v): return v.description
        case .int(let v): return v.signedDescription
        case .address(let a): return a.checksummed
        case .bool(let b): return b ? "true" : "false"
        case .fixedBytes(let b), .bytes(let b): return Hex.encode(b)
        case .string(let s): return nested ? TextValueParser.quote(s) : s
        case .array(let items): return "[" + items.map { format($0, nested: true) }.joined(separator: ", ") + "]"
        case .tuple(let items): return "(" + items.map { format($0, nested: true) }.joined(separator: ", ") + ")"
        }
    }
}

enum TextValueParser {
    static func fail(_ text: String, _ reason: String) -> ABIPathError { ABIPathError(.text(text, reason: reason)) }

    static func parse(_ raw: String, as type: ABIType, nested: Bool) throws(ABIPathError) -> ABIValue {
        // A top-level string is taken verbatim (spaces included); everything else ignores surrounding spaces.
        if case .string = type, !nested { return .string(raw) }
        let text = trimmed(raw)
        switch type {
        case .uint(let m):
            let (negative, magnitude) = try integer(text)
            guard !negative || magnitude.isZero else { throw fail(text, "negative value for uint\(m)") }
            guard magnitude.fitsUnsigned(bits: m) else { throw fail(text, "value does not fit in uint\(m)") }
            return .uint(magnitude)
        case .int(let m):
            let (negative, magnitude) = try integer(text)
            let v = negative ? magnitude.negated : magnitude
            guard v.isNegative == (negative && !magnitude.isZero), v.fitsSigned(bits: m) else {
                throw fail(text, "value does not fit in int\(m)")
            }
            return .int(v)
        case .address:
            do { return .address(try Address(hex: text)) } catch { throw fail(text, error.description) }
        case .bool:
            switch text {
            case "true": return .bool(true)
            case "false": return .bool(false)
            default: throw fail(text, "a bool must be 'true' or 'false'")
            }
        case .fixedBytes(let m):
            let b = try hexBytes(text)
            guard b.count == m else { throw fail(text, "bytes\(m) needs exactly \(m) bytes, got \(b.count)") }
            return .fixedBytes(b)
        case .bytes:
            return .bytes(try hexBytes(text))
        case .string:
            return .string(text.hasPrefix("\"") ? try unquote(text) : text)
        case .array(let e):
            let items = try split(text, open: UInt8(ascii: "["), close: UInt8(ascii: "]"))
            return .array(try elements(items, .same(e)))
        case .fixedArray(let e, let k):
            let items = try split(text, open: UInt8(ascii: "["), close: UInt8(ascii: "]"))
            guard items.count == k else { throw ABIPathError(.count(expected: k, got: items.count)) }
            return .array(try elements(items, .same(e)))
        case .tuple(let ts):
            let items = try split(text, open: UInt8(ascii: "("), close: UInt8(ascii: ")"))
            guard items.count == ts.count else { throw ABIPathError(.count(expected: ts.count, got: items.count)) }
            return .tuple(try elements(items, .each(ts)))
        }
    }

    private static func elements(_ items: [String], _ types: ABIElements) throws(ABIPathError) -> [ABIValue] {
        var out: [ABIValue] = []
        out.reserveCapacity(items.count)
        for (i, item) in items.enumerated() {
            do { out.append(try parse(item, as: types[i], nested: true)) } catch {
                if case .same = types { throw error.inside(.index(i)) }
                throw error.inside(.field(i))
            }
        }
        return out
    }

    private static func trimmed(_ s: String) -> String {
        var sub = Substring(s)
        while let c = sub.first, c.isWhitespace { sub.removeFirst() }
        while let c = sub.last, c.isWhitespace { sub.removeLast() }
        return String(sub)
    }

    /// Sign and magnitude of decimal or `0x` hex text.
    private static func integer(_ text: String) throws(ABIPathError) -> (Bool, UInt256) {
        let negative = text.hasPrefix("-")
        let digits = negative ? String(text.dropFirst()) : text
        do { return (negative, try UInt256(parsing: digits)) } catch { throw fail(text, error.description) }
    }

    private static func hexBytes(_ text: String) throws(ABIPathError) -> [UInt8] {
        do { return try Hex.decode(text) } catch { throw fail(text, error.description) }
    }

    /// Splits `[a, b]` / `(a, b)` at top-level commas; brackets and quoted strings nest.
    private static func split(_ text: String, open: UInt8, close: UInt8) throws(ABIPathError) -> [String] {
        let b = Array(text.utf8)
        guard b.count >= 2, b.first == open, b.last == close else {
            throw fail(text, "expected \(Character(Unicode.Scalar(open)))…\(Character(Unicode.Scalar(close)))")
        }
        let inner = b[1..<(b.count - 1)]
        if inner.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }) { return [] }
        var parts: [String] = []
        var depth = 0
        var inQuote = false
        var escaped = false
        var start = inner.startIndex
        for i in inner.indices {
            let c = inner[i]
            if inQuote {
                if escaped { escaped = false } else if c == UInt8(ascii: "\\") { escaped = true } else if c == UInt8(ascii: "\"") { inQuote = false }
                continue
            }
            switch c {
            case UInt8(ascii: "\""): inQuote = true
            case UInt8(ascii: "["), UInt8(ascii: "("): depth += 1
            case UInt8(ascii: "]"), UInt8(ascii: ")"):
                depth -= 1
                if depth < 0 { throw fail(text, "unbalanced '\(Character(Unicode.Scalar(c)))'") }
            case UInt8(ascii: ",") where depth == 0:
                parts.append(String(decoding: inner[start..<i], as: UTF8.self))
                start = i + 1
            default: break
            }
        }
        if inQuote { throw fail(text, "unterminated string") }
        if depth != 0 { throw fail(text, "unbalanced brackets") }
        parts.append(String(decoding: inner[start...], as: UTF8.self))
        return parts
    }

    /// Reads a `"…"` string with `\"`, `\\`, `\n`, `\t`, `\r` escapes.
    private static func unquote(_ text: String) throws(ABIPathError) -> String {
        var out = ""
        var it = text.unicodeScalars.dropFirst().makeIterator()
        while let c = it.next() {
            switch c {
            case "\"":
                guard it.next() == nil else { throw fail(text, "text after the closing quote") }
                return out
            case "\\":
                switch it.next() {
                case "\"": out += "\""
                case "\\": out += "\\"
                case "n": out += "\n"
                case "t": out += "\t"
                case "r": out += "\r"
                default: throw fail(text, "unknown escape in string")
                }
            default: out.unicodeScalars.append(c)
            }
        }
        throw fail(text, "unterminated string")
    }

    /// The quoted form `unquote` reads.
    static func quote(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default: out.unicodeScalars.append(c)
            }
        }
        return out + "\""
    }
}
