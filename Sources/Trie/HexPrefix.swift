/// Hex-prefix (compact) encoding of nibble paths (Yellow Paper, Appendix C).
public enum HexPrefix {
    /// Splits bytes into nibbles, high nibble first.
    public static func nibbles(_ bytes: [UInt8]) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for b in bytes { out.append(b >> 4); out.append(b & 0x0f) }
        return out
    }

    /// Encodes a nibble path with the leaf/extension flag.
    public static func encode(_ nibbles: ArraySlice<UInt8>, leaf: Bool) -> [UInt8] {
        let flag: UInt8 = leaf ? 2 : 0
        var out = [UInt8]()
        out.reserveCapacity(nibbles.count / 2 + 1)
        var i = nibbles.startIndex
        if nibbles.count % 2 == 1 {
            out.append((flag + 1) << 4 | nibbles[i])
            i += 1
        } else {
            out.append(flag << 4)
        }
        while i < nibbles.endIndex {
            out.append(nibbles[i] << 4 | nibbles[i + 1])
            i += 2
        }
        return out
    }

    /// Encodes a nibble array.
    public static func encode(_ nibbles: [UInt8], leaf: Bool) -> [UInt8] { encode(nibbles[...], leaf: leaf) }
}
