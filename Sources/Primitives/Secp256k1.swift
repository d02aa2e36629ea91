/// secp256k1 keys, ECDSA signatures with public-key recovery, and ECDH, through libsecp256k1 (module CSecp256k1).
/// Signing uses libsecp256k1's default RFC 6979 deterministic nonces and always yields low-s signatures.
import CSecp256k1

/// An error from key parsing, signing, recovery or verification.
public enum Secp256k1Error: Error, Equatable, CustomStringConvertible {
    case privateKeyLength(Int)
    case privateKeyHex(HexError)
    case privateKeyZero
    case privateKeyNotBelowOrder
    case publicKeyLength(Int)
    case publicKeyHex(HexError)
    /// The bytes are not a point on the curve (or have a bad prefix byte).
    case invalidPublicKey(String)
    /// A recovery id outside 0...3, or a `v` other than 27/28 (or 0/1).
    case invalidRecoveryId(Int)
    /// r or s is zero or not below the curve order n.
    case signatureValueOutOfRange(String)
    /// s is above n/2 where only low-s signatures are allowed (EIP-2).
    case highS
    case signatureLength(Int)
    /// No public key recovers from this signature and digest.
    case recoveryFailed
    /// Drawing a random key failed.
    case random(CryptoError)

    public var description: String {
        switch self {
        case .privateKeyLength(let n): return "private key must be 32 bytes, got \(n)"
        case .privateKeyHex(let e): return "private key: \(e)"
        case .privateKeyZero: return "private key is zero"
        case .privateKeyNotBelowOrder: return "private key is not below the secp256k1 group order n"
        case .publicKeyLength(let n): return "public key must be 64 (x‖y), 65 (04‖x‖y) or 33 (compressed) bytes, got \(n)"
        case .publicKeyHex(let e): return "public key: \(e)"
        case .invalidPublicKey(let why): return "invalid secp256k1 public key: \(why)"
        case .invalidRecoveryId(let v): return "invalid signature recovery id / v: \(v)"
        case .signatureValueOutOfRange(let which): return "signature \(which) is zero or not below the group order n"
        case .highS: return "signature s is above n/2 (only low-s signatures are valid here)"
        case .signatureLength(let n): return "signature must be 65 bytes (r‖s‖v), got \(n)"
        case .recoveryFailed: return "no public key recovers from this signature and digest"
        case .random(let e): return "could not draw a random private key: \(e)"
        }
    }
}

/// The one libsecp256k1 context of the process, randomised once (side-channel blinding) before first use.
///
/// `@unchecked Sendable`: the context is mutated only inside `init` (create + randomize); afterwards every call
/// passes it as `const secp256k1_context*`, which libsecp256k1 documents as safe to share between threads.
final class Secp256k1Context: @unchecked Sendable {
    let ctx: OpaquePointer

    static let shared = Secp256k1Context()

    private init() {
        guard let c = secp256k1_context_create(UInt32(SECP256K1_CONTEXT_NONE)) else {
            fatalError("secp256k1_context_create failed")
        }
        // Blinding is defence in depth; if the RNG were unavailable the context still computes correctly.
        var seed = (try? SecureRandom.bytes(32)) ?? [UInt8](repeating: 0, count: 32)
        _ = secp256k1_context_randomize(c, &seed)
        ctx = c
    }
}

/// Curve constants.
public enum Secp256k1 {
    /// The group order n.
    public static let n = UInt256(l0: 0xBFD2_5E8C_D036_4141, l1: 0xBAAE_DCE6_AF48_A03B,
                                  l2: 0xFFFF_FFFF_FFFF_FFFE, l3: 0xFFFF_FFFF_FFFF_FFFF)
    /// floor(n / 2): the largest low-s value (EIP-2).
    public static let halfN = UInt256(l0: 0xDFE9_2F46_681B_20A0, l1: 0x5D57_6E73_57A4_501D,
                                      l2: 0xFFFF_FFFF_FFFF_FFFF, l3: 0x7FFF_FFFF_FFFF_FFFF)
}

/// An ECDSA signature with its recovery id.
public struct Signature: Hashable, Sendable {
    public var r: UInt256
    public var s: UInt256
    /// 0...3 (0 or 1 for all practical signatures): which of the candidate points is the public key.
    public var recoveryId: UInt8

    /// Ethereum's legacy `v` (27 + recovery id).
    public var v: UInt8 { 27 &+ recoveryId }

    /// True when s ≤ n/2.
    public var isLowS: Bool { s <= Secp256k1.halfN }

