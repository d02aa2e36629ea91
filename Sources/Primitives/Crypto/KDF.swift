/// HMAC-SHA256, PBKDF2-HMAC-SHA256 and scrypt through libcrypto.
import COpenSSL

/// HMAC with SHA-256 (RFC 2104).
public enum HMACSHA256 {
    /// The 32-byte MAC of `message` under `key` (any key length).
    public static func mac(key: [UInt8], message: [UInt8]) throws(CryptoError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var outLength = 0
        let result = withNonNullBytes(key) { k, kn in
            withNonNullBytes(message) { m, mn in
                out.withUnsafeMutableBufferPointer { o in
                    EVP_Q_mac(nil, "HMAC", nil, "SHA256", nil, k, kn, m, mn, o.baseAddress!, 32, &outLength)
                }
            }
        }
        guard result != nil, outLength == 32 else { throw CryptoError.fromQueue("HMAC-SHA256") }
        return out
    }
}

/// PBKDF2 with HMAC-SHA256 as the PRF (RFC 8018), as keystore files with `"kdf": "pbkdf2"` use.
public enum PBKDF2 {
    /// Derives `keyLength` bytes from `password` and `salt` with `iterations` rounds.
    public static func sha256(password: [UInt8], salt: [UInt8], iterations: Int,
                              keyLength: Int) throws(CryptoError) -> [UInt8] {
        try derive(password: password, salt: salt, iterations: iterations, keyLength: keyLength,
                   md: OpenSSLAlgorithms.shared.sha256, name: "PBKDF2-HMAC-SHA256")
    }

    /// PBKDF2 with HMAC over the OpenSSL digest `md`; `name` names it in errors.
    static func derive(password: [UInt8], salt: [UInt8], iterations: Int, keyLength: Int,
                       md: OpaquePointer, name: String) throws(CryptoError) -> [UInt8] {
        guard iterations >= 1, iterations <= Int(Int32.max) else {
            throw .invalidParameter("PBKDF2 iteration count \(iterations) is not in 1...\(Int32.max)")
        }
        guard keyLength >= 1, keyLength <= 1 << 20 else {
            throw .invalidParameter("PBKDF2 key length \(keyLength) is not in 1...\(1 << 20)")
        }
        guard password.count <= Int(Int32.max), salt.count <= Int(Int32.max) else {
            throw .invalidParameter("PBKDF2 password or salt longer than 2^31 bytes")
        }
        var out = [UInt8](repeating: 0, count: keyLength)
        let ok = withNonNullBytes(password) { p, pn in
            withNonNullBytes(salt) { s, sn in
                out.withUnsafeMutableBufferPointer { o in
                    p.withMemoryRebound(to: CChar.self, capacity: max(pn, 1)) { pc in
                        PKCS5_PBKDF2_HMAC(pc, Int32(pn), s, Int32(sn), Int32(iterations),
                                          md, Int32(keyLength), o.baseAddress!)
                    }
                }
            }
        }
        guard ok == 1 else { throw CryptoError.fromQueue(name) }
        return out
    }
}

/// scrypt (RFC 7914).
public enum Scrypt {
    /// The default ceiling on the memory one derivation may use: 2 GiB, far above the 256 MiB that the keystore
    /// default (n = 2^18, r = 8) needs, low enough that a hostile key file cannot exhaust the machine.
    public static let defaultMaxMemory = 2 << 30

    /// Bytes of memory OpenSSL needs for these parameters: the V array (128·r·(n+2)) plus B (128·r·p).
    public static func memoryNeeded(n: Int, r: Int, p: Int) -> Int? {
        let (v1, o1) = (128 * r).multipliedReportingOverflow(by: n + 2)
        let (b1, o2) = (128 * r).multipliedReportingOverflow(by: p)
        let (total, o3) = v1.addingReportingOverflow(b1)
        return o1 || o2 || o3 ? nil : total
    }

    /// Validates parameters; returns the memory they need.
    @discardableResult
    static func checkParameters(n: Int, r: Int, p: Int, keyLength: Int, maxMemory: Int) throws(CryptoError) -> Int {
        guard n > 1, n & (n - 1) == 0 else { throw .invalidParameter("scrypt n = \(n) is not a power of two above 1") }
        guard r >= 1, p >= 1, r < 1 << 24, p < 1 << 24, r * p < 1 << 30 else {
            throw .invalidParameter("scrypt r = \(r), p = \(p) out of range (positive, r·p < 2^30)")
        }
        guard keyLength >= 1, keyLength <= 1 << 20 else {
            throw .invalidParameter("scrypt key length \(keyLength) is not in 1...\(1 << 20)")
        }
        guard let need = memoryNeeded(n: n, r: r, p: p), need <= maxMemory else {
            throw .invalidParameter("scrypt n = \(n), r = \(r), p = \(p) needs more than the \(maxMemory >> 20) MiB allowed")
        }
        return need
    }

    /// Derives `keyLength` bytes. `n` must be a power of two above 1; `r`, `p` positive, and the memory needed
    /// at most `maxMemory` bytes. Parameters with N ≥ 2^(16·r), which OpenSSL refuses, go to `derivePortable`.
    public static func derive(password: [UInt8], salt: [UInt8], n: Int, r: Int, p: Int, keyLength: Int,
                              maxMemory: Int = Scrypt.defaultMaxMemory) throws(CryptoError) -> [UInt8] {
        let need = try checkParameters(n: n, r: r, p: p, keyLength: keyLength, maxMemory: maxMemory)
        if opensslRefuses(n: n, r: r) {
            return try derivePortable(password: password, salt: salt, n: n, r: r, p: p, keyLength: keyLength,
                                      maxMemory: maxMemory)
        }
        var out = [UInt8](repeating: 0, count: keyLength)
        let ok = withNonNullBytes(password) { pw, pn in
            withNonNullBytes(salt) { s, sn in
                out.withUnsafeMutableBufferPointer { o in
                    pw.withMemoryRebound(to: CChar.self, capacity: max(pn, 1)) { pc in
                        // maxmem is what OpenSSL checks against (its default, 32 MiB, is too low for n = 2^18,
                        // r = 8); a little headroom over the exact need covers its own bookkeeping.
                        EVP_PBE_scrypt(pc, pn, s, sn, UInt64(n), UInt64(r), UInt64(p), UInt64(need + (1 << 20)),
                                       o.baseAddress!, keyLength)
                    }
                }
            }
        }
        guard ok == 1 else { throw CryptoError.fromQueue("scrypt") }
        return out
    }
}
