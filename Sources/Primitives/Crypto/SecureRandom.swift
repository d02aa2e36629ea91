/// Cryptographically secure random bytes from OpenSSL's DRBG (seeded from the operating system).
import COpenSSL

public enum SecureRandom {
    /// Fills `buffer` with random bytes from the private DRBG (the one OpenSSL reserves for secret values).
    public static func fill(_ buffer: UnsafeMutableRawBufferPointer) throws(CryptoError) {
        var done = 0
        while done < buffer.count {
            let chunk = min(buffer.count - done, 1 << 30)
            let p = buffer.baseAddress!.advanced(by: done).assumingMemoryBound(to: UInt8.self)
            guard RAND_priv_bytes(p, Int32(chunk)) == 1 else { throw CryptoError.fromQueue("RAND_priv_bytes") }
            done += chunk
        }
    }

    /// `count` random bytes.
    public static func bytes(_ count: Int) throws(CryptoError) -> [UInt8] {
        guard count >= 0 else { throw .invalidParameter("negative random byte count \(count)") }
        var out = [UInt8](repeating: 0, count: count)
        try withMutableBytes(&out) { (b) throws(CryptoError) in try fill(b) }
        return out
    }
}
