import Foundation
@testable import Primitives
import TestSupport
import Testing

/// Vectors from tools/vectors/encryption_vectors.py (pycryptodome and eth_keys, independent of OpenSSL and
/// libsecp256k1), plus round trips and tamper rejection.
@Suite struct EncryptionTests {
    static var vectors: [String: [[String: Any]]] {
        let url = Fixtures.vector("ContentStoreTests", "encryption.json")
        return (try? Fixtures.json(url) as? [String: [[String: Any]]]) ?? [:]
    }

    static func hex(_ v: [String: Any], _ key: String) throws -> [UInt8] { try Hex.decode(v[key] as? String ?? "?") }

    @Test func vectorsLoaded() {
        for name in ["hkdf", "aesgcm", "envelope", "ecies"] { #expect((Self.vectors[name]?.count ?? 0) >= 3, "\(name)") }
    }

    /// RFC 5869 test case 1, then the generated vectors.
    @Test func hkdf() throws {
        let okm = try HKDF.sha256(ikm: [UInt8](repeating: 0x0b, count: 22), salt: try Hex.decode("000102030405060708090a0b0c"),
                                  info: try Hex.decode("f0f1f2f3f4f5f6f7f8f9"), length: 42)
        #expect(Hex.encode(okm, prefix: false) ==
                "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865")
        for v in Self.vectors["hkdf"] ?? [] {
            let out = try HKDF.sha256(ikm: try Self.hex(v, "ikm"), salt: try Self.hex(v, "salt"), info: try Self.hex(v, "info"),
                                      length: v["length"] as? Int ?? 0)
            #expect(out == (try Self.hex(v, "okm")))
        }
        #expect(throws: CryptoError.self) { try HKDF.sha256(ikm: [1], salt: [], info: [], length: 255 * 32 + 1) }
    }

    @Test func aesGCM() throws {
        for v in Self.vectors["aesgcm"] ?? [] {
            let key = try Self.hex(v, "key"), nonce = try Self.hex(v, "nonce"), aad = try Self.hex(v, "aad")
            let pt = try Self.hex(v, "plaintext"), sealed = try Self.hex(v, "sealed")
            #expect(try AESGCM.seal(pt, key: key, nonce: nonce, aad: aad) == sealed)
            #expect(try AESGCM.open(sealed, key: key, nonce: nonce, aad: aad) == pt)
            var bad = sealed
            bad[bad.count - 1] ^= 1
            #expect(throws: EncryptionError.self) { try AESGCM.open(bad, key: key, nonce: nonce, aad: aad) }
        }
        #expect(throws: EncryptionError.self) { try AESGCM.seal([1], key: [1, 2], nonce: [UInt8](repeating: 0, count: 12)) }
        #expect(throws: EncryptionError.self) { try AESGCM.open([1], key: [UInt8](repeating: 0, count: 32), nonce: [UInt8](repeating: 0, count: 12)) }
    }

    static func context(_ v: [String: Any]) throws -> EnvelopeContext {
        EnvelopeContext(jobId: try UInt256(parsing: v["jobId"] as? String ?? ""),
                        round: UInt64(v["round"] as? String ?? "") ?? 0,
                        sender: Address(try Hex.decode(v["sender"] as? String ?? "", count: 20)))
    }

