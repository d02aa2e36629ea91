import ArgumentParser
import Chain
import Primitives

/// `gfl bench chaindata`: per-item cost of the chain data layer (decode, sender recovery, signing, encoding,
/// receipts, header hash) on one core. Import throughput with execution and storage is `gfl bench chain` (later).
struct BenchChainData: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chaindata",
        abstract: "Transaction decode / recover / sign, receipt and header encoding: ns per item on one core."
    )

    @Flag(help: "One JSON object per line: {\"name\", \"ns_per_op\", \"ops_per_s\"}.") var json = false

    func run() throws {
        let key = try PrivateKey(hex: "0x" + String(repeating: "42", count: 32))
        let to = try Address(hex: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8")
        let transfer = Transaction.dynamicFee(chainId: 31337, nonce: 5, maxPriorityFeePerGas: 1_000_000_000,
                                              maxFeePerGas: 3_000_000_000, gasLimit: 21_000, to: to,
                                              value: 1_000_000_000_000_000)
        // An ERC-20 transfer(address,uint256) call.
        let erc20 = Transaction.dynamicFee(chainId: 31337, nonce: 6, maxPriorityFeePerGas: 1_000_000_000,
                                           maxFeePerGas: 3_000_000_000, gasLimit: 60_000, to: to,
                                           data: [0xa9, 0x05, 0x9c, 0xbb] + [UInt8](repeating: 0, count: 12)
                                               + to.bytes + UInt256(1000).bytes)
        let signed = transfer.signed(with: key)
        let raw = signed.encoded
        let legacyRaw = Transaction.legacy(chainId: 31337, nonce: 1, gasPrice: 2_000_000_000, gasLimit: 21_000,
                                           to: to, value: 1).signed(with: key).encoded
        let erc20Raw = erc20.signed(with: key).encoded
        let logs = [Log(address: to, topics: [Keccak256.hash("Transfer(address,address,uint256)"), key.address.word,
                                             to.word], data: UInt256(1000).bytes)]
        let header = BlockHeader(parentHash: Keccak256.hash("p"), coinbase: to, stateRoot: Keccak256.hash("s"),
                                 transactionsRoot: Keccak256.hash("t"), receiptsRoot: Keccak256.hash("r"),
                                 logsBloom: Bloom(logs: logs), number: 100, gasLimit: 30_000_000, gasUsed: 21_000,
                                 timestamp: 1_700_000_000, baseFeePerGas: 1_000_000_000)
        var rows: [(String, Double)] = []
        // Each body runs once with errors surfacing, so a failing workload is never timed.
        func row(_ name: String, _ iterations: Int, _ body: @escaping () throws -> Void) throws {
            try body()
            let ns = measure(iterations: iterations) { n in for _ in 0..<n { try? body() } }
            rows.append((name, ns))
        }
        try row("decode/type2-transfer", 200_000) { blackHole(try SignedTransaction(decoding: raw)) }
        try row("decode/legacy-transfer", 200_000) { blackHole(try SignedTransaction(decoding: legacyRaw)) }
        try row("decode/type2-erc20", 200_000) { blackHole(try SignedTransaction(decoding: erc20Raw)) }
        try row("signing-hash/type2", 200_000) { blackHole(transfer.signingHash) }
        try row("recover-sender/type2", 5_000) { blackHole(try signed.recoverSender()) }
        try row("decode+validate+recover", 5_000) {
            blackHole(try SignedTransaction(decoding: raw).validate(chainId: 31337))
        }
        // Recovery of a batch of 1,000 distinct transactions on all cores, per transaction.
        let batch = (0..<1000).map { i in
            Transaction.dynamicFee(chainId: 31337, nonce: UInt64(i), maxPriorityFeePerGas: 1, maxFeePerGas: 9,
                                   gasLimit: 21_000, to: to).signed(with: key)
        }
        let parallel = measure(iterations: 5, trials: 3) { n in
            for _ in 0..<n { blackHole(SenderRecovery.recover(batch)) }
        }
        rows.append(("recover-sender/parallel", parallel / Double(batch.count)))
        try row("sign/type2", 5_000) { blackHole(transfer.signed(with: key)) }
        try row("receipt/encode-1-log", 200_000) {
            blackHole(Receipt(type: .dynamicFee, succeeded: true, cumulativeGasUsed: 52_000, logs: logs).encoded)
        }
        try row("header/hash", 200_000) { blackHole(header.hash) }
        for (name, ns) in rows {
            if json {
                print(#"{"name":"\#(name)","ns_per_op":\#(format2(ns)),"ops_per_s":\#(format2(1e9 / ns))}"#)
            } else {
                print(name.padded(26) + "\(format2(ns)) ns/op   \(format2(1e9 / ns)) /s")
            }
        }
    }
}
