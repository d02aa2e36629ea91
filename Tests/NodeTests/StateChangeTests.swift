import Chain
import EVM
import Execution
import Foundation
import Node
import Primitives
import Storage
import Testing

/// The block's state root and flat records come from the writes the journaled state reports
/// (`takeChanges`), not from comparing whole states. These cases are the ones a write-tracking scheme can miss:
/// accounts created and destroyed in one transaction, touched empty accounts, slots cleared, slots written and
/// restored within one block, several transactions per block. Each root is checked against a full rebuild
/// (`StateRoot.root`), and the flat records against a restart (which recomputes the root from them).
@Suite struct StateChangeTests {
    let k = NodeFixture.keys
    let a = NodeFixture.addresses

    /// Runtime: with calldata, SSTORE(0, 42) and SSTORE(1, 7); without, SSTORE(0, 0).
    static let runtime: [UInt8] = [0x36, 0x15, 0x60, 0x10, 0x57, 0x60, 0x2a, 0x60, 0x00, 0x55, 0x60, 0x07, 0x60, 0x01,
                                   0x55, 0x00, 0x5b, 0x60, 0x00, 0x60, 0x00, 0x55, 0x00]
    /// Creation code returning `runtime`.
    static let deployCode: [UInt8] = [0x60, UInt8(runtime.count), 0x80, 0x60, 0x0b, 0x60, 0x00, 0x39, 0x60, 0x00, 0xf3]
        + runtime
    /// Creation code that self-destructs to the caller (EIP-6780: created and deleted in the same transaction).
    static let suicideCode: [UInt8] = [0x33, 0xff]

    func tx(_ key: PrivateKey, _ nonce: UInt64, to: Address?, value: UInt256 = .zero, data: [UInt8] = [],
            gas: UInt64 = 200_000) -> SignedTransaction {
        Chain.Transaction.dynamicFee(chainId: 31337, nonce: nonce, maxPriorityFeePerGas: NodeFixture.gwei,
                                     maxFeePerGas: UInt256(10_000_000_000), gasLimit: gas, to: to, value: value,
                                     data: data).signed(with: key)
    }

