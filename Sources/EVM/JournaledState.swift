import Primitives

/// One account of the world state.
public struct Account: Sendable {
    public var nonce: UInt64
    public var balance: UInt256
    public private(set) var code: [UInt8]
    public private(set) var codeHash: Hash32
    /// Current storage; zero-valued slots are absent. (Inside `JournaledState` storage lives in one flat
    /// slot table instead; `accounts` puts it back here.)
    public var storage: [UInt256: UInt256]

    public init(nonce: UInt64 = 0, balance: UInt256 = .zero, code: [UInt8] = [], storage: [UInt256: UInt256] = [:]) {
        self.nonce = nonce; self.balance = balance; self.code = code
        self.codeHash = code.isEmpty ? emptyCodeHash : Keccak256.hash(code)
        self.storage = storage.filter { !$0.value.isZero }
    }

    mutating func setCode(_ c: [UInt8]) {
        code = c
        codeHash = c.isEmpty ? emptyCodeHash : Keccak256.hash(c)
    }

    /// EIP-161: no code, zero nonce, zero balance.
    public var isEmpty: Bool { nonce == 0 && balance.isZero && code.isEmpty }
}

struct SlotKey: Hashable {
    var address: Address
    var key: UInt256

    static func == (a: SlotKey, b: SlotKey) -> Bool { a.key == b.key && a.address == b.address }

    /// Two words instead of seven: the hasher's mixing does the rest, and equality stays exact.
    func hash(into h: inout Hasher) {
        h.combine(key.l0 ^ address.lo)
        h.combine(key.l1 ^ key.l2 ^ key.l3 ^ address.mid ^ UInt64(address.hi))
    }
}

/// One account's writes since the last `JournaledState.takeChanges()`.
public struct AccountChange: Sendable {
    public let address: Address
    /// The account now, with `storage` empty (see `slots`); nil when it no longer exists.
    public let account: Account?
    /// The written slots and their current values; zero means the slot is now absent.
    public let slots: [(key: UInt256, value: UInt256)]
}

/// Typed undo records; reverting a snapshot pops and undoes them in reverse order.
enum JournalEntry {
    case created(Address)
    case replaced(Address, Account)
    case balance(Address, UInt256)
    case nonce(Address, UInt64)
    case code(Address, [UInt8])
    case storage(SlotKey, UInt256)
    case transient(SlotKey, UInt256)
    case warmAccount(Address)
    case warmSlot(SlotKey)
    case refund(Int)
    case touched(Address)
    case createdInTx(Address)
    case destructed(Address)
    case log
}

/// The world state with an undo journal: the `Host` the interpreter runs on. Snapshots are journal
/// lengths; `revert(to:)` undoes everything after one. `beginTransaction` and `finalizeTransaction`
/// bracket one transaction (warm sets, transient storage, refunds, logs, EIP-161/6780 deletions).
public final class JournaledState: Host {
    /// Accounts without their storage (kept in `slots`).
    var infos: [Address: Account]
    /// Every non-zero storage slot of every account, in one table: one hash lookup per access.
    var slots: [SlotKey: UInt256] = [:]
    /// Number of non-zero slots per account (EIP-7610 collision check without a scan).
    var slotCounts: [Address: Int] = [:]
    /// Pre-transaction values of slots written in this transaction (EIP-2200 "original").
    var originals: [SlotKey: UInt256] = [:]
    var journal: [JournalEntry] = []
    var warmAccounts = Set<Address>()
    var warmSlots = Set<SlotKey>()
    var transient: [SlotKey: UInt256] = [:]
    var touched = Set<Address>()
    var createdInTx = Set<Address>()
    var destructed = Set<Address>()
    /// Accounts and slots written since the last `takeChanges()` (a superset: a write that was reverted may
    /// still be listed). Filled from the per-transaction sets at `finalizeTransaction`, so the hot path pays
    /// nothing extra per write; `takeChanges` lets a block's state root and storage records cost O(changes).
    var dirtyAccounts = Set<Address>()
    var dirtySlots = Set<SlotKey>()
    /// Set by every write (`ensure`), cleared once the per-transaction sets are merged into the dirty ones, so a
    /// transaction's writes are merged once even when `takeChanges` follows `finalizeTransaction`.
    var unrecorded = false
    /// Logs emitted so far in this transaction (reverted frames' logs removed).
    public private(set) var logs: [Log] = []
    /// The refund counter (EIP-3529); may go negative inside a transaction.
    public private(set) var refund: Int = 0
    /// BLOCKHASH source; the state-test convention is keccak256 of the decimal block number.
    public var blockHashProvider: @Sendable (UInt64) -> Hash32 = { Keccak256.hash(String($0)) }

