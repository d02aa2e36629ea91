/// ABI encoding (the spec's `enc`): a list of values is encoded as a tuple, static parts in the head and
/// dynamic parts in the tail behind offsets relative to the start of their enclosing tuple or array.
/// The encoder first measures the encoding (checking the values' shapes on the way), then writes it into
/// one zero-filled buffer of exactly that size, so nothing is reallocated while encoding.

/// Namespace for the codec's entry points.
public enum ABI {
    /// Encodes `values` as the tuple `types` (function arguments, return values, event data).
    public static func encode(_ types: [ABIType], _ values: [ABIValue]) throws(ABIError) -> [UInt8] {
        for t in types { try t.validate() }
        guard types.count == values.count else {
            throw .wrongCount(path: "arguments", expected: types.count, got: values.count)
        }
        do throws(ABIPathError) {
            let size = try ABIWriter.sequenceSize(.each(types), values, topLevel: true)
            var w = ABIWriter(prefix: 0, size: size)
            try w.encodeSequence(.each(types), values, topLevel: true)
            return w.out
        } catch {
            throw error.abiError(names: nil)
        }
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
        let types = function.inputs.map(\.type)
        for t in types { try t.validate() }
        do throws(ABIPathError) {
            let size = try ABIWriter.sequenceSize(.each(types), values, topLevel: true)
            var w = ABIWriter(prefix: 4, size: size)
            let sel = function.selector.value
            for i in 0..<4 { w.out[i] = UInt8(truncatingIfNeeded: sel >> UInt32(24 - 8 * i)) }
            try w.encodeSequence(.each(types), values, topLevel: true)
            return w.out
        } catch {
            throw error.abiError(names: function.inputs)
        }
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
        do throws(ABIPathError) {
            if type.isValueType { return try ABIWriter.word(type, value) }
            var out: [UInt8] = []
            try ABIWriter.encodeInPlace(type, value, padded: false, into: &out)
            return Keccak256.hash(out)
        } catch {
            throw error.abiError(names: nil)
        }
    }
}

/// Writes an encoding into a buffer sized beforehand by `sequenceSize`.
struct ABIWriter {
    /// The encoding (after `prefix` bytes for a selector), zero-filled, so padding needs no writes.
    var out: [UInt8]
    /// Where the next tail starts.
    var end: Int

    init(prefix: Int, size: Int) {
        out = [UInt8](repeating: 0, count: prefix + size)
        end = prefix
    }

    @inline(__always)
    static func padded(_ n: Int) -> Int { (n + 31) & ~31 }

    // MARK: Measuring (and checking shapes, so the writes below stay inside the buffer)

    /// Bytes a tuple or array body takes: its head plus every dynamic element's tail.
    static func sequenceSize(_ types: ABIElements, _ values: [ABIValue],
                             topLevel: Bool = false) throws(ABIPathError) -> Int {
        if case .same(let t) = types {
            var total = t.headSize * values.count
            if t.isDynamic {
                for (i, v) in values.enumerated() {
                    do throws(ABIPathError) { total += try tailSize(t, v) } catch { throw error.inside(.index(i)) }
                }
            }
            return total
        }
        var total = 0
        for (i, v) in values.enumerated() {
            let t = types[i]
            total += t.headSize
            if t.isDynamic {
                do throws(ABIPathError) { total += try tailSize(t, v) } catch {
                    throw error.inside(topLevel ? .arg(i) : .field(i))
                }
            }
        }
        return total
    }

