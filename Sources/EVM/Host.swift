import Primitives

/// A log record emitted by LOG0..LOG4.
public struct Log: Equatable, Sendable {
    public var address: Address
    public var topics: [Hash32]
    public var data: [UInt8]
    public init(address: Address, topics: [Hash32], data: [UInt8]) {
        self.address = address; self.topics = topics; self.data = data
    }
}

/// Block-level values the interpreter reads (COINBASE, NUMBER, ...).
public struct BlockEnv: Sendable {
    public var coinbase: Address
    public var number: UInt64
    public var timestamp: UInt256
    public var gasLimit: UInt64
    public var baseFee: UInt256
    public var prevRandao: UInt256
    public var chainId: UInt256
    public var blobBaseFee: UInt256
    public init(coinbase: Address = .zero, number: UInt64 = 0, timestamp: UInt256 = .zero, gasLimit: UInt64 = 30_000_000,
                baseFee: UInt256 = .zero, prevRandao: UInt256 = .zero, chainId: UInt256 = .one,
                blobBaseFee: UInt256 = .one) {
        self.coinbase = coinbase; self.number = number; self.timestamp = timestamp; self.gasLimit = gasLimit
        self.baseFee = baseFee; self.prevRandao = prevRandao; self.chainId = chainId; self.blobBaseFee = blobBaseFee
    }
}

/// Transaction-level values (ORIGIN, GASPRICE, BLOBHASH).
public struct TxEnv: Sendable {
    public var origin: Address
    public var gasPrice: UInt256
    public var blobHashes: [Hash32]
    public init(origin: Address, gasPrice: UInt256 = .zero, blobHashes: [Hash32] = []) {
        self.origin = origin; self.gasPrice = gasPrice; self.blobHashes = blobHashes
    }
}

/// Everything the interpreter reads or changes outside its own stack and memory. The interpreter calls
/// only these; `JournaledState` is the implementation used by transaction execution and the chain.
/// It is a class-bound protocol so the interpreter holds it as a generic parameter, specialised per host.
public protocol Host: AnyObject {
    /// True when the account exists in the state (even if empty).
    func exists(_ a: Address) -> Bool
    /// EIP-161 emptiness: no code, nonce 0, balance 0 (non-existent accounts are empty too).
    func isEmpty(_ a: Address) -> Bool
    func balance(_ a: Address) -> UInt256
    func nonce(_ a: Address) -> UInt64
    func code(_ a: Address) -> [UInt8]
    /// keccak256 of the code (the empty-code hash for accounts without code).
    func codeHash(_ a: Address) -> Hash32
    func storage(_ a: Address, _ key: UInt256) -> UInt256
    /// True when the account has any non-zero storage slot (EIP-7610 creation collisions).
    func hasStorage(_ a: Address) -> Bool
    /// The slot's value at the start of the transaction (EIP-2200).
    func originalStorage(_ a: Address, _ key: UInt256) -> UInt256
    func setStorage(_ a: Address, _ key: UInt256, _ value: UInt256)
    func transientStorage(_ a: Address, _ key: UInt256) -> UInt256
    func setTransientStorage(_ a: Address, _ key: UInt256, _ value: UInt256)
    /// Marks the account warm; returns true when it was cold (EIP-2929).
    func warmAccount(_ a: Address) -> Bool
    /// Marks the slot warm; returns true when it was cold.
    func warmSlot(_ a: Address, _ key: UInt256) -> Bool
    func addLog(_ log: Log)
    func addRefund(_ delta: Int)
    /// Creates the account if missing and marks it touched (EIP-161).
    func touch(_ a: Address)
    /// Moves `value` wei; false (and nothing changes) when `from` has too little.
    func transfer(from: Address, to: Address, value: UInt256) -> Bool
    func setNonce(_ a: Address, _ n: UInt64)
    func setCode(_ a: Address, _ code: [UInt8])
    /// Prepares `a` as a newly created contract: storage cleared, nonce 1, balance kept (EIP-161).
    func createContract(_ a: Address)
    /// EIP-6780 SELFDESTRUCT: moves the balance to `beneficiary` and deletes the account at the end of the
    /// transaction only when it was created in this transaction.
    func selfDestruct(_ a: Address, beneficiary: Address)
    func snapshot() -> Int
    func revert(to snapshot: Int)
    /// BLOCKHASH for a block number in the last 256 blocks.
    func blockHash(_ number: UInt64) -> Hash32
}

/// keccak256 of empty input: the code hash of accounts without code.
public let emptyCodeHash = Keccak256.hash([UInt8]())
