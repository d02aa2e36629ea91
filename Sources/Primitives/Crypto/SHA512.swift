/// SHA-512, HMAC-SHA512 and PBKDF2-HMAC-SHA512 through libcrypto, as BIP-39 (seed from mnemonic) and BIP-32
/// (child key derivation) need.
import COpenSSL

/// The SHA-512 implementation fetched once per process (see `OpenSSLAlgorithms` for why fetch explicitly).
///
/// `@unchecked Sendable`: the fetched `EVP_MD` is immutable and documented by OpenSSL as shareable between threads.
final class SHA512Algorithm: @unchecked Sendable {
    let md: OpaquePointer
    static let shared = SHA512Algorithm()

    private init() {
        guard let m = EVP_MD_fetch(nil, "SHA512", nil) else {
            fatalError("OpenSSL's default provider has no SHA512: \(drainErrorQueue())")
        }
        md = m
    }
}

/// SHA-512 (FIPS 180-4).
public enum SHA512 {
    /// Digest length in bytes.
    public static let byteCount = 64

    /// SHA-512 of a byte array (64 bytes).
    public static func hash(_ bytes: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 64)
        var n: UInt32 = 0
        let ok = withNonNullBytes(bytes) { p, count in
            out.withUnsafeMutableBufferPointer { o in EVP_Digest(p, count, o.baseAddress!, &n, SHA512Algorithm.shared.md, nil) }
        }
        // Only an allocation failure inside OpenSSL gets here: not an input error.
        guard ok == 1 else { fatalError("EVP_Digest(SHA512) failed: \(drainErrorQueue())") }
        return out
    }
}

/// HMAC with SHA-512 (RFC 2104), the PRF of BIP-32 and of BIP-39's PBKDF2.
public enum HMACSHA512 {
    /// The 64-byte MAC of `message` under `key` (any key length).
    public static func mac(key: [UInt8], message: [UInt8]) throws(CryptoError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 64)
        var outLength = 0
        let result = withNonNullBytes(key) { k, kn in
            withNonNullBytes(message) { m, mn in
                out.withUnsafeMutableBufferPointer { o in
                    EVP_Q_mac(nil, "HMAC", nil, "SHA512", nil, k, kn, m, mn, o.baseAddress!, 64, &outLength)
                }
            }
        }
        guard result != nil, outLength == 64 else { throw CryptoError.fromQueue("HMAC-SHA512") }
        return out
    }
}

extension PBKDF2 {
    /// PBKDF2 with HMAC-SHA512 (RFC 8018): derives `keyLength` bytes from `password` and `salt`.
    public static func sha512(password: [UInt8], salt: [UInt8], iterations: Int,
                              keyLength: Int) throws(CryptoError) -> [UInt8] {
        try derive(password: password, salt: salt, iterations: iterations, keyLength: keyLength,
                   md: SHA512Algorithm.shared.md, name: "PBKDF2-HMAC-SHA512")
    }
}