    /// A signature from its parts; `recoveryId` must be in 0...3.
    public init(r: UInt256, s: UInt256, recoveryId: Int) throws(Secp256k1Error) {
        guard (0...3).contains(recoveryId) else { throw .invalidRecoveryId(recoveryId) }
        self.r = r; self.s = s; self.recoveryId = UInt8(recoveryId)
    }

    /// A signature with legacy `v` (27 or 28; 0 or 1 is accepted as a bare recovery id).
    public init(r: UInt256, s: UInt256, v: Int) throws(Secp256k1Error) {
        switch v {
        case 27, 28: try self.init(r: r, s: s, recoveryId: v - 27)
        case 0, 1: try self.init(r: r, s: s, recoveryId: v)
        default: throw .invalidRecoveryId(v)
        }
    }

    /// From 65 bytes r‖s‖v, with v as 0/1 or 27/28.
    public init(bytes: [UInt8]) throws(Secp256k1Error) {
        guard bytes.count == 65 else { throw .signatureLength(bytes.count) }
        try self.init(r: UInt256(bigEndian: bytes[0..<32]), s: UInt256(bigEndian: bytes[32..<64]), v: Int(bytes[64]))
    }

    /// 65 bytes r‖s‖recoveryId (0/1), the form eth_sign-style APIs add 27 to.
    public var bytes: [UInt8] { r.bytes + s.bytes + [recoveryId] }

    /// The same signature with s replaced by n − s and the recovery id flipped (the high-s twin).
    public var malleated: Signature {
        var m = self
        m.s = Secp256k1.n &- s
        m.recoveryId ^= 1
        return m
    }

    /// Writes r‖s (64 bytes) to `out`.
    func storeCompact(_ out: UnsafeMutableRawPointer) {
        r.word.store(to: out)
        s.word.store(to: out + 32)
    }

    /// Checks 0 < r, s < n (and s ≤ n/2 when asked).
    func checkRange(requireLowS: Bool) throws(Secp256k1Error) {
        if r.isZero || r >= Secp256k1.n { throw .signatureValueOutOfRange("r") }
        if s.isZero || s >= Secp256k1.n { throw .signatureValueOutOfRange("s") }
        if requireLowS && !isLowS { throw .highS }
    }
}

/// A secp256k1 private key: a scalar in 1..<n. Its description never shows the secret.
public struct PrivateKey: Hashable, Sendable, CustomStringConvertible {
    /// The 32-byte big-endian secret.
    public let secret: Bytes32

    /// From 32 big-endian bytes; rejects zero and values ≥ n.
    public init(bytes: [UInt8]) throws(Secp256k1Error) {
        guard bytes.count == 32 else { throw .privateKeyLength(bytes.count) }
        try self.init(secret: Bytes32(bytes))
    }

    /// From 64 hex digits (optional 0x).
    public init(hex: String) throws(Secp256k1Error) {
        let raw: [UInt8]
        do { raw = try Hex.decode(hex) } catch { throw .privateKeyHex(error) }
        try self.init(bytes: raw)
    }

    /// From a 32-byte word; rejects zero and values ≥ n.
    public init(secret: Bytes32) throws(Secp256k1Error) {
        let v = UInt256(word: secret)
        if v.isZero { throw .privateKeyZero }
        if v >= Secp256k1.n { throw .privateKeyNotBelowOrder }
        self.secret = secret
    }

    /// A fresh key from OpenSSL's secure random generator.
    public static func generate() throws(Secp256k1Error) -> PrivateKey {
        while true {
            let raw: [UInt8]
            do { raw = try SecureRandom.bytes(32) } catch { throw .random(error) }
            // A random 256-bit value is out of range with probability about 2^-128; draw again if so.
            if let key = try? PrivateKey(bytes: raw) { return key }
        }
    }

    /// The 32 secret bytes.
    public var bytes: [UInt8] { secret.bytes }

