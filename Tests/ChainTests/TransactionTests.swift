import Testing
import Primitives
@testable import Chain

/// Signing and encoding against eth-account (tools/vectors/tx_vectors.py), and the rejection rules.
@Suite struct TransactionTests {
    static func vectors() throws -> [[String: Any]] {
        try V.object("ChainTests", "transactions.json")["transactions"] as? [[String: Any]] ?? []
    }

    func build(_ v: [String: Any]) throws -> Transaction {
        let type = v["type"] as? Int ?? -1
        let chainId = try (v["chainId"] as? String).map(V.u64)
        let to = try (v["to"] as? String).map(V.address)
        let data = try V.bytes(v["data"] as? String ?? "")
        let nonce = try V.u64(v["nonce"] as? String ?? "")
        let gas = try V.u64(v["gas"] as? String ?? "")
        let value = try V.u256(v["value"] as? String ?? "")
        var list: [AccessListEntry] = []
        for e in v["accessList"] as? [[String: Any]] ?? [] {
            list.append(AccessListEntry(address: try V.address(e["address"] as? String ?? ""),
                                        storageKeys: try (e["storageKeys"] as? [String] ?? []).map(V.word)))
        }
        switch type {
        case 0:
            return .legacy(chainId: chainId, nonce: nonce, gasPrice: try V.u256(v["gasPrice"] as? String ?? ""),
                           gasLimit: gas, to: to, value: value, data: data)
        case 1:
            return .accessList(chainId: try #require(chainId), nonce: nonce,
                               gasPrice: try V.u256(v["gasPrice"] as? String ?? ""), gasLimit: gas, to: to,
                               value: value, data: data, accessList: list)
        default:
            return .dynamicFee(chainId: try #require(chainId), nonce: nonce,
                               maxPriorityFeePerGas: try V.u256(v["maxPriorityFeePerGas"] as? String ?? ""),
                               maxFeePerGas: try V.u256(v["maxFeePerGas"] as? String ?? ""), gasLimit: gas, to: to,
                               value: value, data: data, accessList: list)
        }
    }

    @Test func signsLikeEthAccount() throws {
        let vs = try Self.vectors()
        #expect(vs.count == 8)
        for (i, v) in vs.enumerated() {
            let tx = try build(v)
            let key = try PrivateKey(hex: v["key"] as? String ?? "")
            #expect(tx.signingHash == (try V.word(v["signingHash"] as? String ?? "")), "vector \(i): signing hash")
            let signed = tx.signed(with: key)
            let raw = try V.bytes(v["raw"] as? String ?? "")
            #expect(signed.encoded == raw, "vector \(i): raw encoding")
            #expect(signed.hash == (try V.word(v["hash"] as? String ?? "")), "vector \(i): hash")
            #expect(signed.v == (try V.u256(v["v"] as? String ?? "")), "vector \(i): v")
            #expect(signed.r == (try V.u256(v["r"] as? String ?? "")), "vector \(i): r")
            // Decoding the eth-account bytes gives back the same transaction and sender.
            let decoded = try SignedTransaction(decoding: raw)
            #expect(decoded == signed, "vector \(i): decode")
            #expect(try decoded.recoverSender() == (try V.address(v["sender"] as? String ?? "")), "vector \(i): sender")
            // Block-body form: legacy as a list, typed wrapped in a byte string.
            var item: [UInt8] = []
            decoded.appendBlockItem(to: &item)
            #expect(item.count == decoded.blockItemLength)
            #expect(try SignedTransaction(blockItem: item) == decoded, "vector \(i): block item")
        }
    }

    /// A type-3 transaction, bare and in its network wrapper, is decoded and rejected with the blob error.
    @Test func blobTransactionsAreRejected() throws {
        var body: [UInt8] = []
        RLP.appendUInt(UInt64(1), to: &body)                       // chainId
        RLP.appendUInt(UInt64(0), to: &body)                       // nonce
        RLP.appendUInt(UInt64(1), to: &body)                       // tip
        RLP.appendUInt(UInt64(10), to: &body)                      // fee cap
        RLP.appendUInt(UInt64(21000), to: &body)                   // gas
        RLP.appendAddress(Address(hi: 1, mid: 2, lo: 3), to: &body)
        RLP.appendUInt(UInt64(0), to: &body)                       // value
        RLP.appendBytes([], to: &body)                     // data
        body.append(0xc0)                                  // access list
        RLP.appendUInt(UInt64(1), to: &body)                       // max fee per blob gas
        let blobHash = Keccak256.hash("blob")
        RLP.appendListHeader(payloadLength: 66, to: &body)
        RLP.appendWord(blobHash, to: &body); RLP.appendWord(blobHash, to: &body)
        RLP.appendUInt(UInt64(1), to: &body); RLP.appendUInt(UInt64(5), to: &body); RLP.appendUInt(UInt64(6), to: &body)
        var bare: [UInt8] = [3]
        RLP.appendListHeader(payloadLength: body.count, to: &bare)
        bare += body
        #expect(throws: TransactionError.blobTransactionNotSupported(blobHashes: 2)) { try SignedTransaction(decoding: bare) }
        #expect(TransactionError.blobTransactionNotSupported(blobHashes: 2).description.contains("blob"))

        var inner: [UInt8] = []
        RLP.appendListHeader(payloadLength: body.count, to: &inner)
        inner += body
        let wrapperPayload = inner + [0xc0, 0xc0, 0xc0]
        var wrapped: [UInt8] = [3]
        RLP.appendListHeader(payloadLength: wrapperPayload.count, to: &wrapped)
        wrapped += wrapperPayload
        #expect(throws: TransactionError.blobTransactionNotSupported(blobHashes: 2)) { try SignedTransaction(decoding: wrapped) }

        // A malformed blob transaction gets the field error instead.
        var bad = bare
        bad[3] = 0x00  // chainId 0x01 → 0x00: a non-canonical integer
        #expect(throws: TransactionError.self) { try SignedTransaction(decoding: bad) }
    }

