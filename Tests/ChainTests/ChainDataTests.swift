import Testing
import Primitives
@testable import Chain

/// Receipts, blooms, headers and base fees against tools/vectors/chain_vectors.py (pyrlp + Python formulas).
@Suite struct ChainDataTests {
    static var root: [String: Any] { (try? V.object("ChainTests", "chain.json")) ?? [:] }

    func log(_ o: [String: Any]) throws -> Log {
        Log(address: try V.address(o["address"] as? String ?? ""),
            topics: try (o["topics"] as? [String] ?? []).map(V.word), data: try V.bytes(o["data"] as? String ?? ""))
    }

    @Test func receipts() throws {
        let rs = Self.root["receipts"] as? [[String: Any]] ?? []
        #expect(rs.count == 12)
        for (i, r) in rs.enumerated() {
            let type = try #require(TransactionType(rawValue: UInt8(r["type"] as? Int ?? 9)))
            let logs = try (r["logs"] as? [[String: Any]] ?? []).map(log)
            let receipt = Receipt(type: type, succeeded: r["status"] as? Bool ?? false,
                                  cumulativeGasUsed: try V.u64(r["cumulativeGasUsed"] as? String ?? ""), logs: logs)
            #expect(receipt.bloom.bytes == (try V.bytes(r["bloom"] as? String ?? "")), "receipt \(i): bloom")
            let enc = try V.bytes(r["encoded"] as? String ?? "")
            #expect(receipt.encoded == enc, "receipt \(i): encoding")
            #expect(try Receipt(decoding: enc) == receipt, "receipt \(i): decoding")
            #expect(Log.hash(logs) == (try V.word(r["logsHash"] as? String ?? "")), "receipt \(i): logs hash")
            for l in logs {
                #expect(receipt.bloom.mayContain(address: l.address))
                for t in l.topics { #expect(receipt.bloom.mayContain(topic: t)) }
            }
        }
    }

    @Test func bloomExcludesAbsentItems() {
        var b = Bloom()
        b.add(address: Address(hi: 1, mid: 2, lo: 3))
        #expect(b.mayContain(address: Address(hi: 1, mid: 2, lo: 3)))
        // At most 3 of 2048 bits are set, so most other items are excluded.
        var hits = 0
        for i in 0..<200 where b.mayContain(topic: Keccak256.hash("t\(i)")) { hits += 1 }
        #expect(hits < 5)
        #expect(b.bytes.reduce(0) { $0 + $1.nonzeroBitCount } <= 3)
    }

    @Test func receiptDecodingErrors() {
        #expect(throws: ReceiptError.empty) { try Receipt(decoding: []) }
        #expect(throws: ReceiptError.unknownType(7)) { try Receipt(decoding: [7, 0xc0]) }
        #expect(throws: ReceiptError.self) { try Receipt(decoding: [0xc1, 0x02]) }
    }

    @Test func headers() throws {
        let hs = Self.root["headers"] as? [[String: Any]] ?? []
        #expect(hs.count == 5)
        for (i, h) in hs.enumerated() {
            let f = h["fields"] as? [String: String] ?? [:]
            func w(_ k: String) throws -> Hash32 { try V.word(f[k] ?? "") }
            func n(_ k: String) throws -> UInt64 { try V.u64(f[k] ?? "") }
            var header = BlockHeader(parentHash: try w("parentHash"), coinbase: try V.address(f["coinbase"] ?? ""),
                                     stateRoot: try w("stateRoot"), transactionsRoot: try w("transactionsRoot"),
                                     receiptsRoot: try w("receiptsRoot"),
                                     logsBloom: try #require(Bloom(bytes: try V.bytes(f["logsBloom"] ?? ""))),
                                     number: try n("number"), gasLimit: try n("gasLimit"), gasUsed: try n("gasUsed"),
                                     timestamp: try n("timestamp"), extraData: try V.bytes(f["extraData"] ?? ""),
                                     mixHash: try w("mixHash"), baseFeePerGas: try f["baseFeePerGas"].map(V.u256),
                                     withdrawalsRoot: try f["withdrawalsRoot"].map(V.word),
                                     blobGasUsed: try f["blobGasUsed"].map(V.u64),
                                     excessBlobGas: try f["excessBlobGas"].map(V.u64),
                                     parentBeaconBlockRoot: try f["parentBeaconBlockRoot"].map(V.word))
            header.difficulty = try V.u256(f["difficulty"] ?? "")
            header.nonce = try n("nonce")
            #expect(header.ommersHash == (try w("ommersHash")))
            let enc = try V.bytes(h["encoded"] as? String ?? "")
            #expect(header.encoded == enc, "header \(i): encoding")
            #expect(header.hash == (try V.word(h["hash"] as? String ?? "")), "header \(i): hash")
            #expect(try BlockHeader(decoding: enc) == header, "header \(i): decoding")
        }
    }

    @Test func headerErrors() throws {
        var h = BlockHeader(parentHash: .zero, coinbase: .zero, stateRoot: .zero, transactionsRoot: .zero,
                            receiptsRoot: .zero, logsBloom: Bloom(), number: 1, gasLimit: 30_000_000, gasUsed: 0,
                            timestamp: 1, baseFeePerGas: 7)
        h.extraData = [UInt8](repeating: 1, count: 33)
        #expect(throws: BlockHeaderError.extraDataTooLong(33)) { try BlockHeader(decoding: h.encoded) }
        #expect(throws: BlockHeaderError.fieldCount(2)) { try BlockHeader(decoding: [0xc2, 0x80, 0x80]) }
    }

    @Test func baseFees() throws {
        let bs = Self.root["baseFees"] as? [[String: String]] ?? []
        #expect(bs.count == 9)
        for b in bs {
            var h = BlockHeader(parentHash: .zero, coinbase: .zero, stateRoot: .zero, transactionsRoot: .zero,
                                receiptsRoot: .zero, logsBloom: Bloom(), number: 1,
                                gasLimit: try V.u64(b["gasLimit"] ?? ""), gasUsed: try V.u64(b["gasUsed"] ?? ""),
                                timestamp: 1, baseFeePerGas: try V.u256(b["baseFee"] ?? ""))
            #expect(h.nextBaseFee() == (try V.u256(b["next"] ?? "")), "\(b)")
            h.baseFeePerGas = nil
            #expect(h.nextBaseFee() == nil)
        }
    }

    @Test func blockRoundTrip() throws {
        let key = try PrivateKey(hex: "0x" + String(repeating: "22", count: 32))
        let txs = [
            Transaction.legacy(chainId: 31337, nonce: 0, gasPrice: 2_000_000_000, gasLimit: 21000,
                               to: Address(hi: 0, mid: 0, lo: 1), value: 5).signed(with: key),
            Transaction.dynamicFee(chainId: 31337, nonce: 1, maxPriorityFeePerGas: 1, maxFeePerGas: 3_000_000_000,
                                   gasLimit: 60000, to: nil, data: [0x60, 0x00]).signed(with: key),
            Transaction.accessList(chainId: 31337, nonce: 2, gasPrice: 2_000_000_000, gasLimit: 30000,
                                   to: Address(hi: 0, mid: 0, lo: 2),
                                   accessList: [AccessListEntry(address: .zero, storageKeys: [.zero])]).signed(with: key),
        ]
        let body = BlockBody(transactions: txs, withdrawals: [Withdrawal(index: 1, validatorIndex: 2,
                                                                        address: Address(hi: 0, mid: 0, lo: 3), amount: 4)])
        let header = BlockHeader(parentHash: Keccak256.hash("p"), coinbase: key.address, stateRoot: Keccak256.hash("s"),
                                 transactionsRoot: Keccak256.hash("t"), receiptsRoot: Keccak256.hash("r"),
                                 logsBloom: Bloom(), number: 7, gasLimit: 30_000_000, gasUsed: 111_000,
                                 timestamp: 1_700_000_000, baseFeePerGas: 1_000_000_000)
        let block = Block(header: header, body: body)
        let decoded = try Block(decoding: block.encoded)
        #expect(decoded == block)
        #expect(decoded.hash == header.hash)
        #expect(try BlockBody(decoding: body.encoded) == body)
        #expect(body.transactionTrieEntries.map(\.key) == [[0x80], [0x01], [0x02]])
        #expect(body.transactionTrieEntries[1].value.first == 2)
        // A bad transaction inside a body is reported with its index: [[0x05c0], []] holds an unknown type 5.
        #expect(throws: BlockError.transaction(index: 0, .unknownType(5))) {
            try BlockBody(decoding: [0xc5, 0xc3, 0x82, 0x05, 0xc0, 0xc0])
        }
        #expect(throws: BlockError.ommersNotEmpty(1)) { try BlockBody(decoding: [0xc3, 0xc0, 0xc1, 0xc0]) }
        #expect(throws: BlockError.self) { try Block(decoding: [0xc0]) }
    }
}
