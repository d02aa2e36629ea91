/// AES in counter mode (the keystore's aes-128-ctr; 192/256-bit keys too) through libcrypto. The counter is the
/// whole 16-byte IV taken as a big-endian 128-bit number, as OpenSSL and the Web3 secret-storage spec use.
import COpenSSL

/// An AES-CTR keystream. Encryption and decryption are the same operation. Not thread-safe: one per task.
public final class AESCTR {
    private let ctx: OpaquePointer

    /// Starts a keystream for a 16-, 24- or 32-byte key and a 16-byte IV (initial counter block).
    public init(key: [UInt8], iv: [UInt8]) throws(CryptoError) {
        guard key.count == 16 || key.count == 24 || key.count == 32 else {
            throw .invalidLength(what: "AES key", expected: "16, 24 or 32", got: key.count)
        }
        guard iv.count == 16 else { throw .invalidLength(what: "AES-CTR IV", expected: "16", got: iv.count) }
        guard let cipher = OpenSSLAlgorithms.shared.aesCTR[key.count / 8 - 2] else {
            throw .unavailable(algorithm: "AES-\(key.count * 8)-CTR", reason: "EVP_CIPHER_fetch failed")
        }
        guard let c = EVP_CIPHER_CTX_new() else { throw CryptoError.fromQueue("EVP_CIPHER_CTX_new") }
        ctx = c
        let ok = EVP_EncryptInit_ex2(c, cipher, key, iv, nil)
        guard ok == 1 else {
            EVP_CIPHER_CTX_free(c)
            throw CryptoError.fromQueue("EVP_EncryptInit_ex2(AES-CTR)")
        }
    }

    deinit { EVP_CIPHER_CTX_free(ctx) }

    /// XORs the next `input.count` keystream bytes into `input`, writing to `output` (which may be the same
    /// memory and must be at least as long).
    public func apply(_ input: UnsafeRawBufferPointer, to output: UnsafeMutableRawBufferPointer) throws(CryptoError) {
        guard output.count >= input.count else {
            throw .invalidLength(what: "AES-CTR output buffer", expected: "at least \(input.count)", got: output.count)
        }
        var done = 0
        while done < input.count {
            // EVP lengths are Int32, so very large inputs go in 1 GiB pieces.
            let chunk = min(input.count - done, 1 << 30)
            var written: Int32 = 0
            let ok = EVP_EncryptUpdate(ctx, output.baseAddress!.advanced(by: done).assumingMemoryBound(to: UInt8.self),
                                       &written, input.baseAddress!.advanced(by: done).assumingMemoryBound(to: UInt8.self),
                                       Int32(chunk))
            guard ok == 1, Int(written) == chunk else { throw CryptoError.fromQueue("EVP_EncryptUpdate(AES-CTR)") }
            done += chunk
        }
    }

    /// The next `data.count` bytes of output for `data`.
    public func apply(_ data: [UInt8]) throws(CryptoError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: data.count)
        if data.isEmpty { return out }
        try withBytes(data) { (i) throws(CryptoError) in
            try withMutableBytes(&out) { (o) throws(CryptoError) in try apply(i, to: o) }
        }
        return out
    }

    /// One-shot AES-CTR of `data` under `key` from counter block `iv`.
    public static func apply(key: [UInt8], iv: [UInt8], data: [UInt8]) throws(CryptoError) -> [UInt8] {
        try AESCTR(key: key, iv: iv).apply(data)
    }
}
