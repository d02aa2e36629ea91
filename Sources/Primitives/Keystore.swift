/// Web3 Secret Storage (version 3) key files, as geth, eth-account and MyCrypto write them:
/// derivedKey = KDF(password, salt); ciphertext = AES-128-CTR(key: derivedKey[0..<16], iv, privateKey);
/// mac = keccak256(derivedKey[16..<32] ‖ ciphertext).
import Foundation

/// An error from reading or writing a key file.
public enum KeystoreError: Error, Equatable, CustomStringConvertible {
    /// The text is not a JSON object.
    case malformedJSON(String)
    /// A required field is absent; the path is dotted, e.g. `crypto.kdfparams.salt`.
    case missingField(String)
    /// A field has the wrong JSON type.
    case wrongType(field: String, expected: String)
    case unsupportedVersion(String)
    case unsupportedKDF(String)
    case unsupportedCipher(String)
    case unsupportedPRF(String)
    /// A hex field does not decode (or has the wrong length).
    case badHex(field: String, HexError)
    /// KDF parameters out of range (too little key material, too much memory, …).
    case invalidKDFParameters(String)
    /// The MAC does not match: wrong password, or the file was altered.
    case wrongPassword
    /// The decrypted bytes are not a valid secp256k1 private key.
    case invalidKey(Secp256k1Error)
    /// The file's `address` field does not belong to the decrypted key.
    case addressMismatch(field: String, key: String)
    case crypto(CryptoError)

    public var description: String {
        switch self {
        case .malformedJSON(let why): return "keystore: malformed JSON: \(why)"
        case .missingField(let f): return "keystore: missing field \(f)"
        case .wrongType(let f, let t): return "keystore: field \(f) must be \(t)"
        case .unsupportedVersion(let v): return "keystore: unsupported version \(v) (only 3)"
        case .unsupportedKDF(let k): return "keystore: unsupported KDF \"\(k)\" (scrypt or pbkdf2)"
        case .unsupportedCipher(let c): return "keystore: unsupported cipher \"\(c)\" (aes-128-ctr)"
        case .unsupportedPRF(let p): return "keystore: unsupported pbkdf2 prf \"\(p)\" (hmac-sha256)"
        case .badHex(let f, let e): return "keystore: field \(f): \(e)"
        case .invalidKDFParameters(let why): return "keystore: invalid KDF parameters: \(why)"
        case .wrongPassword: return "could not decrypt key with given password"
        case .invalidKey(let e): return "keystore: decrypted key is invalid: \(e)"
        case .addressMismatch(let f, let k): return "keystore: address field \(f) does not match the key's address \(k)"
        case .crypto(let e): return "keystore: \(e)"
        }
    }
}

/// Key-derivation settings for writing a key file.
public enum KeystoreKDF: Sendable, Equatable {
    case scrypt(n: Int, r: Int, p: Int)
    case pbkdf2(iterations: Int)

    /// eth-account's and geth's standard: scrypt n = 2^18, r = 8, p = 1 (256 MiB, about a second).
    public static let standard = KeystoreKDF.scrypt(n: 262_144, r: 8, p: 1)
    /// geth's "light" setting, n = 2^12, r = 8, p = 6, for tests and throwaway keys.
    public static let light = KeystoreKDF.scrypt(n: 4096, r: 8, p: 6)
}

/// Reads and writes version-3 key files.
public enum Keystore {
    /// Decrypts a key file's JSON text with `password` (its UTF-8 bytes, as geth and eth-account use).
    public static func decrypt(json: String, password: String) throws(KeystoreError) -> PrivateKey {
        try decrypt(json: Data(json.utf8), password: password)
    }

    /// Decrypts a key file's JSON bytes.
    public static func decrypt(json: Data, password: String) throws(KeystoreError) -> PrivateKey {
        let root: [String: Any]
        do {
            guard let object = try JSONSerialization.jsonObject(with: json) as? [String: Any] else {
                throw KeystoreError.malformedJSON("top level is not an object")
            }
            root = object
        } catch let e as KeystoreError {
            throw e
        } catch {
            throw .malformedJSON(String(describing: error))
        }
        return try decrypt(object: root, password: password)
    }

