/// Genesis files in geth's genesis.json format: chain config (chain id, fork blocks and times), header fields, and
/// the pre-funded `alloc`. Numbers may be JSON numbers, decimal strings or 0x-hex strings, as geth accepts. Errors
/// name the field at fault. The genesis state root needs a trie, so it is supplied by the caller.
import Foundation
import Primitives

/// An error in a genesis file; `path` names the field (for example `alloc.0xf39f….balance`).
public enum GenesisError: Error, Equatable, CustomStringConvertible {
    case unreadable(String)
    case notJSON(String)
    case missing(String)
    case invalid(path: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let why): return "genesis: cannot read file: \(why)"
        case .notJSON(let why): return "genesis: not a JSON object: \(why)"
        case .missing(let p): return "genesis: required field \(p) is missing"
        case .invalid(let p, let why): return "genesis field \(p): \(why)"
        }
    }
}

/// The chain configuration: chain id and fork activation (blocks before the merge, timestamps after).
public struct ChainConfig: Hashable, Sendable {
    public var chainId: UInt64
    /// Block-numbered forks by geth's names (homesteadBlock … londonBlock, mergeNetsplitBlock …).
    public var forkBlocks: [String: UInt64]
    /// Time-activated forks by geth's names (shanghaiTime, cancunTime, pragueTime …).
    public var forkTimes: [String: UInt64]
    public var terminalTotalDifficulty: UInt256?

    public init(chainId: UInt64, forkBlocks: [String: UInt64] = [:], forkTimes: [String: UInt64] = [:],
                terminalTotalDifficulty: UInt256? = nil) {
        self.chainId = chainId; self.forkBlocks = forkBlocks; self.forkTimes = forkTimes
        self.terminalTotalDifficulty = terminalTotalDifficulty
    }

    public var londonBlock: UInt64? { forkBlocks["londonBlock"] }
    public var shanghaiTime: UInt64? { forkTimes["shanghaiTime"] }
    public var cancunTime: UInt64? { forkTimes["cancunTime"] }

    public func isLondon(block: UInt64) -> Bool { londonBlock.map { block >= $0 } ?? false }
    public func isShanghai(timestamp: UInt64) -> Bool { shanghaiTime.map { timestamp >= $0 } ?? false }
    public func isCancun(timestamp: UInt64) -> Bool { cancunTime.map { timestamp >= $0 } ?? false }
}

/// One pre-funded account.
public struct GenesisAccount: Hashable, Sendable {
    public var balance: UInt256
    public var nonce: UInt64
    public var code: [UInt8]
    /// Non-zero slots (zero values are dropped when parsing, as they are absent from the state).
    public var storage: [Bytes32: Bytes32]

    public init(balance: UInt256, nonce: UInt64 = 0, code: [UInt8] = [], storage: [Bytes32: Bytes32] = [:]) {
        self.balance = balance; self.nonce = nonce; self.code = code; self.storage = storage
    }
}

/// A parsed genesis file.
public struct Genesis: Hashable, Sendable {
    public var config: ChainConfig
    public var nonce: UInt64
    public var timestamp: UInt64
    public var extraData: [UInt8]
    public var gasLimit: UInt64
    public var difficulty: UInt256
    public var mixHash: Hash32
    public var coinbase: Address
    public var number: UInt64
    public var gasUsed: UInt64
    public var parentHash: Hash32
    public var baseFeePerGas: UInt256?
    public var excessBlobGas: UInt64?
    public var blobGasUsed: UInt64?
    public var alloc: [Address: GenesisAccount]

    /// geth's defaults: the gas limit when the file gives none or 0, and the London initial base fee.
    public static let defaultGasLimit: UInt64 = 4_712_388
    public static let initialBaseFee = UInt256(1_000_000_000)

    public init(config: ChainConfig, timestamp: UInt64 = 0, extraData: [UInt8] = [], gasLimit: UInt64,
                baseFeePerGas: UInt256? = nil, coinbase: Address = .zero, alloc: [Address: GenesisAccount]) {
        self.config = config; nonce = 0; self.timestamp = timestamp; self.extraData = extraData
        self.gasLimit = gasLimit; difficulty = .zero; mixHash = .zero; self.coinbase = coinbase; number = 0
        gasUsed = 0; parentHash = .zero; self.baseFeePerGas = baseFeePerGas; excessBlobGas = nil; blobGasUsed = nil
        self.alloc = alloc
    }

