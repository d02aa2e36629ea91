/// SHA-256 and RIPEMD-160 through libcrypto's EVP interface: one-shot functions and streaming hashers whose
/// `update` does no allocation (the EVP context is made once per hasher and reused after `finalize`).
import COpenSSL

/// SHA-256 (FIPS 180-4).
public enum SHA256 {
    /// Digest length in bytes.
    public static let byteCount = 32

    /// SHA-256 of the bytes at `raw`.
    public static func hash(_ raw: UnsafeRawBufferPointer) -> Hash32 {
        withUnsafeTemporaryAllocation(byteCount: 32, alignment: 8) { out in
            let md = OpenSSLAlgorithms.shared.sha256
            var n: UInt32 = 0
            let data = raw.baseAddress ?? UnsafeRawPointer(out.baseAddress!)
            guard EVP_Digest(data, raw.count, out.baseAddress!.assumingMemoryBound(to: UInt8.self), &n, md, nil) == 1 else {
                // Only an allocation failure inside OpenSSL gets here: not an input error.
                fatalError("EVP_Digest(SHA256) failed: \(drainErrorQueue())")
            }
            return Bytes32(UnsafeRawBufferPointer(out))
        }
    }

    /// SHA-256 of a byte array.
    public static func hash(_ bytes: [UInt8]) -> Hash32 { bytes.withUnsafeBytes { hash($0) } }

    /// SHA-256 of a string's UTF-8 bytes.
    public static func hash(_ text: String) -> Hash32 { hash(Array(text.utf8)) }
}

/// RIPEMD-160 (the EVM's precompile 0x03 and Bitcoin-style addresses).
public enum RIPEMD160 {
    /// Digest length in bytes.
    public static let byteCount = 20

    /// Nil when OpenSSL offers RIPEMD-160; otherwise why not.
    public static var unavailableReason: String? { OpenSSLAlgorithms.shared.ripemd160Failure }

    /// The OpenSSL provider that supplies RIPEMD-160 ("default" on OpenSSL ≥ 3.0.7, else "legacy"), or nil.
    public static var providerName: String? { OpenSSLAlgorithms.shared.ripemd160.flatMap { Primitives.providerName(of: $0) } }

    /// RIPEMD-160 of the bytes at `raw` (20 bytes).
    public static func hash(_ raw: UnsafeRawBufferPointer) throws(CryptoError) -> [UInt8] {
        guard let md = OpenSSLAlgorithms.shared.ripemd160 else {
            throw .unavailable(algorithm: "RIPEMD160", reason: unavailableReason ?? "")
        }
        var out = [UInt8](repeating: 0, count: 20)
        var n: UInt32 = 0
        let ok = out.withUnsafeMutableBufferPointer { o in
            EVP_Digest(raw.baseAddress ?? UnsafeRawPointer(o.baseAddress!), raw.count, o.baseAddress!, &n, md, nil)
        }
        guard ok == 1 else { throw CryptoError.fromQueue("EVP_Digest(RIPEMD160)") }
        return out
    }

    /// RIPEMD-160 of a byte array.
    public static func hash(_ bytes: [UInt8]) throws(CryptoError) -> [UInt8] {
        try withBytes(bytes) { (raw) throws(CryptoError) in try hash(raw) }
    }
}

/// A streaming digest over an EVP context that is allocated once and reused, so `update` allocates nothing
/// (IPFS hashes 256 KiB chunks through it). Not thread-safe: one hasher per task.
public final class StreamingDigest {
    private let ctx: OpaquePointer
    private let md: OpaquePointer
    /// Output length in bytes.
    public let byteCount: Int

    /// A SHA-256 hasher.
    public static func sha256() -> StreamingDigest {
        // Creating the context can fail only on allocation failure.
        guard let d = try? StreamingDigest(md: OpenSSLAlgorithms.shared.sha256, byteCount: 32) else {
            fatalError("EVP_MD_CTX_new failed: \(drainErrorQueue())")
        }
        return d
    }

    /// A RIPEMD-160 hasher (throws when OpenSSL has none).
    public static func ripemd160() throws(CryptoError) -> StreamingDigest {
        guard let md = OpenSSLAlgorithms.shared.ripemd160 else {
            throw .unavailable(algorithm: "RIPEMD160", reason: RIPEMD160.unavailableReason ?? "")
        }
        return try StreamingDigest(md: md, byteCount: 20)
    }

    private init(md: OpaquePointer, byteCount: Int) throws(CryptoError) {
        guard let c = EVP_MD_CTX_new() else { throw CryptoError.fromQueue("EVP_MD_CTX_new") }
        ctx = c
        self.md = md
        self.byteCount = byteCount
        guard EVP_DigestInit_ex2(c, md, nil) == 1 else {
            EVP_MD_CTX_free(c)
            throw CryptoError.fromQueue("EVP_DigestInit_ex2")
        }
    }

    deinit { EVP_MD_CTX_free(ctx) }

    /// Absorbs the bytes at `raw`.
    @inline(__always)
    public func update(_ raw: UnsafeRawBufferPointer) {
        guard raw.count > 0 else { return }
        // EVP_DigestUpdate fails only on a context in the wrong state, which this class never produces.
        let ok = EVP_DigestUpdate(ctx, raw.baseAddress!, raw.count)
        precondition(ok == 1, "EVP_DigestUpdate failed")
    }

    /// Absorbs a byte array.
    public func update(_ bytes: [UInt8]) { bytes.withUnsafeBytes { update($0) } }

    /// Absorbs a slice.
    public func update(_ bytes: ArraySlice<UInt8>) { bytes.withUnsafeBytes { update($0) } }

    /// Writes the digest (`byteCount` bytes) to `out` and resets the hasher for a new message.
    public func finalize(into out: UnsafeMutableRawPointer) {
        var n: UInt32 = 0
        let ok = EVP_DigestFinal_ex(ctx, out.assumingMemoryBound(to: UInt8.self), &n)
            & EVP_DigestInit_ex2(ctx, md, nil)
        precondition(ok == 1, "EVP_DigestFinal_ex failed")
    }

    /// The digest as bytes; the hasher is reset for a new message.
    public func finalize() -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: byteCount) { buf, n in
            finalize(into: UnsafeMutableRawPointer(buf.baseAddress!)); n = byteCount
        }
    }

    /// For SHA-256: the digest as a word; the hasher is reset.
    public func finalizeWord() -> Hash32 {
        precondition(byteCount == 32, "finalizeWord needs a 32-byte digest")
        return withUnsafeTemporaryAllocation(byteCount: 32, alignment: 8) { out in
            finalize(into: out.baseAddress!)
            return Bytes32(UnsafeRawBufferPointer(out))
        }
    }
}
