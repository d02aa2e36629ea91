/// Strict, canonical RLP decoding: every length must use its shortest form, a single byte below 0x80 must encode as
/// itself, nothing may follow the top-level item, and no item may reach past its enclosing list. Errors carry the
/// byte offset of the item at fault.

/// The decoded header of one item.
public struct RLPHeader: Equatable, Sendable {
    /// True for a list, false for a byte string.
    public var isList: Bool
    /// Offset of the header's first byte.
    public var offset: Int
    /// The payload's byte range in the input (the single byte itself for 0x00...0x7f).
    public var payload: Range<Int>
    /// Offset just past the item.
    public var end: Int { payload.upperBound }
}

/// Where a list began, returned by `RLPDecoder.enterList()` and handed back to `exitList(_:)`.
public struct RLPListMarker: Sendable {
    /// Offset of the list's header.
    public let offset: Int
    /// The enclosing limit to restore on exit.
    let outerLimit: Int
}

/// A cursor over RLP input for reading structures field by field without building `RLPItem` trees:
/// `enterList`, then `readUInt64` / `readBytes` / `readAddress` …, then `exitList`, then `finish`.
public struct RLPDecoder {
    /// The whole input.
    public let bytes: [UInt8]
    /// Offset of the next item.
    public private(set) var position: Int
    /// End of the list being read (or of the input at top level).
    public private(set) var limit: Int
    /// How deep `readItem` may nest lists; deeper input is rejected rather than exhausting the stack.
    public static let maxDepth = 256

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        position = 0
        limit = bytes.count
    }

    /// True while the current list (or the input) has items left.
    public var hasMore: Bool { position < limit }

    /// Parses the header of the item at `position` without consuming it.
    public func peekHeader() throws(RLPError) -> RLPHeader { try header(at: position, limit: limit) }

    /// Parses the header at offset `o`, checking that the item ends by `limit`.
    public func header(at o: Int, limit: Int) throws(RLPError) -> RLPHeader {
        guard o < limit else { throw .empty(offset: o) }
        let b = bytes[o]
        let available = limit - o
        if b < 0x80 { return RLPHeader(isList: false, offset: o, payload: o..<(o + 1)) }
        let isList = b >= 0xc0
        let shortMax: UInt8 = isList ? 0xf7 : 0xb7
        let base: UInt8 = isList ? 0xc0 : 0x80
        if b <= shortMax {
            let len = Int(b - base)
            guard 1 + len <= available else { throw .truncated(offset: o, needed: 1 + len, available: available) }
            if !isList && len == 1 && bytes[o + 1] < 0x80 { throw .nonCanonicalSingleByte(offset: o) }
            return RLPHeader(isList: isList, offset: o, payload: (o + 1)..<(o + 1 + len))
        }
        let lenOfLen = Int(b - shortMax)  // 1...8
        guard 1 + lenOfLen <= available else {
            throw .truncated(offset: o, needed: 1 + lenOfLen, available: available)
        }
        if bytes[o + 1] == 0 { throw .leadingZeroInLength(offset: o) }
        var len: UInt64 = 0
        for i in 0..<lenOfLen { len = len << 8 | UInt64(bytes[o + 1 + i]) }
        guard len <= UInt64(Int.max - 1 - lenOfLen) else { throw .lengthOverflow(offset: o) }
        let length = Int(len)
        if length < 56 { throw .nonCanonicalLongLength(offset: o, length: length) }
        let headerLength = 1 + lenOfLen
        guard headerLength + length <= available else {
            throw .truncated(offset: o, needed: headerLength + length, available: available)
        }
        return RLPHeader(isList: isList, offset: o, payload: (o + headerLength)..<(o + headerLength + length))
    }

    /// Consumes the next item's header and returns it (the payload is skipped too).
    public mutating func readHeader() throws(RLPError) -> RLPHeader {
        let h = try peekHeader()
        position = h.end
        return h
    }

    /// Consumes the next item, which must be a byte string, and returns its payload's range (no copy).
    public mutating func readBytesRange() throws(RLPError) -> Range<Int> {
        let h = try peekHeader()
        if h.isList { throw .expectedBytes(offset: h.offset) }
        position = h.end
        return h.payload
    }

    /// Consumes the next item, which must be a byte string, and returns its bytes.
    public mutating func readBytes() throws(RLPError) -> [UInt8] { Array(bytes[try readBytesRange()]) }

    /// Consumes a canonical integer of at most 8 bytes.
    public mutating func readUInt64() throws(RLPError) -> UInt64 {
        let start = position
        let r = try readBytesRange()
        return try withBytes(bytes) { (raw) throws(RLPError) in
            try RLP.decodeUInt64(UnsafeRawBufferPointer(rebasing: raw[r]), offset: start)
        }
    }

    /// Consumes a canonical integer of at most 32 bytes.
    public mutating func readUInt256() throws(RLPError) -> UInt256 {
        let start = position
        let r = try readBytesRange()
        return try withBytes(bytes) { (raw) throws(RLPError) in
            try RLP.decodeUInt256(UnsafeRawBufferPointer(rebasing: raw[r]), offset: start)
        }
    }

    /// Consumes a 20-byte string as an address.
    public mutating func readAddress() throws(RLPError) -> Address {
        let start = position
        let r = try readBytesRange()
        guard r.count == 20 else { throw .wrongLength(offset: start, expected: 20, got: r.count) }
        return bytes.withUnsafeBytes { Address(UnsafeRawBufferPointer(rebasing: $0[r])) }
    }

    /// Consumes a 32-byte string as a word or hash.
    public mutating func readWord() throws(RLPError) -> Bytes32 {
        let start = position
        let r = try readBytesRange()
        guard r.count == 32 else { throw .wrongLength(offset: start, expected: 32, got: r.count) }
        return bytes.withUnsafeBytes { Bytes32(UnsafeRawBufferPointer(rebasing: $0[r])) }
    }

    /// Enters the list at `position`: following reads see only its items until `exitList`.
    public mutating func enterList() throws(RLPError) -> RLPListMarker {
        let h = try peekHeader()
        guard h.isList else { throw .expectedList(offset: h.offset) }
        let marker = RLPListMarker(offset: h.offset, outerLimit: limit)
        position = h.payload.lowerBound
        limit = h.payload.upperBound
        return marker
    }

    /// Leaves a list entered with `enterList`; every item of it must have been read.
    public mutating func exitList(_ marker: RLPListMarker) throws(RLPError) {
        guard position == limit else { throw .listNotFullyConsumed(offset: marker.offset, remaining: limit - position) }
        limit = marker.outerLimit
    }

    /// Skips the next item whatever it is.
    public mutating func skipItem() throws(RLPError) { _ = try readHeader() }

    /// Consumes the next item as an `RLPItem` tree (lists checked recursively, up to `maxDepth`).
    public mutating func readItem() throws(RLPError) -> RLPItem { try readItem(depth: 0) }

    private mutating func readItem(depth: Int) throws(RLPError) -> RLPItem {
        let h = try peekHeader()
        if !h.isList {
            position = h.end
            return .bytes(Array(bytes[h.payload]))
        }
        guard depth < RLPDecoder.maxDepth else { throw .tooDeep(offset: h.offset, limit: RLPDecoder.maxDepth) }
        let marker = try enterList()
        var items: [RLPItem] = []
        while hasMore { items.append(try readItem(depth: depth + 1)) }
        try exitList(marker)
        return .list(items)
    }

    /// At top level: checks that the whole input has been consumed.
    public func finish() throws(RLPError) {
        if position < bytes.count { throw .trailingBytes(offset: position, count: bytes.count - position) }
    }
}

