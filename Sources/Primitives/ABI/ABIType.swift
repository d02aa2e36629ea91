/// Solidity ABI types (https://docs.soliditylang.org/en/latest/abi-spec.html): parsing from canonical type
/// strings, the canonical form used in signatures, and the static/dynamic layout rules the codec needs.

/// An ABI type. `uint`/`int` carry their bit width (8...256, a multiple of 8); `fixedBytes` its length (1...32).
public enum ABIType: Hashable, Sendable, CustomStringConvertible {
    case uint(Int)
    case int(Int)
    case address
    case bool
    /// `bytes<M>`, M in 1...32.
    case fixedBytes(Int)
    /// Dynamic `bytes`.
    case bytes
    case string
    /// `T[]`.
    indirect case array(ABIType)
    /// `T[k]`, k ≥ 1.
    indirect case fixedArray(ABIType, Int)
    /// `(T1,T2,...)`, at least one component.
    case tuple([ABIType])

    /// Deepest nesting of arrays and tuples a parsed type may have; it bounds the recursion of every walk
    /// over a type (parsing, encoding, decoding) when the type comes from untrusted text.
    public static let maxDepth = 32

    /// Largest head a static type may occupy, in bytes. `uint256[4294967296]` would describe 128 GiB of
    /// calldata; a limit keeps head-size arithmetic far from overflow and such types out of the codec.
    public static let maxStaticSize = 1 << 32

    /// The canonical form used in signatures: `uint256`, `(address,bytes32)[2][]`.
    public var canonical: String {
        switch self {
        case .uint(let m): return "uint\(m)"
        case .int(let m): return "int\(m)"
        case .address: return "address"
        case .bool: return "bool"
        case .fixedBytes(let m): return "bytes\(m)"
        case .bytes: return "bytes"
        case .string: return "string"
        case .array(let t): return t.canonical + "[]"
        case .fixedArray(let t, let k): return t.canonical + "[\(k)]"
        case .tuple(let ts): return "(" + ts.map(\.canonical).joined(separator: ",") + ")"
        }
    }

    public var description: String { canonical }

    /// Whether the type is encoded out of line (behind an offset): bytes, string, T[], and any fixed array or
    /// tuple containing one of those.
    public var isDynamic: Bool {
        switch self {
        case .bytes, .string, .array: return true
        case .fixedArray(let t, _): return t.isDynamic
        case .tuple(let ts): return ts.contains { $0.isDynamic }
        default: return false
        }
    }

    /// Bytes the type occupies in the head of an enclosing tuple: 32 for a dynamic type (its offset),
    /// else the full static encoding.
    /// Saturates at `Int.max` for a (never validated) type whose size overflows.
    public var headSize: Int {
        switch self {
        case .fixedArray, .tuple:
            if isDynamic { return 32 }
            let (s, overflow) = staticSizeReportingOverflow
            return overflow ? Int.max : s
        default: return 32
        }
    }

    /// Whether the type is a single-word value type (ints, address, bool, bytes<M>): what an indexed event
    /// field stores in its topic directly rather than hashed.
    public var isValueType: Bool {
        switch self {
        case .uint, .int, .address, .bool, .fixedBytes: return true
        default: return false
        }
    }

    /// Parses a canonical type string such as `uint256`, `bytes32[]` or `(uint8,string)[2]`.
    /// `uint`/`int` are read as `uint256`/`int256`; whitespace is not allowed.
    public init(parsing text: String) throws(ABIError) {
        var p = TypeParser(text: text)
        let t = try p.parseType(depth: 0)
        guard p.atEnd else { throw p.error("unexpected '\(p.rest)' after the type") }
        self = t
    }

    /// Checks a type built in code against what parsing guarantees (widths, array lengths ≥ 1, non-empty
    /// tuples, depth, static size), so the codec can rely on them. Cheap: a walk over the type only.
    public func validate() throws(ABIError) { try validate(depth: 0) }

    private func validate(depth: Int) throws(ABIError) {
        func fail(_ r: String) -> ABIError { .invalidType(canonical, reason: r) }
        guard depth <= ABIType.maxDepth else { throw fail("nested deeper than \(ABIType.maxDepth) levels") }
        switch self {
        case .uint(let m), .int(let m):
            guard m % 8 == 0, (8...256).contains(m) else { throw fail("integer width must be 8...256 step 8") }
        case .fixedBytes(let m):
            guard (1...32).contains(m) else { throw fail("bytes<M> needs M in 1...32") }
        case .address, .bool, .bytes, .string: break
        case .array(let t): try t.validate(depth: depth + 1)
        case .fixedArray(let t, let k):
            guard k >= 1 else { throw fail("fixed array length must be at least 1") }
            try t.validate(depth: depth + 1)
        case .tuple(let ts):
            guard !ts.isEmpty else { throw fail("empty tuple has no ABI encoding") }
            for t in ts { try t.validate(depth: depth + 1) }
        }
        if !isDynamic {
            let (size, overflow) = staticSizeReportingOverflow
            if overflow || size > ABIType.maxStaticSize {
                throw fail("static size exceeds \(ABIType.maxStaticSize) bytes")
            }
        }
    }
}

