/// ABI encoding (the spec's `enc`): a list of values is encoded as a tuple, static parts in the head and
/// dynamic parts in the tail behind offsets relative to the start of their enclosing tuple or array.

/// Namespace for the codec's entry points.
public enum ABI {
    /// Encodes `values` as the tuple `types` (function arguments, return values, event data).
    public static func encode(_ types: [ABIType], _ values: [ABIValue]) throws(ABIError) -> [UInt8] {
        for t in types { try t.validate() }
        guard types.count == values.count else {
            throw .wrongCount(path: "arguments", expected: types.count, got: values.count)
        }
        var w = ABIWriter()
        do {
            try w.encodeSequence(.each(types), values, topLevel: true)
        } catch {
            throw error.abiError(names: nil)
        }
        return w.out
    }

    /// Encodes one value as a one-element tuple (so a dynamic value starts with its offset, `0x20`).
    public static func encode(_ type: ABIType, _ value: ABIValue) throws(ABIError) -> [UInt8] {
        try encode([type], [value])
    }

    /// Calldata for `function`: its 4-byte selector followed by the encoded arguments.
    public static func encodeCall(_ function: ABIFunction, _ values: [ABIValue]) throws(ABIError) -> [UInt8] {
        guard function.inputs.count == values.count else {
            throw .wrongCount(path: "arguments of \(function.signature)", expected: function.inputs.count,
                              got: values.count)
        }
        var w = ABIWriter()
        w.out.reserveCapacity(4 + 32 * values.count)
        w.out.append(contentsOf: function.selector.bytes)
        let types = function.inputs.map(\.type)
        for t in types { try t.validate() }
        do {
            try w.encodeSequence(.each(types), values, topLevel: true)
        } catch {
            throw error.abiError(names: function.inputs)
        }
        return w.out
    }

    /// Calldata for a signature such as `transfer(address,uint256)` (outputs, if given, are ignored).
    public static func encodeCall(_ signature: String, _ values: [ABIValue]) throws(ABIError) -> [UInt8] {
        try encodeCall(ABIFunction(signature: signature), values)
    }

    /// The topic an indexed event field of this type and value stores: the word itself for value types,
    /// else Keccak-256 of the spec's in-place encoding (contents of bytes/strings unpadded at the top
    /// level, array and struct members concatenated and padded to 32 bytes, no lengths or offsets).
    public static func topic(_ type: ABIType, _ value: ABIValue) throws(ABIError) -> Hash32 {
        try type.validate()
        var w = ABIWriter()
        do throws(ABIPathError) {
            if type.isValueType {
                w.out = [UInt8](repeating: 0, count: 32)
                try w.writeWord(type, value, at: 0)
                return Bytes32(w.out)
            }
            try w.encodeInPlace(type, value, padded: false)
        } catch {
            throw error.abiError(names: nil)
        }
        return Keccak256.hash(w.out)
    }
}

/// A step in the path to a value: an argument, an array element or a tuple field.
enum ABIPathComponent: Equatable {
    case arg(Int)
    case index(Int)
    case field(Int)
}

/// What went wrong inside the codec, with the path collected innermost-first while unwinding.
struct ABIPathError: Error {
    enum Kind {
        case value(String)
        case count(expected: Int, got: Int)
        case data(ABIDecodingFailure)
        case text(String, reason: String)
    }
    var path: [ABIPathComponent] = []
    var kind: Kind

    init(_ kind: Kind) { self.kind = kind }

    /// Adds an outer path step (called as the error unwinds out of a container).
    func inside(_ c: ABIPathComponent) -> ABIPathError {
        var e = self
        e.path.append(c)
        return e
    }

    /// The public error, with the path rendered as `arg 2[3].x`; tuple fields use the names from `names`
    /// (the parameters of the outermost tuple) where they are known, else their index.
    func abiError(names: [ABIParameter]?) -> ABIError {
        let p = ABIPathError.render(path.reversed(), names: names)
        switch kind {
        case .value(let r): return .invalidValue(path: p, reason: r)
        case .count(let e, let g): return .wrongCount(path: p, expected: e, got: g)
        case .data(let f): return .invalidData(path: p, failure: f)
        case .text(let t, let r): return .invalidArgument(path: p, text: t, reason: r)
        }
    }

