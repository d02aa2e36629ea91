import Primitives

/// Content identifiers (CIDs) as IPFS defines them, limited to what this store makes and reads: sha2-256
/// multihashes, dag-pb (UnixFS) and raw blocks.
///
/// - CIDv0 is the bare multihash `0x12 0x20 <32-byte digest>` in base58btc (`Qm…`, 46 characters); its codec
///   is always dag-pb.
/// - CIDv1 is `varint(1) varint(codec) multihash`, written with a multibase prefix; we print base32 (`b…`), as
///   kubo does, and also accept base58btc (`z…`).

/// An error from parsing a CID or multihash.
public enum CIDError: Error, Equatable, CustomStringConvertible {
    /// The text is not a CID: names the text and what is wrong.
    case invalid(String, reason: String)
    /// A multihash function other than sha2-256 (code given).
    case unsupportedHash(code: UInt64)
    /// A codec this store cannot read (only dag-pb 0x70 and raw 0x55).
    case unsupportedCodec(UInt64)

    public var description: String {
        switch self {
        case .invalid(let t, let r): return "invalid CID '\(t)': \(r)"
        case .unsupportedHash(let c): return "unsupported multihash function 0x\(String(c, radix: 16)) (only sha2-256)"
        case .unsupportedCodec(let c): return "unsupported CID codec 0x\(String(c, radix: 16)) (only dag-pb and raw)"
        }
    }
}

/// A CID: version, codec and sha2-256 digest. Two CIDs name the same block when their digests are equal
/// (the block store keys blocks by multihash, as kubo does).
public struct CID: Hashable, Sendable, CustomStringConvertible {
    /// Multicodec codes of the block formats this store handles.
    public enum Codec: UInt64, Sendable {
        case dagPB = 0x70
        case raw = 0x55
    }

    /// 0 or 1.
    public let version: Int
    public let codec: Codec
    /// The sha2-256 digest of the block.
    public let digest: Bytes32

    /// Multihash code of sha2-256.
    public static let sha256Code: UInt8 = 0x12

    /// A CIDv0 (dag-pb) for `digest`.
    public init(v0 digest: Bytes32) {
        version = 0; codec = .dagPB; self.digest = digest
    }

    /// A CIDv1 with `codec` for `digest`.
    public init(v1 digest: Bytes32, codec: Codec = .dagPB) {
        version = 1; self.codec = codec; self.digest = digest
    }

    /// The same block named as CIDv0 (only dag-pb has one) or nil for raw.
    public var v0: CID? { codec == .dagPB ? CID(v0: digest) : nil }
    /// The same block named as CIDv1.
    public var v1: CID { CID(v1: digest, codec: codec) }

    /// The 34-byte multihash `0x12 0x20 digest`.
    public var multihash: [UInt8] {
        var out: [UInt8] = [CID.sha256Code, 32]
        out.reserveCapacity(34)
        out.append(contentsOf: digest.bytes)
        return out
    }

    /// The binary CID, as stored in dag-pb links: the multihash for v0, `0x01 codec multihash` for v1.
    public var bytes: [UInt8] {
        if version == 0 { return multihash }
        var out: [UInt8] = [1]
        appendVarint(codec.rawValue, to: &out)
        out.append(contentsOf: multihash)
        return out
    }

    /// `Qm…` for v0, `b…` (base32) for v1.
    public var string: String {
        version == 0 ? Base58.encode(multihash) : "b" + Base32.encode(bytes)
    }

    public var description: String { string }

    /// Parses CID text: `Qm…` (v0), `b…`/`B…` (v1 base32) or `z…` (v1 base58btc). A `/ipfs/` prefix is accepted,
    /// as kubo's API accepts paths.
    public init(_ text: String) throws(CIDError) {
        var t = Substring(text)
        if t.hasPrefix("/ipfs/") { t = t.dropFirst(6) }
        if t.count == 46 && t.hasPrefix("Qm") {
            let raw: [UInt8]
            do { raw = try Base58.decode(String(t)) } catch { throw .invalid(text, reason: error.description) }
            try self.init(binary: raw, text: text)
            return
        }
        if t.hasPrefix("Qm") { throw .invalid(text, reason: "a CIDv0 (Qm…) has 46 characters, not \(t.count)") }
        guard let prefix = t.first else { throw .invalid(text, reason: "empty") }
        let body = String(t.dropFirst())
        let raw: [UInt8]
        do {
            switch prefix {
            case "b", "B": raw = try Base32.decode(body)
            case "z": raw = try Base58.decode(body)
            default: throw CIDError.invalid(text, reason: "unknown multibase prefix '\(prefix)' (expected Qm…, b… or z…)")
            }
        } catch let e as MultibaseError {
            throw .invalid(text, reason: e.description)
        } catch let e as CIDError {
            throw e
        } catch {
            throw .invalid(text, reason: "\(error)")
        }
        try self.init(binary: raw, text: text)
    }

    /// Parses a binary CID (as found in a dag-pb link). `text` names the input in errors.
    public init(binary raw: [UInt8], text: String? = nil) throws(CIDError) {
        let name = text ?? Hex.encode(raw)
        if raw.count == 34 && raw[0] == CID.sha256Code && raw[1] == 32 {
            self.init(v0: bytes32(raw, at: 2))
            return
        }
        if raw.first == CID.sha256Code && raw.count > 1 {
            throw .invalid(name, reason: "sha2-256 multihash must have a 32-byte digest")
        }
        var offset = 0
        let parsed: (UInt64, UInt64, UInt64, UInt64)? = raw.withUnsafeBytes { b in
            guard let version = readVarint(b, &offset), let codec = readVarint(b, &offset),
                  let hash = readVarint(b, &offset), let length = readVarint(b, &offset) else { return nil }
            return (version, codec, hash, length)
        }
        guard let (version, codecCode, hashCode, length) = parsed else {
            throw .invalid(name, reason: "truncated CID header")
        }
        guard version == 1 else { throw .invalid(name, reason: "CID version \(version) (expected 0 or 1)") }
        guard let codec = Codec(rawValue: codecCode) else { throw .unsupportedCodec(codecCode) }
        guard hashCode == UInt64(CID.sha256Code) else { throw .unsupportedHash(code: hashCode) }
        guard length == 32, raw.count - offset == 32 else {
            throw .invalid(name, reason: "digest length \(raw.count - offset), header says \(length), sha2-256 needs 32")
        }
        self.init(v1: bytes32(raw, at: offset), codec: codec)
    }
}

/// The 32 bytes of `raw` from `offset` (the caller has checked the length).
@inline(__always)
func bytes32(_ raw: [UInt8], at offset: Int) -> Bytes32 {
    raw.withUnsafeBytes { Bytes32(UnsafeRawBufferPointer(rebasing: $0[offset..<(offset + 32)])) }
}
