/// The chain: opens or initialises the database from a genesis, holds the head state, admits transactions to the
/// pool, and produces blocks (each committed in one atomic write batch). All access is serialised by one lock:
/// a dev chain executes one block at a time, and RPC reads are short.
import Chain
import EVM
import Execution
import Foundation
import Primitives
import Storage
import Trie

/// Why a node operation failed. `description` is the text JSON-RPC clients see.
public enum NodeError: Error, CustomStringConvertible {
    case database(ChainDatabaseError)
    case pool(PoolError)
    case decode(Chain.TransactionError)
    case execution(Execution.TransactionError)
    /// The call reverted; `data` is the revert output.
    case reverted(data: [UInt8])
    /// A call ended in an exceptional halt (out of gas, invalid opcode…).
    case halted(String)
    case gasRequiredExceedsAllowance(UInt64)
    case unknownBlock(String)
    case stateUnavailable(UInt64)
    case unknownSnapshot(String)
    case timestampNotAfterParent(requested: UInt64, parent: UInt64)
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .database(let e): return e.description
        case .pool(let e): return e.description
        case .decode(let e): return e.description
        case .execution(let e): return Self.gethText(e)
        case .reverted(let data): return RevertReason.message(data)
        case .halted(let why): return why
        case .gasRequiredExceedsAllowance(let g): return "gas required exceeds allowance (\(g))"
        case .unknownBlock(let b): return "header not found: \(b)"
        case .stateUnavailable(let n): return "missing trie node: state of block \(n) is not kept (only recent blocks are)"
        case .unknownSnapshot(let id): return "unknown snapshot id \(id)"
        case .timestampNotAfterParent(let r, let p):
            return "timestamp \(r) is earlier than the parent block's timestamp \(p)"
        case .invalidArgument(let why): return why
        }
    }

    /// geth's wording for execution-time rejections (eth_call, eth_estimateGas).
    static func gethText(_ e: Execution.TransactionError) -> String {
        switch e {
        case .nonceTooLow(let x, let g): return "nonce too low: next nonce \(x), tx nonce \(g)"
        case .nonceTooHigh(let x, let g): return "nonce too high: next nonce \(x), tx nonce \(g)"
        case .insufficientFunds(let need, let have):
            return "insufficient funds for gas * price + value: have \(have) want \(need)"
        case .intrinsicGasTooLow(let n, let l): return "intrinsic gas too low: have \(l), want \(n)"
        case .gasAllowanceExceeded: return "exceeds block gas limit"
        case .insufficientMaxFeePerGas(let m, let b): return "max fee per gas less than block base fee: maxFeePerGas: \(m), baseFee: \(b)"
        default: return e.description
        }
    }
}

/// Decodes revert output: `Error(string)` gives "execution reverted: <reason>", `Panic(uint256)` its code.
public enum RevertReason {
    public static func reason(_ data: [UInt8]) -> String? {
        if data.count >= 68, data[0..<4] == [0x08, 0xc3, 0x79, 0xa0] {
            let off = UInt256(bigEndian: data[4..<36])
            guard off.fitsUInt64, off.l0 <= UInt64(data.count) else { return nil }
            let o = 4 + Int(off.l0)
            guard o + 32 <= data.count else { return nil }
            let len = UInt256(bigEndian: data[o..<(o + 32)])
            guard len.fitsUInt64, len.l0 <= UInt64(data.count), o + 32 + Int(len.l0) <= data.count else { return nil }
            return String(decoding: data[(o + 32)..<(o + 32 + Int(len.l0))], as: UTF8.self)
        }
        if data.count == 36, data[0..<4] == [0x4e, 0x48, 0x7b, 0x71] {
            return "panic: code \(UInt256(bigEndian: data[4...]).hexString)"
        }
        return nil
    }

    public static func message(_ data: [UInt8]) -> String {
        reason(data).map { "execution reverted: \($0)" } ?? "execution reverted"
    }
}

/// Options for opening a chain.
public struct ChainOptions: Sendable {
    /// Mine a block for each accepted transaction (anvil's automine). Off for `--block-time` and manual mining.
    public var instantMining = true
    /// How many recent blocks' states are kept in memory for queries at a block number and evm_revert.
    public var historyLimit = 128
    public init() {}
}

/// Read-only access to canonical hashes for BLOCKHASH; only touched while the chain's lock is held.
final class CanonicalHashes: @unchecked Sendable {
    var hashes: [Hash32] = []
    func hash(_ n: UInt64) -> Hash32 { n < UInt64(hashes.count) ? hashes[Int(n)] : .zero }
}