    @Test func envelopeVectorsAndTampering() throws {
        for v in Self.vectors["envelope"] ?? [] {
            let key = try Self.hex(v, "key"), pt = try Self.hex(v, "plaintext"), env = try Self.hex(v, "envelope")
            let ctx = try Self.context(v)
            #expect(try Envelope.seal(pt, key: key, context: ctx, nonce: try Self.hex(v, "nonce")) == env)
            #expect(try Envelope.open(env, key: key, context: ctx) == pt)

            // Every byte matters: flipping any one fails authentication (or the version check).
            for i in stride(from: 0, to: env.count, by: max(1, env.count / 40)) {
                var bad = env
                bad[i] ^= 0x01
                #expect(throws: EncryptionError.self) { try Envelope.open(bad, key: key, context: ctx) }
            }
            var wrongKey = key
            wrongKey[0] ^= 0x80
            #expect(throws: EncryptionError.authenticationFailed(what: "envelope")) { try Envelope.open(env, key: wrongKey, context: ctx) }
            for other in [EnvelopeContext(jobId: ctx.jobId &+ 1, round: ctx.round, sender: ctx.sender),
                          EnvelopeContext(jobId: ctx.jobId, round: ctx.round &+ 1, sender: ctx.sender),
                          EnvelopeContext(jobId: ctx.jobId, round: ctx.round, sender: Address(word: UInt256(9).word))] {
                #expect(throws: EncryptionError.authenticationFailed(what: "envelope")) { try Envelope.open(env, key: key, context: other) }
            }
            #expect(throws: EncryptionError.self) { try Envelope.open(Array(env.prefix(28)), key: key, context: ctx) }
            #expect(throws: EncryptionError.unsupportedVersion(what: "envelope", version: 2)) {
                try Envelope.open([2] + env.dropFirst(), key: key, context: ctx)
            }
        }
        // Random nonces: two seals of one plaintext differ, both open.
        let key = try Envelope.generateKey()
        let ctx = EnvelopeContext(jobId: 7, round: 3, sender: .zero)
        let cid = Array("QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH".utf8)
        let e1 = try Envelope.seal(cid, key: key, context: ctx), e2 = try Envelope.seal(cid, key: key, context: ctx)
        #expect(e1 != e2)
        #expect(try Envelope.open(e1, key: key, context: ctx) == cid)
        #expect(try Envelope.open(e2, key: key, context: ctx) == cid)
    }

    @Test func eciesVectorsAndTampering() throws {
        for v in Self.vectors["ecies"] ?? [] {
            let secret = try Self.hex(v, "recipientSecret"), pub64 = try Self.hex(v, "recipientPublic64")
            let pt = try Self.hex(v, "plaintext"), aad = try Self.hex(v, "aad"), msg = try Self.hex(v, "message")
            #expect(try PrivateKey(bytes: secret).publicKey.compressed == (try Self.hex(v, "recipientPublicCompressed")))
            // Every accepted public-key spelling gives the same message.
            for pub in [pub64, [4] + pub64, try Self.hex(v, "recipientPublicCompressed")] {
                #expect(try ECIES.seal(pt, to: try PublicKey(bytes: pub), aad: aad,
                                       ephemeral: try PrivateKey(bytes: try Self.hex(v, "ephemeralSecret")),
                                       nonce: try Self.hex(v, "nonce")) == msg)
            }
            #expect(try ECIES.open(msg, privateKey: secret, aad: aad) == pt)
            for i in stride(from: 0, to: msg.count, by: max(1, msg.count / 40)) {
                var bad = msg
                bad[i] ^= 0x04
                #expect(throws: EncryptionError.self) { try ECIES.open(bad, privateKey: secret, aad: aad) }
            }
            var otherKey = secret
            otherKey[31] ^= 1
            #expect(throws: EncryptionError.authenticationFailed(what: "ECIES message")) {
                try ECIES.open(msg, privateKey: otherKey, aad: aad)
            }
            #expect(throws: EncryptionError.self) { try ECIES.open(msg, privateKey: secret, aad: aad + [0]) }
        }
        // Fresh ephemeral keys: a 32-byte job key wrapped twice gives different messages, both open.
        let secret = [UInt8](repeating: 0x11, count: 32)
        let pub = try PrivateKey(bytes: secret).publicKey.compressed
        let jobKey = try Envelope.generateKey()
        let m1 = try ECIES.seal(jobKey, to: pub), m2 = try ECIES.seal(jobKey, to: pub)
        #expect(m1 != m2)
        #expect(m1.count == 32 + ECIES.overhead)
        #expect(try ECIES.open(m1, privateKey: secret) == jobKey)
        #expect(try ECIES.open(m2, privateKey: secret) == jobKey)
        #expect(throws: EncryptionError.self) { try ECIES.seal([1], to: [UInt8](repeating: 7, count: 33)) }
        #expect(throws: EncryptionError.self) { try ECIES.open(m1, privateKey: [UInt8](repeating: 0, count: 32)) }
        #expect(try ECIES.open(m1, with: try PrivateKey(bytes: secret)) == jobKey)
        #expect(throws: EncryptionError.self) { try ECIES.open(Array(m1.prefix(10)), privateKey: secret) }
    }
}
