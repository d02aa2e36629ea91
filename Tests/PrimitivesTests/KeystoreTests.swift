import Foundation
import Testing
import Primitives
import TestSupport

/// Sets a value at a dotted path inside a parsed JSON object (nil removes it).
func setting(_ object: [String: Any], _ path: String, _ value: Any?) -> [String: Any] {
    var parts = path.split(separator: ".").map(String.init)
    var copy = object
    let head = parts.removeFirst()
    if parts.isEmpty {
        copy[head] = value
    } else {
        copy[head] = setting(copy[head] as? [String: Any] ?? [:], parts.joined(separator: "."), value)
    }
    return copy
}

func jsonObject(_ text: String) throws -> [String: Any] {
    try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
}

@Suite struct KeystoreTests {
    /// ethereum/tests KeyStoreTests/basic_tests.json (pbkdf2 and scrypt files from geth, pyethereum and MyCrypto).
    @Test func ethereumVectors() throws {
        let url = Fixtures.ethereumTests.appendingPathComponent("KeyStoreTests/basic_tests.json")
        let tests = try Fixtures.json(url) as! [String: [String: Any]]
        #expect(tests.count == 5)
        for (name, t) in tests.sorted(by: { $0.key < $1.key }) {
            let key = try Keystore.decrypt(object: t["json"] as! [String: Any], password: t["password"] as! String)
            #expect(key.bytes.hexString == "0x" + (t["priv"] as! String), "\(name)")
        }
    }