/// A chain snapshot for evm_snapshot / evm_revert.
struct ChainSnapshot {
    var number: UInt64
    var timeOffset: Int64
}

public final class Blockchain: @unchecked Sendable {
    public let genesis: Genesis
    public let chainId: UInt64
    public let db: ChainDatabase
    public let coinbase: Address
    let lock = NSRecursiveLock()
    var options: ChainOptions
    var headHeader: BlockHeader
    var headHash: Hash32
    let canonical = CanonicalHashes()
    var version: StateVersion
    var state: JournaledState
    var history: [UInt64: StateVersion] = [:]
    var pool = TxPool()
    var timeOffset: Int64 = 0
    var nextTimestamp: UInt64?
    var snapshots: [Int: ChainSnapshot] = [:]
    var nextSnapshot = 1
    /// Timestamps beyond this (year ~2^42 s) are refused so clock arithmetic never overflows.
    public static let maxTimestamp: UInt64 = 1 << 42
    /// Called after each committed block (outside no lock guarantees: called with the lock held).
    public var onBlock: (@Sendable (Block) -> Void)?

    /// Opens the chain in `store`, writing the genesis block when the store is empty, else reopening at the last
    /// committed head and checking that the flat state hashes to the head's state root.
    public init(store: any KeyValueStore, genesis: Genesis, options: ChainOptions = ChainOptions()) throws(NodeError) {
        self.genesis = genesis
        self.chainId = genesis.config.chainId
        self.options = options
        self.coinbase = genesis.coinbase
        db = ChainDatabase(store: store)
        var alloc: [Address: Account] = [:]
        for (a, g) in genesis.alloc {
            var st: [UInt256: UInt256] = [:]
            for (k, v) in g.storage { st[UInt256(word: k)] = UInt256(word: v) }
            alloc[a] = Account(nonce: g.nonce, balance: g.balance, code: g.code, storage: st)
        }
        let gversion = WorldState.build(alloc)
        let gblock = genesis.block { _ in gversion.root }
        do {
            if let stored = try db.genesisHash() {
                guard stored == gblock.hash else { throw ChainDatabaseError.genesisMismatch(stored: stored, given: gblock.hash) }
                guard let hh = try db.headHash(), let h = try db.header(hh) else {
                    throw ChainDatabaseError.corrupt(record: "head", key: "LastBlock", reason: "missing head block")
                }
                headHash = hh; headHeader = h
                var hashes: [Hash32] = []
                hashes.reserveCapacity(Int(h.number) + 1)
                for n in 0...h.number {
                    guard let c = try db.canonicalHash(n) else {
                        throw ChainDatabaseError.corrupt(record: "canonical", key: "\(n)", reason: "missing")
                    }
                    hashes.append(c)
                }
                canonical.hashes = hashes
                let accounts = try WorldState.load(db)
                version = WorldState.build(accounts)
                guard version.root == h.stateRoot else {
                    throw ChainDatabaseError.stateRootMismatch(head: h.number, expected: h.stateRoot, computed: version.root)
                }
            } else {
                var batch = WriteBatch()
                var v = StateVersion(accounts: [:], accountTrie: MerklePatriciaTrie(), storageTries: [:])
                WorldState.advance(&v, to: alloc, batch: &batch)
                ChainDatabase.putBlock(gblock, receipts: [], senders: [], into: &batch)
                batch.put(ChainKeys.genesis, gblock.hash.bytes)
                do { try store.write(batch) } catch { throw ChainDatabaseError.storage(error) }
                version = v
                headHeader = gblock.header; headHash = gblock.hash
                canonical.hashes = [gblock.hash]
            }
        } catch let e as ChainDatabaseError { throw .database(e) } catch { throw .invalidArgument("\(error)") }
        state = JournaledState(accounts: version.accounts)
        state.blockHashProvider = { [canonical] n in canonical.hash(n) }
        history[headHeader.number] = version
    }

    /// Runs `body` with the chain locked.
    @inline(__always) func locked<T>(_ body: () throws(NodeError) -> T) throws(NodeError) -> T {
        lock.lock(); defer { lock.unlock() }
        return try body()
    }

    public var head: BlockHeader { lock.lock(); defer { lock.unlock() }; return headHeader }
    public var instantMining: Bool {
        get { lock.lock(); defer { lock.unlock() }; return options.instantMining }
        set { lock.lock(); options.instantMining = newValue; lock.unlock() }
    }

