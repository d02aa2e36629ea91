/// Strict ABI decoding of untrusted data. Every offset and length is bounds-checked before it is used (and
/// before anything is allocated from it), and every value is checked against its type the way eth_abi's strict
/// decoder does: padding must be zero (or sign bits for ints), bools 0 or 1, strings valid UTF-8, and an
/// offset must point past its container's head and inside the data. Errors name the path of the value.

extension ABI {
    /// Decodes `data` as the tuple `types` (return data, event data, arguments after the selector).
    /// Bytes after the encoding are ignored, as Solidity and eth_abi do.
    public static func decode(_ types: [ABIType], from data: [UInt8]) throws(ABIError) -> [ABIValue] {
        for t in types { try t.validate() }
        return try decodeValidated(types, from: data, names: nil)
    }

    /// Decodes one value encoded as a one-element tuple (the inverse of `encode(_:_:)` for one value).
    public static func decode(_ type: ABIType, from data: [UInt8]) throws(ABIError) -> ABIValue {
        try decode([type], from: data)[0]
    }

    /// Decodes `data` as the parameters' types; error paths use the parameter and field names.
    public static func decode(_ params: [ABIParameter], from data: [UInt8]) throws(ABIError) -> [ABIValue] {
        let types = params.map(\.type)
        for t in types { try t.validate() }
        return try decodeValidated(types, from: data, names: params)
    }

    /// Decodes calldata for `function`: checks the selector, then decodes the arguments.
    public static func decodeCall(_ function: ABIFunction, from calldata: [UInt8]) throws(ABIError) -> [ABIValue] {
        guard calldata.count >= 4 else {
            throw .invalidData(path: "calldata", failure: .selector("only \(calldata.count) bytes"))
        }
        let sel = ABISelector(calldata)
        guard sel == function.selector else {
            throw .invalidData(path: "calldata", failure: .selector("\(sel) is not \(function.signature) (\(function.selector))"))
        }
        for t in function.inputs { try t.type.validate() }
        return try decodeValidated(function.inputs.map(\.type), from: calldata, skip: 4, names: function.inputs)
    }

    /// Decodes the return data of `function`.
    public static func decodeOutput(_ function: ABIFunction, from data: [UInt8]) throws(ABIError) -> [ABIValue] {
        try decode(function.outputs, from: data)
    }

    /// Decodes `data` after its first `skip` bytes (a selector), without copying it; offsets and error
    /// positions count from there.
    static func decodeValidated(_ types: [ABIType], from data: [UInt8], skip: Int = 0,
                                names: [ABIParameter]?) throws(ABIError) -> [ABIValue] {
        let result: Result<[ABIValue], ABIPathError> = data.withUnsafeBytes { whole in
            var r = ABIReader(UnsafeRawBufferPointer(rebasing: whole[min(skip, whole.count)...]))
            do throws(ABIPathError) {
                return .success(try r.decodeSequence(.each(types), count: types.count, start: 0, topLevel: true))
            } catch {
                return .failure(error)
            }
        }
        switch result {
        case .success(let v): return v
        case .failure(let e): throw e.abiError(names: names)
        }
    }

    /// Decodes one value type (uint/int/address/bool/bytes<M>) from a 32-byte word, strictly.
    static func decodeWord(_ type: ABIType, _ word: Hash32) throws(ABIPathError) -> ABIValue {
        let bytes = word.bytes
        let result: Result<ABIValue, ABIPathError> = bytes.withUnsafeBytes { raw in
            var r = ABIReader(raw)
            do throws(ABIPathError) { return .success(try r.decodeStatic(type, at: 0)) } catch { return .failure(error) }
        }
        return try result.get()
    }
}

/// Reads values out of a buffer. Positions are byte offsets into `data`.
struct ABIReader {
    let data: UnsafeRawBufferPointer
    /// Words left to decode before the input counts as an amplification attack. A canonical encoding reads
    /// each word once; tails shared by several offsets read them again, which eth_abi allows, so the limit
    /// is a generous multiple of the input rather than the input itself.
    var budget: Int