extension RLP {
    /// Decodes exactly one item that spans the whole input, strictly (see RLPDecoder).
    public static func decode(_ bytes: [UInt8]) throws(RLPError) -> RLPItem {
        var d = RLPDecoder(bytes)
        let item = try d.readItem()
        try d.finish()
        return item
    }

    /// Checks that `bytes` is exactly one canonical item without building a tree; returns its header.
    public static func validate(_ bytes: [UInt8]) throws(RLPError) -> RLPHeader {
        let d = RLPDecoder(bytes)
        let h = try d.peekHeader()
        if h.isList { try validateList(d, h, depth: 1) }
        try RLPDecoder(bytes, position: h.end).finish()
        return h
    }

    private static func validateList(_ d: RLPDecoder, _ h: RLPHeader, depth: Int) throws(RLPError) {
        guard depth <= RLPDecoder.maxDepth else { throw .tooDeep(offset: h.offset, limit: RLPDecoder.maxDepth) }
        var o = h.payload.lowerBound
        while o < h.payload.upperBound {
            let child = try d.header(at: o, limit: h.payload.upperBound)
            if child.isList { try validateList(d, child, depth: depth + 1) }
            o = child.end
        }
    }
}

extension RLPDecoder {
    init(_ bytes: [UInt8], position: Int) {
        self.init(bytes)
        self.position = position
    }
}
