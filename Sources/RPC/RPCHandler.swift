/// JSON-RPC 2.0 dispatch: single requests, batches and notifications, with geth's error codes for malformed JSON
/// (-32700), malformed requests (-32600), unknown methods (-32601) and bad parameters (-32602). Handlers never
/// trap on client input: every failure becomes an error object.
import Chain
import Foundation
import Node
import Primitives

public final class RPCHandler: @unchecked Sendable {
    public let chain: Blockchain
    /// Keys of the accounts eth_accounts lists and eth_sendTransaction signs for.
    public let devKeys: [Address: PrivateKey]
    public let devAddresses: [Address]
    let filters = FilterRegistry()
    /// New-block fan-out for WebSocket `eth_subscribe` sessions; feed it from `Blockchain.onBlock`.
    public let subscriptions = SubscriptionHub()
    public static let clientVersion = "gfl/v0.1.0/linux/swift"
    /// The priority fee the node suggests (1 gwei, as anvil and geth's dev mode do).
    static let suggestedTip = UInt256(1_000_000_000)

    public init(chain: Blockchain, devKeys: [PrivateKey] = []) {
        self.chain = chain
        var m: [Address: PrivateKey] = [:]
        var order: [Address] = []
        for k in devKeys { let a = k.publicKey.address; m[a] = k; order.append(a) }
        self.devKeys = m
        devAddresses = order
    }

    /// Handles one HTTP body; nil when nothing is to be sent back (only notifications).
    public func handle(_ body: [UInt8]) -> [UInt8]? {
        let parsed: JSON
        do { parsed = try JSON.parse(body) } catch {
            return Self.response(id: .null, error: .parse(error.description)).serialized
        }
        if case .array(let reqs) = parsed {
            if reqs.isEmpty { return Self.response(id: .null, error: .invalidRequest("empty batch")).serialized }
            let out = reqs.compactMap { handleOne($0) }
            return out.isEmpty ? nil : JSON.array(out).serialized
        }
        return handleOne(parsed)?.serialized
    }

    func handleOne(_ req: JSON) -> JSON? {
        guard case .object = req else { return Self.response(id: .null, error: .invalidRequest("invalid request")) }
        let id = req["id"]
        guard case .string(let method)? = req["method"] else {
            return Self.response(id: id ?? .null, error: .invalidRequest("invalid request"))
        }
        let result: Result<JSON, RPCError>
        do {
            let params = try Params(req["params"])
            result = .success(try dispatch(method, params))
        } catch { result = .failure(error) }
        guard let id else { return nil }
        switch result {
        case .success(let v): return .object([("jsonrpc", .string("2.0")), ("id", id), ("result", v)])
        case .failure(let e): return Self.response(id: id, error: e)
        }
    }

    static func response(id: JSON, error: RPCError) -> JSON {
        .object([("jsonrpc", .string("2.0")), ("id", id), ("error", error.json)])
    }

    /// Runs a node call, mapping its error.
    func node<T>(_ body: () throws(NodeError) -> T) throws(RPCError) -> T {
        do { return try body() } catch { throw RPCError.from(error) }
    }