/// Errors from every part of the ABI codec. Each names the type, text or data path it is about.
public enum ABIError: Error, Equatable, CustomStringConvertible {
    /// A type string that is not a valid canonical ABI type.
    case invalidType(String, reason: String)
    /// A function/event/error signature that cannot be parsed.
    case invalidSignature(String, reason: String)
    /// A JSON ABI that is malformed, with what is wrong and where.
    case invalidJSON(String)
    /// A value that does not fit its type when encoding; `path` is like `arg 2[3].1`.
    case invalidValue(path: String, reason: String)
    /// Encoded data that is not a valid encoding of the expected types.
    case invalidData(path: String, failure: ABIDecodingFailure)
    /// Command-line argument text that cannot be read as a value of its type.
    case invalidArgument(path: String, text: String, reason: String)
    /// Wrong number of values (arguments, tuple components, fixed-array elements, topics).
    case wrongCount(path: String, expected: Int, got: Int)
    /// No function/event/error with that name, signature or selector.
    case notFound(String)
    /// An overloaded name matching several entries; the caller must give the full signature.
    case ambiguous(String, candidates: [String])

    public var description: String {
        switch self {
        case .invalidType(let t, let r): return "invalid ABI type '\(t)': \(r)"
        case .invalidSignature(let s, let r): return "invalid signature '\(s)': \(r)"
        case .invalidJSON(let r): return "invalid JSON ABI: \(r)"
        case .invalidValue(let p, let r): return "invalid value for \(p): \(r)"
        case .invalidData(let p, let f): return "invalid ABI data at \(p): \(f)"
        case .invalidArgument(let p, let t, let r): return "cannot read '\(t)' for \(p): \(r)"
        case .wrongCount(let p, let e, let g): return "\(p): expected \(e) values, got \(g)"
        case .notFound(let what): return "not found in the ABI: \(what)"
        case .ambiguous(let n, let c): return "'\(n)' is overloaded; use one of: \(c.joined(separator: ", "))"
        }
    }
}

/// Why a decode failed (carried by `ABIError.invalidData` with the path of the failing value).
public enum ABIDecodingFailure: Equatable, Sendable, CustomStringConvertible {
    /// A read of `needed` bytes at byte `at` runs past the end of the `available` bytes.
    case truncated(at: Int, needed: Int, available: Int)
    /// An offset pointing into its container's head or outside the data.
    case badOffset(String, at: Int)
    /// A length word too large for the remaining data.
    case badLength(String, at: Int)
    /// Bits set outside a value's width (a `uint8` word with high bits set, an int not sign-extended,
    /// an address or `bytes<M>` with non-zero padding, non-zero bytes after a `bytes`/`string`).
    case dirtyPadding(type: String, at: Int)
    /// A bool word that is neither 0 nor 1.
    case invalidBool(at: Int)
    /// String bytes that are not valid UTF-8.
    case invalidUTF8(at: Int)
    /// Offsets that make the data decode to far more values than it holds (shared tails), a way to make a
    /// small input blow up memory.
    case tooLarge
    /// A log whose topics do not match the event.
    case topics(String)
    /// Data shorter than a 4-byte selector, or a selector other than the one expected.
    case selector(String)

    public var description: String {
        switch self {
        case .truncated(let at, let n, let a): return "needs \(n) bytes at byte \(at) but the data has \(a)"
        case .badOffset(let o, let at): return "offset \(o) at byte \(at) points outside its container"
        case .badLength(let l, let at): return "length \(l) at byte \(at) exceeds the data"
        case .dirtyPadding(let t, let at): return "\(t) word at byte \(at) has bits outside its width"
        case .invalidBool(let at): return "bool word at byte \(at) is neither 0 nor 1"
        case .invalidUTF8(let at): return "string at byte \(at) is not valid UTF-8"
        case .tooLarge: return "offsets expand the data beyond the decoder's limit"
        case .topics(let r): return "topics: \(r)"
        case .selector(let r): return "selector: \(r)"
        }
    }
}

/// Recursive-descent parser over the UTF-8 of a type string.
struct TypeParser {
    let text: String
    let bytes: [UInt8]
    var pos = 0

    init(text: String) {
        self.text = text
        bytes = Array(text.utf8)
    }

    var atEnd: Bool { pos == bytes.count }
    var rest: String { String(decoding: bytes[pos...], as: UTF8.self) }
    var peek: UInt8? { pos < bytes.count ? bytes[pos] : nil }

    func error(_ reason: String) -> ABIError { .invalidType(text, reason: reason) }

