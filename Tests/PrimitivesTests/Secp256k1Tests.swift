import Foundation
import Testing
import Primitives
import TestSupport

@Suite struct Secp256k1Tests {
    static func vectors() throws -> [String: Any] {
        try Fixtures.json(Fixtures.vector("PrimitivesTests", "secp256k1.json")) as! [String: Any]
    }

    /// ethereum/tests BasicTests/keyaddrtest.json: key → address, and each key is keccak256(seed) (a brain wallet).
    /// The file's `sig_of_emptystring` values are not checked: they recover to the listed address under none of
    /// keccak256(""), sha256(""), sha3-256("") or a zero digest (checked with eth-keys), so the digest they sign is
    /// unknown. Our own signature of keccak256("") must still recover to the address.
    @Test func ethereumKeyAddressVectors() throws {
        let url = Fixtures.ethereumTests.appendingPathComponent("BasicTests/keyaddrtest.json")
        let cases = try Fixtures.json(url) as! [[String: Any]]
        #expect(cases.count == 2)
        for c in cases {
            let key = try PrivateKey(hex: c["key"] as! String)
            #expect(key.address == (try Address(hex: c["addr"] as! String)), "\(c["seed"]!)")
            #expect(key.secret == Keccak256.hash(c["seed"] as! String))
            let sig = key.sign(digest: Keccak256.hash([UInt8]()))
            #expect(try PublicKey.recover(digest: Keccak256.hash([UInt8]()), signature: sig, requireLowS: true).address
                    == key.address)
        }
    }

    /// ethereum/tests BasicTests/txtest.json: legacy (pre-EIP-155) transactions signed by an RFC 6979 signer that
    /// did not normalise s. The signing hash is keccak256(RLP of the first six fields). Our r must match, our s must
    /// be the low twin of theirs, and their (possibly high-s) signature must recover the signer.
    @Test func ethereumSignedTransactionVectors() throws {
        let url = Fixtures.ethereumTests.appendingPathComponent("BasicTests/txtest.json")
        let cases = try Fixtures.json(url) as! [[String: Any]]
        #expect(cases.count == 2)
        var sawHighS = false
        for c in cases {
            let key = try PrivateKey(hex: c["key"] as! String)
            let fields = try RLP.decode(Hex.decode(c["signed"] as! String)).asList()
            #expect(fields.count == 9)
            #expect(try fields[0].asUInt64() == UInt64(c["nonce"] as! Int))
            #expect(try fields[5].asBytes() == Hex.decode(c["data"] as! String))
            // The "unsigned" form is the same six fields with empty v, r, s.
            let unsigned = RLPItem.list(Array(fields[0..<6]) + [.bytes([]), .bytes([]), .bytes([])])
            #expect(unsigned.encoded == (try Hex.decode(c["unsigned"] as! String)))
            let digest = Keccak256.hash(RLPItem.list(Array(fields[0..<6])).encoded)
            let theirs = try Signature(r: fields[7].asUInt256(), s: fields[8].asUInt256(), v: Int(fields[6].asUInt64()))
            let ours = key.sign(digest: digest)
            #expect(ours.r == theirs.r)
            #expect(ours.isLowS)
            #expect(ours == theirs || ours == theirs.malleated)
            #expect(try PublicKey.recover(digest: digest, signature: theirs, requireLowS: false).address == key.address)
            if !theirs.isLowS {
                sawHighS = true
                #expect(throws: Secp256k1Error.highS) {
                    try PublicKey.recover(digest: digest, signature: theirs, requireLowS: true)
                }
                #expect(!key.publicKey.verify(signature: theirs, digest: digest))
                #expect(key.publicKey.verify(signature: theirs, digest: digest, requireLowS: false))
            }
        }
        #expect(sawHighS)
    }

    /// Keys, addresses and RFC 6979 signatures from eth-keys' pure-Python backend (tools/vectors/secp256k1_vectors.py).
    @Test func matchesEthKeys() throws {
        let keys = try Self.vectors()["keys"] as! [[String: Any]]
        #expect(keys.count == 11)
        for k in keys {
            let key = try PrivateKey(hex: k["secret"] as! String)
            let pub = key.publicKey
            #expect(pub.uncompressed.hexString == "0x" + (k["public"] as! String))
            #expect(pub.compressed.hexString == "0x" + (k["compressed"] as! String))
            #expect(key.address.checksummed == k["address"] as! String)
            #expect(try PublicKey(bytes: pub.compressed) == pub)
            #expect(try PublicKey(bytes: pub.uncompressed) == pub)
            #expect(try PublicKey(bytes: [0x04] + pub.uncompressed) == pub)
            for s in k["signatures"] as! [[String: Any]] {
                let digest = try Hash32(hex: s["digest"] as! String)
                let sig = key.sign(digest: digest)
                #expect(sig.r == (try UInt256(bigEndian: Hex.decode(s["r"] as! String))))
                #expect(sig.s == (try UInt256(bigEndian: Hex.decode(s["s"] as! String))))
                #expect(Int(sig.recoveryId) == s["v"] as! Int)
                #expect(try PublicKey.recover(digest: digest, signature: sig, requireLowS: true) == pub)
                #expect(pub.verify(signature: sig, digest: digest))
                // The high-s twin recovers the same key only where high s is allowed (the ecrecover precompile).
                let twin = sig.malleated
                #expect(!twin.isLowS)
                #expect(try PublicKey.recover(digest: digest, signature: twin, requireLowS: false) == pub)
                #expect(throws: Secp256k1Error.highS) { try PublicKey.recover(digest: digest, signature: twin, requireLowS: true) }
                // A different digest recovers some other key, or none.
                var other = digest
                other.w3 ^= 1
                #expect((try? PublicKey.recover(digest: other, signature: sig, requireLowS: true)) != pub)
                #expect(!pub.verify(signature: sig, digest: other))
            }
        }
    }

    /// ECDH x coordinates against eth-keys' Jacobian arithmetic; the shared secret is symmetric.
    @Test func ecdhMatchesEthKeys() throws {
        let cases = try Self.vectors()["ecdh"] as! [[String: Any]]
        #expect(cases.count == 10)
        for c in cases {
            let a = try PrivateKey(hex: c["secret"] as! String)
            let bPub = try PublicKey(hex: c["public"] as! String)
            #expect(a.ecdh(with: bPub).hex == "0x" + (c["x"] as! String))
        }
        let a = try PrivateKey.generate(), b = try PrivateKey.generate()
        #expect(a.ecdh(with: b.publicKey) == b.ecdh(with: a.publicKey))
    }

    @Test func badKeysAndSignaturesAreTypedErrors() throws {
        #expect(throws: Secp256k1Error.privateKeyZero) { try PrivateKey(bytes: [UInt8](repeating: 0, count: 32)) }
        #expect(throws: Secp256k1Error.privateKeyNotBelowOrder) { try PrivateKey(secret: Secp256k1.n.word) }
        #expect(throws: Secp256k1Error.privateKeyNotBelowOrder) { try PrivateKey(bytes: [UInt8](repeating: 0xff, count: 32)) }
        #expect(throws: Secp256k1Error.privateKeyLength(31)) { try PrivateKey(bytes: [UInt8](repeating: 1, count: 31)) }
        #expect(throws: Secp256k1Error.privateKeyHex(.invalidCharacter("z", position: 0))) { try PrivateKey(hex: "zz") }
        _ = try PrivateKey(secret: (Secp256k1.n &- .one).word)
        #expect(Secp256k1Error.privateKeyNotBelowOrder.description.contains("group order"))

        #expect(throws: Secp256k1Error.publicKeyLength(10)) { try PublicKey(bytes: [UInt8](repeating: 1, count: 10)) }
        #expect(throws: Secp256k1Error.invalidPublicKey("not a point on the curve")) {
            try PublicKey(bytes: [UInt8](repeating: 0, count: 64))
        }
        #expect(throws: Secp256k1Error.invalidPublicKey("33-byte key must start with 02 or 03")) {
            try PublicKey(bytes: [0x05] + [UInt8](repeating: 1, count: 32))
        }

        let key = try PrivateKey.generate()
        let d = Keccak256.hash("m")
        let sig = key.sign(digest: d)
        #expect(throws: Secp256k1Error.invalidRecoveryId(29)) { try Signature(r: sig.r, s: sig.s, v: 29) }
        #expect(throws: Secp256k1Error.invalidRecoveryId(4)) { try Signature(r: sig.r, s: sig.s, recoveryId: 4) }
        #expect(throws: Secp256k1Error.signatureValueOutOfRange("r")) {
            try PublicKey.recover(digest: d, signature: Signature(r: .zero, s: sig.s, recoveryId: 0), requireLowS: false)
        }
        #expect(throws: Secp256k1Error.signatureValueOutOfRange("s")) {
            try PublicKey.recover(digest: d, signature: Signature(r: sig.r, s: Secp256k1.n, recoveryId: 0), requireLowS: false)
        }
        #expect(throws: Secp256k1Error.signatureLength(64)) { try Signature(bytes: [UInt8](repeating: 1, count: 64)) }
        #expect(try Signature(bytes: sig.bytes) == sig)
        var withV = sig.bytes
        withV[64] += 27
        #expect(try Signature(bytes: withV) == sig)
        // The description of a private key never shows the secret.
        #expect(!key.description.contains(Hex.encode(key.bytes, prefix: false)))
    }

    /// The shared context is used from many threads at once.
    @Test func concurrentSigningAgrees() async throws {
        let key = try PrivateKey(hex: "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318")
        let digests = (0..<64).map { Keccak256.hash("msg \($0)") }
        let expected = digests.map { key.sign(digest: $0) }
        let results = await withTaskGroup(of: (Int, Signature, Address?).self) { group in
            for (i, d) in digests.enumerated() {
                group.addTask {
                    let s = key.sign(digest: d)
                    return (i, s, try? PublicKey.recover(digest: d, signature: s, requireLowS: true).address)
                }
            }
            var out: [(Int, Signature, Address?)] = []
            for await r in group { out.append(r) }
            return out
        }
        #expect(results.count == 64)
        for (i, s, a) in results {
            #expect(s == expected[i])
            #expect(a == key.address)
        }
    }
}
