import Foundation
import Primitives

/// A block selector for state queries.
public enum BlockTag: Sendable, CustomStringConvertible {
    case latest, pending, earliest, safe, finalized
    case number(UInt64)

    public var json: JSONValue { .string(description) }
    public var description: String {
        switch self {
        case .latest: return "latest"
        case .pending: return "pending"
        case .earliest: return "earliest"
        case .safe: return "safe"
        case .finalized: return "finalized"
        case .number(let n): return "0x" + String(n, radix: 16)
        }
    }
}

/// A message call for eth_call / eth_estimateGas.
public struct CallRequest: Sendable {
    public var from: Address?
    public var to: Address?
    public var data: [UInt8]
    public var value: UInt256
    public var gas: UInt64?

    public init(from: Address? = nil, to: Address?, data: [UInt8] = [], value: UInt256 = .zero, gas: UInt64? = nil) {
        self.from = from; self.to = to; self.data = data; self.value = value; self.gas = gas
    }

    public var json: JSONValue {
        var o: [String: JSONValue] = ["data": .string(Hex.encode(data))]
        if let from { o["from"] = .string(from.checksummed) }
        if let to { o["to"] = .string(to.checksummed) }
        if !value.isZero { o["value"] = .string(value.hexString) }
        if let gas { o["gas"] = .string("0x" + String(gas, radix: 16)) }
        return .object(o)
    }
}

/// A log as JSON-RPC returns it.
public struct RPCLog: Sendable, Equatable {
    public var address: Address
    public var topics: [Hash32]
    public var data: [UInt8]
    public var blockNumber: UInt64?
    public var blockHash: Hash32?
    public var transactionHash: Hash32?
    public var logIndex: UInt64?
    public var removed: Bool
}

/// A transaction receipt as JSON-RPC returns it.
public struct RPCReceipt: Sendable {
    public var transactionHash: Hash32
    public var blockNumber: UInt64
    public var blockHash: Hash32
    public var status: Bool
    public var gasUsed: UInt64
    public var cumulativeGasUsed: UInt64
    public var effectiveGasPrice: UInt256?
    public var from: Address?
    public var to: Address?
    public var contractAddress: Address?
    public var logs: [RPCLog]
    /// The whole JSON object, for `--json` output.
    public var raw: JSONValue
}

/// A filter for eth_getLogs.
public struct LogFilter: Sendable {
    public var fromBlock: BlockTag?
    public var toBlock: BlockTag?
    public var addresses: [Address]
    /// Per position: nil = any topic, otherwise any of the listed values.
    public var topics: [[Hash32]?]

    public init(fromBlock: BlockTag? = nil, toBlock: BlockTag? = nil, addresses: [Address] = [], topics: [[Hash32]?] = []) {
        self.fromBlock = fromBlock; self.toBlock = toBlock; self.addresses = addresses; self.topics = topics
    }

    public var json: JSONValue {
        var o: [String: JSONValue] = [:]
        if let fromBlock { o["fromBlock"] = fromBlock.json }
        if let toBlock { o["toBlock"] = toBlock.json }
        if addresses.count == 1 { o["address"] = .string(addresses[0].checksummed) }
        if addresses.count > 1 { o["address"] = .array(addresses.map { .string($0.checksummed) }) }
        if !topics.isEmpty {
            o["topics"] = .array(topics.map { alt in
                guard let alt else { return .null }
                return alt.count == 1 ? .string(alt[0].hex) : .array(alt.map { .string($0.hex) })
            })
        }
        return .object(o)
    }
}

/// Typed access to the standard `eth_*` methods.
public struct EthClient: Sendable {
    public let rpc: JSONRPCClient

    public init(rpc: JSONRPCClient) { self.rpc = rpc }
    public init(url: URL) { rpc = JSONRPCClient(url: url) }

    public func chainId() async throws(RPCError) -> UInt64 { try Decode.u64(await rpc.call("eth_chainId")) }
    public func blockNumber() async throws(RPCError) -> UInt64 { try Decode.u64(await rpc.call("eth_blockNumber")) }
    public func gasPrice() async throws(RPCError) -> UInt256 { try Decode.u256(await rpc.call("eth_gasPrice")) }

    public func maxPriorityFeePerGas() async throws(RPCError) -> UInt256 {
        try Decode.u256(await rpc.call("eth_maxPriorityFeePerGas"))
    }