    // MARK: Transactions in

    /// Decodes, validates and pools a raw signed transaction; in instant mode mines it at once. Returns its hash.
    @discardableResult
    public func submitRaw(_ raw: [UInt8]) throws(NodeError) -> Hash32 {
        let tx: SignedTransaction
        do { tx = try SignedTransaction(decoding: raw) } catch { throw .decode(error) }
        return try submit(tx)
    }

    /// Validates and pools a decoded transaction (see `submitRaw`).
    @discardableResult
    public func submit(_ tx: SignedTransaction) throws(NodeError) -> Hash32 {
        let t = tx.transaction
        if tx.encoded.count > 131_072 { throw .pool(.oversized(tx.encoded.count)) }
        let sender: Address
        do {
            try t.validate(chainId: chainId)
            sender = try tx.recoverSender()
        } catch {
            switch error {
            case .wrongChainId(let e, let g): throw .pool(.invalidSender("invalid chain id for signer: have \(g) want \(e)"))
            case .intrinsicGasTooLow(let g, let n): throw .pool(.intrinsicGasTooLow(gas: g, needed: n))
            case .tipAboveFeeCap(let tip, let cap): throw .pool(.tipAboveFeeCap(address: .zero, tip: tip, feeCap: cap))
            case .nonceMax: throw .pool(.nonceMax)
            case .initCodeTooLarge(let n, _): throw .pool(.initCodeTooLarge(n))
            case .invalidSignature: throw .pool(.invalidSender(""))
            default: throw .decode(error)
            }
        }
        return try locked { () throws(NodeError) -> Hash32 in
            if pool.get(tx.hash) != nil { throw .pool(.alreadyKnown) }
            if t.gasLimit > headHeader.gasLimit { throw .pool(.exceedsBlockGasLimit) }
            let baseFee = headHeader.nextBaseFee() ?? .zero
            if t.feeCap < baseFee { throw .pool(.feeCapBelowBaseFee(address: sender, maxFeePerGas: t.feeCap, baseFee: baseFee)) }
            if !state.code(sender).isEmpty { throw .pool(.senderHasCode(sender)) }
            do throws(PoolError) {
                try pool.add(PooledTransaction(tx: tx, sender: sender), stateNonce: state.nonce(sender),
                             balance: state.balance(sender))
            } catch { throw .pool(error) }
            if options.instantMining { try mineInstant() }
            return tx.hash
        }
    }

    /// Instant mode: one block per executable transaction.
    func mineInstant() throws(NodeError) {
        while true {
            let ready = pool.executable(nonce: { state.nonce($0) })
            guard let first = ready.first else { return }
            _ = try produceBlock(from: [first], timestamp: nil)
        }
    }

    /// Mines one block from the pool's executable transactions (evm_mine, the --block-time loop); empty blocks
    /// are mined too. `timestamp` overrides the block's time.
    @discardableResult
    public func mine(timestamp: UInt64? = nil) throws(NodeError) -> Block {
        try locked { () throws(NodeError) -> Block in
            let ready = pool.executable(nonce: { state.nonce($0) })
            return try produceBlock(from: ready, timestamp: timestamp).block
        }
    }

    // MARK: Block production

    /// The time of the next block: an explicit one (evm_setNextBlockTimestamp), else wall clock plus the
    /// evm_increaseTime offset, never before the parent.
    func nextBlockTime() -> UInt64 {
        if let t = nextTimestamp { return t }
        let now = Int64(Date().timeIntervalSince1970) + timeOffset
        return max(UInt64(max(now, 0)), headHeader.timestamp)
    }