    /// Decrypts a parsed key file.
    public static func decrypt(object root: [String: Any], password: String) throws(KeystoreError) -> PrivateKey {
        let version = try field(root, "version", "version")
        guard let v = version as? Int, v == 3 else { throw .unsupportedVersion("\(version)") }
        // geth also accepts the capitalised "Crypto" some early writers used.
        guard let cryptoAny = root["crypto"] ?? root["Crypto"] else { throw .missingField("crypto") }
        guard let crypto = cryptoAny as? [String: Any] else { throw .wrongType(field: "crypto", expected: "an object") }

        let cipher = try string(crypto, "cipher", "crypto.cipher")
        guard cipher == "aes-128-ctr" else { throw .unsupportedCipher(cipher) }
        let params = try object(crypto, "cipherparams", "crypto.cipherparams")
        let iv = try hex(params, "iv", "crypto.cipherparams.iv", count: 16)
        let ciphertext = try hex(crypto, "ciphertext", "crypto.ciphertext")
        let mac = try hex(crypto, "mac", "crypto.mac", count: 32)

        let kdf = try string(crypto, "kdf", "crypto.kdf")
        let kdfParams = try object(crypto, "kdfparams", "crypto.kdfparams")
        let salt = try hex(kdfParams, "salt", "crypto.kdfparams.salt")
        let dklen = try int(kdfParams, "dklen", "crypto.kdfparams.dklen")
        guard dklen >= 32 else { throw .invalidKDFParameters("dklen \(dklen) is below the 32 bytes needed") }
        let pw = Array(password.utf8)
        let derived: [UInt8]
        switch kdf {
        case "scrypt":
            let n = try int(kdfParams, "n", "crypto.kdfparams.n")
            let r = try int(kdfParams, "r", "crypto.kdfparams.r")
            let p = try int(kdfParams, "p", "crypto.kdfparams.p")
            derived = try derive(.scrypt(n: n, r: r, p: p), password: pw, salt: salt, keyLength: dklen)
        case "pbkdf2":
            let prf = try string(kdfParams, "prf", "crypto.kdfparams.prf")
            guard prf == "hmac-sha256" else { throw .unsupportedPRF(prf) }
            let c = try int(kdfParams, "c", "crypto.kdfparams.c")
            derived = try derive(.pbkdf2(iterations: c), password: pw, salt: salt, keyLength: dklen)
        default:
            throw .unsupportedKDF(kdf)
        }

        guard constantTimeEqual(macOf(derived, ciphertext), mac) else { throw .wrongPassword }
        let plain: [UInt8]
        do { plain = try AESCTR.apply(key: Array(derived[0..<16]), iv: iv, data: ciphertext) } catch { throw .crypto(error) }
        let key: PrivateKey
        do { key = try PrivateKey(bytes: plain) } catch { throw .invalidKey(error) }
        if let addressAny = root["address"] {
            guard let text = addressAny as? String else { throw .wrongType(field: "address", expected: "a hex string") }
            let expected = key.address
            let given: [UInt8]
            do { given = try Hex.decode(text) } catch { throw .badHex(field: "address", error) }
            guard given == expected.bytes else { throw .addressMismatch(field: text, key: expected.checksummed) }
        }
        return key
    }

    /// Encrypts `key` into key-file JSON (keys sorted, no whitespace) with a fresh salt, IV and UUID v4 id.
    public static func encrypt(_ key: PrivateKey, password: String,
                               kdf: KeystoreKDF = .standard) throws(KeystoreError) -> String {
        let salt: [UInt8], iv: [UInt8], idBytes: [UInt8]
        do {
            salt = try SecureRandom.bytes(32)
            iv = try SecureRandom.bytes(16)
            idBytes = try SecureRandom.bytes(16)
        } catch { throw .crypto(error) }
        return try encrypt(key, password: password, kdf: kdf, salt: salt, iv: iv, id: uuidV4(idBytes))
    }

