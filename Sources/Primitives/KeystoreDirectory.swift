import Foundation

/// A directory of Web3 Secret Storage key files, named as geth names them
/// (`UTC--2026-11-21T20-00-00.000000000Z--<address without 0x>`).
public struct KeystoreDirectory: Sendable {
    public let url: URL

    /// The default keystore: `$GFL_KEYSTORE`, else `~/.gfl/keystore`.
    public static var defaultPath: String {
        if let env = ProcessInfo.processInfo.environment["GFL_KEYSTORE"], !env.isEmpty { return env }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".gfl/keystore").path
    }

    public init(path: String) { url = URL(fileURLWithPath: path) }

    /// One key file: its address (from the file's `address` field) and path.
    public struct Entry: Sendable {
        public let address: Address
        public let url: URL
    }

    /// Key files in the directory, sorted by file name (creation time for geth-named files). Files that are not
    /// key files (no valid `address` field) are skipped.
    public func entries() throws(KeystoreError) -> [Entry] {
        let names: [String]
        do {
            guard FileManager.default.fileExists(atPath: url.path) else { return [] }
            names = try FileManager.default.contentsOfDirectory(atPath: url.path).sorted()
        } catch { throw .malformedJSON("cannot list keystore \(url.path): \(error.localizedDescription)") }
        var out: [Entry] = []
        for name in names where !name.hasPrefix(".") {
            let file = url.appendingPathComponent(name)
            guard let data = try? Data(contentsOf: file),
                  let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let text = obj["address"] as? String,
                  let address = try? Address(hex: text.lowercased()) else { continue }
            out.append(Entry(address: address, url: file))
        }
        return out
    }

    /// The key file for `address`.
    public func entry(for address: Address) throws(KeystoreError) -> Entry {
        guard let e = try entries().first(where: { $0.address == address }) else {
            throw .malformedJSON("no key file for \(address.checksummed) in \(url.path)")
        }
        return e
    }

    /// Encrypts `key` and writes it as a new file (mode 0600, written to a temporary name then renamed, so a crash
    /// never leaves half a key file). Returns the file's URL.
    @discardableResult
    public func store(_ key: PrivateKey, password: String, kdf: KeystoreKDF = .standard) throws(KeystoreError) -> URL {
        let json = try Keystore.encrypt(key, password: password, kdf: kdf)
        return try write(json: json, address: key.address, replacing: nil)
    }

    /// Writes key-file JSON; with `replacing`, the old file is replaced atomically.
    public func write(json: String, address: Address, replacing old: URL?) throws(KeystoreError) -> URL {
        let fm = FileManager.default
        do {
            try fm.createDirectory(at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            let dest = old ?? url.appendingPathComponent(Self.fileName(for: address, date: Date()))
            let tmp = url.appendingPathComponent(".tmp-\(UUID().uuidString)")
            guard fm.createFile(atPath: tmp.path, contents: Data(json.utf8), attributes: [.posixPermissions: 0o600]) else {
                throw KeystoreError.malformedJSON("cannot write \(tmp.path)")
            }
            if rename(tmp.path, dest.path) != 0 {
                try? fm.removeItem(at: tmp)
                throw KeystoreError.malformedJSON("cannot move key file into place at \(dest.path)")
            }
            return dest
        } catch let e as KeystoreError {
            throw e
        } catch {
            throw .malformedJSON("cannot write to keystore \(url.path): \(error.localizedDescription)")
        }
    }

    /// geth's key file name for an address created at `date`.
    public static func fileName(for address: Address, date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd'T'HH-mm-ss.SSS'000000Z'"
        return "UTC--\(f.string(from: date))--\(Hex.encode(address.bytes, prefix: false))"
    }
}

/// EIP-191 version 0x45 ("personal_sign") messages.
public enum PersonalMessage {
    /// keccak256("\x19Ethereum Signed Message:\n" + len(message) + message).
    public static func hash(_ message: [UInt8]) -> Hash32 {
        Keccak256.hash(Array("\u{19}Ethereum Signed Message:\n\(message.count)".utf8) + message)
    }

    /// The 65-byte r‖s‖v signature (v = 27 or 28) that wallets produce.
    public static func sign(_ message: [UInt8], with key: PrivateKey) -> [UInt8] {
        let sig = key.sign(digest: hash(message))
        return sig.r.bytes + sig.s.bytes + [sig.v]
    }

    /// The address that signed `message`, from a 65-byte r‖s‖v signature (v 27/28 or 0/1).
    public static func recoverSigner(_ message: [UInt8], signature: [UInt8]) throws(Secp256k1Error) -> Address {
        guard signature.count == 65 else { throw .recoveryFailed }
        let v = Int(signature[64])
        let sig = try Signature(r: UInt256(bigEndian: signature[0..<32]), s: UInt256(bigEndian: signature[32..<64]),
                                recoveryId: v >= 27 ? v - 27 : v)
        return try PublicKey.recover(digest: hash(message), signature: sig, requireLowS: true).address
    }
}
