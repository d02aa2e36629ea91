/// Reads of blocks, transactions, receipts, logs and state at a block; eth_call / eth_estimateGas execution on a
/// copy of a state version; and the dev controls (evm_snapshot, evm_revert, evm_increaseTime,
/// evm_setNextBlockTimestamp).
import Chain
import EVM
import Execution
import Foundation
import Primitives
import Storage

/// A block selector as JSON-RPC accepts it.
public enum BlockTag: Sendable, Equatable {
    case latest, pending, earliest, safe, finalized
    case number(UInt64)
    case hash(Hash32)
}

/// A mined transaction with everything its receipt and lookup responses need.
public struct TransactionInfo: Sendable {
    public var tx: SignedTransaction
    public var sender: Address
    public var blockHash: Hash32
    public var blockNumber: UInt64
    public var index: Int
    public var baseFee: UInt256
    public var receipt: Receipt
    public var gasUsed: UInt64
    /// Log index (within the block) of this transaction's first log.
    public var firstLogIndex: Int
    public var contractAddress: Address? {
        guard tx.transaction.to == nil, receipt.succeeded else { return nil }
        return Address.create(sender: sender, nonce: tx.transaction.nonce)
    }
    public var effectiveGasPrice: UInt256 { tx.transaction.effectiveGasPrice(baseFee: baseFee) ?? tx.transaction.feeCap }
}

/// A log with its position, as eth_getLogs returns it.
public struct LocatedLog: Sendable {
    public var log: Chain.Log
    public var blockNumber: UInt64
    public var blockHash: Hash32
    public var txHash: Hash32
    public var txIndex: Int
    public var logIndex: Int
    public init(log: Chain.Log, blockNumber: UInt64, blockHash: Hash32, txHash: Hash32, txIndex: Int, logIndex: Int) {
        self.log = log; self.blockNumber = blockNumber; self.blockHash = blockHash; self.txHash = txHash
        self.txIndex = txIndex; self.logIndex = logIndex
    }
}

/// eth_getLogs criteria: each topic position is nil (any) or a list of alternatives.
public struct LogFilter: Sendable {
    public var fromBlock: UInt64
    public var toBlock: UInt64
    public var addresses: [Address]
    public var topics: [[Hash32]?]
    public init(fromBlock: UInt64, toBlock: UInt64, addresses: [Address], topics: [[Hash32]?]) {
        self.fromBlock = fromBlock; self.toBlock = toBlock; self.addresses = addresses; self.topics = topics
    }

    func matches(_ log: Chain.Log) -> Bool {
        if !addresses.isEmpty && !addresses.contains(log.address) { return false }
        if topics.count > log.topics.count { return false }
        for (i, alts) in topics.enumerated() { if let alts, !alts.isEmpty, !alts.contains(log.topics[i]) { return false } }
        return true
    }

    /// False when the block bloom proves no log matches.
    func mayMatch(_ bloom: Bloom) -> Bool {
        if !addresses.isEmpty && !addresses.contains(where: { bloom.mayContain(address: $0) }) { return false }
        for alts in topics { if let alts, !alts.isEmpty, !alts.contains(where: { bloom.mayContain(topic: $0) }) { return false } }
        return true
    }
}

/// eth_call / eth_estimateGas arguments.
public struct CallRequest: Sendable {
    public var from: Address?
    public var to: Address?
    public var gas: UInt64?
    public var gasPrice: UInt256?
    public var maxFeePerGas: UInt256?
    public var maxPriorityFeePerGas: UInt256?
    public var value: UInt256 = .zero
    public var data: [UInt8] = []
    public var accessList: [Chain.AccessListEntry] = []
    public var nonce: UInt64?
    public init() {}
}

/// One account's eth_call state override.
public struct StateOverride: Sendable {
    public var balance: UInt256?
    public var nonce: UInt64?
    public var code: [UInt8]?
    /// Replaces the whole storage.
    public var state: [UInt256: UInt256]?
    /// Changes the given slots.
    public var stateDiff: [UInt256: UInt256]?
    public init() {}
}

/// The outcome of eth_call.
public struct CallResult: Sendable {
    public var output: [UInt8]
    public var gasUsed: UInt64
    public var halt: Halt
}

extension Blockchain {
    // MARK: Blocks

    /// The number a tag selects; nil when the block does not exist.
    public func resolve(_ tag: BlockTag) -> UInt64? {
        lock.lock(); defer { lock.unlock() }
        switch tag {
        case .latest, .pending, .safe, .finalized: return headHeader.number
        case .earliest: return 0
        case .number(let n): return n <= headHeader.number ? n : nil
        case .hash(let h): return (try? db.header(h)).flatMap { $0 }.flatMap { hd in
            canonical.hash(hd.number) == h ? hd.number : nil }
        }
    }