    /// Reads and parses a genesis file.
    public init(contentsOf url: URL) throws(GenesisError) {
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw .unreadable("\(url.path): \(error.localizedDescription)") }
        try self.init(json: data)
    }

    /// Parses genesis JSON.
    public init(json data: Data) throws(GenesisError) {
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: data) } catch { throw .notJSON(error.localizedDescription) }
        guard let root = object as? [String: Any] else { throw .notJSON("the top level is not an object") }
        guard let configObject = root["config"] else { throw .missing("config") }
        guard let cfg = configObject as? [String: Any] else { throw .invalid(path: "config", reason: "not an object") }
        guard let chainIdValue = cfg["chainId"] else { throw .missing("config.chainId") }
        var config = ChainConfig(chainId: try GenesisNumber.uint64(chainIdValue, "config.chainId"))
        for (key, value) in cfg where key != "chainId" {
            if key.hasSuffix("Block") {
                if value is NSNull { continue }
                config.forkBlocks[key] = try GenesisNumber.uint64(value, "config.\(key)")
            } else if key.hasSuffix("Time") {
                if value is NSNull { continue }
                config.forkTimes[key] = try GenesisNumber.uint64(value, "config.\(key)")
            } else if key == "terminalTotalDifficulty" {
                config.terminalTotalDifficulty = try GenesisNumber.uint256(value, "config.terminalTotalDifficulty")
            }
            // Other keys (terminalTotalDifficultyPassed, ethash, clique, blobSchedule…) do not affect this chain.
        }
        self.config = config
        func u64(_ key: String, _ fallback: UInt64) throws(GenesisError) -> UInt64 {
            guard let v = root[key], !(v is NSNull) else { return fallback }
            return try GenesisNumber.uint64(v, key)
        }
        func optU64(_ key: String) throws(GenesisError) -> UInt64? {
            guard let v = root[key], !(v is NSNull) else { return nil }
            return try GenesisNumber.uint64(v, key)
        }
        func word(_ key: String) throws(GenesisError) -> Hash32 {
            guard let v = root[key], !(v is NSNull) else { return .zero }
            return try GenesisNumber.word(v, key)
        }
        nonce = try u64("nonce", 0)
        timestamp = try u64("timestamp", 0)
        let gl = try u64("gasLimit", 0)
        gasLimit = gl == 0 ? Genesis.defaultGasLimit : gl
        number = try u64("number", 0)
        gasUsed = try u64("gasUsed", 0)
        excessBlobGas = try optU64("excessBlobGas")
        blobGasUsed = try optU64("blobGasUsed")
        if let v = root["difficulty"], !(v is NSNull) { difficulty = try GenesisNumber.uint256(v, "difficulty") } else { difficulty = .zero }
        if let v = root["baseFeePerGas"], !(v is NSNull) {
            baseFeePerGas = try GenesisNumber.uint256(v, "baseFeePerGas")
        } else { baseFeePerGas = nil }
        mixHash = try word("mixHash")
        parentHash = try word("parentHash")
        if let v = root["coinbase"], !(v is NSNull) {
            coinbase = try GenesisNumber.address(v, "coinbase")
        } else { coinbase = .zero }
        if let v = root["extraData"], !(v is NSNull) {
            extraData = try GenesisNumber.bytes(v, "extraData")
            guard extraData.count <= 32 else {
                throw .invalid(path: "extraData", reason: "\(extraData.count) bytes; at most 32 are allowed")
            }
        } else { extraData = [] }
        var alloc: [Address: GenesisAccount] = [:]
        if let a = root["alloc"], !(a is NSNull) {
            guard let accounts = a as? [String: Any] else { throw .invalid(path: "alloc", reason: "not an object") }
            for (key, value) in accounts {
                let path = "alloc.\(key)"
                // geth accepts addresses with or without 0x.
                let hex = key.hasPrefix("0x") || key.hasPrefix("0X") ? key : "0x" + key
                let address: Address
                do { address = Address(try Hex.decode(hex, count: 20)) } catch {
                    throw .invalid(path: path, reason: "not a 20-byte hex address (\(error))")
                }
                guard let acct = value as? [String: Any] else { throw .invalid(path: path, reason: "not an object") }
                guard let b = acct["balance"] else { throw .missing("\(path).balance") }
                var account = GenesisAccount(balance: try GenesisNumber.uint256(b, "\(path).balance"))
                if let n = acct["nonce"], !(n is NSNull) { account.nonce = try GenesisNumber.uint64(n, "\(path).nonce") }
                if let c = acct["code"], !(c is NSNull) { account.code = try GenesisNumber.bytes(c, "\(path).code") }
                if let s = acct["storage"], !(s is NSNull) {
                    guard let slots = s as? [String: Any] else {
                        throw .invalid(path: "\(path).storage", reason: "not an object")
                    }
                    for (slot, v) in slots {
                        let k = try GenesisNumber.word(slot, "\(path).storage.\(slot)")
                        let w = try GenesisNumber.word(v, "\(path).storage.\(slot)")
                        if w != .zero { account.storage[k] = w }
                    }
                }
                guard alloc[address] == nil else {
                    throw .invalid(path: path, reason: "the address appears twice (with different spellings)")
                }
                alloc[address] = account
            }
        }
        self.alloc = alloc
    }

    /// The genesis header for a state root computed by the caller (a trie over `alloc`). London fields appear when
    /// London is active at block 0 (base fee defaulting to 1 gwei), Shanghai's withdrawals root when Shanghai is
    /// active at the genesis timestamp, and Cancun's blob fields and parent beacon root likewise, as geth does.
    public func header(stateRoot: Hash32) -> BlockHeader {
        var h = BlockHeader(parentHash: parentHash, coinbase: coinbase, stateRoot: stateRoot,
                            transactionsRoot: EmptyHashes.trieRoot, receiptsRoot: EmptyHashes.trieRoot,
                            logsBloom: Bloom(), number: number, gasLimit: gasLimit, gasUsed: gasUsed,
                            timestamp: timestamp, extraData: extraData, mixHash: mixHash, baseFeePerGas: nil,
                            withdrawalsRoot: nil, blobGasUsed: nil, excessBlobGas: nil, parentBeaconBlockRoot: nil)
        h.difficulty = difficulty
        h.nonce = nonce
        if config.isLondon(block: number) { h.baseFeePerGas = baseFeePerGas ?? Genesis.initialBaseFee }
        if config.isShanghai(timestamp: timestamp) { h.withdrawalsRoot = EmptyHashes.trieRoot }
        if config.isCancun(timestamp: timestamp) {
            h.blobGasUsed = blobGasUsed ?? 0
            h.excessBlobGas = excessBlobGas ?? 0
            h.parentBeaconBlockRoot = .zero
        }
        return h
    }

    /// The genesis block; `stateRoot` computes the root of the alloc's state.
    public func block(stateRoot: ([Address: GenesisAccount]) -> Hash32) -> Block {
        let h = header(stateRoot: stateRoot(alloc))
        return Block(header: h, body: BlockBody(transactions: [], withdrawals: h.withdrawalsRoot == nil ? nil : []))
    }
}