    init(_ data: UnsafeRawBufferPointer) {
        self.data = data
        budget = 8 * (data.count / 32) + 64
    }

    @inline(__always)
    mutating func spend(_ words: Int) throws(ABIPathError) {
        budget -= words
        if budget < 0 { throw ABIPathError(.data(.tooLarge)) }
    }

    /// Ensures `count` bytes are readable at `pos`.
    @inline(__always)
    func need(_ count: Int, at pos: Int) throws(ABIPathError) {
        if pos > data.count || count > data.count - pos {
            throw ABIPathError(.data(.truncated(at: pos, needed: count, available: data.count)))
        }
    }

    /// The big-endian word at `pos`.
    @inline(__always)
    mutating func word(at pos: Int) throws(ABIPathError) -> UInt256 {
        try need(32, at: pos)
        try spend(1)
        return UInt256(l0: UInt64(bigEndian: data.loadUnaligned(fromByteOffset: pos + 24, as: UInt64.self)),
                       l1: UInt64(bigEndian: data.loadUnaligned(fromByteOffset: pos + 16, as: UInt64.self)),
                       l2: UInt64(bigEndian: data.loadUnaligned(fromByteOffset: pos + 8, as: UInt64.self)),
                       l3: UInt64(bigEndian: data.loadUnaligned(fromByteOffset: pos, as: UInt64.self)))
    }

    /// Decodes `count` elements laid out head-then-tails from `start`.
    mutating func decodeSequence(_ types: ABIElements, count: Int, start: Int,
                                 topLevel: Bool = false) throws(ABIPathError) -> [ABIValue] {
        // The whole head must be present before anything is allocated for it.
        var headLen = 0
        switch types {
        case .same(let t):
            let (n, o) = t.headSize.multipliedReportingOverflow(by: count)
            if o { throw ABIPathError(.data(.truncated(at: start, needed: .max, available: data.count))) }
            headLen = n
        case .each(let ts):
            for t in ts { headLen += t.headSize }
        }
        try need(headLen, at: start)
        var values: [ABIValue] = []
        values.reserveCapacity(count)
        var head = start
        if case .same(let t) = types {
            // Arrays: the element's layout is worked out once, not per element.
            let dynamic = t.isDynamic, size = t.headSize
            for i in 0..<count {
                do throws(ABIPathError) {
                    values.append(dynamic ? try decodeTail(t, head: head, start: start, headLen: headLen)
                                          : try decodeStatic(t, at: head))
                } catch {
                    throw error.inside(.index(i))
                }
                head += size
            }
            return values
        }
        for i in 0..<count {
            let t = types[i]
            do throws(ABIPathError) {
                values.append(t.isDynamic ? try decodeTail(t, head: head, start: start, headLen: headLen)
                                          : try decodeStatic(t, at: head))
            } catch {
                throw error.inside(topLevel ? .arg(i) : .field(i))
            }
            head += t.headSize
        }
        return values
    }

    /// Follows the offset in the head word at `head` (relative to the container at `start`) and decodes there.
    @inline(__always)
    mutating func decodeTail(_ t: ABIType, head: Int, start: Int, headLen: Int) throws(ABIPathError) -> ABIValue {
        let offsetWord = try word(at: head)
        // eth_abi's rule: the target must lie after this container's head and inside the data.
        guard let off = offsetWord.asInt, off >= headLen, off < data.count - start else {
            throw ABIPathError(.data(.badOffset(offsetWord.description, at: head)))
        }
        return try decodeDynamic(t, at: start + off)
    }