    func dispatch(_ method: String, _ p: Params) throws(RPCError) -> JSON {
        switch method {
        case "web3_clientVersion": return .string(Self.clientVersion)
        case "web3_sha3": return .hash(Keccak256.hash(try p.bytes(0)))
        case "net_version": return .string(String(chain.chainId))
        case "net_listening": return .bool(true)
        case "net_peerCount": return .quantity(UInt64(0))
        case "eth_chainId": return .quantity(chain.chainId)
        case "eth_blockNumber": return .quantity(chain.head.number)
        case "eth_syncing": return .bool(false)
        case "eth_mining": return .bool(true)
        case "eth_accounts": return .array(devAddresses.map { .address($0) })
        case "eth_gasPrice": return .quantity(chain.nextBaseFee &+ Self.suggestedTip)
        case "eth_maxPriorityFeePerGas": return .quantity(Self.suggestedTip)
        case "eth_feeHistory": return try feeHistory(p)
        case "eth_getBalance":
            let a = try p.address(0), tag = try p.blockTag(1)
            return .quantity(try node { () throws(NodeError) in try chain.account(a, at: tag)?.balance ?? .zero })
        case "eth_getTransactionCount":
            let a = try p.address(0), tag = try p.blockTag(1)
            if tag == .pending { return .quantity(chain.pendingNonce(a)) }
            return .quantity(try node { () throws(NodeError) in try chain.account(a, at: tag)?.nonce ?? 0 })
        case "eth_getCode":
            let a = try p.address(0), tag = try p.blockTag(1)
            return .data(try node { () throws(NodeError) in try chain.account(a, at: tag)?.code ?? [] })
        case "eth_getStorageAt":
            let a = try p.address(0)
            let slot: UInt256
            do { slot = UInt256(bigEndian: try Self.slotBytes(try p.string(1))) } catch { throw p.bad(1, error.message) }
            let tag = try p.blockTag(2)
            let v = try node { () throws(NodeError) in try chain.account(a, at: tag)?.storage[slot] ?? .zero }
            return .hash(v.word)
        case "eth_call": return try call(p)
        case "eth_estimateGas":
            let req = try Self.callRequest(try p.required(0), index: 0)
            let tag = try p.blockTag(1)
            let ov = try Self.overrides(p.at(2), index: 2)
            return .quantity(try node { () throws(NodeError) in try chain.estimateGas(req, at: tag, overrides: ov) })
        case "eth_sendRawTransaction":
            let raw = try p.bytes(0)
            return .hash(try node { () throws(NodeError) in try chain.submitRaw(raw) })
        case "eth_sendTransaction": return try sendTransaction(p)
        case "eth_getTransactionByHash":
            let h = try p.hash(0)
            if let info = try node({ () throws(NodeError) in try chain.transaction(h) }) { return RPCEncoding.transaction(info) }
            if let pooled = chain.pooledTransaction(h) { return RPCEncoding.transaction(pooled.tx, sender: pooled.sender, mined: nil) }
            return .null
        case "eth_getTransactionReceipt":
            let h = try p.hash(0)
            guard let info = try node({ () throws(NodeError) in try chain.transaction(h) }) else { return .null }
            return RPCEncoding.receipt(info)
        case "eth_getBlockByNumber", "eth_getBlockByHash":
            let tag: BlockTag = method == "eth_getBlockByHash" ? .hash(try p.hash(0)) : try p.blockTag(0)
            let full = try p.bool(1, default: false)
            guard let (b, s) = try node({ () throws(NodeError) in try chain.block(tag) }) else { return .null }
            return RPCEncoding.block(b, senders: s, full: full)
        case "eth_getBlockTransactionCountByNumber", "eth_getBlockTransactionCountByHash":
            let tag: BlockTag = method.hasSuffix("ByHash") ? .hash(try p.hash(0)) : try p.blockTag(0)
            guard let (b, _) = try node({ () throws(NodeError) in try chain.block(tag) }) else { return .null }
            return .quantity(b.transactions.count)
        case "eth_getTransactionByBlockNumberAndIndex", "eth_getTransactionByBlockHashAndIndex":
            let tag: BlockTag = method.contains("ByBlockHash") ? .hash(try p.hash(0)) : try p.blockTag(0)
            let i = try p.quantity(1)
            guard let (b, s) = try node({ () throws(NodeError) in try chain.block(tag) }),
                  i.fitsUInt64, i.l0 < UInt64(b.transactions.count) else { return .null }
            let idx = Int(i.l0)
            return RPCEncoding.transaction(b.transactions[idx], sender: s[idx],
                                           mined: (b.hash, b.number, idx, b.header.baseFeePerGas ?? .zero))
        case "eth_getUncleCountByBlockNumber", "eth_getUncleCountByBlockHash": return .quantity(UInt64(0))
        case "eth_getLogs":
            let f = try logFilter(try p.required(0), index: 0)
            return .array(try node { () throws(NodeError) in try chain.logs(f) }.map(RPCEncoding.log))
        case "eth_newFilter":
            let spec = try p.required(0)
            _ = try logFilter(spec, index: 0)
            return .string(filters.add(.logs(spec: spec), head: chain.head.number))
        case "eth_newBlockFilter": return .string(filters.add(.blocks, head: chain.head.number))
        case "eth_newPendingTransactionFilter": return .string(filters.add(.pending, head: chain.head.number))
        case "eth_uninstallFilter": return .bool(filters.remove(try p.string(0)))
        case "eth_getFilterChanges": return try filterChanges(try p.string(0), all: false)
        case "eth_getFilterLogs": return try filterChanges(try p.string(0), all: true)
        case "txpool_status":
            let c = chain.poolCounts
            return .object([("pending", .quantity(c.pending)), ("queued", .quantity(c.queued))])
        case "evm_mine", "anvil_mine":
            let ts: UInt64? = try p.at(0).map { v throws(RPCError) in try Self.timestampArgument(v, p, 0) }
            _ = try node { () throws(NodeError) in try chain.mine(timestamp: ts) }
            return .string("0x0")
        case "evm_snapshot": return .quantity(chain.snapshot())
        case "evm_revert":
            let id = try p.quantity(0)
            guard id.fitsUInt64, id.l0 <= UInt64(Int.max) else { return .bool(false) }
            return .bool(try node { () throws(NodeError) in try chain.revert(to: Int(id.l0)) })
        case "evm_increaseTime":
            let s = try Self.timestampArgument(try p.required(0), p, 0)
            guard s <= Blockchain.maxTimestamp else { throw p.bad(0, "too large") }
            return .number(String(try node { () throws(NodeError) in try chain.increaseTime(Int64(s)) }))
        case "evm_setNextBlockTimestamp":
            let t = try Self.timestampArgument(try p.required(0), p, 0)
            try node { () throws(NodeError) in try chain.setNextBlockTimestamp(t) }
            return .null
        case "evm_setAutomine":
            chain.instantMining = try p.bool(0, default: true)
            return .bool(true)
        case "debug_traceTransaction":
            let h = try p.hash(0)
            var tracer = "structLogger"
            if case .string(let name)? = p.at(1)?["tracer"] { tracer = name }
            guard tracer == "structLogger" || tracer == "callTracer" else {
                throw RPCError.server("tracer \(tracer) is not supported (structLogger, callTracer)")
            }
            guard let t = try node({ () throws(NodeError) in try chain.trace(h) }) else {
                throw RPCError.server("transaction \(h) not found")
            }
            return tracer == "callTracer" ? RPCTrace.callFrames(t) : RPCTrace.structLogs(t)
        default: throw .methodNotFound(method)
        }
    }

    static func timestampArgument(_ v: JSON, _ p: Params, _ i: Int) throws(RPCError) -> UInt64 {
        do { return try Params.uint64(v) } catch { throw p.bad(i, error.message) }
    }

    /// A storage slot: up to 32 bytes of hex (geth accepts short forms like 0x0).
    static func slotBytes(_ s: String) throws(RPCError) -> [UInt8] {
        guard s.hasPrefix("0x") else { throw .invalidParams("hex string without 0x prefix") }
        var digits = String(s.dropFirst(2))
        if digits.count % 2 == 1 { digits = "0" + digits }
        let b: [UInt8]
        do { b = try Hex.decode("0x" + digits) } catch { throw .invalidParams("\(error)") }
        guard b.count <= 32 else { throw .invalidParams("hex string too long, want at most 32 bytes") }
        return [UInt8](repeating: 0, count: 32 - b.count) + b
    }
}
