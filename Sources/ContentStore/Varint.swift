/// Unsigned LEB128 varints, as protobuf, multihash and CID use them, with a strict decoder.

/// Appends the unsigned varint of `value` to `out` (7 bits per byte, low group first).
@inline(__always)
func appendVarint(_ value: UInt64, to out: inout [UInt8]) {
    var v = value
    while v >= 0x80 {
        out.append(UInt8(truncatingIfNeeded: v) | 0x80)
        v >>= 7
    }
    out.append(UInt8(v))
}

/// Number of bytes `appendVarint` writes for `value`.
@inline(__always)
func varintSize(_ value: UInt64) -> Int {
    var v = value
    var n = 1
    while v >= 0x80 { v >>= 7; n += 1 }
    return n
}

/// Reads a varint from `bytes` at `offset`, advancing it. Returns nil on truncation or a varint longer than
/// 10 bytes (more than 64 bits), so callers turn that into their own error naming what was being read.
@inline(__always)
func readVarint(_ bytes: UnsafeRawBufferPointer, _ offset: inout Int) -> UInt64? {
    var result: UInt64 = 0
    var shift: UInt64 = 0
    while offset < bytes.count {
        let b = bytes[offset]
        offset += 1
        if shift == 63 && b > 1 { return nil }  // would overflow 64 bits
        result |= UInt64(b & 0x7f) << shift
        if b & 0x80 == 0 { return result }
        shift += 7
        if shift > 63 { return nil }
    }
    return nil
}

/// `withUnsafeBytes` for typed throws: the standard library's version rethrows as `any Error`.
@inline(__always)
func withBytes<R, E: Error>(_ a: [UInt8], _ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
    let result: Result<R, E> = a.withUnsafeBytes { raw in
        do throws(E) { return .success(try body(raw)) } catch { return .failure(error) }
    }
    return try result.get()
}