    /// Files written by eth_account.Account.encrypt (tools/vectors/keystore_vectors.py).
    @Test func ethAccountVectors() throws {
        let root = try Fixtures.json(Fixtures.vector("PrimitivesTests", "keystore.json")) as! [String: Any]
        let vectors = root["vectors"] as! [[String: Any]]
        #expect(vectors.count == 4)
        for v in vectors {
            let file = v["json"] as! [String: Any]
            let key = try Keystore.decrypt(object: file, password: v["password"] as! String)
            #expect(key.bytes.hexString == "0x" + (v["priv"] as! String), "\(v["name"]!)")
            #expect(key.address.checksummed == v["address"] as! String)
            #expect(throws: KeystoreError.wrongPassword) {
                try Keystore.decrypt(object: file, password: (v["password"] as! String) + "x")
            }
        }
    }

    /// Interoperability: a file we write with the default parameters decrypts with eth_account.Account.decrypt.
    /// This runs tools/.venv/bin/python; a missing venv fails the test (run tools/setup), it does not skip it.
    @Test func ourFileDecryptsWithEthAccount() throws {
        let python = Fixtures.repoRoot.appendingPathComponent("tools/.venv/bin/python")
        try #require(FileManager.default.isExecutableFile(atPath: python.path),
                     "tools/.venv/bin/python is missing: run tools/setup")
        let key = try PrivateKey.generate()
        let password = "interop ✓ \(UUID().uuidString)"
        let json = try Keystore.encrypt(key, password: password)
        let file = try jsonObject(json)
        let params = (file["crypto"] as! [String: Any])["kdfparams"] as! [String: Any]
        #expect(params["n"] as? Int == 262_144 && params["r"] as? Int == 8 && params["p"] as? Int == 1)

        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gfl-keystore-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let keyFile = dir.appendingPathComponent("key.json"), pwFile = dir.appendingPathComponent("password")
        try Data(json.utf8).write(to: keyFile)
        try Data(password.utf8).write(to: pwFile)

        let process = Process()
        process.executableURL = python
        process.arguments = ["-c", """
            import sys, json
            from eth_account import Account
            key = Account.decrypt(json.load(open(sys.argv[1])), open(sys.argv[2], encoding="utf-8").read())
            print(key.hex())
            """, keyFile.path, pwFile.path]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "python: \(String(decoding: stderr, as: UTF8.self))")
        let printed = String(decoding: stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(printed.replacingOccurrences(of: "0x", with: "") == Hex.encode(key.bytes, prefix: false))
    }

    /// The written file has geth's shape: address without 0x, version 3, a UUID v4 id, aes-128-ctr.
    @Test func writtenFileShape() throws {
        let key = try PrivateKey(hex: "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318")
        let json = try Keystore.encrypt(key, password: "pw", kdf: .light)
        let file = try jsonObject(json)
        #expect(file["version"] as? Int == 3)
        #expect(file["address"] as? String == Hex.encode(key.address.bytes, prefix: false))
        let id = try #require(file["id"] as? String)
        let uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
        #expect(id.wholeMatch(of: uuid) != nil, "\(id)")
        let crypto = file["crypto"] as! [String: Any]
        #expect(crypto["cipher"] as? String == "aes-128-ctr")
        #expect(crypto["kdf"] as? String == "scrypt")
        #expect(try Keystore.decrypt(json: json, password: "pw") == key)
        // Two files for the same key differ (fresh salt, IV and id).
        #expect(try Keystore.encrypt(key, password: "pw", kdf: .pbkdf2(iterations: 10)) != json)
        let pb = try Keystore.encrypt(key, password: "", kdf: .pbkdf2(iterations: 1000))
        #expect(try Keystore.decrypt(json: pb, password: "") == key)
    }

    /// Wrong password, tampering and malformed files each give a clear, specific error.
    @Test func badFilesAreTypedErrors() throws {
        let key = try PrivateKey(hex: "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318")
        let json = try Keystore.encrypt(key, password: "right", kdf: .pbkdf2(iterations: 1000),
                                        salt: [UInt8](repeating: 7, count: 32), iv: [UInt8](repeating: 9, count: 16),
                                        id: "00000000-0000-4000-8000-000000000000")
        let file = try jsonObject(json)
        #expect(try Keystore.decrypt(object: file, password: "right") == key)

        #expect(throws: KeystoreError.wrongPassword) { try Keystore.decrypt(object: file, password: "wrong") }
        #expect(KeystoreError.wrongPassword.description == "could not decrypt key with given password")

        let crypto = file["crypto"] as! [String: Any]
        var ct = Array(crypto["ciphertext"] as! String)
        ct[0] = ct[0] == "0" ? "1" : "0"
        #expect(throws: KeystoreError.wrongPassword) {
            try Keystore.decrypt(object: setting(file, "crypto.ciphertext", String(ct)), password: "right")
        }
        var mac = Array(crypto["mac"] as! String)
        mac[63] = mac[63] == "0" ? "1" : "0"
        #expect(throws: KeystoreError.wrongPassword) {
            try Keystore.decrypt(object: setting(file, "crypto.mac", String(mac)), password: "right")
        }

        #expect(throws: KeystoreError.missingField("crypto.kdfparams.salt")) {
            try Keystore.decrypt(object: setting(file, "crypto.kdfparams.salt", nil), password: "right")
        }
        #expect(throws: KeystoreError.missingField("crypto.cipherparams")) {
            try Keystore.decrypt(object: setting(file, "crypto.cipherparams", nil), password: "right")
        }
        #expect(throws: KeystoreError.missingField("crypto")) {
            try Keystore.decrypt(object: setting(file, "crypto", nil), password: "right")
        }
        #expect(throws: KeystoreError.unsupportedKDF("argon2id")) {
            try Keystore.decrypt(object: setting(file, "crypto.kdf", "argon2id"), password: "right")
        }
        #expect(throws: KeystoreError.unsupportedCipher("aes-128-cbc")) {
            try Keystore.decrypt(object: setting(file, "crypto.cipher", "aes-128-cbc"), password: "right")
        }
        #expect(throws: KeystoreError.unsupportedPRF("hmac-sha512")) {
            try Keystore.decrypt(object: setting(file, "crypto.kdfparams.prf", "hmac-sha512"), password: "right")
        }
        #expect(throws: KeystoreError.unsupportedVersion("1")) {
            try Keystore.decrypt(object: setting(file, "version", 1), password: "right")
        }
        #expect(throws: KeystoreError.badHex(field: "crypto.cipherparams.iv", .invalidCharacter("z", position: 0))) {
            try Keystore.decrypt(object: setting(file, "crypto.cipherparams.iv", "zz"), password: "right")
        }
        #expect(throws: KeystoreError.badHex(field: "crypto.cipherparams.iv", .wrongLength(expected: 16, got: 2))) {
            try Keystore.decrypt(object: setting(file, "crypto.cipherparams.iv", "abcd"), password: "right")
        }
        #expect(throws: KeystoreError.wrongType(field: "crypto.kdfparams.c", expected: "an integer")) {
            try Keystore.decrypt(object: setting(file, "crypto.kdfparams.c", "1000"), password: "right")
        }
        #expect(throws: KeystoreError.addressMismatch(field: "0000000000000000000000000000000000000001",
                                                      key: key.address.checksummed)) {
            try Keystore.decrypt(object: setting(file, "address", "0000000000000000000000000000000000000001"),
                                 password: "right")
        }
        // A hostile file asking for 1 TiB of scrypt memory is refused before any work.
        let scryptFile = setting(setting(setting(setting(file, "crypto.kdf", "scrypt"), "crypto.kdfparams.n", 1 << 30),
                                         "crypto.kdfparams.r", 8), "crypto.kdfparams.p", 1)
        #expect(throws: KeystoreError.self) { try Keystore.decrypt(object: scryptFile, password: "right") }
        do {
            _ = try Keystore.decrypt(object: scryptFile, password: "right")
        } catch {
            guard case .invalidKDFParameters = error else { Issue.record("expected invalidKDFParameters, got \(error)"); return }
        }
        #expect(throws: KeystoreError.self) { try Keystore.decrypt(json: "not json", password: "x") }
        #expect(throws: KeystoreError.malformedJSON("top level is not an object")) {
            try Keystore.decrypt(json: "[1, 2]", password: "x")
        }
        #expect(KeystoreError.missingField("crypto.kdfparams.salt").description.contains("crypto.kdfparams.salt"))
    }
}
