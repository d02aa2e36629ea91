/// GFL's symmetric envelopes: AES-256-GCM under a job's shared key, for CIDs put on chain and for model files
/// put in the content store. The associated data binds each envelope to its job, round and sender, so an
/// envelope cannot be replayed into another round or passed off as another trainer's.
///
/// Format, version 1 (29 bytes of overhead):
/// ```
/// offset  size  field
///      0     1  version = 0x01
///      1    12  nonce (random, 96 bits)
///     13     n  ciphertext (AES-256-GCM)
///   13+n    16  tag
/// ```
/// Associated data (authenticated, not stored): `"GFL envelope v1" ‖ version ‖ jobId (32 bytes, big-endian)
/// ‖ round (8 bytes, big-endian) ‖ sender (20-byte address)`.

/// What an envelope is bound to.
public struct EnvelopeContext: Equatable, Sendable {
    public var jobId: UInt256
    public var round: UInt64
    public var sender: Address

    public init(jobId: UInt256, round: UInt64, sender: Address) {
        self.jobId = jobId; self.round = round; self.sender = sender
    }

    /// The associated-data bytes for format `version`.
    func associatedData(version: UInt8) -> [UInt8] {
        var out = Array("GFL envelope v1".utf8)
        out.append(version)
        out.append(contentsOf: jobId.bytes)
        withUnsafeBytes(of: round.bigEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: sender.bytes)
        return out
    }
}

public enum Envelope {
    public static let version: UInt8 = 1
    /// Bytes added to the plaintext.
    public static let overhead = 1 + AESGCM.nonceLength + AESGCM.tagLength

    /// A fresh random 32-byte job key.
    public static func generateKey() throws(EncryptionError) -> [UInt8] {
        do { return try SecureRandom.bytes(32) } catch { throw .library(error.description) }
    }

    /// Encrypts `plaintext` under the 32-byte `key` with a random nonce, bound to `context`.
    public static func seal(_ plaintext: [UInt8], key: [UInt8], context: EnvelopeContext) throws(EncryptionError) -> [UInt8] {
        let nonce: [UInt8]
        do { nonce = try SecureRandom.bytes(AESGCM.nonceLength) } catch { throw .library(error.description) }
        return try seal(plaintext, key: key, context: context, nonce: nonce)
    }

    /// `seal` with a given nonce (test vectors only: a repeated nonce under one key breaks GCM).
    static func seal(_ plaintext: [UInt8], key: [UInt8], context: EnvelopeContext, nonce: [UInt8]) throws(EncryptionError) -> [UInt8] {
        let sealed = try AESGCM.seal(plaintext, key: key, nonce: nonce, aad: context.associatedData(version: version))
        return [version] + nonce + sealed
    }

    /// Decrypts an envelope; a wrong key, a tampered byte or a different job, round or sender fails with
    /// `authenticationFailed`.
    public static func open(_ envelope: [UInt8], key: [UInt8], context: EnvelopeContext) throws(EncryptionError) -> [UInt8] {
        guard envelope.count >= overhead else { throw .truncated(what: "envelope", length: envelope.count, minimum: overhead) }
        guard envelope[0] == version else { throw .unsupportedVersion(what: "envelope", version: envelope[0]) }
        return try AESGCM.open(Array(envelope[(1 + AESGCM.nonceLength)...]), key: key,
                               nonce: Array(envelope[1..<(1 + AESGCM.nonceLength)]),
                               aad: context.associatedData(version: version), what: "envelope")
    }
}