    /// Calls `body` with the 32 secret bytes in a stack buffer that is zeroed afterwards.
    func withSecret<R>(_ body: (UnsafePointer<UInt8>) -> R) -> R {
        withUnsafeTemporaryAllocation(byteCount: 32, alignment: 8) { buf in
            secret.store(to: buf.baseAddress!)
            defer { buf.initializeMemory(as: UInt8.self, repeating: 0) }
            return body(buf.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
    }

    /// The matching public key.
    public var publicKey: PublicKey {
        var pk = secp256k1_pubkey()
        let ok = withSecret { secp256k1_ec_pubkey_create(Secp256k1Context.shared.ctx, &pk, $0) }
        // The secret was range-checked on construction, so libsecp256k1 cannot reject it.
        precondition(ok == 1, "secp256k1_ec_pubkey_create rejected a checked key")
        return PublicKey(pk)
    }

    /// The Ethereum address of this key.
    public var address: Address { publicKey.address }

    /// Signs a 32-byte digest: deterministic (RFC 6979), low-s, with the recovery id.
    public func sign(digest: Hash32) -> Signature {
        var sig = secp256k1_ecdsa_recoverable_signature()
        var recid: Int32 = 0
        return withUnsafeTemporaryAllocation(byteCount: 96, alignment: 8) { buf in
            let msg = buf.baseAddress!, out = buf.baseAddress! + 32
            digest.store(to: msg)
            let ok = withSecret { key in
                secp256k1_ecdsa_sign_recoverable(Secp256k1Context.shared.ctx, &sig,
                                                 msg.assumingMemoryBound(to: UInt8.self), key, nil, nil)
            }
            // Fails only for an invalid secret (excluded by construction) or a nonce-function failure, which
            // RFC 6979 with a valid key cannot produce.
            precondition(ok == 1, "secp256k1_ecdsa_sign_recoverable failed")
            _ = secp256k1_ecdsa_recoverable_signature_serialize_compact(
                Secp256k1Context.shared.ctx, out.assumingMemoryBound(to: UInt8.self), &recid, &sig)
            let raw = UnsafeRawBufferPointer(start: out, count: 64)
            return Signature(unchecked: UInt256(word: Bytes32(raw)),
                             UInt256(word: Bytes32(UnsafeRawBufferPointer(rebasing: raw[32...]))), UInt8(recid))
        }
    }

    /// ECDH: the x coordinate of secret·P (32 bytes, unhashed), as ECIES (RLPx, EIP-1024 style) needs.
    public func ecdh(with other: PublicKey) -> Bytes32 {
        var pk = other.raw
        return withUnsafeTemporaryAllocation(byteCount: 32, alignment: 8) { out in
            let ok = withSecret { key in
                secp256k1_ecdh(Secp256k1Context.shared.ctx, out.baseAddress!.assumingMemoryBound(to: UInt8.self),
                               &pk, key, { output, x32, _, _ in
                                   // Copy x instead of hashing the point (the library's default hashes it).
                                   guard let output, let x32 else { return 0 }
                                   output.update(from: x32, count: 32)
                                   return 1
                               }, nil)
            }
            // The scalar and point were validated on construction; the callback always succeeds.
            precondition(ok == 1, "secp256k1_ecdh failed")
            return Bytes32(UnsafeRawBufferPointer(out))
        }
    }

    public var description: String { "PrivateKey(address: \(address), secret redacted)" }
}

extension Signature {
    init(unchecked r: UInt256, _ s: UInt256, _ recoveryId: UInt8) {
        self.r = r; self.s = s; self.recoveryId = recoveryId
    }
}

/// A point on secp256k1 (never the point at infinity), stored as its affine coordinates.
public struct PublicKey: Hashable, Sendable, CustomStringConvertible {
    public let x: Bytes32
    public let y: Bytes32

    /// From libsecp256k1's internal form.
    init(_ pk: secp256k1_pubkey) {
        var pk = pk
        var coords = (x: Bytes32.zero, y: Bytes32.zero)
        withUnsafeTemporaryAllocation(byteCount: 65, alignment: 8) { buf in
            var len = 65
            _ = secp256k1_ec_pubkey_serialize(Secp256k1Context.shared.ctx,
                                              buf.baseAddress!.assumingMemoryBound(to: UInt8.self), &len, &pk,
                                              UInt32(SECP256K1_EC_UNCOMPRESSED))
            let raw = UnsafeRawBufferPointer(buf)
            coords = (Bytes32(UnsafeRawBufferPointer(rebasing: raw[1..<33])),
                      Bytes32(UnsafeRawBufferPointer(rebasing: raw[33..<65])))
        }
        x = coords.x; y = coords.y
    }

    /// Parses 64 bytes x‖y, 65 bytes 04‖x‖y, or 33 bytes 02/03‖x; the point must be on the curve.
    public init(bytes: [UInt8]) throws(Secp256k1Error) {
        var input = bytes
        switch bytes.count {
        case 64: input = [0x04] + bytes
        case 65: guard bytes[0] == 0x04 else { throw .invalidPublicKey("65-byte key must start with 04") }
        case 33: guard bytes[0] == 0x02 || bytes[0] == 0x03 else {
            throw .invalidPublicKey("33-byte key must start with 02 or 03")
        }
        default: throw .publicKeyLength(bytes.count)
        }
        var pk = secp256k1_pubkey()
        guard secp256k1_ec_pubkey_parse(Secp256k1Context.shared.ctx, &pk, input, input.count) == 1 else {
            throw .invalidPublicKey("not a point on the curve")
        }
        self.init(pk)
    }

    /// Parses hex in any of the forms `init(bytes:)` takes.
    public init(hex: String) throws(Secp256k1Error) {
        let raw: [UInt8]
        do { raw = try Hex.decode(hex) } catch { throw .publicKeyHex(error) }
        try self.init(bytes: raw)
    }

    /// libsecp256k1's form, rebuilt from the coordinates (already validated, so parsing cannot fail).
    var raw: secp256k1_pubkey {
        var pk = secp256k1_pubkey()
        withUnsafeTemporaryAllocation(byteCount: 65, alignment: 8) { buf in
            buf[0] = 0x04
            x.store(to: buf.baseAddress! + 1)
            y.store(to: buf.baseAddress! + 33)
            let ok = secp256k1_ec_pubkey_parse(Secp256k1Context.shared.ctx, &pk,
                                               buf.baseAddress!.assumingMemoryBound(to: UInt8.self), 65)
            precondition(ok == 1, "stored public key no longer parses")
        }
        return pk
    }

    /// 64 bytes x‖y (no 04 prefix), the form Ethereum hashes and devp2p sends.
    public var uncompressed: [UInt8] { x.bytes + y.bytes }

    /// 33 bytes: 02 or 03 (parity of y) then x.
    public var compressed: [UInt8] { [y.w3 & 1 == 0 ? 0x02 : 0x03] + x.bytes }

    /// The Ethereum address: the last 20 bytes of keccak256(x‖y).
    public var address: Address {
        withUnsafeTemporaryAllocation(byteCount: 64, alignment: 8) { buf in
            x.store(to: buf.baseAddress!)
            y.store(to: buf.baseAddress! + 32)
            return Address(word: Keccak256.hash(UnsafeRawBufferPointer(buf)))
        }
    }

    /// Recovers the signer's key from a digest and signature. Set `requireLowS` for transactions (EIP-2); the
    /// ecrecover precompile leaves it false and accepts any s in 1..<n.
    public static func recover(digest: Hash32, signature: Signature,
                               requireLowS: Bool) throws(Secp256k1Error) -> PublicKey {
        try signature.checkRange(requireLowS: requireLowS)
        guard signature.recoveryId <= 3 else { throw .invalidRecoveryId(Int(signature.recoveryId)) }
        let ctx = Secp256k1Context.shared.ctx
        var sig = secp256k1_ecdsa_recoverable_signature()
        var pk = secp256k1_pubkey()
        let ok: Int32 = withUnsafeTemporaryAllocation(byteCount: 96, alignment: 8) { buf in
            let compact = buf.baseAddress!, msg = buf.baseAddress! + 64
            signature.storeCompact(compact)
            digest.store(to: msg)
            guard secp256k1_ecdsa_recoverable_signature_parse_compact(
                ctx, &sig, compact.assumingMemoryBound(to: UInt8.self), Int32(signature.recoveryId)) == 1 else { return 0 }
            return secp256k1_ecdsa_recover(ctx, &pk, &sig, msg.assumingMemoryBound(to: UInt8.self))
        }
        guard ok == 1 else { throw .recoveryFailed }
        return PublicKey(pk)
    }

    /// True when `signature` is valid for `digest` under this key (the recovery id is not used). High-s
    /// signatures count as valid only when `requireLowS` is false.
    public func verify(signature: Signature, digest: Hash32, requireLowS: Bool = true) -> Bool {
        guard (try? signature.checkRange(requireLowS: requireLowS)) != nil else { return false }
        let ctx = Secp256k1Context.shared.ctx
        var sig = secp256k1_ecdsa_signature()
        var pk = raw
        return withUnsafeTemporaryAllocation(byteCount: 96, alignment: 8) { buf in
            let compact = buf.baseAddress!, msg = buf.baseAddress! + 64
            signature.storeCompact(compact)
            digest.store(to: msg)
            guard secp256k1_ecdsa_signature_parse_compact(ctx, &sig, compact.assumingMemoryBound(to: UInt8.self)) == 1
            else { return false }
            // libsecp256k1's verify accepts only low s; normalise when high s is allowed.
            if !requireLowS { let input = sig; _ = withUnsafePointer(to: input) { secp256k1_ecdsa_signature_normalize(ctx, &sig, $0) } }
            return secp256k1_ecdsa_verify(ctx, &sig, msg.assumingMemoryBound(to: UInt8.self), &pk) == 1
        }
    }

    public var description: String { Hex.encode(uncompressed) }
}
