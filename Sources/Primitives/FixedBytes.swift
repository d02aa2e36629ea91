/// Fixed-size byte strings: 32-byte hashes/words and 20-byte addresses.

/// 32 bytes stored inline (four big-endian UInt64 words): no heap allocation, cheap to copy and hash.
public struct Bytes32: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// Big-endian words: `w0` holds bytes 0..<8.
    public var w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64

    public init(w0: UInt64, w1: UInt64, w2: UInt64, w3: UInt64) {
        self.w0 = w0; self.w1 = w1; self.w2 = w2; self.w3 = w3
    }

    public static let zero = Bytes32(w0: 0, w1: 0, w2: 0, w3: 0)

    /// From exactly 32 bytes.
    public init(_ bytes: [UInt8]) {
        precondition(bytes.count == 32, "Bytes32 needs 32 bytes, got \(bytes.count)")
        self = bytes.withUnsafeBufferPointer { Bytes32(UnsafeRawBufferPointer($0)) }
    }

    /// From the first 32 bytes at `raw` (which must hold at least 32).
    @inline(__always)
    public init(_ raw: UnsafeRawBufferPointer) {
        w0 = UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
        w1 = UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        w2 = UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self))
        w3 = UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
    }

    /// Parses 32 bytes of hex (optional `0x`).
    public init(hex: String) throws(HexError) { self.init(try Hex.decode(hex, count: 32)) }

    /// Writes the 32 bytes at `raw`.
    @inline(__always)
    public func store(to raw: UnsafeMutableRawPointer) {
        raw.storeBytes(of: w0.bigEndian, toByteOffset: 0, as: UInt64.self)
        raw.storeBytes(of: w1.bigEndian, toByteOffset: 8, as: UInt64.self)
        raw.storeBytes(of: w2.bigEndian, toByteOffset: 16, as: UInt64.self)
        raw.storeBytes(of: w3.bigEndian, toByteOffset: 24, as: UInt64.self)
    }

    public var bytes: [UInt8] {
        [UInt8](unsafeUninitializedCapacity: 32) { buf, n in
            store(to: UnsafeMutableRawPointer(buf.baseAddress!)); n = 32
        }
    }

    public var hex: String { Hex.encode(bytes) }
    public var description: String { hex }

    public static func < (a: Bytes32, b: Bytes32) -> Bool {
        (a.w0, a.w1, a.w2, a.w3) < (b.w0, b.w1, b.w2, b.w3)
    }
}

/// A Keccak-256 (or other 32-byte) hash.
public typealias Hash32 = Bytes32

/// A 20-byte Ethereum address. Prints with the EIP-55 mixed-case checksum.
public struct Address: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// Big-endian: `hi` holds bytes 0..<4, `lo` bytes 4..<20 as two words.
    public var hi: UInt32, mid: UInt64, lo: UInt64

    public static let zero = Address(hi: 0, mid: 0, lo: 0)

    public init(hi: UInt32, mid: UInt64, lo: UInt64) { self.hi = hi; self.mid = mid; self.lo = lo }

    /// From exactly 20 bytes.
    public init(_ bytes: [UInt8]) {
        precondition(bytes.count == 20, "Address needs 20 bytes, got \(bytes.count)")
        self = bytes.withUnsafeBytes { Address($0) }
    }

    /// From the first 20 bytes at `raw`.
    @inline(__always)
    public init(_ raw: UnsafeRawBufferPointer) {
        hi = UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt32.self))
        mid = UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 4, as: UInt64.self))
        lo = UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 12, as: UInt64.self))
    }

    /// The low 20 bytes of a 32-byte word (how the EVM turns a stack word into an address).
    public init(word: Bytes32) {
        hi = UInt32(truncatingIfNeeded: word.w1)
        mid = word.w2
        lo = word.w3
    }

    /// The address left-padded to a 32-byte word.
    public var word: Bytes32 { Bytes32(w0: 0, w1: UInt64(hi), w2: mid, w3: lo) }

    public func store(to raw: UnsafeMutableRawPointer) {
        raw.storeBytes(of: hi.bigEndian, toByteOffset: 0, as: UInt32.self)
        raw.storeBytes(of: mid.bigEndian, toByteOffset: 4, as: UInt64.self)
        raw.storeBytes(of: lo.bigEndian, toByteOffset: 12, as: UInt64.self)
    }

    public var bytes: [UInt8] {
        [UInt8](unsafeUninitializedCapacity: 20) { buf, n in
            store(to: UnsafeMutableRawPointer(buf.baseAddress!)); n = 20
        }
    }

    /// Parses hex (optional `0x`). All-lower or all-upper case is accepted as is; mixed case must be a
    /// valid EIP-55 checksum, so a mistyped address is caught.
    public init(hex: String) throws(AddressError) {
        let raw: [UInt8]
        do { raw = try Hex.decode(hex) } catch { throw .invalidHex(error) }
        guard raw.count == 20 else { throw .wrongLength(raw.count) }
        let a = Address(raw)
        let digits = String(hex.hasPrefix("0x") || hex.hasPrefix("0X") ? hex.dropFirst(2) : Substring(hex))
        let hasLower = digits.contains { $0.isLowercase }, hasUpper = digits.contains { $0.isUppercase }
        if hasLower && hasUpper && "0x" + digits != a.checksummed {
            throw .badChecksum(expected: a.checksummed)
        }
        self = a
    }

    /// The EIP-55 checksummed form, e.g. `0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266`.
    public var checksummed: String {
        let lower = Array(Hex.encode(bytes, prefix: false).utf8)
        let digest = Keccak256.hash(lower)
        var out = [UInt8]("0x".utf8)
        for (i, c) in lower.enumerated() {
            let nibble = (digest[i / 2] >> (i % 2 == 0 ? 4 : 0)) & 0xf
            out.append(c >= UInt8(ascii: "a") && nibble >= 8 ? c - 32 : c)
        }
        return String(decoding: out, as: UTF8.self)
    }

    public var description: String { checksummed }

    public static func < (a: Address, b: Address) -> Bool { (a.hi, a.mid, a.lo) < (b.hi, b.mid, b.lo) }
}

/// An error from parsing an address.
public enum AddressError: Error, Equatable, CustomStringConvertible {
    case invalidHex(HexError)
    case wrongLength(Int)
    case badChecksum(expected: String)

    public var description: String {
        switch self {
        case .invalidHex(let e): return "invalid address: \(e)"
        case .wrongLength(let n): return "invalid address: expected 20 bytes, got \(n)"
        case .badChecksum(let e): return "invalid address checksum (EIP-55); did you mean \(e)?"
        }
    }
}