    static let ripemd = Address(hi: 0, mid: 0, lo: 3)

    public init(accounts: [Address: Account] = [:]) {
        infos = [:]
        infos.reserveCapacity(accounts.count)
        for (a, acct) in accounts { setAccount(a, acct) }
        // The initial contents are the baseline that changes are measured from.
        dirtyAccounts = []; dirtySlots = []
    }

    /// All accounts with their storage.
    public var accounts: [Address: Account] {
        var out = infos
        for (k, v) in slots { out[k.address]?.storage[k.key] = v }
        return out
    }

    /// Starts a transaction: clears per-transaction sets and makes the current storage the "original" one.
    /// The sets keep their buffers (a transaction touches a handful of entries; reallocating them per
    /// transaction showed up in block import profiles), unless one transaction grew them unusually large.
    public func beginTransaction() {
        journal.removeAll(keepingCapacity: journal.capacity <= 4096)
        Self.reset(&warmAccounts); Self.reset(&warmSlots); Self.reset(&touched)
        if !transient.isEmpty { transient.removeAll() }
        if !createdInTx.isEmpty { createdInTx.removeAll() }
        if !destructed.isEmpty { destructed.removeAll() }
        logs = []; refund = 0
        originals.removeAll(keepingCapacity: originals.capacity <= 1024)
    }

    @inline(__always)
    static func reset<T>(_ set: inout Set<T>) {
        if set.isEmpty { return }
        set.removeAll(keepingCapacity: set.capacity <= 1024)
    }

    /// Ends a transaction: deletes self-destructed accounts and touched empty ones (EIP-161, EIP-6780), and
    /// records what the transaction wrote for `takeChanges`.
    public func finalizeTransaction() {
        if !destructed.isEmpty || !touched.isEmpty {
            var removed: [Address] = []
            for a in destructed { infos[a] = nil; removed.append(a) }
            for a in touched where infos[a]?.isEmpty == true { infos[a] = nil; removed.append(a) }
            for a in removed where slotCounts[a] != nil { clearSlots(a, journaled: false) }
        }
        recordWrites()
        journal.removeAll(keepingCapacity: journal.capacity <= 4096)
    }

    /// Every written account passed through `ensure` (so it is in `touched`, or `destructed`), and every
    /// slot written by `setStorage` has its pre-transaction value in `originals`.
    func recordWrites() {
        guard unrecorded else { return }
        unrecorded = false
        dirtyAccounts.formUnion(touched)
        dirtyAccounts.formUnion(destructed)
        for k in originals.keys { dirtySlots.insert(k) }
    }

    /// What changed since the previous call (or since `init`): each written account as it is now (`account`
    /// without storage, nil when it no longer exists) with its written slots' current values (zero = cleared).
    /// Call it between transactions. Entries may repeat the old values; callers compare.
    public func takeChanges() -> [AccountChange] {
        recordWrites()
        var slotsByAccount: [Address: [(key: UInt256, value: UInt256)]] = [:]
        for k in dirtySlots {
            dirtyAccounts.insert(k.address)
            slotsByAccount[k.address, default: []].append((k.key, slots[k] ?? .zero))
        }
        var out: [AccountChange] = []
        out.reserveCapacity(dirtyAccounts.count)
        for a in dirtyAccounts {
            out.append(AccountChange(address: a, account: infos[a], slots: slotsByAccount[a] ?? []))
        }
        dirtyAccounts.removeAll(keepingCapacity: true)
        dirtySlots.removeAll(keepingCapacity: true)
        return out
    }

