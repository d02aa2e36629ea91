/// Parser for human-readable signatures: `name(params)` with optional keyword, parameter names,
/// `indexed`, data locations, modifiers, `returns (...)` or a bare second `(...)` for outputs.
struct SignatureParser {
    struct Parsed {
        var name: String
        var inputs: [ABIParameter]
        /// Nil when the text has no output list.
        var outputs: [ABIParameter]?
        /// Words after the parameter list other than `returns` (`view`, `anonymous`, …).
        var modifiers: [String]
    }

    let text: String
    let bytes: [UInt8]
    var pos = 0

    init(text: String) {
        self.text = text
        bytes = Array(text.utf8)
    }

    private func fail(_ reason: String) -> ABIError { .invalidSignature(text, reason: reason) }
    private var peek: UInt8? { pos < bytes.count ? bytes[pos] : nil }

    private mutating func skipSpaces() {
        while let c = peek, c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") || c == UInt8(ascii: "\n") { pos += 1 }
    }

    private func isIdentifierByte(_ c: UInt8) -> Bool {
        (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
            || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || c == UInt8(ascii: "_") || c == UInt8(ascii: "$")
    }

    private mutating func identifier() -> String {
        let start = pos
        while let c = peek, isIdentifierByte(c) { pos += 1 }
        return String(decoding: bytes[start..<pos], as: UTF8.self)
    }

    private mutating func expect(_ c: UInt8) throws(ABIError) {
        skipSpaces()
        guard peek == c else {
            let got = peek.map { "'\(Character(Unicode.Scalar($0)))'" } ?? "the end"
            throw fail("expected '\(Character(Unicode.Scalar(c)))' at position \(pos), got \(got)")
        }
        pos += 1
    }

    mutating func parse(keyword: String) throws(ABIError) -> Parsed {
        skipSpaces()
        var name = identifier()
        if ["function", "event", "error"].contains(name) {
            guard name == keyword else { throw fail("a \(name) signature where a \(keyword) was expected") }
            skipSpaces()
            name = identifier()
        }
        guard let first = name.utf8.first, !(first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9")) else {
            throw fail("missing name before '('")
        }
        try expect(UInt8(ascii: "("))
        let inputs = try parseParams(depth: 0)
        var outputs: [ABIParameter]?
        var modifiers: [String] = []
        while true {
            skipSpaces()
            guard let c = peek else { break }
            if c == UInt8(ascii: "(") {
                guard outputs == nil else { throw fail("more than one output list") }
                pos += 1
                outputs = try parseParams(depth: 0)
            } else if isIdentifierByte(c) {
                let w = identifier()
                if w == "returns" {
                    guard outputs == nil else { throw fail("more than one output list") }
                    try expect(UInt8(ascii: "("))
                    outputs = try parseParams(depth: 0)
                } else {
                    modifiers.append(w)
                }
            } else if c == UInt8(ascii: ";") && pos == bytes.count - 1 {
                pos += 1
            } else {
                throw fail("unexpected '\(Character(Unicode.Scalar(c)))' at position \(pos)")
            }
        }
        return Parsed(name: name, inputs: inputs, outputs: outputs, modifiers: modifiers)
    }

    /// Parses parameters up to and including the closing ')' (the '(' is already consumed).
    private mutating func parseParams(depth: Int) throws(ABIError) -> [ABIParameter] {
        guard depth <= ABIType.maxDepth else { throw fail("nested deeper than \(ABIType.maxDepth) levels") }
        skipSpaces()
        if peek == UInt8(ascii: ")") { pos += 1; return [] }
        var params: [ABIParameter] = []
        while true {
            params.append(try parseParam(depth: depth))
            skipSpaces()
            guard let c = peek else { throw fail("missing ')'") }
            pos += 1
            if c == UInt8(ascii: ")") { return params }
            guard c == UInt8(ascii: ",") else {
                throw fail("expected ',' or ')' at position \(pos - 1), got '\(Character(Unicode.Scalar(c)))'")
            }
        }
    }

    private mutating func parseParam(depth: Int) throws(ABIError) -> ABIParameter {
        skipSpaces()
        var components: [ABIParameter] = []
        var type: ABIType
        let start = pos
        var word = peek == UInt8(ascii: "(") ? "" : identifier()
        if word == "tuple" && peek == UInt8(ascii: "(") { word = "" }
        if word.isEmpty {
            guard peek == UInt8(ascii: "(") else {
                throw fail(pos < bytes.count ? "expected a type at position \(pos)" : "missing type")
            }
            pos += 1
            components = try parseParams(depth: depth + 1)
            guard !components.isEmpty else { throw fail("empty tuple '()' at position \(start) has no ABI encoding") }
            type = .tuple(components.map(\.type))
        } else {
            do { type = try ABIType(parsing: word) } catch {
                if case .invalidType(_, let r) = error { throw fail("parameter type '\(word)': \(r)") }
                throw error
            }
        }
        while peek == UInt8(ascii: "[") {
            pos += 1
            let digitsStart = pos
            while let c = peek, c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") { pos += 1 }
            let digits = String(decoding: bytes[digitsStart..<pos], as: UTF8.self)
            try expect(UInt8(ascii: "]"))
            if digits.isEmpty {
                type = .array(type)
            } else {
                guard digits.count <= 10, let k = Int(digits), k >= 1 else {
                    throw fail("bad fixed array length '\(digits)'")
                }
                type = .fixedArray(type, k)
            }
        }
        do { try type.validate() } catch {
            if case .invalidType(_, let r) = error { throw fail("type \(type.canonical): \(r)") }
            throw error
        }
        var name = ""
        var indexed = false
        while true {
            skipSpaces()
            guard let c = peek, isIdentifierByte(c) else { break }
            let w = identifier()
            switch w {
            case "indexed": indexed = true
            case "memory", "calldata", "storage", "payable": continue
            default:
                guard name.isEmpty else { throw fail("unexpected '\(w)' after parameter '\(name)'") }
                name = w
            }
        }
        return ABIParameter(name: name, type: type, components: components, indexed: indexed)
    }
}
