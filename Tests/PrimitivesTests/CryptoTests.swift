import Foundation
import Testing
import Primitives
import TestSupport

/// Byte i = (i * mul + length) & 0xff, the inputs tools/vectors/crypto_vectors.py uses.
func patternData(_ n: Int, _ mul: Int = 13) -> [UInt8] { (0..<n).map { UInt8(truncatingIfNeeded: $0 * mul + n) } }

@Suite struct CryptoTests {
    static func list(_ key: String) throws -> [[String: Any]] {
        let root = try Fixtures.json(Fixtures.vector("PrimitivesTests", "crypto.json")) as! [String: Any]
        return root[key] as! [[String: Any]]
    }
    static func hex(_ v: [String: Any], _ key: String) throws -> [UInt8] { try Hex.decode(v[key] as! String) }

    /// Published test vectors: FIPS 180 examples, the RIPEMD-160 authors' page, RFC 4231 case 1, RFC 7914
    /// (PBKDF2-SHA256 and scrypt), NIST SP 800-38A F.5.1 (AES-128-CTR).
    @Test func publishedVectors() throws {
        #expect(SHA256.hash("abc").hex == "0xba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hash([]).hex == "0xe3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hash("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq").hex
                == "0x248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(try RIPEMD160.hash([]).hexString == "0x9c1185a5c5e9fc54612808977ee8f548b2258d31")
        #expect(try RIPEMD160.hash(Array("abc".utf8)).hexString == "0x8eb208f7e05d987a9b044a8e98c6b087f15a0bfc")
        #expect(try HMACSHA256.mac(key: [UInt8](repeating: 0x0b, count: 20), message: Array("Hi There".utf8)).hexString
                == "0xb0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        #expect(try PBKDF2.sha256(password: Array("passwd".utf8), salt: Array("salt".utf8), iterations: 1,
                                  keyLength: 64).hexString
                == "0x55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
                 + "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783")
        #expect(try Scrypt.derive(password: [], salt: [], n: 16, r: 1, p: 1, keyLength: 64).hexString
                == "0x77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442"
                 + "fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906")
        let aes = try AESCTR.apply(key: Hex.decode("2b7e151628aed2a6abf7158809cf4f3c"),
                                   iv: Hex.decode("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff"),
                                   data: Hex.decode("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"))
        #expect(aes.hexString == "0x874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff")
    }

    /// RIPEMD-160 comes from the default provider on Debian 12's OpenSSL 3.0 (or the legacy one, loaded as a
    /// fallback); either way it must be there, since the EVM's precompile 0x03 needs it.
    @Test func ripemd160IsAvailable() throws {
        #expect(RIPEMD160.unavailableReason == nil)
        // Debian 12 ships OpenSSL 3.0.x with x ≥ 7, where RIPEMD-160 moved into the default provider.
        #expect(RIPEMD160.providerName == "default")
        let h = try StreamingDigest.ripemd160()
        h.update(Array("a".utf8))
        h.update(Array("bc".utf8))
        #expect(h.finalize().hexString == "0x8eb208f7e05d987a9b044a8e98c6b087f15a0bfc")
    }

    /// SHA-256 and RIPEMD-160 against pycryptodome (tools/vectors/crypto_vectors.py), one-shot and streamed in
    /// several chunkings, including whole 256 KiB chunks as IPFS feeds them.
    @Test func digestsMatchPycryptodome() throws {
        let digests = try Self.list("digests")
        #expect(digests.count == 19)
        let sha = StreamingDigest.sha256()
        let rmd = try StreamingDigest.ripemd160()
        for v in digests {
            let n = v["length"] as! Int
            let data = patternData(n)
            let expectSHA = v["sha256"] as! String, expectRMD = v["ripemd160"] as! String
            #expect(SHA256.hash(data).hex == "0x" + expectSHA, "sha256 length \(n)")
            #expect(try RIPEMD160.hash(data).hexString == "0x" + expectRMD, "ripemd160 length \(n)")
            for chunk in [1, 63, 64, 1000, 262_144] where chunk <= max(n, 1) * 2 {
                var i = 0
                while i < n {
                    let piece = data[i..<min(n, i + chunk)]
                    sha.update(piece)
                    rmd.update(piece)
                    i += chunk
                }
                // finalize resets the hasher, so the same objects serve every chunking.
                #expect(sha.finalizeWord().hex == "0x" + expectSHA, "sha256 length \(n) chunk \(chunk)")
                #expect(rmd.finalize().hexString == "0x" + expectRMD, "ripemd160 length \(n) chunk \(chunk)")
            }
        }
    }

    @Test func macsAndKDFsMatchPycryptodome() throws {
        let hmacs = try Self.list("hmac_sha256")
        #expect(hmacs.count == 21)
        for v in hmacs {
            #expect(try HMACSHA256.mac(key: Self.hex(v, "key"), message: Self.hex(v, "message"))
                    == Self.hex(v, "mac"))
        }
        let pbkdf2 = try Self.list("pbkdf2_sha256")
        #expect(pbkdf2.count == 5)
        for v in pbkdf2 {
            let key = try PBKDF2.sha256(password: Self.hex(v, "password"), salt: Self.hex(v, "salt"),
                                        iterations: v["c"] as! Int, keyLength: v["dklen"] as! Int)
            #expect(try key == Self.hex(v, "key"), "pbkdf2 c=\(v["c"]!)")
        }
        let scrypt = try Self.list("scrypt")
        #expect(scrypt.count == 7)
        for v in scrypt {
            let (n, r, p) = (v["n"] as! Int, v["r"] as! Int, v["p"] as! Int)
            let password = try Self.hex(v, "password"), salt = try Self.hex(v, "salt")
            let key = try Scrypt.derive(password: password, salt: salt, n: n, r: r, p: p, keyLength: v["dklen"] as! Int)
            #expect(try key == Self.hex(v, "key"), "scrypt n=\(n) r=\(r) p=\(p)")
            // The Swift ROMix (used where OpenSSL refuses N ≥ 2^(16r)) must agree on every vector.
            let portable = try Scrypt.derivePortable(password: password, salt: salt, n: n, r: r, p: p,
                                                     keyLength: v["dklen"] as! Int)
            #expect(try portable == Self.hex(v, "key"), "portable scrypt n=\(n) r=\(r) p=\(p)")
        }
    }

    /// AES-CTR (128/192/256-bit keys, counters that wrap at 2^128) against pycryptodome, one-shot and streamed.
    @Test func aesCTRMatchesPycryptodome() throws {
        let cases = try Self.list("aes_ctr")
        #expect(cases.count == 63)
        for v in cases {
            let key = try Self.hex(v, "key"), iv = try Self.hex(v, "iv")
            let plain = try Self.hex(v, "plaintext"), expected = try Self.hex(v, "ciphertext")
            #expect(try AESCTR.apply(key: key, iv: iv, data: plain) == expected)
            #expect(try AESCTR.apply(key: key, iv: iv, data: expected) == plain)
            // Streaming in uneven pieces continues the keystream.
            let stream = try AESCTR(key: key, iv: iv)
            var out: [UInt8] = []
            var i = 0
            for size in [1, 15, 17, 100, 2000] where i < plain.count {
                let end = min(plain.count, i + size)
                out += try stream.apply(Array(plain[i..<end]))
                i = end
            }
            #expect(out == expected)
        }
    }

    /// ethereum/tests BasicTests/crypto.json "aes1": AES-256-CTR with a zero counter block.
    @Test func ethereumAESVector() throws {
        let url = Fixtures.ethereumTests.appendingPathComponent("BasicTests/crypto.json")
        let root = try Fixtures.json(url) as! [String: [String: String]]
        let v = try #require(root["aes1"])
        #expect(v["decryption_type"] == "aes_ctr")
        let plain = try AESCTR.apply(key: Hex.decode(v["key"]!), iv: [UInt8](repeating: 0, count: 16),
                                     data: Hex.decode(v["cipher"]!))
        #expect(plain == (try Hex.decode(v["payload"]!)))
    }

    @Test func badParametersAreTypedErrors() {
        #expect(throws: CryptoError.invalidLength(what: "AES key", expected: "16, 24 or 32", got: 15)) {
            try AESCTR(key: [UInt8](repeating: 0, count: 15), iv: [UInt8](repeating: 0, count: 16))
        }
        #expect(throws: CryptoError.invalidLength(what: "AES-CTR IV", expected: "16", got: 12)) {
            try AESCTR(key: [UInt8](repeating: 0, count: 16), iv: [UInt8](repeating: 0, count: 12))
        }
        #expect(throws: CryptoError.invalidParameter("scrypt n = 1000 is not a power of two above 1")) {
            try Scrypt.derive(password: [], salt: [], n: 1000, r: 8, p: 1, keyLength: 32)
        }
        // 2^30 · 8 · 128 bytes = 1 TiB: refused before any work.
        #expect(throws: CryptoError.self) {
            try Scrypt.derive(password: [], salt: [], n: 1 << 30, r: 8, p: 1, keyLength: 32)
        }
        #expect(throws: CryptoError.self) { try PBKDF2.sha256(password: [], salt: [], iterations: 0, keyLength: 32) }
        #expect(throws: CryptoError.self) { try SecureRandom.bytes(-1) }
        #expect(Scrypt.memoryNeeded(n: 262_144, r: 8, p: 1)! > 256 << 20)
    }

    /// The keystore default (n = 2^18, r = 8: 256 MiB) must pass OpenSSL's memory check.
    @Test func scryptKeystoreDefaultParameters() throws {
        let k = try Scrypt.derive(password: Array("pw".utf8), salt: [1, 2, 3], n: 262_144, r: 8, p: 1, keyLength: 32)
        #expect(k.count == 32)
    }

    @Test func randomBytes() throws {
        let a = try SecureRandom.bytes(32), b = try SecureRandom.bytes(32)
        #expect(a.count == 32 && b.count == 32)
        // Equal or all-zero draws would happen with probability 2^-256: a broken generator, not chance.
        #expect(a != b)
        #expect(a != [UInt8](repeating: 0, count: 32))
        #expect(try SecureRandom.bytes(0) == [])
    }

    @Test func constantTimeComparison() {
        #expect(constantTimeEqual([1, 2, 3], [1, 2, 3]))
        #expect(!constantTimeEqual([1, 2, 3], [1, 2, 4]))
        #expect(!constantTimeEqual([1, 2], [1, 2, 3]))
    }
}
