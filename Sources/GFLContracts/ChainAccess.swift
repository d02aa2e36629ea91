import Foundation
import Primitives
import RPCClient

/// What a contract binding needs from a chain: calls, signed transactions, logs and (on dev chains) mining.
/// `RPCChain` does it through any Ethereum JSON-RPC node (`gfl node`, geth, anvil); `EmbeddedChain` runs the
/// project's EVM in-process, for benchmarks and tools that want no node.
public protocol ChainAccess: Sendable {
    /// An `eth_call`: the return data, or `ContractError.reverted` with the decoded reason.
    func call(_ request: CallRequest, at block: BlockTag) async throws(ContractError) -> [UInt8]
    /// Gas a call or transaction would use (`eth_estimateGas`).
    func estimateGas(_ request: CallRequest) async throws(ContractError) -> UInt64
    /// Signs `data` to `to` (nil: contract creation) with `key`, sends it and waits for the receipt. A transaction
    /// that would revert throws `ContractError.reverted` with the reason.
    func transact(from key: PrivateKey, to: Address?, data: [UInt8], gas: UInt64?) async throws(ContractError) -> ContractReceipt
    /// `eth_getLogs`.
    func logs(_ filter: LogFilter) async throws(ContractError) -> [ContractLog]
    /// The latest block number.
    func blockNumber() async throws(ContractError) -> UInt64
    /// Mines `blocks` empty blocks (`evm_mine`; dev chains only), to let block-count timeouts pass.
    func mine(blocks: Int) async throws(ContractError)
}

/// A log, with where it was emitted.
public struct ContractLog: Sendable, Equatable {
    public var address: Address
    public var topics: [Hash32]
    public var data: [UInt8]
    public var blockNumber: UInt64?
    public var transactionHash: Hash32?
    public var logIndex: UInt64?

    public init(address: Address, topics: [Hash32], data: [UInt8], blockNumber: UInt64? = nil,
                transactionHash: Hash32? = nil, logIndex: UInt64? = nil) {
        self.address = address; self.topics = topics; self.data = data
        self.blockNumber = blockNumber; self.transactionHash = transactionHash; self.logIndex = logIndex
    }

    public init(_ log: RPCLog) {
        self.init(address: log.address, topics: log.topics, data: log.data, blockNumber: log.blockNumber,
                  transactionHash: log.transactionHash, logIndex: log.logIndex)
    }
}

/// The receipt of a mined transaction.
public struct ContractReceipt: Sendable, Equatable {
    public var transactionHash: Hash32
    public var blockNumber: UInt64
    public var gasUsed: UInt64
    /// Set for contract creations.
    public var contractAddress: Address?
    public var logs: [ContractLog]

    public init(transactionHash: Hash32, blockNumber: UInt64, gasUsed: UInt64, contractAddress: Address?,
                logs: [ContractLog]) {
        self.transactionHash = transactionHash; self.blockNumber = blockNumber; self.gasUsed = gasUsed
        self.contractAddress = contractAddress; self.logs = logs
    }
}

/// Why a contract call or transaction failed.
public enum ContractError: Error, CustomStringConvertible, Equatable {
    /// The contract reverted; `reason` is decoded from the revert data (`Error(string)` for Vyper's asserts).
    case reverted(function: String, reason: ABIRevertReason)
    /// The transaction was mined with status 0 and no revert reason could be recovered (e.g. out of gas).
    case transactionFailed(function: String, transaction: Hash32)
    /// The chain refused the transaction before running it (nonce, funds, gas limit).
    case rejected(String)
    /// The node could not be reached or answered with an error other than a revert.
    case rpc(RPCError)
    /// Arguments could not be encoded, or return data / a log could not be decoded.
    case abi(ABIError)
    /// Decoded data had a shape other than the ABI promised (e.g. a uint8 above 255).
    case badValue(path: String, expected: String, got: String)
    /// A deployment did not produce a contract.
    case deployment(String)

    /// The revert reason string, for a revert with `Error(string)`.
    public var revertReason: String? {
        if case .reverted(_, .message(let m)) = self { return m }
        return nil
    }

    public var description: String {
        switch self {
        case .reverted(let f, let r): return "\(f.isEmpty ? "call" : f) \(r)"
        case .transactionFailed(let f, let h): return "\(f) failed in transaction \(h.hex) (no revert reason: out of gas?)"
        case .rejected(let why): return "transaction rejected: \(why)"
        case .rpc(let e): return e.description
        case .abi(let e): return e.description
        case .badValue(let p, let e, let g): return "\(p): expected \(e), got \(g)"
        case .deployment(let why): return "deployment failed: \(why)"
        }
    }

    /// The same error with the function's name filled in (chains do not know which function they ran).
    func named(_ function: String) -> ContractError {
        switch self {
        case .reverted(let f, let r) where f.isEmpty: return .reverted(function: function, reason: r)
        case .transactionFailed(let f, let h) where f.isEmpty: return .transactionFailed(function: function, transaction: h)
        default: return self
        }
    }

    /// Maps a node's error: revert data (geth's `execution reverted`, code 3) becomes `.reverted`.
    static func from(_ error: RPCError, errors: [ABIErrorDefinition] = []) -> ContractError {
        if let data = error.revertData {
            do { return .reverted(function: "", reason: try ABI.decodeRevert(data, errors: errors)) } catch {
                return .reverted(function: "", reason: .unknown(data))
            }
        }
        if case .server(_, let message, _) = error, message.lowercased().contains("revert") {
            // A node that puts the reason only in the message: "execution reverted: reason".
            if let colon = message.range(of: "reverted: ") {
                return .reverted(function: "", reason: .message(String(message[colon.upperBound...])))
            }
            return .reverted(function: "", reason: .empty)
        }
        return .rpc(error)
    }
}

/// The compiler artifact of a contract, embedded in the generated bindings.
public struct ContractArtifact: Sendable {
    public let name: String
    public let abiJSON: String
    public let bytecodeHex: String
    public let runtimeBytecodeHex: String
    /// EIP-5202 blueprint deploy code (for `create_from_blueprint`).
    public let blueprintBytecodeHex: String
    public let sourceSha256: String
    public let compiler: String
    public let evmVersion: String

    /// Creation bytecode.
    public func bytecode() throws(ContractError) -> [UInt8] { try Self.hex(bytecodeHex, "bytecode") }
    /// Deployed (runtime) bytecode, to compare with `eth_getCode`.
    public func runtimeBytecode() throws(ContractError) -> [UInt8] { try Self.hex(runtimeBytecodeHex, "runtimeBytecode") }
    /// Blueprint deploy code.
    public func blueprintBytecode() throws(ContractError) -> [UInt8] { try Self.hex(blueprintBytecodeHex, "blueprintBytecode") }
    /// The ABI, for generic decoding (explorer, `gfl call`).
    public func abi() throws(ContractError) -> ABIContract {
        do { return try ABIContract(json: abiJSON) } catch { throw .abi(error) }
    }

    static func hex(_ text: String, _ what: String) throws(ContractError) -> [UInt8] {
        do { return try Hex.decode(text) } catch { throw .badValue(path: "\(what) of artifact", expected: "hex", got: "\(error)") }
    }
}
