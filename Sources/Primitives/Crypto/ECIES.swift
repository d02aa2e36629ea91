/// ECIES on secp256k1: how a GFL node hands a symmetric key (or any short secret) to another node whose public
/// key is on chain. A fresh ephemeral key per message; ECDH through libsecp256k1; HKDF-SHA256; AES-256-GCM.
///
/// Format, version 1 (62 bytes of overhead):
/// ```
/// offset  size  field
///      0     1  version = 0x01
///      1    33  ephemeral public key R, compressed SEC1 (0x02/0x03 ‖ x)
///     34    12  nonce (random)
///     46     n  ciphertext (AES-256-GCM)
///   46+n    16  tag
/// ```
/// Key schedule: `S = x(r · P)` (32 bytes, the raw x coordinate of the ECDH point, r the ephemeral secret,
/// P the recipient's public key); `K = HKDF-SHA256(ikm: S, salt: R ‖ P (both compressed), info:
/// "GFL ECIES v1 AES-256-GCM", 32 bytes)`. The GCM associated data is `version ‖ R ‖ aad`, where `aad` is the
/// caller's optional context (so a ciphertext cannot be moved to another context or have its header swapped).
import CSecp256k1

public enum ECIES {
    public static let version: UInt8 = 1
    /// Bytes added to the plaintext: version, ephemeral key, nonce and tag.
    public static let overhead = 1 + 33 + AESGCM.nonceLength + AESGCM.tagLength
    static let info = Array("GFL ECIES v1 AES-256-GCM".utf8)

    /// Encrypts `plaintext` to the holder of `publicKey` (33-byte compressed, 65-byte uncompressed, or 64-byte
    /// `x ‖ y` as Ethereum tools print it).
    public static func seal(_ plaintext: [UInt8], to publicKey: [UInt8], aad: [UInt8] = []) throws(EncryptionError) -> [UInt8] {
        var ephemeral: [UInt8]
        repeat {
            do { ephemeral = try SecureRandom.bytes(32) } catch { throw .library(error.description) }
        } while !Secp.isValidSecret(ephemeral)
        let nonce: [UInt8]
        do { nonce = try SecureRandom.bytes(AESGCM.nonceLength) } catch { throw .library(error.description) }
        return try seal(plaintext, to: publicKey, aad: aad, ephemeralSecret: ephemeral, nonce: nonce)
    }

    /// The deterministic core of `seal`, with the ephemeral secret and nonce given (test vectors only: reusing
    /// either breaks the scheme).
    static func seal(_ plaintext: [UInt8], to publicKey: [UInt8], aad: [UInt8], ephemeralSecret: [UInt8],
                     nonce: [UInt8]) throws(EncryptionError) -> [UInt8] {
        let recipient = try Secp.parse(publicKey)
        let r = try Secp.publicKey(secret: ephemeralSecret)
        let key = try deriveKey(shared: try Secp.ecdh(secret: ephemeralSecret, with: recipient),
                                ephemeral: Secp.serialize(r), recipient: Secp.serialize(recipient))
        let header = [version] + Secp.serialize(r)
        let sealed = try AESGCM.seal(plaintext, key: key, nonce: nonce, aad: header + aad)
        return header + nonce + sealed
    }

    /// Decrypts a message sealed to the public key of `privateKey` (32 bytes). Wrong key, tampering and wrong
    /// `aad` all fail with `authenticationFailed`.
    public static func open(_ message: [UInt8], privateKey: [UInt8], aad: [UInt8] = []) throws(EncryptionError) -> [UInt8] {
        guard message.count >= overhead else { throw .truncated(what: "ECIES message", length: message.count, minimum: overhead) }
        guard message[0] == version else { throw .unsupportedVersion(what: "ECIES message", version: message[0]) }
        guard Secp.isValidSecret(privateKey) else { throw .invalidKey("private key must be 32 bytes in 1…n-1") }
        let rBytes = Array(message[1..<34])
        let r: secp256k1_pubkey
        do { r = try Secp.parse(rBytes) } catch { throw .authenticationFailed(what: "ECIES message (bad ephemeral key)") }
        let me = try Secp.publicKey(secret: privateKey)
        let key = try deriveKey(shared: try Secp.ecdh(secret: privateKey, with: r), ephemeral: rBytes,
                                recipient: Secp.serialize(me))
        let nonce = Array(message[34..<46])
        return try AESGCM.open(Array(message[46...]), key: key, nonce: nonce, aad: [version] + rBytes + aad,
                               what: "ECIES message")
    }