    /// Bytes a dynamic value's tail takes. Static values need no check here: their writes are confined to
    /// their head slot, and `writeStatic` checks them before writing.
    static func tailSize(_ t: ABIType, _ v: ABIValue) throws(ABIPathError) -> Int {
        switch (t, v) {
        case (.bytes, .bytes(let b)), (.bytes, .fixedBytes(let b)): return 32 + padded(b.count)
        case (.string, .string(let s)): return 32 + padded(s.utf8.count)
        case (.array(let e), .array(let items)): return 32 + (try sequenceSize(.same(e), items))
        case (.fixedArray(let e, let k), .array(let items)):
            guard items.count == k else { throw ABIPathError(.count(expected: k, got: items.count)) }
            return try sequenceSize(.same(e), items)
        case (.tuple(let ts), .tuple(let items)):
            guard items.count == ts.count else { throw ABIPathError(.count(expected: ts.count, got: items.count)) }
            return try sequenceSize(.each(ts), items)
        default:
            throw ABIPathError(.value("expected \(t.canonical), got \(v.kindName)"))
        }
    }

    // MARK: Writing

    @inline(__always)
    mutating func put(_ w: Bytes32, at pos: Int) {
        // An internal invariant (sizes were measured first), checked because the store below is unchecked.
        precondition(pos >= 0 && pos + 32 <= out.count, "ABI writer overrun")
        out.withUnsafeMutableBytes { w.store(to: $0.baseAddress! + pos) }
    }

    mutating func putBytes(_ src: UnsafeRawBufferPointer) {
        precondition(end + src.count <= out.count, "ABI writer overrun")
        if let base = src.baseAddress, src.count > 0 {
            let at = end
            out.withUnsafeMutableBytes { ($0.baseAddress! + at).copyMemory(from: base, byteCount: src.count) }
        }
        end += ABIWriter.padded(src.count)
    }

