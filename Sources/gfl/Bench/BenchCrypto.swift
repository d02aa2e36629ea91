import Primitives

/// Rows for `gfl bench primitives`: SHA-256 (one-shot and streamed in 256 KiB IPFS chunks), RLP, secp256k1 and
/// the keystore KDF. Each row is (name, ns per op, MB/s where a size applies).
func cryptoRows() -> [(String, Double, Double?)] {
    var rows: [(String, Double, Double?)] = []
    for size in [64, 1 << 20] {
        let data = [UInt8](repeating: 0x5a, count: size)
        let ns = data.withUnsafeBytes { raw in
            measure(iterations: max(20, 20_000_000 / max(size, 256))) { n in
                var acc = Hash32.zero
                for _ in 0..<n { acc = SHA256.hash(raw) }
                blackHole(acc)
            }
        }
        rows.append(("sha256/\(size)B", ns, Double(size) / ns * 1e3))
    }
    let chunk = [UInt8](repeating: 0x33, count: 256 << 10)
    let hasher = StreamingDigest.sha256()
    let streamNs = chunk.withUnsafeBytes { raw in
        measure(iterations: 200) { n in
            for _ in 0..<n { hasher.update(raw) }
            blackHole(hasher.finalizeWord())
        }
    }
    rows.append(("sha256-stream/256KiB", streamNs, Double(chunk.count) / streamNs * 1e3))

    // A legacy-transaction-shaped list: nonce, gas price, gas, to, value, data, v, r, s.
    let to = Address(hi: 0x1397_8aee, mid: 0x95f3_8490_e976_9c39, lo: 0xb277_3ed7_63d9_cd5f)
    let r = UInt256(l0: 1, l1: 2, l2: 3, l3: 4), s = UInt256(l0: 5, l1: 6, l2: 7, l3: 0x1234)
    let payload = [UInt8](repeating: 0xab, count: 100)
    var encoded: [UInt8] = []
    let encNs = measure(iterations: 200_000) { n in
        var out: [UInt8] = [], body: [UInt8] = []
        out.reserveCapacity(256)
        body.reserveCapacity(256)
        for i in 0..<n {
            out.removeAll(keepingCapacity: true)
            body.removeAll(keepingCapacity: true)
            RLP.appendUInt(UInt64(i), to: &body); RLP.appendUInt(UInt64(20_000_000_000), to: &body)
            RLP.appendUInt(UInt64(21_000), to: &body); RLP.appendAddress(to, to: &body)
            RLP.appendUInt(UInt256(l0: 0, l1: 1, l2: 0, l3: 0), to: &body); RLP.appendBytes(payload, to: &body)
            RLP.appendUInt(UInt64(27), to: &body); RLP.appendUInt(r, to: &body); RLP.appendUInt(s, to: &body)
            RLP.appendListHeader(payloadLength: body.count, to: &out)
            out += body
        }
        encoded = out
    }
    rows.append(("rlp-encode/legacy-tx", encNs, nil))
    let decNs = measure(iterations: 200_000) { n in
        var acc: UInt64 = 0
        for _ in 0..<n {
            var d = RLPDecoder(encoded)
            guard let m = try? d.enterList(), let nonce = try? d.readUInt64() else { continue }
            _ = try? d.readUInt64(); _ = try? d.readUInt64(); _ = try? d.readAddress(); _ = try? d.readUInt256()
            _ = try? d.readBytesRange(); _ = try? d.readUInt64(); _ = try? d.readUInt256(); _ = try? d.readUInt256()
            _ = try? d.exitList(m)
            acc &+= nonce
        }
        blackHole(acc)
    }
    rows.append(("rlp-decode/legacy-tx", decNs, nil))

    guard let key = try? PrivateKey(hex: "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318") else { return rows }
    let digest = Keccak256.hash("bench")
    let sig = key.sign(digest: digest)
    rows.append(("secp256k1-sign", measure(iterations: 5_000) { n in
        for i in 0..<n { var d = digest; d.w3 ^= UInt64(i); blackHole(key.sign(digest: d)) }
    }, nil))
    rows.append(("ecrecover+address", measure(iterations: 5_000) { n in
        for _ in 0..<n { blackHole(try? PublicKey.recover(digest: digest, signature: sig, requireLowS: true).address) }
    }, nil))
    let pub = key.publicKey
    rows.append(("secp256k1-ecdh", measure(iterations: 5_000) { n in
        for _ in 0..<n { blackHole(key.ecdh(with: pub)) }
    }, nil))
    rows.append(("keystore-scrypt-n2^18", measure(iterations: 1, trials: 3) { n in
        for _ in 0..<n { blackHole(try? Scrypt.derive(password: [1], salt: [2], n: 262_144, r: 8, p: 1, keyLength: 32)) }
    }, nil))
    return rows
}
