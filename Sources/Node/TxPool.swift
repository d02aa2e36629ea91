/// The transaction pool: per-sender nonce-ordered lists, split into pending (executable now: nonces contiguous
/// from the account's nonce) and queued (after a gap), replacement only with a ≥10% bump of both fee cap and tip,
/// and limits per sender and in total. Rejections carry geth's messages, so tools that match on them work.
import Chain
import Primitives

/// Why the pool refused a transaction; `description` is geth's message text.
public enum PoolError: Error, Equatable, CustomStringConvertible {
    case alreadyKnown
    case nonceTooLow(next: UInt64, tx: UInt64)
    case insufficientFunds(balance: UInt256, cost: UInt256)
    case intrinsicGasTooLow(gas: UInt64, needed: UInt64)
    case feeCapBelowBaseFee(address: Address, maxFeePerGas: UInt256, baseFee: UInt256)
    case replacementUnderpriced
    case exceedsBlockGasLimit
    case invalidSender(String)
    case tipAboveFeeCap(address: Address, tip: UInt256, feeCap: UInt256)
    case oversized(Int)
    case accountLimit
    case poolFull
    case nonceMax
    case initCodeTooLarge(Int)
    case senderHasCode(Address)

    public var description: String {
        switch self {
        case .alreadyKnown: return "already known"
        case .nonceTooLow(let n, let t): return "nonce too low: next nonce \(n), tx nonce \(t)"
        case .insufficientFunds(let b, let c):
            return "insufficient funds for gas * price + value: balance \(b), tx cost \(c), overshot \(c &- b)"
        case .intrinsicGasTooLow(let g, let n): return "intrinsic gas too low: gas \(g), minimum needed \(n)"
        case .feeCapBelowBaseFee(let a, let m, let b):
            return "max fee per gas less than block base fee: address \(a), maxFeePerGas: \(m), baseFee: \(b)"
        case .replacementUnderpriced: return "replacement transaction underpriced"
        case .exceedsBlockGasLimit: return "exceeds block gas limit"
        case .invalidSender(let why): return why.isEmpty ? "invalid sender" : "invalid sender: \(why)"
        case .tipAboveFeeCap(let a, let t, let f):
            return "max priority fee per gas higher than max fee per gas: address \(a), maxPriorityFeePerGas: \(t), maxFeePerGas: \(f)"
        case .oversized(let n): return "oversized data: transaction size \(n), limit 131072"
        case .accountLimit: return "account limit exceeded"
        case .poolFull: return "txpool is full"
        case .nonceMax: return "nonce has max value"
        case .initCodeTooLarge(let n): return "max initcode size exceeded: code size \(n) limit 49152"
        case .senderHasCode(let a): return "sender not an eoa: address \(a)"
        }
    }
}

/// A transaction in the pool with its recovered sender.
public struct PooledTransaction: Sendable {
    public let tx: SignedTransaction
    public let sender: Address
    public var hash: Hash32 { tx.hash }
    public init(tx: SignedTransaction, sender: Address) { self.tx = tx; self.sender = sender }
}

/// The pool's contents. Not thread-safe: `Blockchain` serialises all access.
public struct TxPool {
    public var maxPerSender = 64
    public var maxTotal = 5_120
    var bySender: [Address: [UInt64: PooledTransaction]] = [:]
    var byHash: [Hash32: PooledTransaction] = [:]
    /// Senders in order of their first pooled transaction, so blocks are filled fairly.
    var senderOrder: [Address] = []

    public init() {}

    public var count: Int { byHash.count }
    public func get(_ hash: Hash32) -> PooledTransaction? { byHash[hash] }

    /// Admits `ptx` after the stateful checks (the static ones and sender recovery happen before).
    /// `stateNonce` and `balance` are the sender's at the head.
    mutating func add(_ ptx: PooledTransaction, stateNonce: UInt64, balance: UInt256) throws(PoolError) {
        let tx = ptx.tx.transaction
        if byHash[ptx.hash] != nil { throw .alreadyKnown }
        if tx.nonce < stateNonce { throw .nonceTooLow(next: stateNonce, tx: tx.nonce) }
        let (gasCost, o1) = tx.feeCap.mulReportingOverflow(UInt256(tx.gasLimit))
        let (cost, o2) = gasCost.addingReportingOverflow(tx.value)
        if o1 || o2 || balance < cost { throw .insufficientFunds(balance: balance, cost: o1 || o2 ? .max : cost) }
        var list = bySender[ptx.sender] ?? [:]
        if let old = list[tx.nonce] {
            // geth's price bump: both caps must rise by at least 10%.
            let o = old.tx.transaction
            if tx.feeCap < Self.bumped(o.feeCap) || tx.tipCap < Self.bumped(o.tipCap) { throw .replacementUnderpriced }
            byHash[old.hash] = nil
        } else {
            if list.count >= maxPerSender { throw .accountLimit }
            if byHash.count >= maxTotal { throw .poolFull }
        }
        list[tx.nonce] = ptx
        if bySender[ptx.sender] == nil { senderOrder.append(ptx.sender) }
        bySender[ptx.sender] = list
        byHash[ptx.hash] = ptx
    }

    /// old × 110 / 100, saturating.
    static func bumped(_ v: UInt256) -> UInt256 {
        let (m, o) = v.mulReportingOverflow(UInt256(110))
        return o ? .max : m.dividedBy(UInt256(100))
    }

    /// The next nonce the sender can use: the state nonce followed by the contiguous pooled ones.
    func pendingNonce(_ sender: Address, stateNonce: UInt64) -> UInt64 {
        guard let list = bySender[sender] else { return stateNonce }
        var n = stateNonce
        while list[n] != nil { n += 1 }
        return n
    }

    /// Executable transactions: for each sender (in arrival order) the run of nonces starting at its state nonce.
    func executable(nonce: (Address) -> UInt64) -> [PooledTransaction] {
        var out: [PooledTransaction] = []
        for s in senderOrder {
            guard let list = bySender[s] else { continue }
            var n = nonce(s)
            while let p = list[n] { out.append(p); n += 1 }
        }
        return out
    }

    /// Pending (executable) and queued counts.
    func counts(nonce: (Address) -> UInt64) -> (pending: Int, queued: Int) {
        let p = executable(nonce: nonce).count
        return (p, byHash.count - p)
    }

    /// Drops transactions whose nonce the state has passed (included or replaced by a mined one).
    mutating func prune(nonce: (Address) -> UInt64) {
        var emptied: Set<Address> = []
        for (s, list) in bySender {
            let n = nonce(s)
            var kept = list
            for (k, p) in list where k < n { kept[k] = nil; byHash[p.hash] = nil }
            if kept.isEmpty { emptied.insert(s); bySender[s] = nil } else if kept.count != list.count { bySender[s] = kept }
        }
        if !emptied.isEmpty { senderOrder.removeAll { emptied.contains($0) } }
    }

    /// Removes one transaction (it failed at execution).
    mutating func remove(_ hash: Hash32) {
        guard let p = byHash.removeValue(forKey: hash) else { return }
        bySender[p.sender]?[p.tx.transaction.nonce] = nil
        if bySender[p.sender]?.isEmpty == true {
            bySender[p.sender] = nil
            senderOrder.removeAll { $0 == p.sender }
        }
    }

    mutating func removeAll() { bySender = [:]; byHash = [:]; senderOrder = [] }
}
