/// AES-256-GCM through libcrypto's EVP interface: the authenticated cipher under GFL's envelopes and ECIES.
import COpenSSL

/// An error from GFL's encryption layer (AES-GCM, envelopes, ECIES).
public enum EncryptionError: Error, Equatable, CustomStringConvertible {
    /// A key, nonce or public key has the wrong size or is not valid.
    case invalidKey(String)
    /// The input is shorter than the format's fixed parts.
    case truncated(what: String, length: Int, minimum: Int)
    /// The first byte names a format version this code does not know.
    case unsupportedVersion(what: String, version: UInt8)
    /// The tag did not verify. GCM cannot tell these apart, so the message names all three causes.
    case authenticationFailed(what: String)
    /// libcrypto or libsecp256k1 failed for a reason that is not the input's fault.
    case library(String)

    public var description: String {
        switch self {
        case .invalidKey(let why): return "invalid key: \(why)"
        case .truncated(let w, let n, let m): return "\(w) is \(n) bytes, shorter than the minimum \(m)"
        case .unsupportedVersion(let w, let v): return "\(w) has unsupported format version \(v)"
        case .authenticationFailed(let w):
            return "\(w) failed authentication: wrong key, tampered ciphertext, or wrong associated data"
        case .library(let why): return why
        }
    }
}

/// AES-256 in Galois/Counter Mode with 96-bit nonces and 128-bit tags.
public enum AESGCM {
    public static let keyLength = 32
    public static let nonceLength = 12
    public static let tagLength = 16

    // EVP_CTRL_AEAD_GET_TAG / SET_TAG from <openssl/evp.h>: function-like aliases that Swift does not import.
    private static let ctrlGetTag: Int32 = 0x10
    private static let ctrlSetTag: Int32 = 0x11

    private static func cipher() throws(EncryptionError) -> OpaquePointer {
        guard let c = gcmCipher else { throw .library("OpenSSL has no AES-256-GCM") }
        return c
    }

    /// Encrypts `plaintext`; returns `ciphertext || tag` (plaintext length + 16 bytes). `aad` is authenticated
    /// but not encrypted. Never reuse a nonce with the same key.
    public static func seal(_ plaintext: [UInt8], key: [UInt8], nonce: [UInt8], aad: [UInt8] = []) throws(EncryptionError) -> [UInt8] {
        try check(key: key, nonce: nonce)
        guard let ctx = EVP_CIPHER_CTX_new() else { throw .library("EVP_CIPHER_CTX_new failed") }
        defer { EVP_CIPHER_CTX_free(ctx) }
        guard EVP_EncryptInit_ex2(ctx, try cipher(), key, nonce, nil) == 1 else { throw .library("AES-GCM init failed") }
        var out = [UInt8](repeating: 0, count: plaintext.count + tagLength)
        var n: Int32 = 0
        if !aad.isEmpty {
            guard EVP_EncryptUpdate(ctx, nil, &n, aad, Int32(aad.count)) == 1 else { throw .library("AES-GCM AAD failed") }
        }
        let ok: Bool = out.withUnsafeMutableBufferPointer { o in
            var written: Int32 = 0
            if !plaintext.isEmpty {
                guard EVP_EncryptUpdate(ctx, o.baseAddress!, &written, plaintext, Int32(plaintext.count)) == 1 else { return false }
            }
            var tail: Int32 = 0
            guard EVP_EncryptFinal_ex(ctx, o.baseAddress! + Int(written), &tail) == 1 else { return false }
            return EVP_CIPHER_CTX_ctrl(ctx, ctrlGetTag, Int32(tagLength), o.baseAddress! + plaintext.count) == 1
        }
        guard ok else { throw .library("AES-GCM encryption failed") }
        return out
    }

    /// Decrypts `ciphertext || tag`; throws `authenticationFailed(what:)` when the tag does not verify, and
    /// returns no plaintext in that case.
    public static func open(_ sealed: [UInt8], key: [UInt8], nonce: [UInt8], aad: [UInt8] = [],
                            what: String = "AES-GCM ciphertext") throws(EncryptionError) -> [UInt8] {
        try check(key: key, nonce: nonce)
        guard sealed.count >= tagLength else { throw .truncated(what: what, length: sealed.count, minimum: tagLength) }
        let length = sealed.count - tagLength
        guard let ctx = EVP_CIPHER_CTX_new() else { throw .library("EVP_CIPHER_CTX_new failed") }
        defer { EVP_CIPHER_CTX_free(ctx) }
        guard EVP_DecryptInit_ex2(ctx, try cipher(), key, nonce, nil) == 1 else { throw .library("AES-GCM init failed") }
        var n: Int32 = 0
        if !aad.isEmpty {
            guard EVP_DecryptUpdate(ctx, nil, &n, aad, Int32(aad.count)) == 1 else { throw .library("AES-GCM AAD failed") }
        }
        // Room past the plaintext so the final call always has a valid pointer, even for empty input.
        var out = [UInt8](repeating: 0, count: length + tagLength)
        var tag = Array(sealed[length...])
        let verified: Bool = sealed.withUnsafeBufferPointer { s in
            out.withUnsafeMutableBufferPointer { o in
                var written: Int32 = 0
                if length > 0 {
                    guard EVP_DecryptUpdate(ctx, o.baseAddress!, &written, s.baseAddress!, Int32(length)) == 1 else { return false }
                }
                guard EVP_CIPHER_CTX_ctrl(ctx, ctrlSetTag, Int32(tagLength), &tag) == 1 else { return false }
                var tail: Int32 = 0
                return EVP_DecryptFinal_ex(ctx, o.baseAddress! + Int(written), &tail) == 1
            }
        }
        guard verified else {
            ERR_clear_error()
            // Wipe whatever was decrypted before the tag check failed: it must not be used.
            for i in out.indices { out[i] = 0 }
            throw .authenticationFailed(what: what)
        }
        out.removeLast(tagLength)
        return out
    }

    private static func check(key: [UInt8], nonce: [UInt8]) throws(EncryptionError) {
        guard key.count == keyLength else { throw .invalidKey("AES-256-GCM key must be 32 bytes, got \(key.count)") }
        guard nonce.count == nonceLength else {
            throw .invalidKey("AES-GCM nonce must be 12 bytes, got \(nonce.count)")
        }
    }
}

/// AES-256-GCM fetched once (OpenSSL 3 otherwise looks it up on every init). The `EVP_CIPHER` is immutable
/// and documented as shareable between threads.
nonisolated(unsafe) private let gcmCipher: OpaquePointer? = EVP_CIPHER_fetch(nil, "AES-256-GCM", nil)