/// geth's number and byte-string forms in JSON.
enum GenesisNumber {
    /// A JSON number, or a string in decimal or 0x-hex.
    static func uint256(_ value: Any, _ path: String) throws(GenesisError) -> UInt256 {
        if let s = value as? String {
            do { return try UInt256(parsing: s) } catch { throw .invalid(path: path, reason: "\(error)") }
        }
        if let n = value as? NSNumber {
            // Integers beyond 2^64 arrive as doubles and have lost precision; refuse rather than round.
            let text = n.stringValue
            guard text.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                throw .invalid(path: path, reason: "\(text) is not a non-negative integer (use a string for big values)")
            }
            do { return try UInt256(decimal: text) } catch { throw .invalid(path: path, reason: "\(error)") }
        }
        throw .invalid(path: path, reason: "expected a number or a numeric string")
    }

    static func uint64(_ value: Any, _ path: String) throws(GenesisError) -> UInt64 {
        let v = try uint256(value, path)
        guard v.fitsUInt64 else { throw .invalid(path: path, reason: "\(v) does not fit in 64 bits") }
        return v.l0
    }

    static func bytes(_ value: Any, _ path: String) throws(GenesisError) -> [UInt8] {
        guard let s = value as? String else { throw .invalid(path: path, reason: "expected a 0x-hex string") }
        do { return try Hex.decode(s) } catch { throw .invalid(path: path, reason: "\(error)") }
    }

    /// A 32-byte word: hex up to 32 bytes (left-padded, as geth's common.Hash accepts for storage) or a number.
    static func word(_ value: Any, _ path: String) throws(GenesisError) -> Bytes32 {
        guard let s = value as? String else { return try uint256(value, path).word }
        let raw = try bytes(s, path)
        guard raw.count <= 32 else { throw .invalid(path: path, reason: "\(raw.count) bytes; a word is at most 32") }
        return Bytes32([UInt8](repeating: 0, count: 32 - raw.count) + raw)
    }

    static func address(_ value: Any, _ path: String) throws(GenesisError) -> Address {
        let raw = try bytes(value, path)
        guard raw.count == 20 else { throw .invalid(path: path, reason: "\(raw.count) bytes; an address is 20") }
        return Address(raw)
    }
}
