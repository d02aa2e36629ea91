import Chain
import EVM
import Execution
import Foundation
import Node
import Primitives
import Storage
import Testing

@Suite struct BlockchainTests {
    let k = NodeFixture.keys
    let a = NodeFixture.addresses

    @Test func genesisStateRootMatchesFullTrieBuild() throws {
        let chain = try Blockchain(store: MemoryStore(), genesis: NodeFixture.genesis)
        let accounts = try chain.accounts(at: .latest)
        #expect(accounts.count == 10)
        // Execution.StateRoot builds the whole trie from scratch: an independent path from the node's tries.
        #expect(chain.head.stateRoot == StateRoot.root(accounts))
        #expect(chain.head.number == 0)
        #expect(a[0] == (try Address(hex: "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266")))
    }

    @Test func instantMiningTransfersAndIncrementalRoot() throws {
        let chain = try Blockchain(store: MemoryStore(), genesis: NodeFixture.genesis)
        let fresh = Address(hi: 0x1234, mid: 5, lo: 6)
        var nonces = [UInt64](repeating: 0, count: 4)
        for i in 0..<12 {
            let s = i % 3
            let tx = NodeFixture.transfer(k[s], nonce: nonces[s], to: i % 2 == 0 ? fresh : a[3], value: UInt256(UInt64(1000 + i)))
            nonces[s] += 1
            try chain.submit(tx)
            #expect(chain.head.number == UInt64(i + 1))
            #expect(chain.head.stateRoot == StateRoot.root(try chain.accounts(at: .latest)))
            let info = try #require(try chain.transaction(tx.hash))
            #expect(info.receipt.succeeded)
            #expect(info.gasUsed == 21_000)
            #expect(info.blockNumber == UInt64(i + 1))
        }
        var sent: UInt64 = 0
        for i in stride(from: 0, to: 12, by: 2) { sent += UInt64(1000 + i) }
        let freshBalance = try chain.account(fresh, at: .latest)?.balance
        #expect(freshBalance == UInt256(sent))
        // State at an older block is still readable (history).
        #expect(try chain.account(fresh, at: .number(1))?.balance == UInt256(1000))
        #expect(try chain.account(fresh, at: .number(0)) == nil)
    }

    @Test func erc20StorageChangesKeepIncrementalRootExact() throws {
        let chain = try Blockchain(store: MemoryStore(), genesis: NodeFixture.genesis)
        let deploy = Chain.Transaction.dynamicFee(chainId: 31337, nonce: 0, maxPriorityFeePerGas: NodeFixture.gwei,
                                                  maxFeePerGas: UInt256(10_000_000_000), gasLimit: 3_000_000, to: nil,
                                                  data: try NodeFixture.tokenDeployCode(supply: UInt256(1_000_000))).signed(with: k[0])
        try chain.submit(deploy)
        let info = try #require(try chain.transaction(deploy.hash))
        #expect(info.receipt.succeeded)
        let token = try #require(info.contractAddress)
        #expect(info.receipt.logs.count == 1)
        for i in 0..<6 {
            let data = NodeFixture.erc20Transfer(to: Address(hi: 0, mid: 0, lo: UInt64(0x100 + i % 3)), amount: UInt256(UInt64(10 + i)))
            let tx = Chain.Transaction.dynamicFee(chainId: 31337, nonce: UInt64(1 + i), maxPriorityFeePerGas: NodeFixture.gwei,
                                                  maxFeePerGas: UInt256(10_000_000_000), gasLimit: 100_000, to: token,
                                                  data: data).signed(with: k[0])
            try chain.submit(tx)
            #expect(try chain.transaction(tx.hash)?.receipt.succeeded == true)
            #expect(chain.head.stateRoot == StateRoot.root(try chain.accounts(at: .latest)))
        }
        // An overdrawn transfer reverts: status 0, no logs, root still exact.
        let bad = Chain.Transaction.dynamicFee(chainId: 31337, nonce: 0, maxPriorityFeePerGas: NodeFixture.gwei,
                                               maxFeePerGas: UInt256(10_000_000_000), gasLimit: 100_000, to: token,
                                               data: NodeFixture.erc20Transfer(to: a[0], amount: UInt256(5))).signed(with: k[1])
        try chain.submit(bad)
        let r = try #require(try chain.transaction(bad.hash))
        #expect(!r.receipt.succeeded && r.receipt.logs.isEmpty)
        #expect(chain.head.stateRoot == StateRoot.root(try chain.accounts(at: .latest)))
        // Logs are found by address and by topic, and the block bloom filters out non-matching ranges.
        let transferTopic = Keccak256.hash(Array("Transfer(address,address,uint256)".utf8))
        let all = try chain.logs(LogFilter(fromBlock: 0, toBlock: 100, addresses: [token], topics: [[transferTopic]]))
        #expect(all.count == 7)
        let toX = try chain.logs(LogFilter(fromBlock: 0, toBlock: 100, addresses: [], topics: [nil, nil, [Address(hi: 0, mid: 0, lo: 0x100).word]]))
        #expect(toX.count == 2)
        #expect(try chain.logs(LogFilter(fromBlock: 0, toBlock: 100, addresses: [a[2]], topics: [])).isEmpty)
    }