    /// Sets the whole account including storage (test setup; not journaled).
    public func setAccount(_ a: Address, _ acct: Account?) {
        dirtyAccounts.insert(a)
        if slotCounts[a] != nil { clearSlots(a, journaled: false) }
        guard var acct else { infos[a] = nil; return }
        for (k, v) in acct.storage where !v.isZero {
            let key = SlotKey(address: a, key: k)
            writeSlot(key, v)
            dirtySlots.insert(key)
        }
        acct.storage = [:]
        infos[a] = acct
    }

    /// Writes a slot and keeps the per-account counts; returns the previous value.
    @discardableResult
    func writeSlot(_ k: SlotKey, _ v: UInt256) -> UInt256 {
        let old: UInt256?
        if v.isZero { old = slots.removeValue(forKey: k) } else { old = slots.updateValue(v, forKey: k) }
        if old == nil && !v.isZero { slotCounts[k.address, default: 0] += 1 }
        if old != nil && v.isZero {
            let n = (slotCounts[k.address] ?? 1) - 1
            slotCounts[k.address] = n == 0 ? nil : n
        }
        return old ?? UInt256(l0: 0, l1: 0, l2: 0, l3: 0)
    }

    /// Zeroes every slot of `a` (contract creation over leftover storage, deletions).
    func clearSlots(_ a: Address, journaled: Bool) {
        let keys = slots.keys.filter { $0.address == a }
        for k in keys {
            dirtySlots.insert(k)
            let old = writeSlot(k, .zero)
            if journaled { journal.append(.storage(k, old)) }
        }
    }

    // MARK: Host reads

    public func exists(_ a: Address) -> Bool { infos[a] != nil }
    public func isEmpty(_ a: Address) -> Bool { infos[a]?.isEmpty ?? true }
    public func balance(_ a: Address) -> UInt256 { infos[a]?.balance ?? .zero }
    public func nonce(_ a: Address) -> UInt64 { infos[a]?.nonce ?? 0 }
    public func code(_ a: Address) -> [UInt8] { infos[a]?.code ?? [] }
    public func codeHash(_ a: Address) -> Hash32 { infos[a]?.codeHash ?? emptyCodeHash }
    public func storage(_ a: Address, _ key: UInt256) -> UInt256 {
        slots[SlotKey(address: a, key: key)] ?? UInt256(l0: 0, l1: 0, l2: 0, l3: 0)
    }
    public func hasStorage(_ a: Address) -> Bool { slotCounts[a] != nil }
    public func originalStorage(_ a: Address, _ key: UInt256) -> UInt256 {
        // A contract created in this transaction started with empty storage (EIP-7610 rules out leftovers).
        if createdInTx.contains(a) { return .zero }
        let k = SlotKey(address: a, key: key)
        return originals[k] ?? slots[k] ?? UInt256(l0: 0, l1: 0, l2: 0, l3: 0)
    }
    public func transientStorage(_ a: Address, _ key: UInt256) -> UInt256 {
        transient[SlotKey(address: a, key: key)] ?? .zero
    }
    public func blockHash(_ number: UInt64) -> Hash32 { blockHashProvider(number) }

    // MARK: Host writes (journaled)

    /// Creates the account when missing and records it as touched; returns its position in `infos`, so that
    /// the caller's read-modify-write hashes the address once rather than three times.
    @discardableResult
    func ensure(_ a: Address) -> Dictionary<Address, Account>.Index {
        unrecorded = true
        let index: Dictionary<Address, Account>.Index
        if let i = infos.index(forKey: a) {
            index = i
        } else {
            infos[a] = Account()
            journal.append(.created(a))
            index = infos.index(forKey: a)!
        }
        if touched.insert(a).inserted { journal.append(.touched(a)) }
        return index
    }

    public func touch(_ a: Address) { ensure(a) }

