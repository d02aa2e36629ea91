import Chain
import Foundation
import Node
import Primitives
import Storage
import Testing

/// Pool admission with geth's rejection messages; the chain runs without automine so transactions stay pooled.
@Suite struct TxPoolTests {
    let k = NodeFixture.keys
    let a = NodeFixture.addresses

    func manualChain() throws -> Blockchain {
        var o = ChainOptions()
        o.instantMining = false
        return try Blockchain(store: MemoryStore(), genesis: NodeFixture.genesis, options: o)
    }

    func message(_ body: () throws -> Void) -> String? {
        do { try body(); return nil } catch { return "\(error)" }
    }

    @Test func gethRejectionMessages() throws {
        let chain = try manualChain()
        let t0 = NodeFixture.transfer(k[0], nonce: 0, to: a[1], value: .one)
        try chain.submit(t0)
        #expect(message { try chain.submit(t0) } == "already known")
        // Same nonce, same price: underpriced; +10% on both caps: accepted.
        #expect(message { try chain.submit(NodeFixture.transfer(k[0], nonce: 0, to: a[1], value: UInt256(2))) }
                == "replacement transaction underpriced")
        let bumped = NodeFixture.transfer(k[0], nonce: 0, to: a[1], value: UInt256(2), tip: UInt256(1_100_000_000),
                                          maxFee: UInt256(11_000_000_000))
        try chain.submit(bumped)
        #expect(chain.pooledTransaction(bumped.hash) != nil)
        #expect(chain.pooledTransaction(t0.hash) == nil)
        try chain.mine()
        #expect(try chain.transaction(bumped.hash)?.receipt.succeeded == true)
        #expect(message { try chain.submit(NodeFixture.transfer(k[0], nonce: 0, to: a[1], value: .one, tip: UInt256(2_000_000_000))) }?
            .hasPrefix("nonce too low: next nonce 1, tx nonce 0") == true)
        #expect(message { try chain.submit(NodeFixture.transfer(k[0], nonce: 1, to: a[1], value: UInt256(10_001).multipliedReportingOverflow(by: 1_000_000_000_000_000_000).0)) }?
            .hasPrefix("insufficient funds for gas * price + value") == true)
        #expect(message { try chain.submit(NodeFixture.transfer(k[0], nonce: 1, to: a[1], value: .one, gas: 20_000)) }?
            .hasPrefix("intrinsic gas too low") == true)
        #expect(message { try chain.submit(NodeFixture.transfer(k[0], nonce: 1, to: a[1], value: .one, tip: .one, maxFee: .one)) }?
            .hasPrefix("max fee per gas less than block base fee") == true)
        #expect(message { try chain.submit(NodeFixture.transfer(k[0], nonce: 1, to: a[1], value: .one, gas: 40_000_000)) }
                == "exceeds block gas limit")
        #expect(message { try chain.submit(NodeFixture.transfer(k[0], nonce: 1, to: a[1], value: .one, chainId: 1)) }?
            .hasPrefix("invalid sender") == true)
    }

    @Test func badSignatureAndMalformedBytesAreTypedErrors() throws {
        let chain = try manualChain()
        let good = NodeFixture.transfer(k[0], nonce: 0, to: a[1], value: .one)
        var raw = good.encoded
        raw[raw.count - 3] ^= 0xff  // corrupt s
        #expect(message { try chain.submitRaw(raw) } != nil)
        #expect(message { try chain.submitRaw([0x02, 0xc0]) } != nil)
        #expect(message { try chain.submitRaw([]) } != nil)
        #expect(chain.poolCounts.pending == 0)
    }

    @Test func nonceGapQueuesUntilFilled() throws {
        let chain = try manualChain()
        let t2 = NodeFixture.transfer(k[0], nonce: 2, to: a[1], value: .one)
        let t1 = NodeFixture.transfer(k[0], nonce: 1, to: a[1], value: .one)
        try chain.submit(t2)
        try chain.submit(t1)
        #expect(chain.poolCounts.pending == 0 && chain.poolCounts.queued == 2)
        #expect(chain.pendingNonce(a[0]) == 0)
        try chain.mine()
        #expect(chain.head.transactions == 0)
        try chain.submit(NodeFixture.transfer(k[0], nonce: 0, to: a[1], value: .one))
        #expect(chain.poolCounts.pending == 3)
        #expect(chain.pendingNonce(a[0]) == 3)
        try chain.mine()
        #expect(try chain.transaction(t2.hash)?.index == 2)
        #expect(chain.poolCounts.pending == 0 && chain.poolCounts.queued == 0)
    }

    @Test func instantModeMinesGapFilledTransactionsOnePerBlock() throws {
        let chain = try Blockchain(store: MemoryStore(), genesis: NodeFixture.genesis)
        try chain.submit(NodeFixture.transfer(k[2], nonce: 1, to: a[1], value: .one))
        #expect(chain.head.number == 0)
        try chain.submit(NodeFixture.transfer(k[2], nonce: 0, to: a[1], value: .one))
        #expect(chain.head.number == 2)
    }
}

extension BlockHeader {
    /// Number of transactions is not in the header; tests read it through gasUsed (21,000 per transfer).
    var transactions: UInt64 { gasUsed / 21_000 }
}
