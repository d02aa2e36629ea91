import Chain
import EVM
import Foundation
import Node
import Primitives
import Storage
import TestSupport

/// Shared fixtures: the dev genesis, the test-mnemonic keys, transaction signing and the ERC-20 fixture.
enum NodeFixture {
    static let genesis: Genesis = {
        // The dev genesis ships with the repository; a missing file is a broken checkout.
        try! Genesis(contentsOf: Fixtures.repoRoot.appendingPathComponent("genesis/dev.json"))
    }()
    static let keys: [PrivateKey] = try! HDWallet.accounts(mnemonic: HDWallet.testMnemonic, count: 4)
    static var addresses: [Address] { keys.map { $0.publicKey.address } }
    static let chainId: UInt64 = 31337
    static let gwei = UInt256(1_000_000_000)

    static func transfer(_ key: PrivateKey, nonce: UInt64, to: Address, value: UInt256,
                         tip: UInt256 = gwei, maxFee: UInt256 = UInt256(10_000_000_000), gas: UInt64 = 21_000,
                         chainId: UInt64 = chainId) -> SignedTransaction {
        Chain.Transaction.dynamicFee(chainId: chainId, nonce: nonce, maxPriorityFeePerGas: tip, maxFeePerGas: maxFee,
                                     gasLimit: gas, to: to, value: value).signed(with: key)
    }

    /// The ERC-20 fixture's creation code (from ../shared/evm-benchmarks), with its constructor argument appended.
    static func tokenDeployCode(supply: UInt256) throws -> [UInt8] {
        let url = Fixtures.repoRoot.deletingLastPathComponent().appendingPathComponent("shared/evm-benchmarks/erc20/Token.bin")
        let text = try String(contentsOf: url, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        return try Hex.decode(text) + supply.bytes
    }

    static func selector(_ signature: String) -> [UInt8] { Array(Keccak256.hash(Array(signature.utf8)).bytes[0..<4]) }

    static func erc20Transfer(to: Address, amount: UInt256) -> [UInt8] {
        selector("transfer(address,uint256)") + to.word.bytes + amount.bytes
    }

    static func tempDir() -> String {
        let p = NSTemporaryDirectory() + "gfl-node-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: p, withIntermediateDirectories: true)
        return p
    }
}