    @Test func rootsFollowCreationsDeletionsAndClearedSlots() throws {
        let dir = NodeFixture.tempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var options = ChainOptions()
        options.instantMining = false
        let contract = Address.create(sender: a[0], nonce: 0)
        let doomed = Address.create(sender: a[1], nonce: 0)
        let empty = Address(hi: 0xdead, mid: 1, lo: 2)
        var root: Hash32
        do {
            let chain = try Blockchain(store: try LevelDBStore(path: dir), genesis: NodeFixture.genesis, options: options)
            func mine(_ txs: [SignedTransaction]) throws {
                for t in txs { try chain.submit(t) }
                let b = try chain.mine()
                #expect(b.transactions.count == txs.count)
                for t in txs { #expect(try chain.transaction(t.hash)?.receipt.succeeded == true) }
                #expect(chain.head.stateRoot == StateRoot.root(try chain.accounts(at: .latest)))
            }
            // Block 1: a contract, a constructor that self-destructs with value, a zero transfer to nobody.
            try mine([tx(k[0], 0, to: nil, data: Self.deployCode),
                      tx(k[1], 0, to: nil, value: UInt256(5), data: Self.suicideCode),
                      tx(k[2], 0, to: empty)])
            #expect(try chain.account(contract, at: .latest)?.code == Self.runtime)
            #expect(try chain.account(doomed, at: .latest) == nil)
            #expect(try chain.account(empty, at: .latest) == nil)
            // Block 2: two slots written.
            try mine([tx(k[0], 1, to: contract, data: [1])])
            #expect(try chain.account(contract, at: .latest)?.storage == [UInt256(0): UInt256(42), .one: UInt256(7)])
            // Block 3: slot 0 cleared and written back within the block (dirty, but unchanged).
            try mine([tx(k[0], 2, to: contract), tx(k[0], 3, to: contract, data: [1])])
            #expect(try chain.account(contract, at: .latest)?.storage == [UInt256(0): UInt256(42), .one: UInt256(7)])
            // Block 4: slot 0 cleared for good; the older block's state is still the old one.
            try mine([tx(k[2], 1, to: contract)])
            #expect(try chain.account(contract, at: .latest)?.storage == [.one: UInt256(7)])
            #expect(try chain.account(contract, at: .number(3))?.storage == [UInt256(0): UInt256(42), .one: UInt256(7)])
            // Block 5: empty.
            try mine([])
            root = chain.head.stateRoot
        }
        // A restart rebuilds the tries from the flat records and checks them against the head's root.
        let chain = try Blockchain(store: try LevelDBStore(path: dir), genesis: NodeFixture.genesis, options: options)
        #expect(chain.head.number == 5)
        #expect(chain.head.stateRoot == root)
        #expect(try chain.account(contract, at: .latest)?.storage == [.one: UInt256(7)])
    }

    /// `takeChanges` reports writes once, reports reverted-frame writes at most as unchanged values, and starts
    /// empty for a state built from a map.
    @Test func journaledStateReportsEachWriteOnce() throws {
        let x = Address(hi: 0, mid: 0, lo: 0x77)
        let st = JournaledState(accounts: [x: Account(balance: UInt256(10), storage: [.one: UInt256(3)])])
        #expect(st.takeChanges().isEmpty)
        st.beginTransaction()
        st.setBalance(x, UInt256(11))
        let snap = st.snapshot()
        st.setStorage(x, UInt256(2), UInt256(9))
        st.revert(to: snap)
        st.setStorage(x, .one, .zero)
        st.finalizeTransaction()
        let changes = st.takeChanges()
        #expect(changes.count == 1)
        let c = try #require(changes.first)
        #expect(c.account?.balance == UInt256(11))
        var slots: [UInt256: UInt256] = [:]
        for s in c.slots { slots[s.key] = s.value }
        #expect(slots[.one] == .zero)
        #expect(slots[UInt256(2)] ?? .zero == .zero)
        #expect(st.takeChanges().isEmpty)
    }
}

/// A store whose batch writes fail on demand (a full disk, a closed database).
final class FlakyStore: KeyValueStore, @unchecked Sendable {
    let inner = MemoryStore()
    var failWrites = false
    func get(_ key: [UInt8]) throws(StorageError) -> [UInt8]? { try inner.get(key) }
    func put(_ key: [UInt8], _ value: [UInt8]) throws(StorageError) { try inner.put(key, value) }
    func delete(_ key: [UInt8]) throws(StorageError) { try inner.delete(key) }
    func write(_ batch: WriteBatch) throws(StorageError) {
        if failWrites { throw .writeFailed("injected") }
        try inner.write(batch)
    }
    func scan(prefix: [UInt8], _ body: ([UInt8], [UInt8]) throws -> Bool) throws { try inner.scan(prefix: prefix, body) }
}

@Suite struct FailedCommitTests {
    /// A block whose batch cannot be written leaves the chain at its parent, in memory as on disk, with and
    /// without in-memory history; the next block then commits normally with an exact root.
    @Test(arguments: [0, 128]) func failedWriteRollsBackToTheParent(history: Int) throws {
        let store = FlakyStore()
        var options = ChainOptions()
        options.historyLimit = history
        let chain = try Blockchain(store: store, genesis: NodeFixture.genesis, options: options)
        let k = NodeFixture.keys, a = NodeFixture.addresses
        try chain.submit(NodeFixture.transfer(k[0], nonce: 0, to: a[1], value: UInt256(7)))
        let before = try chain.account(a[0], at: .latest)
        store.failWrites = true
        #expect(throws: NodeError.self) { try chain.submit(NodeFixture.transfer(k[0], nonce: 1, to: a[1], value: UInt256(9))) }
        store.failWrites = false
        #expect(chain.head.number == 1)
        #expect(try chain.account(a[0], at: .latest)?.nonce == before?.nonce)
        #expect(try chain.account(a[0], at: .latest)?.balance == before?.balance)
        #expect(chain.head.stateRoot == StateRoot.root(try chain.accounts(at: .latest)))
        // The pooled transaction is mined by the next block.
        try chain.submit(NodeFixture.transfer(k[1], nonce: 0, to: a[2], value: UInt256(1)))
        #expect(chain.head.stateRoot == StateRoot.root(try chain.accounts(at: .latest)))
        #expect(try chain.account(a[0], at: .latest)?.nonce == 2)
    }
}