    public func balance(_ a: Address, at block: BlockTag = .latest) async throws(RPCError) -> UInt256 {
        try Decode.u256(await rpc.call("eth_getBalance", [.string(a.checksummed), block.json]))
    }

    public func nonce(_ a: Address, at block: BlockTag = .pending) async throws(RPCError) -> UInt64 {
        try Decode.u64(await rpc.call("eth_getTransactionCount", [.string(a.checksummed), block.json]))
    }

    public func code(_ a: Address, at block: BlockTag = .latest) async throws(RPCError) -> [UInt8] {
        try Decode.bytes(await rpc.call("eth_getCode", [.string(a.checksummed), block.json]))
    }

    public func storage(_ a: Address, slot: UInt256, at block: BlockTag = .latest) async throws(RPCError) -> Hash32 {
        let v = try Decode.bytes(await rpc.call("eth_getStorageAt", [.string(a.checksummed), .string(slot.hexString), block.json]))
        guard v.count == 32 else { throw .malformedResponse("storage word of \(v.count) bytes") }
        return Hash32(v)
    }

    /// eth_call; a revert surfaces as `RPCError.server` with the revert bytes in `revertData`.
    public func call(_ request: CallRequest, at block: BlockTag = .latest) async throws(RPCError) -> [UInt8] {
        try Decode.bytes(await rpc.call("eth_call", [request.json, block.json]))
    }

    public func estimateGas(_ request: CallRequest) async throws(RPCError) -> UInt64 {
        try Decode.u64(await rpc.call("eth_estimateGas", [request.json]))
    }

    /// Sends signed transaction bytes; returns the transaction hash.
    public func sendRawTransaction(_ raw: [UInt8]) async throws(RPCError) -> Hash32 {
        try Decode.hash(await rpc.call("eth_sendRawTransaction", [.string(Hex.encode(raw))]))
    }

    /// The receipt, or nil while the transaction is not mined.
    public func receipt(_ hash: Hash32) async throws(RPCError) -> RPCReceipt? {
        let r = try await rpc.call("eth_getTransactionReceipt", [.string(hash.hex)])
        return r.isNull ? nil : try Decode.receipt(r)
    }

    /// Polls for the receipt until it arrives or `timeout` seconds pass.
    public func waitForReceipt(_ hash: Hash32, timeout: Double = 60, poll: Double = 0.05) async throws(RPCError) -> RPCReceipt {
        let deadline = Date().addingTimeInterval(timeout)
        var delay = poll
        while true {
            if let r = try await receipt(hash) { return r }
            if Date() > deadline { throw .malformedResponse("no receipt for \(hash.hex) after \(Int(timeout)) s") }
            try? await Task.sleep(nanoseconds: UInt64(delay * 1e9))
            delay = min(delay * 1.5, 1)
        }
    }

    public func logs(_ filter: LogFilter) async throws(RPCError) -> [RPCLog] {
        guard let items = try await rpc.call("eth_getLogs", [filter.json]).arrayValue else {
            throw .malformedResponse("eth_getLogs did not return an array")
        }
        var out: [RPCLog] = []
        for item in items { out.append(try Decode.log(item)) }
        return out
    }

    /// The block as JSON (hash-only transactions unless `full`), or nil when there is no such block.
    public func block(_ tag: BlockTag, full: Bool = false) async throws(RPCError) -> JSONValue? {
        let b = try await rpc.call("eth_getBlockByNumber", [tag.json, .bool(full)])
        // Not `b.isNull ? nil : b`: JSONValue is ExpressibleByNilLiteral, so that `nil` would be `.some(.null)`.
        if b.isNull { return nil }
        return b
    }

    /// Base fee of the next block and a suggested priority fee, from eth_feeHistory (EIP-1559 wallets' way).
    public func suggestedFees() async throws(RPCError) -> (maxFee: UInt256, priorityFee: UInt256) {
        try Decode.suggestedFees(await rpc.call(Self.feeHistoryCall.method, Self.feeHistoryCall.params))
    }

    /// The fee history `suggestedFees` reads: the last 5 blocks, median tips.
    static let feeHistoryCall: (method: String, params: [JSONValue]) =
        ("eth_feeHistory", [.string("0x5"), .string("latest"), .array([.number(50)])])
}