    /// Executes `candidates` in order on the head state and commits the block. Transactions that fail validation
    /// at execution are dropped from the pool; the block holds the rest.
    public func produceBlock(from candidates: [PooledTransaction], timestamp: UInt64?)
        throws(NodeError) -> (block: Block, receipts: [Receipt]) {
        lock.lock(); defer { lock.unlock() }
        let parent = headHeader
        var ts = timestamp ?? nextBlockTime()
        if ts > Blockchain.maxTimestamp { throw .invalidArgument("timestamp \(ts) is too large") }
        if ts < parent.timestamp { throw .timestampNotAfterParent(requested: ts, parent: parent.timestamp) }
        if timestamp != nil || nextTimestamp != nil {
            timeOffset = Int64(ts) - Int64(Date().timeIntervalSince1970)
            nextTimestamp = nil
        }
        ts = max(ts, parent.timestamp)
        let number = parent.number + 1
        let baseFee = parent.nextBaseFee() ?? .zero
        let randao = Keccak256.hash(headHash.bytes + ChainKeys.bigEndian(number))
        let env = BlockEnv(coinbase: coinbase, number: number, timestamp: UInt256(ts), gasLimit: parent.gasLimit,
                           baseFee: baseFee, prevRandao: UInt256(word: randao), chainId: UInt256(chainId),
                           blobBaseFee: .one)
        var included: [SignedTransaction] = []
        var senders: [Address] = []
        var receipts: [Receipt] = []
        var gasUsed: UInt64 = 0
        var skip: Set<Address> = []
        for c in candidates {
            let t = c.tx.transaction
            if skip.contains(c.sender) { continue }
            if gasUsed + t.gasLimit > parent.gasLimit { skip.insert(c.sender); continue }
            let outcome: TransactionOutcome
            do {
                outcome = try TransactionExecutor.apply(Execution.Transaction(c.tx, sender: c.sender), state: state,
                                                        block: env)
            } catch {
                pool.remove(c.hash)
                skip.insert(c.sender)
                continue
            }
            gasUsed += outcome.gasUsed
            included.append(c.tx)
            senders.append(c.sender)
            receipts.append(Receipt(type: t.type, succeeded: outcome.result.isSuccess, cumulativeGasUsed: gasUsed,
                                    logs: outcome.logs.map { Chain.Log(address: $0.address, topics: $0.topics, data: $0.data) }))
        }
        var batch = WriteBatch()
        // No copy of `version` is held across `apply`: it would make the account map shared, and the first write
        // would then copy the whole map, O(accounts) per block. The failure path below recovers the parent instead.
        WorldState.apply(state.takeChanges(), to: &version, batch: &batch)
        let body = BlockBody(transactions: included, withdrawals: [])
        let header = BlockHeader(parentHash: headHash, coinbase: coinbase, stateRoot: version.root,
                                 transactionsRoot: Self.trieRoot(body.transactionTrieEntries),
                                 receiptsRoot: Self.trieRoot(Receipt.trieEntries(receipts)),
                                 logsBloom: Receipt.blockBloom(receipts), number: number, gasLimit: parent.gasLimit,
                                 gasUsed: gasUsed, timestamp: ts, extraData: [], mixHash: randao, baseFeePerGas: baseFee)
        let block = Block(header: header, body: body)
        ChainDatabase.putBlock(block, receipts: receipts, senders: senders, into: &batch)
        do { try db.store.write(batch) } catch {
            // Nothing was written: go back to the parent's state, from history when kept, else from the flat
            // records (the database is still at the parent).
            if let kept = history[parent.number] {
                version = kept
            } else {
                do { version = WorldState.build(try WorldState.load(db)) } catch let e { throw .database(e) }
            }
            state = JournaledState(accounts: version.accounts)
            state.blockHashProvider = { [canonical] n in canonical.hash(n) }
            throw .database(.storage(error))
        }
        headHeader = header
        headHash = block.hash
        canonical.hashes.append(block.hash)
        if options.historyLimit > 0 {
            history[number] = version
            if number >= UInt64(options.historyLimit) { history[number - UInt64(options.historyLimit)] = nil }
        }
        pool.prune(nonce: { state.nonce($0) })
        onBlock?(block)
        return (block, receipts)
    }

    /// A block's transactions or receipts root: a fresh trie, built bottom-up in one pass.
    static func trieRoot(_ entries: [(key: [UInt8], value: [UInt8])]) -> Hash32 {
        MerklePatriciaTrie.root(of: entries)
    }
}

extension Execution.Transaction {
    /// The executor's view of a signed chain transaction whose sender is known.
    public init(_ s: SignedTransaction, sender: Address) {
        let t = s.transaction
        self.init(type: t.type.rawValue, sender: sender, to: t.to, nonce: t.nonce, gasLimit: t.gasLimit, value: t.value,
                  data: t.data, gasPrice: t.gasPrice, maxFeePerGas: t.maxFeePerGas,
                  maxPriorityFeePerGas: t.maxPriorityFeePerGas,
                  accessList: t.accessList.map {
                      Execution.AccessListEntry(address: $0.address, storageKeys: $0.storageKeys.map { UInt256(word: $0) })
                  })
    }
}