    mutating func parseType(depth: Int) throws(ABIError) -> ABIType {
        guard depth <= ABIType.maxDepth else { throw error("nested deeper than \(ABIType.maxDepth) levels") }
        var t: ABIType
        if peek == UInt8(ascii: "(") {
            pos += 1
            var parts: [ABIType] = []
            if peek == UInt8(ascii: ")") { throw error("empty tuple '()' has no ABI encoding") }
            while true {
                parts.append(try parseType(depth: depth + 1))
                guard let c = peek else { throw error("missing ')'") }
                pos += 1
                if c == UInt8(ascii: ")") { break }
                guard c == UInt8(ascii: ",") else {
                    throw error("expected ',' or ')' at position \(pos - 1), got '\(Character(Unicode.Scalar(c)))'")
                }
            }
            t = .tuple(parts)
        } else {
            let start = pos
            while let c = peek, isNameByte(c) { pos += 1 }
            let name = String(decoding: bytes[start..<pos], as: UTF8.self)
            if name.isEmpty {
                throw error(atEnd ? "missing type" : "unexpected '\(rest)' where a type should start")
            }
            t = try elementary(name)
        }
        var arrays = 0
        while peek == UInt8(ascii: "[") {
            pos += 1
            let start = pos
            while let c = peek, c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") { pos += 1 }
            guard peek == UInt8(ascii: "]") else { throw error("array suffix must be '[]' or '[k]'") }
            let digits = bytes[start..<pos]
            pos += 1
            arrays += 1
            guard depth + arrays <= ABIType.maxDepth else {
                throw error("nested deeper than \(ABIType.maxDepth) levels")
            }
            if digits.isEmpty {
                t = .array(t)
            } else {
                guard digits.first != UInt8(ascii: "0") else {
                    throw error("fixed array length must be a positive number without leading zeros")
                }
                guard digits.count <= 10, let k = Int(String(decoding: digits, as: UTF8.self)),
                      k <= ABIType.maxStaticSize / 32 else {
                    throw error("fixed array length \(String(decoding: digits, as: UTF8.self)) is too large")
                }
                t = .fixedArray(t, k)
            }
            if !t.isDynamic {
                let (size, overflow) = t.staticSizeReportingOverflow
                if overflow || size > ABIType.maxStaticSize {
                    throw error("static size of \(t.canonical) exceeds \(ABIType.maxStaticSize) bytes")
                }
            }
        }
        if case .tuple = t, !t.isDynamic {
            let (size, overflow) = t.staticSizeReportingOverflow
            if overflow || size > ABIType.maxStaticSize {
                throw error("static size of \(t.canonical) exceeds \(ABIType.maxStaticSize) bytes")
            }
        }
        return t
    }

    private func isNameByte(_ c: UInt8) -> Bool {
        (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9"))
    }

    private func elementary(_ name: String) throws(ABIError) -> ABIType {
        switch name {
        case "address": return .address
        case "bool": return .bool
        case "string": return .string
        case "bytes": return .bytes
        case "uint": return .uint(256)
        case "int": return .int(256)
        case "function": throw error("the 'function' type is not supported")
        default: break
        }
        for (prefix, kind) in [("uint", 0), ("int", 1), ("bytes", 2)] where name.hasPrefix(prefix) {
            let digits = name.dropFirst(prefix.count)
            guard !digits.isEmpty, digits.first != "0", digits.count <= 3,
                  digits.allSatisfy({ $0.isASCII && $0.isNumber }), let m = Int(digits) else {
                throw error("'\(name)' is not a type")
            }
            if kind == 2 {
                guard (1...32).contains(m) else { throw error("bytes<M> needs M in 1...32, got \(m)") }
                return .fixedBytes(m)
            }
            guard m % 8 == 0, (8...256).contains(m) else {
                throw error("\(prefix)<M> needs M a multiple of 8 in 8...256, got \(m)")
            }
            return kind == 0 ? .uint(m) : .int(m)
        }
        if name.hasPrefix("fixed") || name.hasPrefix("ufixed") { throw error("fixed-point types are not supported") }
        throw error("unknown type '\(name)'")
    }
}

extension ABIType {
    /// Static encoding size with overflow detection, for the layout limit in the parser.
    var staticSizeReportingOverflow: (Int, Bool) {
        switch self {
        case .fixedArray(let t, let k):
            let (inner, o) = t.staticSizeReportingOverflow
            let (s, o2) = inner.multipliedReportingOverflow(by: k)
            return (s, o || o2)
        case .tuple(let ts):
            var total = 0
            for t in ts {
                let (s, o) = t.staticSizeReportingOverflow
                if o { return (0, true) }
                let (sum, o2) = total.addingReportingOverflow(s)
                if o2 { return (0, true) }
                total = sum
            }
            return (total, false)
        default: return (32, false)
        }
    }
}
