import Chain
import Foundation
import Node
import Primitives
@testable import RPC
import Storage
import Testing
import TestSupport

/// eth_subscribe sessions in-process: ids, activation after the reply, notification shapes, errors.
@Suite struct SubscriptionTests {
    let keys = try! HDWallet.accounts(mnemonic: HDWallet.testMnemonic, count: 2)

    func session() throws -> SubscriptionSession {
        let g = try Genesis(contentsOf: Fixtures.repoRoot.appendingPathComponent("genesis/dev.json"))
        return SubscriptionSession(handler: RPCHandler(chain: try Blockchain(store: MemoryStore(), genesis: g), devKeys: keys))
    }

    func send(_ s: SubscriptionSession, _ text: String) throws -> (JSON, [String]) {
        let (reply, activate) = s.handle(Array(text.utf8))
        return (try JSON.parse(try #require(reply)), activate)
    }

    func transfer(_ s: SubscriptionSession, nonce: UInt64) throws {
        let tx = Chain.Transaction.dynamicFee(chainId: 31337, nonce: nonce, maxPriorityFeePerGas: UInt256(1_000_000_000),
                                              maxFeePerGas: UInt256(10_000_000_000), gasLimit: 21_000,
                                              to: keys[1].publicKey.address, value: UInt256(5)).signed(with: keys[0])
        try s.handler.chain.submit(tx)
    }

    @Test func newHeadsStartAfterTheReplyAndCarryTheHeader() throws {
        let s = try session()
        let (r, activate) = try send(s, #"{"jsonrpc":"2.0","id":1,"method":"eth_subscribe","params":["newHeads"]}"#)
        guard case .string(let sid)? = r["result"] else { Issue.record("no id: \(r)"); return }
        #expect(sid.hasPrefix("0x") && sid.count == 34)
        #expect(activate == [sid])
        try transfer(s, nonce: 0)
        // Not active until the reply has been written.
        #expect(s.notifications(forBlock: 1).isEmpty)
        s.activate(activate)
        let notes = s.notifications(forBlock: 1)
        #expect(notes.count == 1)
        let n = try JSON.parse(Array(try #require(notes.first).utf8))
        #expect(n["method"] == .string("eth_subscription"))
        #expect(n["params"]?["subscription"] == .string(sid))
        #expect(n["params"]?["result"]?["hash"] == .string(s.handler.chain.head.hash.hex))
        #expect(n["params"]?["result"]?["transactions"] == nil)
        // Unsubscribed: silent, and a second unsubscribe answers false.
        let (u, _) = try send(s, #"{"jsonrpc":"2.0","id":2,"method":"eth_unsubscribe","params":["\#(sid)"]}"#)
        #expect(u["result"] == .bool(true))
        #expect(s.notifications(forBlock: 1).isEmpty)
        let (u2, _) = try send(s, #"{"jsonrpc":"2.0","id":3,"method":"eth_unsubscribe","params":["\#(sid)"]}"#)
        #expect(u2["result"] == .bool(false))
    }

    @Test func badSubscriptionsAreErrorsAndOtherMethodsPassThrough() throws {
        let s = try session()
        for params in [#"["bogus"]"#, #"[]"#, #"[7]"#, #"["logs", 5]"#, #"["logs", {"address": "0x12"}]"#,
                       #"["newHeads", {}]"#] {
            let (r, activate) = try send(s, #"{"jsonrpc":"2.0","id":1,"method":"eth_subscribe","params":\#(params)}"#)
            #expect(r["error"]?["code"] == .number("-32602"), "\(params): \(r)")
            #expect(activate.isEmpty)
        }
        let (c, _) = try send(s, #"{"jsonrpc":"2.0","id":4,"method":"eth_chainId","params":[]}"#)
        #expect(c["result"] == .string("0x7a69"))
        // A batch mixing both kinds is answered in order.
        let (b, activate) = try send(s, #"[{"jsonrpc":"2.0","id":5,"method":"eth_subscribe","params":["logs",{}]},{"jsonrpc":"2.0","id":6,"method":"eth_blockNumber","params":[]}]"#)
        guard case .array(let items) = b else { Issue.record("not a batch reply: \(b)"); return }
        #expect(items.count == 2 && activate.count == 1)
        #expect(items.last?["result"] == .string("0x0"))
    }
}