    @Test func reopenContinuesFromLastCommittedHead() throws {
        let dir = NodeFixture.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var headHash: Hash32
        var txHashes: [Hash32] = []
        do {
            let chain = try Blockchain(store: try LevelDBStore(path: dir), genesis: NodeFixture.genesis)
            for n in 0..<5 {
                let tx = NodeFixture.transfer(k[0], nonce: UInt64(n), to: a[1], value: UInt256(7))
                try chain.submit(tx)
                txHashes.append(tx.hash)
            }
            headHash = chain.head.hash
        }
        do {
            let chain = try Blockchain(store: try LevelDBStore(path: dir), genesis: NodeFixture.genesis)
            #expect(chain.head.hash == headHash)
            #expect(chain.head.number == 5)
            for h in txHashes { #expect(try chain.transaction(h) != nil) }
            #expect(try chain.account(a[0], at: .latest)?.nonce == 5)
            try chain.submit(NodeFixture.transfer(k[0], nonce: 5, to: a[1], value: UInt256(7)))
            #expect(chain.head.number == 6)
            #expect(chain.head.stateRoot == StateRoot.root(try chain.accounts(at: .latest)))
        }
        // A different genesis is refused rather than mixed in.
        var other = NodeFixture.genesis
        other.extraData = [1]
        #expect(throws: NodeError.self) { _ = try Blockchain(store: try LevelDBStore(path: dir), genesis: other).head }
    }

    @Test func baseFeeFollowsEIP1559() throws {
        let chain = try Blockchain(store: MemoryStore(), genesis: NodeFixture.genesis)
        let g = chain.head
        try chain.submit(NodeFixture.transfer(k[0], nonce: 0, to: a[1], value: .one))
        let h1 = chain.head
        // Genesis used no gas: the base fee falls by base/8 (target = limit/2, full deviation).
        #expect(h1.baseFeePerGas == (g.baseFeePerGas ?? .zero) &- (g.baseFeePerGas ?? .zero) / UInt256(8))
        let base = h1.baseFeePerGas ?? .zero
        let target = h1.gasLimit / 2
        let expectedDrop = base.multipliedReportingOverflow(by: UInt256(target - 21_000)).0 / UInt256(target) / UInt256(8)
        try chain.mine()
        #expect(chain.head.baseFeePerGas == base &- expectedDrop)
    }

    @Test func snapshotAndRevertRewindChainAndState() throws {
        let dir = NodeFixture.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var before: BlockHeader
        var balance: UInt256?
        do {
            let chain = try Blockchain(store: try LevelDBStore(path: dir), genesis: NodeFixture.genesis)
            try chain.submit(NodeFixture.transfer(k[0], nonce: 0, to: a[1], value: .one))
            let id = chain.snapshot()
            before = chain.head
            balance = try chain.account(a[1], at: .latest)?.balance
            let tx = NodeFixture.transfer(k[0], nonce: 1, to: a[1], value: UInt256(99))
            try chain.submit(tx)
            try chain.mine()
            #expect(chain.head.number == before.number + 2)
            #expect(try chain.revert(to: id))
            #expect(chain.head.hash == before.hash)
            #expect(try chain.account(a[1], at: .latest)?.balance == balance)
            #expect(try chain.transaction(tx.hash) == nil)
            #expect(try !chain.revert(to: id))
        }
        // The rewind is persisted: a reopened chain starts at the snapshot's head with its state.
        let reopened = try Blockchain(store: try LevelDBStore(path: dir), genesis: NodeFixture.genesis)
        #expect(reopened.head.hash == before.hash)
        #expect(try reopened.account(a[1], at: .latest)?.balance == balance)
        try reopened.submit(NodeFixture.transfer(k[0], nonce: 1, to: a[1], value: UInt256(5)))
        #expect(reopened.head.number == before.number + 1)
    }

    @Test func timeControls() throws {
        var opts = ChainOptions()
        opts.instantMining = false
        let chain = try Blockchain(store: MemoryStore(), genesis: NodeFixture.genesis, options: opts)
        try chain.setNextBlockTimestamp(2_000_000_000)
        try chain.mine()
        #expect(chain.head.timestamp == 2_000_000_000)
        _ = try chain.increaseTime(3600)
        try chain.mine()
        #expect(chain.head.timestamp >= 2_000_003_600)
        #expect(throws: NodeError.self) { try chain.setNextBlockTimestamp(5) }
        #expect(throws: NodeError.self) { try chain.setNextBlockTimestamp(UInt64.max) }
        #expect(throws: NodeError.self) { try chain.mine(timestamp: UInt64.max) }
        #expect(throws: NodeError.self) { _ = try chain.increaseTime(Int64.max) }
        try chain.mine(timestamp: 2_100_000_000)
        #expect(chain.head.timestamp == 2_100_000_000)
    }
}
