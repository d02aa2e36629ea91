/// Keccak-256 as Ethereum uses it: the original Keccak padding (0x01 … 0x80), not SHA3-256's (0x06).

public struct Keccak256: Sendable {
    /// Rate in bytes for a 256-bit output (1600 − 2·256 bits).
    public static let rate = 136

    private var state = [UInt64](repeating: 0, count: 25)
    private var buffer = [UInt8](repeating: 0, count: Keccak256.rate)
    private var buffered = 0

    public init() {}

    /// Absorbs more input.
    public mutating func update<C: Collection>(_ data: C) where C.Element == UInt8 {
        let done = data.withContiguousStorageIfAvailable { raw in
            update(UnsafeRawBufferPointer(raw)); return true
        }
        if done == nil { let copy = Array(data); copy.withUnsafeBytes { update($0) } }
    }

    /// Absorbs the bytes at `raw`.
    public mutating func update(_ raw: UnsafeRawBufferPointer) {
        var offset = 0
        let count = raw.count
        while offset < count {
            if buffered == 0 && count - offset >= Keccak256.rate {
                // Whole block straight from the input.
                absorb(UnsafeRawBufferPointer(rebasing: raw[offset..<offset + Keccak256.rate]))
                offset += Keccak256.rate
                continue
            }
            let take = min(Keccak256.rate - buffered, count - offset)
            buffer.withUnsafeMutableBytes { b in
                b.baseAddress!.advanced(by: buffered).copyMemory(from: raw.baseAddress!.advanced(by: offset), byteCount: take)
            }
            buffered += take
            offset += take
            if buffered == Keccak256.rate {
                let block = buffer
                block.withUnsafeBytes { absorb($0) }
                buffered = 0
            }
        }
    }

    private mutating func absorb(_ block: UnsafeRawBufferPointer) {
        state.withUnsafeMutableBufferPointer { s in
            for i in 0..<(Keccak256.rate / 8) {
                s[i] ^= UInt64(littleEndian: block.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self))
            }
            keccakF1600(s.baseAddress!)
        }
    }

    /// Pads, permutes and returns the 32-byte digest. The hasher should not be used afterwards.
    public mutating func finalize() -> Hash32 {
        var last = [UInt8](repeating: 0, count: Keccak256.rate)
        for i in 0..<buffered { last[i] = buffer[i] }
        last[buffered] ^= 0x01
        last[Keccak256.rate - 1] ^= 0x80
        last.withUnsafeBytes { absorb($0) }
        return state.withUnsafeBufferPointer { s in
            Bytes32(w0: s[0].byteSwapped, w1: s[1].byteSwapped, w2: s[2].byteSwapped, w3: s[3].byteSwapped)
        }
    }

    /// Keccak-256 of the bytes at `raw`, without heap allocation: the sponge lives on the stack.
    public static func hash(_ raw: UnsafeRawBufferPointer) -> Hash32 {
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 25 + rate / 8) { mem in
            let s = mem.baseAddress!
            s.initialize(repeating: 0, count: 25 + rate / 8)
            var offset = 0
            let count = raw.count
            let lanes = rate / 8
            while count - offset >= rate {
                for i in 0..<lanes {
                    s[i] ^= UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset + i * 8, as: UInt64.self))
                }
                keccakF1600(s)
                offset += rate
            }
            // Final partial block, padded, in the scratch lanes after the state.
            let pad = UnsafeMutableRawPointer(s + 25)
            let tail = count - offset
            if tail > 0 { pad.copyMemory(from: raw.baseAddress! + offset, byteCount: tail) }
            pad.storeBytes(of: 0x01, toByteOffset: tail, as: UInt8.self)
            pad.storeBytes(of: pad.load(fromByteOffset: rate - 1, as: UInt8.self) | 0x80,
                           toByteOffset: rate - 1, as: UInt8.self)
            for i in 0..<lanes { s[i] ^= UInt64(littleEndian: s[25 + i]) }
            keccakF1600(s)
            return Bytes32(w0: s[0].byteSwapped, w1: s[1].byteSwapped, w2: s[2].byteSwapped, w3: s[3].byteSwapped)
        }
    }

    /// Keccak-256 of a byte array.
    public static func hash(_ bytes: [UInt8]) -> Hash32 { bytes.withUnsafeBytes { hash($0) } }

    /// Keccak-256 of a string's UTF-8 bytes (handy for selectors and topics).
    public static func hash(_ text: String) -> Hash32 { hash(Array(text.utf8)) }
}

extension Bytes32 {
    /// Bytes `i` of the hash (0 = most significant), for nibble walks such as EIP-55.
    public subscript(i: Int) -> UInt8 {
        let word: UInt64
        switch i >> 3 {
        case 0: word = w0
        case 1: word = w1
        case 2: word = w2
        default: word = w3
        }
        return UInt8(truncatingIfNeeded: word >> UInt64(56 - (i & 7) * 8))
    }
}
