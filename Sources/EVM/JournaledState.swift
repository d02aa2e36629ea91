import Primitives

/// One account of the world state.
public struct Account: Sendable {
    public var nonce: UInt64
    public var balance: UInt256
    public private(set) var code: [UInt8]
    public private(set) var codeHash: Hash32
    /// Current storage; zero-valued slots are absent.
    public var storage: [UInt256: UInt256]
    /// Storage at the start of the transaction (EIP-2200 "original" values).
    var original: [UInt256: UInt256]

    public init(nonce: UInt64 = 0, balance: UInt256 = .zero, code: [UInt8] = [], storage: [UInt256: UInt256] = [:]) {
        self.nonce = nonce; self.balance = balance; self.code = code
        self.codeHash = code.isEmpty ? emptyCodeHash : Keccak256.hash(code)
        self.storage = storage.filter { !$0.value.isZero }
        self.original = self.storage
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
}

/// Typed undo records; reverting a snapshot pops and undoes them in reverse order.
enum JournalEntry {
    case created(Address)
    case replaced(Address, Account)
    case balance(Address, UInt256)
    case nonce(Address, UInt64)
    case code(Address, [UInt8])
    case storage(Address, UInt256, UInt256)
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
    public private(set) var accounts: [Address: Account]
    var journal: [JournalEntry] = []
    var warmAccounts = Set<Address>()
    var warmSlots = Set<SlotKey>()
    var transient: [SlotKey: UInt256] = [:]
    var touched = Set<Address>()
    var createdInTx = Set<Address>()
    var destructed = Set<Address>()
    /// Logs emitted so far in this transaction (reverted frames' logs removed).
    public private(set) var logs: [Log] = []
    /// The refund counter (EIP-3529); may go negative inside a transaction.
    public private(set) var refund: Int = 0
    /// BLOCKHASH source; the state-test convention is keccak256 of the decimal block number.
    public var blockHashProvider: @Sendable (UInt64) -> Hash32 = { Keccak256.hash(String($0)) }

    static let ripemd = Address(hi: 0, mid: 0, lo: 3)

    public init(accounts: [Address: Account] = [:]) { self.accounts = accounts }

    /// Starts a transaction: clears per-transaction sets and makes the current storage the "original" one.
    public func beginTransaction() {
        journal.removeAll(keepingCapacity: true)
        warmAccounts.removeAll(); warmSlots.removeAll(); transient.removeAll()
        touched.removeAll(); createdInTx.removeAll(); destructed.removeAll()
        logs.removeAll(); refund = 0
        for k in Array(accounts.keys) { accounts[k]!.original = accounts[k]!.storage }
    }

    /// Ends a transaction: deletes self-destructed accounts and touched empty ones (EIP-161, EIP-6780).
    public func finalizeTransaction() {
        for a in destructed { accounts[a] = nil }
        for a in touched where accounts[a]?.isEmpty == true { accounts[a] = nil }
        journal.removeAll(keepingCapacity: true)
    }

    /// Sets the whole account (test setup and transaction prelude; not journaled).
    public func setAccount(_ a: Address, _ acct: Account?) { accounts[a] = acct }

    // MARK: Host reads

    public func exists(_ a: Address) -> Bool { accounts[a] != nil }
    public func isEmpty(_ a: Address) -> Bool { accounts[a]?.isEmpty ?? true }
    public func balance(_ a: Address) -> UInt256 { accounts[a]?.balance ?? .zero }
    public func nonce(_ a: Address) -> UInt64 { accounts[a]?.nonce ?? 0 }
    public func code(_ a: Address) -> [UInt8] { accounts[a]?.code ?? [] }
    public func codeHash(_ a: Address) -> Hash32 { accounts[a]?.codeHash ?? emptyCodeHash }
    public func storage(_ a: Address, _ key: UInt256) -> UInt256 { accounts[a]?.storage[key] ?? .zero }
    public func hasStorage(_ a: Address) -> Bool { !(accounts[a]?.storage.isEmpty ?? true) }
    public func originalStorage(_ a: Address, _ key: UInt256) -> UInt256 { accounts[a]?.original[key] ?? .zero }
    public func transientStorage(_ a: Address, _ key: UInt256) -> UInt256 {
        transient[SlotKey(address: a, key: key)] ?? .zero
    }
    public func blockHash(_ number: UInt64) -> Hash32 { blockHashProvider(number) }

    // MARK: Host writes (journaled)

    /// Creates the account when missing and records it as touched.
    func ensure(_ a: Address) {
        if accounts[a] == nil {
            accounts[a] = Account()
            journal.append(.created(a))
        }
        if touched.insert(a).inserted { journal.append(.touched(a)) }
    }

    public func touch(_ a: Address) { ensure(a) }

    public func setStorage(_ a: Address, _ key: UInt256, _ value: UInt256) {
        ensure(a)
        let old = accounts[a]!.storage[key] ?? .zero
        journal.append(.storage(a, key, old))
        accounts[a]!.storage[key] = value.isZero ? nil : value
    }

    public func setTransientStorage(_ a: Address, _ key: UInt256, _ value: UInt256) {
        let k = SlotKey(address: a, key: key)
        journal.append(.transient(k, transient[k] ?? .zero))
        transient[k] = value.isZero ? nil : value
    }

    public func warmAccount(_ a: Address) -> Bool {
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
        ensure(a)
        journal.append(.balance(a, accounts[a]!.balance))
        accounts[a]!.balance = v
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
        ensure(a)
        journal.append(.nonce(a, accounts[a]!.nonce))
        accounts[a]!.nonce = n
    }

    public func setCode(_ a: Address, _ code: [UInt8]) {
        ensure(a)
        journal.append(.code(a, accounts[a]!.code))
        accounts[a]!.setCode(code)
    }

    public func createContract(_ a: Address) {
        ensure(a)
        let old = accounts[a]!
        journal.append(.replaced(a, old))
        var fresh = Account(nonce: 1, balance: old.balance)
        fresh.original = [:]
        accounts[a] = fresh
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
            case .created(let a): accounts[a] = nil
            case .replaced(let a, let old): accounts[a] = old
            case .balance(let a, let v): accounts[a]?.balance = v
            case .nonce(let a, let n): accounts[a]?.nonce = n
            case .code(let a, let c): accounts[a]?.setCode(c)
            case .storage(let a, let k, let v): accounts[a]?.storage[k] = v.isZero ? nil : v
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