/// Decoding of JSON-RPC quantities and data.
public enum Decode {
    /// EIP-1559 fees from an `eth_feeHistory` answer: the next block's base fee (doubled, room for two 12.5 %
    /// increases as common wallets allow) plus the median tip of the recent blocks.
    public static func suggestedFees(_ h: JSONValue) throws(RPCError) -> (maxFee: UInt256, priorityFee: UInt256) {
        guard let bases = h["baseFeePerGas"]?.arrayValue, let next = bases.last else {
            throw .malformedResponse("eth_feeHistory without baseFeePerGas")
        }
        let baseFee = try u256(next)
        var tips: [UInt256] = []
        for row in h["reward"]?.arrayValue ?? [] {
            if let first = row.arrayValue?.first { tips.append(try u256(first)) }
        }
        tips.sort()
        let tip = tips.isEmpty ? UInt256(1_000_000_000 as UInt64) : max(tips[tips.count / 2], UInt256(1))
        return (baseFee &+ baseFee &+ tip, tip)
    }

    public static func u256(_ v: JSONValue) throws(RPCError) -> UInt256 {
        guard let s = v.stringValue, s.hasPrefix("0x"), let n = UInt256(s) else { throw .malformedResponse("expected a quantity, got \(v)") }
        return n
    }

    public static func u64(_ v: JSONValue) throws(RPCError) -> UInt64 {
        let n = try u256(v)
        guard n.fitsUInt64 else { throw .malformedResponse("quantity \(n) exceeds 64 bits") }
        return n.l0
    }

    public static func bytes(_ v: JSONValue) throws(RPCError) -> [UInt8] {
        guard let s = v.stringValue, let b = try? Hex.decode(s, requirePrefix: true) else {
            throw .malformedResponse("expected 0x-hex data, got \(v)")
        }
        return b
    }

    public static func hash(_ v: JSONValue) throws(RPCError) -> Hash32 {
        let b = try bytes(v)
        guard b.count == 32 else { throw .malformedResponse("expected a 32-byte hash, got \(b.count) bytes") }
        return Hash32(b)
    }

    public static func address(_ v: JSONValue) throws(RPCError) -> Address {
        guard let s = v.stringValue, let a = try? Address(hex: s.lowercased()) else { throw .malformedResponse("expected an address, got \(v)") }
        return a
    }

    public static func log(_ v: JSONValue) throws(RPCError) -> RPCLog {
        guard let addr = v["address"], let topics = v["topics"]?.arrayValue, let data = v["data"] else {
            throw .malformedResponse("log without address/topics/data: \(v)")
        }
        var t: [Hash32] = []
        for x in topics { t.append(try hash(x)) }
        func opt<T>(_ key: String, _ f: (JSONValue) throws(RPCError) -> T) throws(RPCError) -> T? {
            guard let x = v[key], !x.isNull else { return nil }
            return try f(x)
        }
        return RPCLog(address: try address(addr), topics: t, data: try bytes(data),
                      blockNumber: try opt("blockNumber", u64), blockHash: try opt("blockHash", hash),
                      transactionHash: try opt("transactionHash", hash), logIndex: try opt("logIndex", u64),
                      removed: v["removed"]?.boolValue ?? false)
    }

    public static func receipt(_ v: JSONValue) throws(RPCError) -> RPCReceipt {
        func req(_ key: String) throws(RPCError) -> JSONValue {
            guard let x = v[key], !x.isNull else { throw .malformedResponse("receipt without \(key)") }
            return x
        }
        func opt<T>(_ key: String, _ f: (JSONValue) throws(RPCError) -> T) throws(RPCError) -> T? {
            guard let x = v[key], !x.isNull else { return nil }
            return try f(x)
        }
        var logs: [RPCLog] = []
        for l in v["logs"]?.arrayValue ?? [] { logs.append(try log(l)) }
        return RPCReceipt(
            transactionHash: try hash(req("transactionHash")), blockNumber: try u64(req("blockNumber")),
            blockHash: try hash(req("blockHash")), status: try u64(req("status")) == 1,
            gasUsed: try u64(req("gasUsed")), cumulativeGasUsed: try u64(req("cumulativeGasUsed")),
            effectiveGasPrice: try opt("effectiveGasPrice", u256), from: try opt("from", address),
            to: try opt("to", address), contractAddress: try opt("contractAddress", address), logs: logs, raw: v)
    }
}
