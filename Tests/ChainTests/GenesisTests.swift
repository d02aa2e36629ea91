import Foundation
import Testing
import Primitives
import TestSupport
@testable import Chain

@Suite struct GenesisTests {
    static let devURL = Fixtures.repoRoot.appendingPathComponent("genesis/dev.json")

    /// genesis/dev.json: chain id 31337, Cancun from genesis, and the ten accounts of the test mnemonic (derived
    /// here by our BIP-39/32 and compared with eth-account's addresses and keys in the HD vectors) at 10,000 ETH.
    @Test func devGenesis() throws {
        let g = try Genesis(contentsOf: Self.devURL)
        #expect(g.config.chainId == 31337)
        #expect(g.config.isLondon(block: 0) && g.config.isShanghai(timestamp: 0) && g.config.isCancun(timestamp: 0))
        #expect(g.gasLimit == 30_000_000)
        #expect(g.baseFeePerGas == UInt256(1_000_000_000))
        #expect(g.alloc.count == 10)
        let keys = try HDWallet.accounts(mnemonic: HDWallet.testMnemonic, count: 10)
        #expect(keys[0].address == (try Address(hex: "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266")))
        let tenThousandEth = try UInt256(parsing: "10000000000000000000000")
        for k in keys { #expect(g.alloc[k.address]?.balance == tenThousandEth, "\(k.address)") }
        let vectors = try V.object("PrimitivesTests", "hd.json")["devAccounts"] as? [String: Any]
        let expected = vectors?["accounts"] as? [[String: Any]] ?? []
        #expect(expected.count == 10)
        for (i, e) in expected.enumerated() {
            #expect(keys[i].address == (try V.address(e["address"] as? String ?? "")), "account \(i) address")
            #expect(keys[i].secret == (try V.word(e["key"] as? String ?? "")), "account \(i) key")
        }
        // The genesis header has the full Cancun field set.
        let root = Keccak256.hash("state")
        let h = g.header(stateRoot: root)
        #expect(h.number == 0 && h.stateRoot == root && h.baseFeePerGas == UInt256(1_000_000_000))
        #expect(h.withdrawalsRoot == EmptyHashes.trieRoot && h.blobGasUsed == 0 && h.excessBlobGas == 0)
        #expect(h.parentBeaconBlockRoot == .zero && h.ommersHash == EmptyHashes.ommers)
        #expect(try BlockHeader(decoding: h.encoded) == h)
        let block = g.block { alloc in alloc.isEmpty ? .zero : root }
        #expect(block.header == h && block.body.withdrawals == [])
    }

    func parse(_ json: String) throws(GenesisError) -> Genesis { try Genesis(json: Data(json.utf8)) }

    @Test func gethForms() throws {
        let g = try parse("""
        {"config": {"chainId": 1337, "londonBlock": 5, "shanghaiTime": 100, "terminalTotalDifficulty": "0x10",
                    "clique": {"period": 0}},
         "gasLimit": "30000000", "timestamp": "0x10", "extraData": "0x0102", "difficulty": 1,
         "alloc": {"0000000000000000000000000000000000000001": {"balance": "1000", "nonce": "0x2", "code": "0x6000",
                   "storage": {"0x01": "0x02", "0x03": "0x00"}}}}
        """)
        #expect(g.config.chainId == 1337 && g.config.londonBlock == 5 && g.config.shanghaiTime == 100)
        #expect(g.config.terminalTotalDifficulty == 16)
        #expect(g.gasLimit == 30_000_000 && g.timestamp == 16 && g.extraData == [1, 2] && g.difficulty == 1)
        let a = try #require(g.alloc[Address(hi: 0, mid: 0, lo: 1)])
        #expect(a.balance == 1000 && a.nonce == 2 && a.code == [0x60, 0x00])
        #expect(a.storage == [UInt256(1).word: UInt256(2).word])
        // London not active at block 0: no base fee field; geth's default gas limit when none is given.
        let h = g.header(stateRoot: .zero)
        #expect(h.baseFeePerGas == nil && h.withdrawalsRoot == nil && h.difficulty == 1)
        #expect(try parse(#"{"config": {"chainId": 1}}"#).gasLimit == Genesis.defaultGasLimit)
    }

    @Test func errorsNameTheField() {
        func expectError(_ json: String, _ fragment: String) {
            do {
                _ = try parse(json)
                Issue.record("accepted: \(json)")
            } catch {
                #expect(error.description.contains(fragment), "\(error.description) should mention \(fragment)")
            }
        }
        expectError("[]", "not a JSON object")
        expectError("{}", "config")
        expectError(#"{"config": {}}"#, "config.chainId")
        expectError(#"{"config": {"chainId": "x"}}"#, "config.chainId")
        expectError(#"{"config": {"chainId": 1, "cancunTime": -1}}"#, "config.cancunTime")
        expectError(#"{"config": {"chainId": 1}, "extraData": "0x\#(String(repeating: "00", count: 33))"}"#, "extraData")
        expectError(#"{"config": {"chainId": 1}, "gasLimit": "0x1ffffffffffffffff"}"#, "gasLimit")
        expectError(#"{"config": {"chainId": 1}, "alloc": {"0x12": {"balance": "1"}}}"#, "alloc.0x12")
        expectError(#"{"config": {"chainId": 1}, "alloc": {"0x\#(String(repeating: "00", count: 20))": {}}}"#, "balance")
        expectError(#"{"config": {"chainId": 1}, "alloc": {"0x\#(String(repeating: "00", count: 20))": {"balance": "0x", "code": "zz"}}}"#, "balance")
        expectError(#"{"config": {"chainId": 1}, "alloc": {"0x\#(String(repeating: "00", count: 20))": {"balance": "1", "code": "zz"}}}"#, "code")
        expectError(#"{"config": {"chainId": 1}, "baseFeePerGas": 1.5}"#, "baseFeePerGas")
    }

    /// Ethereum mainnet's genesis block from ethereum/tests BasicTests/genesishashestest.json: decoding and
    /// re-encoding the block, and building its header from geth-format genesis fields, both give the known hash.
    @Test func mainnetGenesisHash() throws {
        let url = Fixtures.ethereumTests.appendingPathComponent("BasicTests/genesishashestest.json")
        let v = try #require(try Fixtures.json(url) as? [String: String])
        let raw = try V.bytes(v["genesis_rlp_hex"] ?? "")
        let hash = try V.word(v["genesis_hash"] ?? "")
        let root = try V.word(v["genesis_state_root"] ?? "")
        let block = try Block(decoding: raw)
        #expect(block.hash == hash)
        #expect(block.encoded == raw)
        #expect(block.header.stateRoot == root && block.body.withdrawals == nil)
        let g = try parse("""
        {"config": {"chainId": 1, "homesteadBlock": 1150000, "londonBlock": 12965000, "shanghaiTime": 1681338455},
         "nonce": "0x0000000000000042", "difficulty": "0x400000000", "gasLimit": "0x1388",
         "extraData": "0x11bbe8db4e347b4e8c937c1c8370e4b5ed33adb3db69cbdb7a38e1e50b1b82fa",
         "mixHash": "0x0000000000000000000000000000000000000000000000000000000000000000",
         "coinbase": "0x0000000000000000000000000000000000000000", "timestamp": "0x00", "alloc": {}}
        """)
        #expect(g.header(stateRoot: root).hash == hash)
    }
}