    @Test func otherTypesAreRejected() {
        #expect(throws: TransactionError.setCodeTransactionNotSupported) { try SignedTransaction(decoding: [4, 0xc0]) }
        #expect(throws: TransactionError.unknownType(5)) { try SignedTransaction(decoding: [5, 0xc0]) }
        #expect(throws: TransactionError.unknownType(0x7f)) { try SignedTransaction(decoding: [0x7f]) }
        #expect(throws: TransactionError.empty) { try SignedTransaction(decoding: []) }
        // Type 0 is never written with a prefix byte.
        #expect(throws: TransactionError.unknownType(0)) { try SignedTransaction(decoding: [0, 0xc0]) }
    }

    @Test func validationErrorsNameTheProblem() throws {
        let key = try PrivateKey(hex: "0x" + String(repeating: "11", count: 32))
        let to = Address(hi: 0, mid: 0, lo: 0xdead)
        let ok = Transaction.dynamicFee(chainId: 31337, nonce: 0, maxPriorityFeePerGas: 1, maxFeePerGas: 2,
                                        gasLimit: 21000, to: to)
        #expect(try ok.signed(with: key).validate(chainId: 31337) == key.address)
        #expect(throws: TransactionError.wrongChainId(expected: 1, got: 31337)) { try ok.validate(chainId: 1) }
        var t = ok; t.gasLimit = 20999
        #expect(throws: TransactionError.intrinsicGasTooLow(gasLimit: 20999, needed: 21000)) { try t.validate(chainId: 31337) }
        t = ok; t.maxPriorityFeePerGas = 3
        #expect(throws: TransactionError.tipAboveFeeCap(tip: 3, feeCap: 2)) { try t.validate(chainId: 31337) }
        t = ok; t.nonce = .max
        #expect(throws: TransactionError.nonceMax) { try t.validate(chainId: 31337) }
        t = ok; t.to = nil; t.gasLimit = 10_000_000; t.data = [UInt8](repeating: 1, count: 49_153)
        #expect(throws: TransactionError.initCodeTooLarge(size: 49_153, limit: 49_152)) { try t.validate(chainId: 31337) }
        t = ok; t.maxFeePerGas = .max; t.maxPriorityFeePerGas = 0
        #expect(throws: TransactionError.gasCostOverflow(gasLimit: 21000, feeCap: .max)) { try t.validate(chainId: 31337) }
        #expect(TransactionError.intrinsicGasTooLow(gasLimit: 1, needed: 2).description == "intrinsic gas too low: have 1, want 2")

        // A high-s twin of a valid signature is rejected (EIP-2).
        let s = ok.signed(with: key)
        let high = SignedTransaction(transaction: ok, yParity: s.yParity ^ 1, r: s.r, s: Secp256k1.n &- s.s)
        #expect(throws: TransactionError.invalidSignature(.highS)) { try high.recoverSender() }
        // A field error names the field.
        do {
            _ = try SignedTransaction(decoding: [2, 0xc3, 0x01, 0x00, 0x80])
            Issue.record("expected a field-count error")
        } catch {
            #expect(error == .fieldCount(type: 2, expected: 12, got: 3))
        }
    }

    @Test func effectivePriceAndIntrinsicGas() {
        let tx = Transaction.dynamicFee(chainId: 1, nonce: 0, maxPriorityFeePerGas: 2, maxFeePerGas: 10, gasLimit: 100_000,
                                        to: nil, data: [0, 0, 1] + [UInt8](repeating: 0, count: 30),
                                        accessList: [AccessListEntry(address: .zero, storageKeys: [.zero, .zero])])
        #expect(tx.effectiveGasPrice(baseFee: 5) == 7)
        #expect(tx.effectiveGasPrice(baseFee: 9) == 10)
        #expect(tx.effectiveGasPrice(baseFee: 11) == nil)
        // 53000 + 32×4 + 16 + 2 words × 2 + 2400 + 2 × 1900
        #expect(tx.intrinsicGas == 53_000 + 128 + 16 + 4 + 2_400 + 3_800)
    }

    /// Parallel recovery gives each transaction's own sender, in order, and reports a bad signature at its index.
    @Test func parallelSenderRecovery() throws {
        let keys = try (1...5).map { i in try PrivateKey(hex: "0x" + String(repeating: "0\(i)", count: 32)) }
        var txs = (0..<40).map { i in
            Transaction.dynamicFee(chainId: 1, nonce: UInt64(i), maxPriorityFeePerGas: 1, maxFeePerGas: 2,
                                   gasLimit: 21000, to: .zero).signed(with: keys[i % 5])
        }
        let t = txs[17]
        txs[17] = SignedTransaction(transaction: t.transaction, yParity: t.yParity, r: .zero, s: t.s)
        let results = SenderRecovery.recover(txs, concurrency: 4)
        #expect(results.count == 40)
        for (i, r) in results.enumerated() {
            if i == 17 {
                #expect(throws: TransactionError.invalidSignature(.signatureValueOutOfRange("r"))) { try r.get() }
            } else {
                #expect(try r.get() == keys[i % 5].address, "transaction \(i)")
            }
        }
        #expect(SenderRecovery.recover([]).isEmpty)
    }
}