    /// Encrypts with the given salt, IV and id (deterministic; for tests and reproducible fixtures).
    public static func encrypt(_ key: PrivateKey, password: String, kdf: KeystoreKDF, salt: [UInt8], iv: [UInt8],
                               id: String) throws(KeystoreError) -> String {
        guard iv.count == 16 else { throw .badHex(field: "iv", .wrongLength(expected: 16, got: iv.count)) }
        let derived = try derive(kdf, password: Array(password.utf8), salt: salt, keyLength: 32)
        let ciphertext: [UInt8]
        do { ciphertext = try AESCTR.apply(key: Array(derived[0..<16]), iv: iv, data: key.bytes) } catch {
            throw .crypto(error)
        }
        let kdfName: String, kdfParams: [String: Any]
        switch kdf {
        case .scrypt(let n, let r, let p):
            kdfName = "scrypt"
            kdfParams = ["dklen": 32, "n": n, "r": r, "p": p, "salt": Hex.encode(salt, prefix: false)]
        case .pbkdf2(let c):
            kdfName = "pbkdf2"
            kdfParams = ["dklen": 32, "c": c, "prf": "hmac-sha256", "salt": Hex.encode(salt, prefix: false)]
        }
        let file: [String: Any] = [
            "address": Hex.encode(key.address.bytes, prefix: false),
            "crypto": [
                "cipher": "aes-128-ctr",
                "cipherparams": ["iv": Hex.encode(iv, prefix: false)],
                "ciphertext": Hex.encode(ciphertext, prefix: false),
                "kdf": kdfName,
                "kdfparams": kdfParams,
                "mac": Hex.encode(macOf(derived, ciphertext), prefix: false),
            ] as [String: Any],
            "id": id,
            "version": 3,
        ]
        do {
            let data = try JSONSerialization.data(withJSONObject: file, options: [.sortedKeys])
            return String(decoding: data, as: UTF8.self)
        } catch { throw .malformedJSON("could not serialise: \(error)") }
    }

    /// Reads and decrypts a key file.
    public static func read(contentsOf url: URL, password: String) throws(KeystoreError) -> PrivateKey {
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw .malformedJSON("cannot read \(url.path): \(error)") }
        return try decrypt(json: data, password: password)
    }

    /// A random (version 4) UUID in lower-case 8-4-4-4-12 form.
    static func uuidV4(_ random: [UInt8]) -> String {
        var b = random
        b[6] = (b[6] & 0x0f) | 0x40  // version 4
        b[8] = (b[8] & 0x3f) | 0x80  // RFC 4122 variant
        let h = Hex.encode(b, prefix: false)
        let c = Array(h)
        return [c[0..<8], c[8..<12], c[12..<16], c[16..<20], c[20..<32]].map { String($0) }.joined(separator: "-")
    }

    static func macOf(_ derived: [UInt8], _ ciphertext: [UInt8]) -> [UInt8] {
        Keccak256.hash(Array(derived[16..<32]) + ciphertext).bytes
    }

    static func derive(_ kdf: KeystoreKDF, password: [UInt8], salt: [UInt8],
                       keyLength: Int) throws(KeystoreError) -> [UInt8] {
        do throws(CryptoError) {
            switch kdf {
            case .scrypt(let n, let r, let p):
                return try Scrypt.derive(password: password, salt: salt, n: n, r: r, p: p, keyLength: keyLength)
            case .pbkdf2(let c):
                // A bound on the work a hostile file can demand: 100× the usual 262,144.
                guard c <= 26_214_400 else { throw CryptoError.invalidParameter("pbkdf2 c = \(c) exceeds 26214400") }
                return try PBKDF2.sha256(password: password, salt: salt, iterations: c, keyLength: keyLength)
            }
        } catch {
            if case .invalidParameter(let why) = error { throw .invalidKDFParameters(why) }
            throw .crypto(error)
        }
    }

    // MARK: Field access with paths in the errors

    static func field(_ o: [String: Any], _ key: String, _ path: String) throws(KeystoreError) -> Any {
        guard let v = o[key], !(v is NSNull) else { throw .missingField(path) }
        return v
    }

    static func string(_ o: [String: Any], _ key: String, _ path: String) throws(KeystoreError) -> String {
        guard let s = try field(o, key, path) as? String else { throw .wrongType(field: path, expected: "a string") }
        return s
    }

    static func object(_ o: [String: Any], _ key: String, _ path: String) throws(KeystoreError) -> [String: Any] {
        guard let s = try field(o, key, path) as? [String: Any] else { throw .wrongType(field: path, expected: "an object") }
        return s
    }

    static func int(_ o: [String: Any], _ key: String, _ path: String) throws(KeystoreError) -> Int {
        let v = try field(o, key, path)
        guard let n = v as? Int else { throw .wrongType(field: path, expected: "an integer") }
        return n
    }

    static func hex(_ o: [String: Any], _ key: String, _ path: String, count: Int? = nil) throws(KeystoreError) -> [UInt8] {
        let text = try string(o, key, path)
        do throws(HexError) {
            let bytes = try Hex.decode(text)
            if let count, bytes.count != count { throw HexError.wrongLength(expected: count, got: bytes.count) }
            return bytes
        } catch { throw .badHex(field: path, error) }
    }
}
