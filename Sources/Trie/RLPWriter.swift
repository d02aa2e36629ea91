import Primitives

/// The small RLP encoder the trie, the state root and the logs hash need. Items are built bottom-up:
/// `string` encodes a byte string, `list` wraps items that are already encoded.
public enum RLPWriter {
    /// Encodes a byte string.
    public static func string(_ bytes: [UInt8]) -> [UInt8] {
        if bytes.count == 1 && bytes[0] < 0x80 { return bytes }
        return header(bytes.count, short: 0x80) + bytes
    }

    /// Encodes a byte string given as a raw buffer.
    public static func string(_ raw: UnsafeRawBufferPointer) -> [UInt8] { string(Array(raw)) }

    /// Encodes a list of already-encoded items.
    public static func list(_ items: [[UInt8]]) -> [UInt8] {
        var total = 0
        for i in items { total += i.count }
        var out = header(total, short: 0xc0)
        out.reserveCapacity(out.count + total)
        for i in items { out += i }
        return out
    }

    /// Encodes an unsigned integer (big-endian, no leading zeros; zero is the empty string).
    public static func uint(_ v: UInt64) -> [UInt8] { uint(UInt256(v)) }

    /// Encodes a 256-bit unsigned integer.
    public static func uint(_ v: UInt256) -> [UInt8] { string(v.trimmedBytes) }

    static func header(_ length: Int, short: UInt8) -> [UInt8] {
        if length < 56 { return [short + UInt8(length)] }
        var lenBytes: [UInt8] = []
        var l = length
        while l > 0 { lenBytes.insert(UInt8(l & 0xff), at: 0); l >>= 8 }
        return [short + 55 + UInt8(lenBytes.count)] + lenBytes
    }
}
