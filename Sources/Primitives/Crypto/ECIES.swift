/// ECIES on secp256k1: how a GFL node hands a symmetric key (or any short secret) to another node whose public
/// key is on chain. A fresh ephemeral key per message; ECDH (`PrivateKey.ecdh(with:)`, libsecp256k1); HKDF-SHA256;
/// AES-256-GCM.
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
public enum ECIES {
    public static let version: UInt8 = 1
    /// Bytes added to the plaintext: version, ephemeral key, nonce and tag.
    public static let overhead = 1 + 33 + AESGCM.nonceLength + AESGCM.tagLength
    static let info = Array("GFL ECIES v1 AES-256-GCM".utf8)

    /// Encrypts `plaintext` to the holder of `recipient`'s private key, with a fresh ephemeral key and nonce.
    public static func seal(_ plaintext: [UInt8], to recipient: PublicKey, aad: [UInt8] = []) throws(EncryptionError) -> [UInt8] {
        let ephemeral: PrivateKey
        let nonce: [UInt8]
        do { ephemeral = try PrivateKey.generate() } catch { throw .library(error.description) }
        do { nonce = try SecureRandom.bytes(AESGCM.nonceLength) } catch { throw .library(error.description) }
        return try seal(plaintext, to: recipient, aad: aad, ephemeral: ephemeral, nonce: nonce)
    }

    /// `seal` to a public key given as bytes: 33 (compressed), 64 (`x ‖ y`, as Ethereum tools print it) or 65.
    public static func seal(_ plaintext: [UInt8], to publicKey: [UInt8], aad: [UInt8] = []) throws(EncryptionError) -> [UInt8] {
        let recipient: PublicKey
        do { recipient = try PublicKey(bytes: publicKey) } catch { throw .invalidKey(error.description) }
        return try seal(plaintext, to: recipient, aad: aad)
    }

    /// The deterministic core of `seal`, with the ephemeral key and nonce given (test vectors only: reusing
    /// either breaks the scheme).
    static func seal(_ plaintext: [UInt8], to recipient: PublicKey, aad: [UInt8], ephemeral: PrivateKey,
                     nonce: [UInt8]) throws(EncryptionError) -> [UInt8] {
        let r = ephemeral.publicKey.compressed
        let key = try deriveKey(shared: ephemeral.ecdh(with: recipient).bytes, ephemeral: r,
                                recipient: recipient.compressed)
        let header = [version] + r
        return header + nonce + (try AESGCM.seal(plaintext, key: key, nonce: nonce, aad: header + aad))
    }

    /// Decrypts a message sealed to `privateKey`'s public key. Wrong key, tampering and wrong `aad` all fail
    /// with `authenticationFailed`.
    public static func open(_ message: [UInt8], with privateKey: PrivateKey, aad: [UInt8] = []) throws(EncryptionError) -> [UInt8] {
        guard message.count >= overhead else { throw .truncated(what: "ECIES message", length: message.count, minimum: overhead) }
        guard message[0] == version else { throw .unsupportedVersion(what: "ECIES message", version: message[0]) }
        let rBytes = Array(message[1..<34])
        let r: PublicKey
        // A changed ephemeral key is tampering like any other: report it the same way.
        do { r = try PublicKey(bytes: rBytes) } catch { throw .authenticationFailed(what: "ECIES message") }
        let key = try deriveKey(shared: privateKey.ecdh(with: r).bytes, ephemeral: rBytes,
                                recipient: privateKey.publicKey.compressed)
        return try AESGCM.open(Array(message[46...]), key: key, nonce: Array(message[34..<46]),
                               aad: [version] + rBytes + aad, what: "ECIES message")
    }

    /// `open` with the private key given as 32 bytes.
    public static func open(_ message: [UInt8], privateKey: [UInt8], aad: [UInt8] = []) throws(EncryptionError) -> [UInt8] {
        let key: PrivateKey
        do { key = try PrivateKey(bytes: privateKey) } catch { throw .invalidKey(error.description) }
        return try open(message, with: key, aad: aad)
    }

    static func deriveKey(shared: [UInt8], ephemeral: [UInt8], recipient: [UInt8]) throws(EncryptionError) -> [UInt8] {
        do { return try HKDF.sha256(ikm: shared, salt: ephemeral + recipient, info: info, length: 32) } catch {
            throw .library(error.description)
        }
    }
}