    /// Decodes a dynamic value whose encoding starts at `pos`.
    mutating func decodeDynamic(_ t: ABIType, at pos: Int) throws(ABIPathError) -> ABIValue {
        switch t {
        case .bytes, .string:
            let lengthWord = try word(at: pos)
            let body = pos + 32
            guard let len = lengthWord.asInt, len <= data.count - body else {
                throw ABIPathError(.data(.badLength(lengthWord.description, at: pos)))
            }
            let padded = (len + 31) & ~31
            try need(padded, at: body)
            try spend(padded / 32)
            for i in len..<padded where data[body + i] != 0 {
                throw ABIPathError(.data(.dirtyPadding(type: t.canonical, at: body + i)))
            }
            let content = UnsafeRawBufferPointer(rebasing: data[body..<body + len])
            if case .bytes = t { return .bytes(Array(content)) }
            guard let s = String(validating: content, as: UTF8.self) else {
                throw ABIPathError(.data(.invalidUTF8(at: body)))
            }
            return .string(s)
        case .array(let e):
            let lengthWord = try word(at: pos)
            let body = pos + 32
            // Each element needs at least its head in the data: check before allocating `count` slots.
            guard let n = lengthWord.asInt, n <= (data.count - body) / e.headSize else {
                throw ABIPathError(.data(.badLength(lengthWord.description, at: pos)))
            }
            return .array(try decodeSequence(.same(e), count: n, start: body))
        case .fixedArray(let e, let k):
            return .array(try decodeSequence(.same(e), count: k, start: pos))
        case .tuple(let ts):
            return .tuple(try decodeSequence(.each(ts), count: ts.count, start: pos))
        default:
            return try decodeStatic(t, at: pos)
        }
    }

    /// Decodes a static value at `pos`.
    mutating func decodeStatic(_ t: ABIType, at pos: Int) throws(ABIPathError) -> ABIValue {
        switch t {
        case .uint(let m):
            let v = try word(at: pos)
            guard v.fitsUnsigned(bits: m) else { throw ABIPathError(.data(.dirtyPadding(type: t.canonical, at: pos))) }
            return .uint(v)
        case .int(let m):
            let v = try word(at: pos)
            guard v.fitsSigned(bits: m) else { throw ABIPathError(.data(.dirtyPadding(type: t.canonical, at: pos))) }
            return .int(v)
        case .address:
            let v = try word(at: pos)
            guard v.l3 == 0, v.l2 >> 32 == 0 else {
                throw ABIPathError(.data(.dirtyPadding(type: "address", at: pos)))
            }
            return .address(Address(word: v.word))
        case .bool:
            let v = try word(at: pos)
            guard v.l3 | v.l2 | v.l1 == 0, v.l0 <= 1 else { throw ABIPathError(.data(.invalidBool(at: pos))) }
            return .bool(v.l0 == 1)
        case .fixedBytes(let m):
            try need(32, at: pos)
            try spend(1)
            for i in m..<32 where data[pos + i] != 0 {
                throw ABIPathError(.data(.dirtyPadding(type: t.canonical, at: pos)))
            }
            return .fixedBytes(Array(UnsafeRawBufferPointer(rebasing: data[pos..<pos + m])))
        case .fixedArray(let e, let k):
            let size = e.headSize
            try need(size * k, at: pos)
            var items: [ABIValue] = []
            items.reserveCapacity(k)
            for i in 0..<k {
                do { items.append(try decodeStatic(e, at: pos + i * size)) } catch { throw error.inside(.index(i)) }
            }
            return .array(items)
        case .tuple(let ts):
            var items: [ABIValue] = []
            items.reserveCapacity(ts.count)
            var p = pos
            for (i, c) in ts.enumerated() {
                do { items.append(try decodeStatic(c, at: p)) } catch { throw error.inside(.field(i)) }
                p += c.headSize
            }
            return .tuple(items)
        case .bytes, .string, .array:
            // Unreachable for validated types (dynamic types never sit in a head); kept total for safety.
            throw ABIPathError(.value("\(t.canonical) is dynamic"))
        }
    }
}