    public func setStorage(_ a: Address, _ key: UInt256, _ value: UInt256) {
        ensure(a)
        let k = SlotKey(address: a, key: key)
        let old = writeSlot(k, value)
        if originals[k] == nil { originals[k] = old }
        journal.append(.storage(k, old))
    }

    public func setTransientStorage(_ a: Address, _ key: UInt256, _ value: UInt256) {
        let k = SlotKey(address: a, key: key)
        journal.append(.transient(k, transient[k] ?? .zero))
        transient[k] = value.isZero ? nil : value
    }

    public func warmAccount(_ a: Address) -> Bool {
        // Cancun's precompiles (0x01...0x0a) are warm in every transaction: answering here saves ten set
        // inserts and journal entries per transaction.
        if a.hi == 0 && a.mid == 0 && a.lo &- 1 < 10 { return false }
        if warmAccounts.insert(a).inserted { journal.append(.warmAccount(a)); return true }
        return false
    }

    public func warmSlot(_ a: Address, _ key: UInt256) -> Bool {
        let k = SlotKey(address: a, key: key)
        if warmSlots.insert(k).inserted { journal.append(.warmSlot(k)); return true }
        return false
    }

    public func addLog(_ log: Log) { logs.append(log); journal.append(.log) }

    public func addRefund(_ delta: Int) { journal.append(.refund(refund)); refund += delta }

    public func setBalance(_ a: Address, _ v: UInt256) {
        let i = ensure(a)
        journal.append(.balance(a, infos.values[i].balance))
        infos.values[i].balance = v
    }

    public func transfer(from: Address, to: Address, value: UInt256) -> Bool {
        let fb = balance(from)
        if fb < value { return false }
        if value.isZero { ensure(to); return true }
        setBalance(from, fb &- value)
        setBalance(to, balance(to) &+ value)
        return true
    }

    public func setNonce(_ a: Address, _ n: UInt64) {
        let i = ensure(a)
        journal.append(.nonce(a, infos.values[i].nonce))
        infos.values[i].nonce = n
    }

    public func setCode(_ a: Address, _ code: [UInt8]) {
        ensure(a)
        journal.append(.code(a, infos[a]!.code))
        infos[a]!.setCode(code)
    }

    public func createContract(_ a: Address) {
        ensure(a)
        let old = infos[a]!
        journal.append(.replaced(a, old))
        infos[a] = Account(nonce: 1, balance: old.balance)
        if slotCounts[a] != nil { clearSlots(a, journaled: true) }
        if createdInTx.insert(a).inserted { journal.append(.createdInTx(a)) }
    }

    public func selfDestruct(_ a: Address, beneficiary: Address) {
        let value = balance(a)
        ensure(beneficiary)
        if beneficiary != a {
            setBalance(beneficiary, balance(beneficiary) &+ value)
            setBalance(a, .zero)
        }
        if createdInTx.contains(a) {
            setBalance(a, .zero)
            if destructed.insert(a).inserted { journal.append(.destructed(a)) }
        }
    }

    public func snapshot() -> Int { journal.count }

    public func revert(to snapshot: Int) {
        while journal.count > snapshot {
            switch journal.removeLast() {
            case .created(let a): infos[a] = nil
            case .replaced(let a, let old): infos[a] = old
            case .balance(let a, let v): infos[a]?.balance = v
            case .nonce(let a, let n): infos[a]?.nonce = n
            case .code(let a, let c): infos[a]?.setCode(c)
            case .storage(let k, let v): writeSlot(k, v)
            case .transient(let k, let v): transient[k] = v.isZero ? nil : v
            case .warmAccount(let a): warmAccounts.remove(a)
            case .warmSlot(let k): warmSlots.remove(k)
            case .refund(let r): refund = r
            case .touched(let a): if a != Self.ripemd { touched.remove(a) }
            case .createdInTx(let a): createdInTx.remove(a)
            case .destructed(let a): destructed.remove(a)
            case .log: logs.removeLast()
            }
        }
    }

    /// True when the account was created in the current transaction.
    public func wasCreatedInTransaction(_ a: Address) -> Bool { createdInTx.contains(a) }
}