    /// Encodes a tuple or array body at `end`: heads first, then each dynamic tail, with offsets counted from
    /// the body's start (so bytes before it, such as a selector, do not count).
    mutating func encodeSequence(_ types: ABIElements, _ values: [ABIValue],
                                 topLevel: Bool = false) throws(ABIPathError) {
        let start = end
        if case .same(let t) = types {
            // Arrays: the element's layout is worked out once, not per element.
            let dynamic = t.isDynamic, size = t.headSize
            end += size * values.count
            var head = start
            for (i, v) in values.enumerated() {
                do throws(ABIPathError) {
                    if dynamic {
                        put(UInt256(UInt64(end - start)).word, at: head)
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
        end += headLen
        var head = start
        for (i, v) in values.enumerated() {
            let t = types[i]
            do throws(ABIPathError) {
                if t.isDynamic {
                    put(UInt256(UInt64(end - start)).word, at: head)
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

    /// Writes a dynamic value's tail at `end` (bytes, string, T[], or a tuple/fixed array with dynamic parts).
    mutating func encodeDynamic(_ t: ABIType, _ v: ABIValue) throws(ABIPathError) {
        switch (t, v) {
        case (.bytes, .bytes(let b)), (.bytes, .fixedBytes(let b)):
            put(UInt256(UInt64(b.count)).word, at: end)
            end += 32
            b.withUnsafeBytes { putBytes($0) }
        case (.string, .string(let s)):
            put(UInt256(UInt64(s.utf8.count)).word, at: end)
            end += 32
            var text = s
            text.withUTF8 { putBytes(UnsafeRawBufferPointer($0)) }
        case (.array(let e), .array(let items)):
            put(UInt256(UInt64(items.count)).word, at: end)
            end += 32
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

    /// Writes a static value's encoding at `pos`, inside its measured head slot.
    mutating func writeStatic(_ t: ABIType, _ v: ABIValue, at pos: Int) throws(ABIPathError) {
        switch (t, v) {
        case (.fixedArray(let e, let k), .array(let items)):
            guard items.count == k else { throw ABIPathError(.count(expected: k, got: items.count)) }
            let size = e.headSize
            for (i, item) in items.enumerated() {
                do throws(ABIPathError) { try writeStatic(e, item, at: pos + i * size) } catch {
                    throw error.inside(.index(i))
                }
            }
        case (.tuple(let ts), .tuple(let items)):
            guard items.count == ts.count else { throw ABIPathError(.count(expected: ts.count, got: items.count)) }
            var p = pos
            for (i, item) in items.enumerated() {
                do throws(ABIPathError) { try writeStatic(ts[i], item, at: p) } catch { throw error.inside(.field(i)) }
                p += ts[i].headSize
            }
        default:
            put(try ABIWriter.word(t, v), at: pos)
        }
    }

    /// The 32-byte word of a value type, checking the value fits the type.
    static func word(_ t: ABIType, _ v: ABIValue) throws(ABIPathError) -> Bytes32 {
        switch (t, v) {
        case (.uint(let m), .uint(let x)), (.uint(let m), .int(let x)):
            if case .int = v, x.isNegative { throw ABIPathError(.value("negative value for \(t.canonical)")) }
            guard x.fitsUnsigned(bits: m) else { throw ABIPathError(.value("\(x) does not fit in \(t.canonical)")) }
            return x.word
        case (.int(let m), .int(let x)):
            guard x.fitsSigned(bits: m) else {
                throw ABIPathError(.value("\(x.signedDescription) does not fit in \(t.canonical)"))
            }
            return x.word
        case (.int(let m), .uint(let x)):
            guard !x.isNegative, x.fitsSigned(bits: m) else {
                throw ABIPathError(.value("\(x) does not fit in \(t.canonical)"))
            }
            return x.word
        case (.address, .address(let a)):
            return a.word
        case (.bool, .bool(let b)):
            return Bytes32(w0: 0, w1: 0, w2: 0, w3: b ? 1 : 0)
        case (.fixedBytes(let m), .fixedBytes(let b)), (.fixedBytes(let m), .bytes(let b)):
            guard b.count == m else { throw ABIPathError(.value("\(t.canonical) needs \(m) bytes, got \(b.count)")) }
            // Left-aligned: byte i lands in word i / 8 at bit 56 - 8 * (i % 8).
            var w = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
            for (i, byte) in b.enumerated() {
                let bits = UInt64(byte) << UInt64(56 - 8 * (i & 7))
                switch i >> 3 {
                case 0: w.0 |= bits
                case 1: w.1 |= bits
                case 2: w.2 |= bits
                default: w.3 |= bits
                }
            }
            return Bytes32(w0: w.0, w1: w.1, w2: w.2, w3: w.3)
        default:
            throw ABIPathError(.value("expected \(t.canonical), got \(v.kindName)"))
        }
    }

    /// Appends the in-place encoding used for hashed indexed event fields.
    static func encodeInPlace(_ t: ABIType, _ v: ABIValue, padded: Bool, into out: inout [UInt8]) throws(ABIPathError) {
        func append(_ b: some Collection<UInt8>) {
            out.append(contentsOf: b)
            if padded { out.append(contentsOf: repeatElement(0, count: (32 - b.count % 32) % 32)) }
        }
        switch (t, v) {
        case (.bytes, .bytes(let b)), (.bytes, .fixedBytes(let b)): append(b)
        case (.string, .string(let s)): append(Array(s.utf8))
        case (.array(let e), .array(let items)):
            for (i, item) in items.enumerated() {
                do throws(ABIPathError) { try encodeInPlace(e, item, padded: true, into: &out) } catch {
                    throw error.inside(.index(i))
                }
            }
        case (.fixedArray(let e, let k), .array(let items)):
            guard items.count == k else { throw ABIPathError(.count(expected: k, got: items.count)) }
            for (i, item) in items.enumerated() {
                do throws(ABIPathError) { try encodeInPlace(e, item, padded: true, into: &out) } catch {
                    throw error.inside(.index(i))
                }
            }
        case (.tuple(let ts), .tuple(let items)):
            guard items.count == ts.count else { throw ABIPathError(.count(expected: ts.count, got: items.count)) }
            for (i, item) in items.enumerated() {
                do throws(ABIPathError) { try encodeInPlace(ts[i], item, padded: true, into: &out) } catch {
                    throw error.inside(.field(i))
                }
            }
        default:
            out.append(contentsOf: try word(t, v).bytes)
        }
    }
}
