import Testing
import Primitives
@testable import Chain

/// Truncated and bit-flipped encodings must never crash a decoder, and whatever still decodes must be canonical:
/// re-encoding gives back exactly the input (so hashes of decoded data are hashes of what was received).
@Suite struct MalformedInputTests {
    /// Every truncation, and every single-bit flip of every byte, of `valid`.
    static func mutations(_ valid: [UInt8]) -> [[UInt8]] {
        var out: [[UInt8]] = []
        for n in 0..<valid.count { out.append(Array(valid.prefix(n))) }
        for i in valid.indices {
            for bit in [0, 3, 7] {
                var m = valid
                m[i] ^= UInt8(1) << UInt8(bit)
                out.append(m)
            }
        }
        out.append(valid + [0x00])
        return out
    }

    @Test func transactions() throws {
        let key = try PrivateKey(hex: "0x" + String(repeating: "33", count: 32))
        let to = Address(hi: 7, mid: 8, lo: 9)
        let txs = [
            Transaction.legacy(chainId: 31337, nonce: 3, gasPrice: 1_000_000_000, gasLimit: 21000, to: to, value: 1000),
            Transaction.legacy(chainId: nil, nonce: 0, gasPrice: 1, gasLimit: 53000, to: nil, data: [0x60, 0x00]),
            Transaction.accessList(chainId: 1, nonce: 1, gasPrice: 9, gasLimit: 30000, to: to,
                                   accessList: [AccessListEntry(address: to, storageKeys: [.zero])]),
            Transaction.dynamicFee(chainId: 31337, nonce: 2, maxPriorityFeePerGas: 1, maxFeePerGas: 100, gasLimit: 25000,
                                   to: to, data: [1, 2, 3]),
        ]
        var decodedCount = 0, rejected = 0
        for tx in txs {
            for m in Self.mutations(tx.signed(with: key).encoded) {
                if let d = try? SignedTransaction(decoding: m) {
                    decodedCount += 1
                    #expect(d.encoded == m && d.hash == Keccak256.hash(m), "non-canonical input accepted: \(Hex.encode(m))")
                    let rebuilt = SignedTransaction(transaction: d.transaction, yParity: d.yParity, r: d.r, s: d.s)
                    #expect(rebuilt.encoded == m, "re-encoding differs: \(Hex.encode(m))")
                } else {
                    rejected += 1
                }
            }
        }
        // Most mutations break the structure; flips inside values still decode (to a different transaction).
        #expect(rejected > 0 && decodedCount > 0)
    }

    @Test func receiptsHeadersBlocks() throws {
        let log = Log(address: Address(hi: 1, mid: 1, lo: 1), topics: [Keccak256.hash("t")], data: [1, 2])
        let receipt = Receipt(type: .dynamicFee, succeeded: true, cumulativeGasUsed: 50_000, logs: [log])
        for m in Self.mutations(receipt.encoded) {
            if let d = try? Receipt(decoding: m) { #expect(d.encoded == m, "receipt \(Hex.encode(m))") }
        }
        let header = BlockHeader(parentHash: Keccak256.hash("p"), coinbase: .zero, stateRoot: .zero, transactionsRoot: .zero,
                                 receiptsRoot: .zero, logsBloom: receipt.bloom, number: 9, gasLimit: 30_000_000,
                                 gasUsed: 50_000, timestamp: 12, extraData: [0xaa], baseFeePerGas: 7)
        for m in Self.mutations(header.encoded) {
            if let d = try? BlockHeader(decoding: m) { #expect(d.encoded == m, "header \(Hex.encode(m))") }
        }
        let key = try PrivateKey(hex: "0x" + String(repeating: "44", count: 32))
        let block = Block(header: header, body: BlockBody(transactions: [
            Transaction.dynamicFee(chainId: 1, nonce: 0, maxPriorityFeePerGas: 1, maxFeePerGas: 9, gasLimit: 21000,
                                   to: .zero).signed(with: key)]))
        var decoded = 0
        for m in Self.mutations(block.encoded) {
            if let d = try? Block(decoding: m) { decoded += 1; #expect(d.encoded == m, "block \(Hex.encode(m))") }
        }
        #expect(decoded > 0)
    }
}
