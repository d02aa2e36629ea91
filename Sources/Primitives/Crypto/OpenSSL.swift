/// Shared plumbing for the libcrypto (OpenSSL 3) wrappers: the error type, the algorithms fetched once per
/// process, and small pointer helpers.
import COpenSSL

/// An error from a cryptographic primitive.
public enum CryptoError: Error, Equatable, CustomStringConvertible {
    /// libcrypto reported a failure; `reason` is its error-queue text.
    case openssl(operation: String, reason: String)
    /// OpenSSL offers no implementation of the algorithm (for example a provider is missing).
    case unavailable(algorithm: String, reason: String)
    /// A key, IV or other input has the wrong size.
    case invalidLength(what: String, expected: String, got: Int)
    /// A parameter is out of range (names which and why).
    case invalidParameter(String)

    public var description: String {
        switch self {
        case .openssl(let op, let r): return "\(op) failed in OpenSSL: \(r)"
        case .unavailable(let a, let r): return "OpenSSL has no \(a): \(r)"
        case .invalidLength(let w, let e, let g): return "\(w) must be \(e) bytes, got \(g)"
        case .invalidParameter(let s): return "invalid parameter: \(s)"
        }
    }

    /// Drains libcrypto's thread-local error queue into one error for `operation`.
    static func fromQueue(_ operation: String) -> CryptoError { .openssl(operation: operation, reason: drainErrorQueue()) }
}

/// The text of every error on this thread's OpenSSL error queue (oldest first), which it clears.
func drainErrorQueue() -> String {
    var parts: [String] = []
    while true {
        let code = ERR_get_error()
        if code == 0 { break }
        var buf = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &buf, buf.count)
        parts.append(String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }
    return parts.isEmpty ? "no error detail" : parts.joined(separator: "; ")
}

/// Digest and cipher implementations fetched from the default library context once. Fetching explicitly (rather
/// than `EVP_sha256()` on every call) avoids OpenSSL 3's per-call provider lookup.
///
/// `@unchecked Sendable`: the fetched `EVP_MD`/`EVP_CIPHER` objects are immutable after fetching and OpenSSL
/// documents them as safe to share between threads; they live for the whole process and are never freed.
final class OpenSSLAlgorithms: @unchecked Sendable {
    let sha256: OpaquePointer
    /// nil (with the reason) when neither the default nor the legacy provider has RIPEMD-160.
    let ripemd160: OpaquePointer?
    let ripemd160Failure: String?
    /// AES-128/192/256 in CTR mode, indexed by key length / 8 - 2.
    let aesCTR: [OpaquePointer?]

    static let shared = OpenSSLAlgorithms()

    private init() {
        guard let sha = EVP_MD_fetch(nil, "SHA256", nil) else {
            fatalError("OpenSSL's default provider has no SHA256: \(drainErrorQueue())")
        }
        sha256 = sha
        // OpenSSL 3.0.7 and later (Debian 12 ships 3.0.x ≥ 3.0.9) provide RIPEMD-160 in the default provider;
        // older 3.0 releases have it only in the legacy one, so load that when the first fetch fails.
        if let md = EVP_MD_fetch(nil, "RIPEMD160", nil) {
            ripemd160 = md; ripemd160Failure = nil
        } else {
            let first = drainErrorQueue()
            if osslProviderLoad(nil, "legacy") != nil, let md = EVP_MD_fetch(nil, "RIPEMD160", nil) {
                ripemd160 = md; ripemd160Failure = nil
            } else {
                ripemd160 = nil
                ripemd160Failure = "default provider: \(first); legacy provider: \(drainErrorQueue())"
            }
        }
        aesCTR = [EVP_CIPHER_fetch(nil, "AES-128-CTR", nil), EVP_CIPHER_fetch(nil, "AES-192-CTR", nil),
                  EVP_CIPHER_fetch(nil, "AES-256-CTR", nil)]
    }
}

/// `OSSL_PROVIDER_load` from <openssl/provider.h>, which the COpenSSL module map does not include; declared here
/// by its C symbol so the legacy provider can be loaded as a fallback. Both arguments and the result are pointers,
/// so the Swift and C calling conventions agree.
@_silgen_name("OSSL_PROVIDER_load")
func osslProviderLoad(_ libctx: OpaquePointer?, _ name: UnsafePointer<CChar>) -> OpaquePointer?

/// `OSSL_PROVIDER_get0_name` from <openssl/provider.h>, declared the same way (pointer in, C string out).
@_silgen_name("OSSL_PROVIDER_get0_name")
func osslProviderName(_ provider: OpaquePointer) -> UnsafePointer<CChar>?

/// The name of the provider ("default", "legacy", …) that supplies a fetched digest.
func providerName(of md: OpaquePointer) -> String? {
    guard let prov = EVP_MD_get0_provider(md), let name = osslProviderName(prov) else { return nil }
    return String(cString: name)
}

/// Calls `body` with a pointer to the bytes that is never nil, even for an empty array (some OpenSSL entry
/// points treat a NULL key or password as "not set" rather than "empty").
@inline(__always)
func withNonNullBytes<R, E: Error>(_ bytes: [UInt8], _ body: (UnsafePointer<UInt8>, Int) throws(E) -> R) throws(E) -> R {
    if bytes.isEmpty {
        var zero: UInt8 = 0
        return try body(&zero, 0)
    }
    return try withBytes(bytes) { (p) throws(E) -> R in
        try body(p.baseAddress!.assumingMemoryBound(to: UInt8.self), p.count)
    }
}

/// `withUnsafeBytes` for a body with a typed error (the standard library's version rethrows `any Error`).
@inline(__always)
func withBytes<R, E: Error>(_ a: [UInt8], _ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
    let result: Result<R, E> = a.withUnsafeBytes { raw in
        do throws(E) { return .success(try body(raw)) } catch { return .failure(error) }
    }
    return try result.get()
}

/// `withUnsafeMutableBytes` for a body with a typed error.
@inline(__always)
func withMutableBytes<R, E: Error>(_ a: inout [UInt8], _ body: (UnsafeMutableRawBufferPointer) throws(E) -> R) throws(E) -> R {
    let result: Result<R, E> = a.withUnsafeMutableBytes { raw in
        do throws(E) { return .success(try body(raw)) } catch { return .failure(error) }
    }
    return try result.get()
}

/// Compares two byte strings in time that depends only on their lengths (for MACs).
public func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    var diff: UInt8 = 0
    for i in 0..<a.count { diff |= a[i] ^ b[i] }
    return diff == 0
}
