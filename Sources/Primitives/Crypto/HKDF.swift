/// HKDF with HMAC-SHA256 (RFC 5869), built on `HMACSHA256` so it uses the same libcrypto HMAC as the rest of
/// the package.
public enum HKDF {
    /// Output key material of `length` bytes (at most 255 × 32) from input keying material `ikm`.
    /// An empty salt means the RFC's default (32 zero bytes: HMAC pads keys with zeros, so the two agree).
    public static func sha256(ikm: [UInt8], salt: [UInt8], info: [UInt8], length: Int) throws(CryptoError) -> [UInt8] {
        guard length >= 0 && length <= 255 * 32 else {
            throw .invalidParameter("HKDF-SHA256 output length \(length) is outside 0…8160")
        }
        let prk = try HMACSHA256.mac(key: salt, message: ikm)  // extract
        var okm: [UInt8] = []
        okm.reserveCapacity(length + 32)
        var block: [UInt8] = []
        var counter: UInt8 = 1
        while okm.count < length {  // expand: T(i) = HMAC(PRK, T(i-1) | info | i)
            block = try HMACSHA256.mac(key: prk, message: block + info + [counter])
            okm.append(contentsOf: block)
            counter &+= 1
        }
        return Array(okm.prefix(length))
    }
}
