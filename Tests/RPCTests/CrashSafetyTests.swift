import TestSupport
import Chain
import Foundation
import Primitives
import Testing

/// Sends transactions to a real `gfl node`, SIGKILLs it at random moments, restarts it on the same datadir and
/// checks that every transaction acknowledged with a receipt before the kill is still there, in the same block,
/// and that the state agrees with the surviving transactions. Bounded: 3 kill rounds, loopback only.
@Suite(.serialized) struct CrashSafetyTests {
    static let key = try! HDWallet.accounts(mnemonic: HDWallet.testMnemonic, count: 2)[1]
    static let recipient = Address(hi: 0xc0ffee, mid: 1, lo: 2)

    final class Ledger: @unchecked Sendable {
        let lock = NSLock()
        /// tx hash (hex) → (block hash, value) for receipts the node returned.
        var acknowledged: [String: (String, UInt64)] = [:]
        var sent: [String: UInt64] = [:]
        func ack(_ h: String, _ b: String, _ v: UInt64) { lock.lock(); acknowledged[h] = (b, v); lock.unlock() }
        func send(_ h: String, _ v: UInt64) { lock.lock(); sent[h] = v; lock.unlock() }
    }

    func signedTransfer(nonce: UInt64, value: UInt64) -> SignedTransaction {
        Chain.Transaction.dynamicFee(chainId: 31337, nonce: nonce, maxPriorityFeePerGas: UInt256(1_000_000_000),
                                     maxFeePerGas: UInt256(100_000_000_000), gasLimit: 21_000, to: Self.recipient,
                                     value: UInt256(value)).signed(with: Self.key)
    }

    @Test(.timeLimit(.minutes(3))) func killNineKeepsAcknowledgedReceipts() throws {
        let dir = NSTemporaryDirectory() + "gfl-crash-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let ledger = Ledger()
        var rng = SystemRandomNumberGenerator()
        for round in 0..<3 {
            let node = try NodeProcess(datadir: dir)
            let client = RPCClient(url: node.url)
            try verify(client, ledger, round: round)
            let start = (try client.call("eth_getTransactionCount", #"["\#(Self.key.publicKey.address)","pending"]"#) as? String)
                .flatMap { UInt64($0.dropFirst(2), radix: 16) } ?? 0
            // Writer thread: send, then read the receipt; a receipt read counts as acknowledged.
            let done = DispatchSemaphore(value: 0)
            let sender = Thread {
                var nonce = start
                while true {
                    let value = UInt64.random(in: 1...1_000_000)
                    let tx = signedTransfer(nonce: nonce, value: value)
                    let h = tx.hash.hex
                    ledger.send(h, value)
                    guard (try? client.call("eth_sendRawTransaction", #"["\#(Hex.encode(tx.encoded))"]"#)) != nil else { break }
                    guard let r = try? client.call("eth_getTransactionReceipt", #"["\#(h)"]"#) as? [String: Any],
                          let bh = r["blockHash"] as? String else { break }
                    ledger.ack(h, bh, value)
                    nonce += 1
                    if nonce - start > 400 { break }
                }
                done.signal()
            }
            sender.start()
            Thread.sleep(forTimeInterval: Double.random(in: 0.2...0.8, using: &rng))
            node.kill9()
            done.wait()
        }
        // Final restart: everything acknowledged is there and the node takes new transactions.
        let node = try NodeProcess(datadir: dir)
        defer { node.stop() }
        let client = RPCClient(url: node.url)
        try verify(client, ledger, round: 3)
        #expect(ledger.acknowledged.count > 0, "no transaction was acknowledged before the kills")
        let nonceText = try client.call("eth_getTransactionCount", #"["\#(Self.key.publicKey.address)","latest"]"#) as? String
        let nonce = UInt64(nonceText?.dropFirst(2) ?? "", radix: 16) ?? 0
        let tx = signedTransfer(nonce: nonce, value: 1)
        _ = try client.call("eth_sendRawTransaction", #"["\#(Hex.encode(tx.encoded))"]"#)
        let r = try client.call("eth_getTransactionReceipt", #"["\#(tx.hash.hex)"]"#) as? [String: Any]
        #expect(r?["status"] as? String == "0x1")
    }

    /// Every acknowledged receipt is present with the same block hash; the recipient's balance equals the sum of
    /// the values of the sent transactions the chain holds.
    func verify(_ client: RPCClient, _ ledger: Ledger, round: Int) throws {
        ledger.lock.lock()
        let acked = ledger.acknowledged, sent = ledger.sent
        ledger.lock.unlock()
        for (h, (blockHash, _)) in acked {
            let r = try client.call("eth_getTransactionReceipt", #"["\#(h)"]"#) as? [String: Any]
            #expect(r?["blockHash"] as? String == blockHash, "round \(round): receipt of \(h) lost or moved")
        }
        var total = UInt256.zero
        for (h, v) in sent {
            if let r = try client.call("eth_getTransactionReceipt", #"["\#(h)"]"#) as? [String: Any], r["blockHash"] != nil {
                total = total &+ UInt256(v)
            }
        }
        let bal = try client.call("eth_getBalance", #"["\#(Self.recipient)","latest"]"#) as? String
        #expect(bal == total.hexString, "round \(round): recipient balance \(bal ?? "nil") != \(total.hexString)")
    }
}