    /// The compressed public key of a 32-byte private key.
    public static func publicKey(privateKey: [UInt8]) throws(EncryptionError) -> [UInt8] {
        Secp.serialize(try Secp.publicKey(secret: privateKey))
    }

    static func deriveKey(shared: [UInt8], ephemeral: [UInt8], recipient: [UInt8]) throws(EncryptionError) -> [UInt8] {
        do { return try HKDF.sha256(ikm: shared, salt: ephemeral + recipient, info: info, length: 32) } catch {
            throw .library(error.description)
        }
    }
}

/// The few libsecp256k1 calls ECIES needs, on a context of its own (the signing helpers keep theirs).
enum Secp {
    /// Created once and never randomised or otherwise mutated afterwards, which makes sharing it between
    /// threads safe (libsecp256k1's documented rule for contexts).
    nonisolated(unsafe) static let context: OpaquePointer = {
        // SECP256K1_CONTEXT_NONE (= SECP256K1_FLAGS_TYPE_CONTEXT = 1): the flags are ignored since 0.2.
        guard let c = secp256k1_context_create(1) else { fatalError("secp256k1_context_create failed") }
        return c
    }()

    static func isValidSecret(_ secret: [UInt8]) -> Bool {
        secret.count == 32 && secp256k1_ec_seckey_verify(context, secret) == 1
    }

    static func parse(_ key: [UInt8]) throws(EncryptionError) -> secp256k1_pubkey {
        var input = key
        if key.count == 64 { input = [4] + key }
        guard input.count == 33 || input.count == 65 else {
            throw .invalidKey("public key must be 33, 64 or 65 bytes, got \(key.count)")
        }
        var pk = secp256k1_pubkey()
        guard secp256k1_ec_pubkey_parse(context, &pk, input, input.count) == 1 else {
            throw .invalidKey("public key is not a point on secp256k1")
        }
        return pk
    }

    static func serialize(_ key: secp256k1_pubkey) -> [UInt8] {
        var k = key
        var out = [UInt8](repeating: 0, count: 33)
        var length = 33
        // SECP256K1_EC_COMPRESSED = (1 << 1) | (1 << 8).
        _ = secp256k1_ec_pubkey_serialize(context, &out, &length, &k, UInt32(0x102))
        return out
    }

    static func publicKey(secret: [UInt8]) throws(EncryptionError) -> secp256k1_pubkey {
        guard isValidSecret(secret) else { throw .invalidKey("private key must be 32 bytes in 1…n-1") }
        var pk = secp256k1_pubkey()
        guard secp256k1_ec_pubkey_create(context, &pk, secret) == 1 else { throw .library("secp256k1_ec_pubkey_create failed") }
        return pk
    }

    /// The raw 32-byte x coordinate of `secret · point` (libsecp256k1's default ECDH would hash it instead).
    static func ecdh(secret: [UInt8], with point: secp256k1_pubkey) throws(EncryptionError) -> [UInt8] {
        var p = point
        var out = [UInt8](repeating: 0, count: 32)
        let copyX: secp256k1_ecdh_hash_function = { output, x, _, _ in
            guard let output, let x else { return 0 }
            output.update(from: x, count: 32)
            return 1
        }
        guard secp256k1_ecdh(context, &out, &p, secret, copyX, nil) == 1 else {
            throw .invalidKey("ECDH failed: invalid private key")
        }
        return out
    }
}