    public func blockHash(_ number: UInt64) -> Hash32? {
        lock.lock(); defer { lock.unlock() }
        return number < UInt64(canonical.hashes.count) ? canonical.hashes[Int(number)] : nil
    }

    /// The block, its transactions' senders, and its hash.
    public func block(_ tag: BlockTag) throws(NodeError) -> (block: Block, senders: [Address])? {
        try locked { () throws(NodeError) -> (block: Block, senders: [Address])? in
            let hash: Hash32
            if case .hash(let h) = tag { hash = h } else {
                guard let n = resolve(tag) else { return nil }
                hash = canonical.hashes[Int(n)]
            }
            do throws(ChainDatabaseError) {
                guard let h = try db.header(hash), let b = try db.body(hash) else { return nil }
                let senders = try db.senders(hash) ?? []
                return (Block(header: h, body: b), senders)
            } catch { throw .database(error) }
        }
    }

    /// A mined transaction by hash, with its receipt.
    public func transaction(_ hash: Hash32) throws(NodeError) -> TransactionInfo? {
        try locked { () throws(NodeError) -> TransactionInfo? in
            do throws(ChainDatabaseError) {
                guard let loc = try db.transactionLocation(hash), canonical.hash(loc.blockNumber) == loc.blockHash,
                      let infos = try blockTransactions(loc.blockHash), loc.index < infos.count else { return nil }
                return infos[loc.index]
            } catch { throw .database(error) }
        }
    }

    /// Every transaction of a block with its receipt.
    public func blockTransactions(_ hash: Hash32) throws(ChainDatabaseError) -> [TransactionInfo]? {
        guard let h = try db.header(hash), let b = try db.body(hash), let rs = try db.receipts(hash),
              let ss = try db.senders(hash), rs.count == b.transactions.count, ss.count == rs.count else { return nil }
        var out: [TransactionInfo] = []
        var prevGas: UInt64 = 0
        var logIndex = 0
        for (i, tx) in b.transactions.enumerated() {
            let r = rs[i]
            out.append(TransactionInfo(tx: tx, sender: ss[i], blockHash: hash, blockNumber: h.number, index: i,
                                       baseFee: h.baseFeePerGas ?? .zero, receipt: r,
                                       gasUsed: r.cumulativeGasUsed - prevGas, firstLogIndex: logIndex))
            prevGas = r.cumulativeGasUsed
            logIndex += r.logs.count
        }
        return out
    }

    /// A transaction still in the pool.
    public func pooledTransaction(_ hash: Hash32) -> PooledTransaction? {
        lock.lock(); defer { lock.unlock() }
        return pool.get(hash)
    }

    /// Pending and queued pool sizes.
    public var poolCounts: (pending: Int, queued: Int) {
        lock.lock(); defer { lock.unlock() }
        return pool.counts(nonce: { state.nonce($0) })
    }

    /// Logs matching `filter`, skipping blocks whose bloom rules them out.
    public func logs(_ filter: LogFilter) throws(NodeError) -> [LocatedLog] {
        try locked { () throws(NodeError) -> [LocatedLog] in
            var out: [LocatedLog] = []
            guard filter.fromBlock <= filter.toBlock else { return [] }
            let to = min(filter.toBlock, headHeader.number)
            if filter.fromBlock > to { return [] }
            do throws(ChainDatabaseError) {
                for n in filter.fromBlock...to {
                    let hash = canonical.hashes[Int(n)]
                    guard let h = try db.header(hash), filter.mayMatch(h.logsBloom) else { continue }
                    guard let infos = try blockTransactions(hash) else { continue }
                    for info in infos {
                        for (j, log) in info.receipt.logs.enumerated() where filter.matches(log) {
                            out.append(LocatedLog(log: log, blockNumber: n, blockHash: hash, txHash: info.tx.hash,
                                                  txIndex: info.index, logIndex: info.firstLogIndex + j))
                        }
                    }
                }
            } catch { throw .database(error) }
            return out
        }
    }

    // MARK: State

    /// The state version at a block (recent blocks only).
    func stateVersion(_ tag: BlockTag) throws(NodeError) -> (StateVersion, BlockHeader) {
        guard let n = resolve(tag) else { throw .unknownBlock("\(tag)") }
        if n == headHeader.number { return (version, headHeader) }
        guard let v = history[n] else { throw .stateUnavailable(n) }
        do {
            guard let h = try db.header(canonical.hashes[Int(n)]) else { throw NodeError.unknownBlock("\(n)") }
            return (v, h)
        } catch let e as NodeError { throw e } catch let e as ChainDatabaseError { throw .database(e) } catch {
            throw .invalidArgument("\(error)")
        }
    }