    static func render(_ steps: some Sequence<ABIPathComponent>, names: [ABIParameter]?) -> String {
        var out = ""
        // The parameters that the next `.field` step indexes into, when known.
        var fields = names
        for step in steps {
            switch step {
            case .arg(let i):
                if !out.isEmpty { out += " " }
                out += "arg \(i)"
                if let f = fields, i < f.count {
                    if !f[i].name.isEmpty { out += " (\(f[i].name))" }
                    fields = f[i].components
                } else {
                    fields = nil
                }
            case .index(let i):
                out += "[\(i)]"
            case .field(let i):
                if let f = fields, i < f.count, !f[i].name.isEmpty {
                    out += "." + f[i].name
                    fields = f[i].components
                } else {
                    out += ".\(i)"
                    fields = fields.flatMap { i < $0.count ? $0[i].components : nil }
                }
            }
        }
        // A path not starting at an argument is inside a lone value: `value[1].x`.
        return out.hasPrefix("arg") ? out : "value" + out
    }
}

/// Element types of a sequence: all the same (arrays) or one per element (tuples).
enum ABIElements {
    case same(ABIType)
    case each([ABIType])

    @inline(__always)
    subscript(i: Int) -> ABIType {
        switch self {
        case .same(let t): return t
        case .each(let ts): return ts[i]
        }
    }
}

/// Appends encodings to one growing buffer; heads are reserved as zeros and filled in place.
struct ABIWriter {
    var out: [UInt8] = []

    @inline(__always)
    mutating func appendZeros(_ n: Int) {
        out.append(contentsOf: repeatElement(0, count: n))
    }

    @inline(__always)
    mutating func put(_ v: UInt256, at pos: Int) {
        out.withUnsafeMutableBytes { v.word.store(to: $0.baseAddress! + pos) }
    }

    @inline(__always)
    mutating func appendWord(_ v: UInt256) {
        let pos = out.count
        appendZeros(32)
        put(v, at: pos)
    }

    /// Appends bytes right-padded with zeros to a multiple of 32.
    mutating func appendPadded(_ bytes: [UInt8]) {
        out.append(contentsOf: bytes)
        appendZeros((32 - bytes.count % 32) % 32)
    }

    /// Encodes a tuple or array body at the end of the buffer: heads first, then each dynamic tail,
    /// with offsets counted from the sequence's start (so bytes already in the buffer, such as a selector,
    /// do not count).
    mutating func encodeSequence(_ types: ABIElements, _ values: [ABIValue],
                                 topLevel: Bool = false) throws(ABIPathError) {
        let start = out.count
        if case .same(let t) = types {
            // Arrays: the element's layout is worked out once, not per element.
            let dynamic = t.isDynamic, size = t.headSize
            appendZeros(size * values.count)
            var head = start
            for (i, v) in values.enumerated() {
                do throws(ABIPathError) {
                    if dynamic {
                        put(UInt256(UInt64(out.count - start)), at: head)
                        try encodeDynamic(t, v)
                    } else {
                        try writeStatic(t, v, at: head)
                    }
                } catch {
                    throw error.inside(.index(i))
                }
                head += size
            }
            return
        }
        var headLen = 0
        for i in 0..<values.count { headLen += types[i].headSize }
        appendZeros(headLen)
        var head = start
        for (i, v) in values.enumerated() {
            let t = types[i]
            do throws(ABIPathError) {
                if t.isDynamic {
                    put(UInt256(UInt64(out.count - start)), at: head)
                    try encodeDynamic(t, v)
                } else {
                    try writeStatic(t, v, at: head)
                }
            } catch {
                throw error.inside(topLevel ? .arg(i) : .field(i))
            }
            head += t.headSize
        }
    }

    /// Appends the encoding of a dynamic value (bytes, string, T[], or a tuple/fixed array with dynamic parts).
    mutating func encodeDynamic(_ t: ABIType, _ v: ABIValue) throws(ABIPathError) {
        switch (t, v) {
        case (.bytes, .bytes(let b)), (.bytes, .fixedBytes(let b)):
            appendWord(UInt256(UInt64(b.count)))
            appendPadded(b)
        case (.string, .string(let s)):
            let b = Array(s.utf8)
            appendWord(UInt256(UInt64(b.count)))
            appendPadded(b)
        case (.array(let e), .array(let items)):
            appendWord(UInt256(UInt64(items.count)))
            try encodeSequence(.same(e), items)
        case (.fixedArray(let e, let k), .array(let items)):
            guard items.count == k else { throw ABIPathError(.count(expected: k, got: items.count)) }
            try encodeSequence(.same(e), items)
        case (.tuple(let ts), .tuple(let items)):
            guard items.count == ts.count else { throw ABIPathError(.count(expected: ts.count, got: items.count)) }
            try encodeSequence(.each(ts), items)
        default:
            throw ABIPathError(.value("expected \(t.canonical), got \(v.kindName)"))
        }
    }