    /// The account at a block (nil when absent).
    public func account(_ a: Address, at tag: BlockTag) throws(NodeError) -> Account? {
        try locked { () throws(NodeError) -> Account? in try stateVersion(tag).0.accounts[a] }
    }

    /// Every account at a block (tests compare the incremental root with a full rebuild from these).
    public func accounts(at tag: BlockTag) throws(NodeError) -> [Address: Account] {
        try locked { () throws(NodeError) -> [Address: Account] in try stateVersion(tag).0.accounts }
    }

    /// The next nonce including pooled transactions (eth_getTransactionCount "pending").
    public func pendingNonce(_ a: Address) -> UInt64 {
        lock.lock(); defer { lock.unlock() }
        return pool.pendingNonce(a, stateNonce: state.nonce(a))
    }

    /// The base fee the next block will have.
    public var nextBaseFee: UInt256 { lock.lock(); defer { lock.unlock() }; return headHeader.nextBaseFee() ?? .zero }

    // MARK: Calls

    /// Executes a call on a copy of the state at `tag` (with overrides); nothing is kept.
    public func call(_ req: CallRequest, at tag: BlockTag, overrides: [Address: StateOverride] = [:],
                     gasCap: UInt64? = nil) throws(NodeError) -> CallResult {
        try locked { () throws(NodeError) -> CallResult in
            let (v, h) = try stateVersion(tag)
            return try execute(req, accounts: v.accounts, header: h, overrides: overrides, gasLimit: gasCap)
        }
    }

    func execute(_ req: CallRequest, accounts: [Address: Account], header h: BlockHeader,
                 overrides: [Address: StateOverride], gasLimit: UInt64?) throws(NodeError) -> CallResult {
        let st = JournaledState(accounts: accounts)
        st.blockHashProvider = { [canonical] n in canonical.hash(n) }
        for (a, o) in overrides {
            var acct = st.accounts[a] ?? Account()
            var storage = o.state ?? acct.storage
            for (k, v) in o.stateDiff ?? [:] { storage[k] = v }
            acct = Account(nonce: o.nonce ?? acct.nonce, balance: o.balance ?? acct.balance, code: o.code ?? acct.code,
                           storage: storage)
            st.setAccount(a, acct)
        }
        let from = req.from ?? .zero
        // geth runs calls without a base fee unless a price is given, so zero-price calls work.
        let priced = req.gasPrice != nil || req.maxFeePerGas != nil
        let baseFee = priced ? (h.baseFeePerGas ?? .zero) : .zero
        let env = BlockEnv(coinbase: h.coinbase, number: h.number, timestamp: UInt256(h.timestamp), gasLimit: h.gasLimit,
                           baseFee: baseFee, prevRandao: UInt256(word: h.mixHash), chainId: UInt256(chainId),
                           blobBaseFee: .one)
        let gas = min(gasLimit ?? req.gas ?? h.gasLimit, h.gasLimit)
        var tx = Execution.Transaction(type: req.maxFeePerGas != nil ? 2 : 0, sender: from, to: req.to,
                                       nonce: st.nonce(from), gasLimit: gas, value: req.value, data: req.data,
                                       gasPrice: req.gasPrice ?? .zero, maxFeePerGas: req.maxFeePerGas ?? .zero,
                                       maxPriorityFeePerGas: req.maxPriorityFeePerGas ?? .zero,
                                       accessList: req.accessList.map {
                                           Execution.AccessListEntry(address: $0.address,
                                                                     storageKeys: $0.storageKeys.map { UInt256(word: $0) })
                                       })
        if tx.type == 2 && tx.maxPriorityFeePerGas > tx.maxFeePerGas { tx.maxPriorityFeePerGas = tx.maxFeePerGas }
        // Calls from contracts are allowed (geth skips EIP-3607 for eth_call): run them as an EOA.
        if !st.code(from).isEmpty { st.setAccount(from, Account(nonce: st.nonce(from), balance: st.balance(from))) }
        do {
            let out = try TransactionExecutor.apply(tx, state: st, block: env)
            return CallResult(output: out.result.output, gasUsed: out.gasUsed, halt: out.result.halt)
        } catch { throw .execution(error) }
    }