    /// Writes a static value's encoding at `pos` (space already reserved).
    mutating func writeStatic(_ t: ABIType, _ v: ABIValue, at pos: Int) throws(ABIPathError) {
        switch (t, v) {
        case (.fixedArray(let e, let k), .array(let items)):
            guard items.count == k else { throw ABIPathError(.count(expected: k, got: items.count)) }
            let size = e.headSize
            for (i, item) in items.enumerated() {
                do { try writeStatic(e, item, at: pos + i * size) } catch { throw error.inside(.index(i)) }
            }
        case (.tuple(let ts), .tuple(let items)):
            guard items.count == ts.count else { throw ABIPathError(.count(expected: ts.count, got: items.count)) }
            var p = pos
            for (i, item) in items.enumerated() {
                do { try writeStatic(ts[i], item, at: p) } catch { throw error.inside(.field(i)) }
                p += ts[i].headSize
            }
        default:
            try writeWord(t, v, at: pos)
        }
    }

    /// Writes a value type's 32-byte word at `pos`, checking the value fits the type.
    mutating func writeWord(_ t: ABIType, _ v: ABIValue, at pos: Int) throws(ABIPathError) {
        switch (t, v) {
        case (.uint(let m), .uint(let x)), (.uint(let m), .int(let x)):
            if case .int = v, x.isNegative { throw ABIPathError(.value("negative value for \(t.canonical)")) }
            guard x.fitsUnsigned(bits: m) else {
                throw ABIPathError(.value("\(x) does not fit in \(t.canonical)"))
            }
            put(x, at: pos)
        case (.int(let m), .int(let x)):
            guard x.fitsSigned(bits: m) else {
                throw ABIPathError(.value("\(x.signedDescription) does not fit in \(t.canonical)"))
            }
            put(x, at: pos)
        case (.int(let m), .uint(let x)):
            guard !x.isNegative, x.fitsSigned(bits: m) else {
                throw ABIPathError(.value("\(x) does not fit in \(t.canonical)"))
            }
            put(x, at: pos)
        case (.address, .address(let a)):
            out.withUnsafeMutableBytes { a.word.store(to: $0.baseAddress! + pos) }
        case (.bool, .bool(let b)):
            out[pos + 31] = b ? 1 : 0
        case (.fixedBytes(let m), .fixedBytes(let b)), (.fixedBytes(let m), .bytes(let b)):
            guard b.count == m else {
                throw ABIPathError(.value("\(t.canonical) needs \(m) bytes, got \(b.count)"))
            }
            for (i, byte) in b.enumerated() { out[pos + i] = byte }
        default:
            throw ABIPathError(.value("expected \(t.canonical), got \(v.kindName)"))
        }
    }

    /// Appends the in-place encoding used for hashed indexed event fields.
    mutating func encodeInPlace(_ t: ABIType, _ v: ABIValue, padded: Bool) throws(ABIPathError) {
        switch (t, v) {
        case (.bytes, .bytes(let b)), (.bytes, .fixedBytes(let b)):
            if padded { appendPadded(b) } else { out.append(contentsOf: b) }
        case (.string, .string(let s)):
            let b = Array(s.utf8)
            if padded { appendPadded(b) } else { out.append(contentsOf: b) }
        case (.array(let e), .array(let items)):
            for (i, item) in items.enumerated() {
                do { try encodeInPlace(e, item, padded: true) } catch { throw error.inside(.index(i)) }
            }
        case (.fixedArray(let e, let k), .array(let items)):
            guard items.count == k else { throw ABIPathError(.count(expected: k, got: items.count)) }
            for (i, item) in items.enumerated() {
                do { try encodeInPlace(e, item, padded: true) } catch { throw error.inside(.index(i)) }
            }
        case (.tuple(let ts), .tuple(let items)):
            guard items.count == ts.count else { throw ABIPathError(.count(expected: ts.count, got: items.count)) }
            for (i, item) in items.enumerated() {
                do { try encodeInPlace(ts[i], item, padded: true) } catch { throw error.inside(.field(i)) }
            }
        default:
            let pos = out.count
            appendZeros(32)
            try writeWord(t, v, at: pos)
        }
    }
}