    /// Binary-searches the smallest gas limit with which the call succeeds.
    public func estimateGas(_ req: CallRequest, at tag: BlockTag, overrides: [Address: StateOverride] = [:])
        throws(NodeError) -> UInt64 {
        try locked { () throws(NodeError) -> UInt64 in
            let (v, h) = try stateVersion(tag)
            let intrinsic = Chain.Transaction.dynamicFee(chainId: chainId, nonce: 0, maxPriorityFeePerGas: .zero,
                                                         maxFeePerGas: .zero, gasLimit: 0, to: req.to, value: req.value,
                                                         data: req.data, accessList: req.accessList).intrinsicGas
            var hi = min(req.gas ?? h.gasLimit, h.gasLimit)
            if hi < intrinsic { throw .execution(.intrinsicGasTooLow(need: intrinsic, limit: hi)) }
            let top = try execute(req, accounts: v.accounts, header: h, overrides: overrides, gasLimit: hi)
            if top.halt == .reverted { throw .reverted(data: top.output) }
            if !top.halt.isSuccess {
                if top.halt == .outOfGas { throw .gasRequiredExceedsAllowance(hi) }
                throw .halted(top.halt.description)
            }
            var lo = max(intrinsic, top.gasUsed) - 1
            while lo + 1 < hi {
                let mid = lo + (hi - lo) / 2
                let ok: Bool
                do { ok = try execute(req, accounts: v.accounts, header: h, overrides: overrides, gasLimit: mid).halt.isSuccess }
                catch { ok = false }
                if ok { hi = mid } else { lo = mid }
            }
            return hi
        }
    }

    // MARK: Dev controls

    /// evm_snapshot: remembers the head; returns the id.
    public func snapshot() -> Int {
        lock.lock(); defer { lock.unlock() }
        let id = nextSnapshot
        nextSnapshot += 1
        snapshots[id] = ChainSnapshot(number: headHeader.number, timeOffset: timeOffset)
        return id
    }

    /// evm_revert: rewinds the chain to the snapshot's head (persisted in one batch); the snapshot and later ones
    /// are used up. False when the id is unknown.
    public func revert(to id: Int) throws(NodeError) -> Bool {
        try locked { () throws(NodeError) -> Bool in
            guard let s = snapshots[id] else { return false }
            guard let target = history[s.number] else { throw .stateUnavailable(s.number) }
            var batch = WriteBatch()
            var scratch = version
            WorldState.advance(&scratch, to: target.accounts, batch: &batch)
            do {
                for n in stride(from: headHeader.number, to: s.number, by: -1) {
                    let hash = canonical.hashes[Int(n)]
                    batch.delete(ChainKeys.canonical(n))
                    for tx in try db.body(hash)?.transactions ?? [] { batch.delete(ChainKeys.txLookup(tx.hash)) }
                }
                let newHead = canonical.hashes[Int(s.number)]
                guard let h = try db.header(newHead) else { throw ChainDatabaseError.corrupt(record: "header", key: newHead.hex, reason: "missing") }
                batch.put(ChainKeys.head, newHead.bytes)
                try db.store.write(batch)
                for n in (s.number + 1)..<max(s.number + 1, headHeader.number + 1) { history[n] = nil }
                canonical.hashes.removeLast(canonical.hashes.count - Int(s.number) - 1)
                headHeader = h
                headHash = newHead
            } catch let e as ChainDatabaseError { throw .database(e) } catch let e as StorageError {
                throw .database(.storage(e))
            } catch { throw .invalidArgument("\(error)") }
            version = target
            state = JournaledState(accounts: target.accounts)
            state.blockHashProvider = { [canonical] n in canonical.hash(n) }
            timeOffset = s.timeOffset
            for k in snapshots.keys where k >= id { snapshots[k] = nil }
            pool.prune(nonce: { state.nonce($0) })
            return true
        }
    }

    /// evm_increaseTime: moves the clock forward; returns the total offset in seconds.
    public func increaseTime(_ seconds: Int64) throws(NodeError) -> Int64 {
        try locked { () throws(NodeError) -> Int64 in
            let limit = Int64(Blockchain.maxTimestamp)
            guard seconds >= 0, seconds <= limit, timeOffset + seconds <= limit else {
                throw .invalidArgument("time offset would exceed \(limit) seconds")
            }
            timeOffset += seconds
            return timeOffset
        }
    }

    /// evm_setNextBlockTimestamp: the next block gets exactly this time (not before the head's).
    public func setNextBlockTimestamp(_ t: UInt64) throws(NodeError) {
        try locked { () throws(NodeError) in
            if t < headHeader.timestamp { throw .timestampNotAfterParent(requested: t, parent: headHeader.timestamp) }
            if t > Blockchain.maxTimestamp { throw .invalidArgument("timestamp \(t) is too large") }
            nextTimestamp = t
        }
    }
}
