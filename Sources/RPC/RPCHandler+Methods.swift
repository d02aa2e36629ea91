/// The methods with structured arguments: eth_call (tag, state overrides), eth_sendTransaction (signed here for
/// the node's dev accounts), eth_feeHistory, eth_getLogs criteria, and the filter methods.
import Chain
import Foundation
import Node
import Primitives

/// Installed filters (eth_newFilter, eth_newBlockFilter); each remembers the last block it reported.
final class FilterRegistry: @unchecked Sendable {
    enum Kind { case logs(spec: JSON), blocks, pending }
    struct Entry { var kind: Kind; var lastBlock: UInt64 }
    private let lock = NSLock()
    private var entries: [String: Entry] = [:]
    private var next: UInt64 = 1

    func add(_ kind: Kind, head: UInt64) -> String {
        lock.lock(); defer { lock.unlock() }
        let id = "0x" + String(next, radix: 16)
        next += 1
        entries[id] = Entry(kind: kind, lastBlock: head)
        return id
    }

    func remove(_ id: String) -> Bool {
        lock.lock(); defer { lock.unlock() }
        return entries.removeValue(forKey: id) != nil
    }

    func get(_ id: String) -> Entry? { lock.lock(); defer { lock.unlock() }; return entries[id] }
    func setLast(_ id: String, _ n: UInt64) { lock.lock(); entries[id]?.lastBlock = n; lock.unlock() }
}

extension RPCHandler {
    func call(_ p: Params) throws(RPCError) -> JSON {
        let req = try Self.callRequest(try p.required(0), index: 0)
        let tag = try p.blockTag(1)
        let ov = try Self.overrides(p.at(2), index: 2)
        let r = try node { () throws(NodeError) in try chain.call(req, at: tag, overrides: ov) }
        if r.halt == .reverted { throw RPCError.from(.reverted(data: r.output)) }
        if !r.halt.isSuccess { throw RPCError.server(r.halt.description) }
        return .data(r.output)
    }

    /// A transaction-call object.
    static func callRequest(_ v: JSON, index i: Int) throws(RPCError) -> CallRequest {
        guard case .object = v else { throw .invalidParams("invalid argument \(i): expected a transaction object") }
        func bad(_ e: RPCError, _ field: String) -> RPCError { .invalidParams("invalid argument \(i): \(field): \(e.message)") }
        var r = CallRequest()
        do throws(RPCError) {
            if case .string(let s)? = v["from"] { r.from = try Params.address(s) }
            if case .string(let s)? = v["to"] { r.to = try Params.address(s) }
            if let g = v["gas"], !g.isNull { r.gas = try Params.uint64(g) }
            if let g = v["gasPrice"], !g.isNull { r.gasPrice = try Params.quantity(g) }
            if let g = v["maxFeePerGas"], !g.isNull { r.maxFeePerGas = try Params.quantity(g) }
            if let g = v["maxPriorityFeePerGas"], !g.isNull { r.maxPriorityFeePerGas = try Params.quantity(g) }
            if let g = v["value"], !g.isNull { r.value = try Params.quantity(g) }
            if let g = v["nonce"], !g.isNull { r.nonce = try Params.uint64(g) }
            let input = v["input"].flatMap { $0.stringValue }
            let data = v["data"].flatMap { $0.stringValue }
            if let input, let data, input != data {
                throw RPCError.invalidParams("both \"data\" and \"input\" are set and not equal")
            }
            if let s = input ?? data { r.data = try Params.bytes(s) }
            if case .array(let list)? = v["accessList"] {
                r.accessList = try list.map { e throws(RPCError) in
                    guard case .string(let a)? = e["address"] else { throw RPCError.invalidParams("accessList entry without address") }
                    var keys: [Hash32] = []
                    if case .array(let ks)? = e["storageKeys"] {
                        for k in ks { guard case .string(let s) = k else { continue }; keys.append(try Params.hash(s)) }
                    }
                    return Chain.AccessListEntry(address: try Params.address(a), storageKeys: keys)
                }
            }
        } catch { throw bad(error, "transaction") }
        return r
    }

    /// The state-override set of eth_call / eth_estimateGas.
    static func overrides(_ v: JSON?, index i: Int) throws(RPCError) -> [Address: StateOverride] {
        guard let v else { return [:] }
        guard case .object(let members) = v else { throw .invalidParams("invalid argument \(i): expected an object") }
        var out: [Address: StateOverride] = [:]
        do throws(RPCError) {
            for (k, o) in members {
                var s = StateOverride()
                if let b = o["balance"], !b.isNull { s.balance = try Params.quantity(b) }
                if let n = o["nonce"], !n.isNull { s.nonce = try Params.uint64(n) }
                if case .string(let c)? = o["code"] { s.code = try Params.bytes(c) }
                func slots(_ j: JSON?) throws(RPCError) -> [UInt256: UInt256]? {
                    guard case .object(let kv)? = j else { return nil }
                    var m: [UInt256: UInt256] = [:]
                    for (sk, sv) in kv {
                        guard case .string(let vs) = sv else { throw RPCError.invalidParams("storage value must be a hex string") }
                        m[UInt256(word: try Params.hash(sk))] = UInt256(word: try Params.hash(vs))
                    }
                    return m
                }
                s.state = try slots(o["state"])
                s.stateDiff = try slots(o["stateDiff"])
                if s.state != nil && s.stateDiff != nil {
                    throw RPCError.invalidParams("account \(k) has both 'state' and 'stateDiff'")
                }
                out[try Params.address(k)] = s
            }
        } catch { throw .invalidParams("invalid argument \(i): \(error.message)") }
        return out
    }

    /// Builds, signs (with the dev key) and submits a transaction; fills nonce, gas and fees like geth.
    func sendTransaction(_ p: Params) throws(RPCError) -> JSON {
        let v = try p.required(0)
        var req = try Self.callRequest(v, index: 0)
        guard let from = req.from else { throw .invalidParams("invalid argument 0: missing \"from\"") }
        guard let key = devKeys[from] else { throw .server("unknown account") }
        let nonce = req.nonce ?? chain.pendingNonce(from)
        let tip = req.maxPriorityFeePerGas ?? Self.suggestedTip
        let gas: UInt64
        if let g = req.gas { gas = g } else {
            req.nonce = nil
            gas = try node { () throws(NodeError) in try chain.estimateGas(req, at: .latest) }
        }
        let tx: Chain.Transaction
        if let price = req.gasPrice {
            tx = .legacy(chainId: chain.chainId, nonce: nonce, gasPrice: price, gasLimit: gas, to: req.to, value: req.value,
                         data: req.data)
        } else {
            let maxFee = req.maxFeePerGas ?? (chain.head.baseFeePerGas ?? .zero).multipliedReportingOverflow(by: 2).0 &+ tip
            tx = .dynamicFee(chainId: chain.chainId, nonce: nonce, maxPriorityFeePerGas: min(tip, maxFee),
                             maxFeePerGas: maxFee, gasLimit: gas, to: req.to, value: req.value, data: req.data,
                             accessList: req.accessList)
        }
        let signed = tx.signed(with: key)
        return .hash(try node { () throws(NodeError) in try chain.submit(signed) })
    }

    func feeHistory(_ p: Params) throws(RPCError) -> JSON {
        let countQ = try p.quantity(0)
        let count = countQ.fitsUInt64 ? min(countQ.l0, 1024) : 1024
        let newestTag = try p.blockTag(1)
        var percentiles: [Double] = []
        if case .array(let ps)? = p.at(2) {
            for x in ps {
                guard case .number(let s) = x, let d = Double(s), d >= 0, d <= 100 else {
                    throw p.bad(2, "invalid reward percentile")
                }
                if let last = percentiles.last, d < last { throw p.bad(2, "invalid reward percentile: not ascending") }
                percentiles.append(d)
            }
        }
        guard let newest = chain.resolve(newestTag) else { throw RPCError.from(.unknownBlock("\(newestTag)")) }
        if count == 0 { return .object([("oldestBlock", .quantity(UInt64(0))), ("baseFeePerGas", .array([])), ("gasUsedRatio", .array([]))]) }
        let oldest = newest + 1 >= count ? newest + 1 - count : 0
        var baseFees: [JSON] = [], ratios: [JSON] = [], rewards: [JSON] = [], blobFees: [JSON] = [], blobRatios: [JSON] = []
        var lastHeader: BlockHeader?
        for n in oldest...newest {
            guard let (b, _) = try node({ () throws(NodeError) in try chain.block(.number(n)) }) else { break }
            let h = b.header
            baseFees.append(.quantity(h.baseFeePerGas ?? .zero))
            ratios.append(.number(String(h.gasLimit == 0 ? 0 : Double(h.gasUsed) / Double(h.gasLimit))))
            blobFees.append(.quantity(UInt64(1)))
            blobRatios.append(.number("0"))
            if !percentiles.isEmpty {
                let base = h.baseFeePerGas ?? .zero
                let tips = b.transactions.map { tx -> UInt256 in
                    (tx.transaction.effectiveGasPrice(baseFee: base) ?? base) &- base
                }.sorted { $0 < $1 }
                rewards.append(.array(percentiles.map { pc in
                    tips.isEmpty ? .quantity(UInt64(0))
                        : .quantity(tips[min(tips.count - 1, Int(Double(tips.count - 1) * pc / 100))])
                }))
            }
            lastHeader = h
        }
        baseFees.append(.quantity(lastHeader?.nextBaseFee() ?? .zero))
        blobFees.append(.quantity(UInt64(1)))
        var m: [(String, JSON)] = [("oldestBlock", .quantity(oldest)), ("baseFeePerGas", .array(baseFees)),
                                   ("gasUsedRatio", .array(ratios)), ("baseFeePerBlobGas", .array(blobFees)),
                                   ("blobGasUsedRatio", .array(blobRatios))]
        if !percentiles.isEmpty { m.append(("reward", .array(rewards))) }
        return .object(m)
    }

    /// eth_getLogs criteria: fromBlock/toBlock or blockHash, address (one or a list), topics with null wildcards.
    func logFilter(_ v: JSON, index i: Int, from overrideFrom: UInt64? = nil) throws(RPCError) -> LogFilter {
        guard case .object = v else { throw .invalidParams("invalid argument \(i): expected a filter object") }
        let head = chain.head.number
        func bound(_ key: String, _ d: UInt64) throws(RPCError) -> UInt64 {
            guard let j = v[key], !j.isNull else { return d }
            let tag: BlockTag
            do { tag = try Params.blockTag(j) } catch { throw .invalidParams("invalid argument \(i): \(key): \(error.message)") }
            switch tag {
            // A polled filter's "latest" start means "from the last poll on".
            case .latest, .pending, .safe, .finalized: return key == "fromBlock" && overrideFrom != nil ? 0 : head
            case .earliest: return 0
            case .number(let n): return n
            case .hash(let h): guard let n = chain.resolve(.hash(h)) else { throw RPCError.server("unknown block") }; return n
            }
        }
        var from: UInt64, to: UInt64
        if case .string(let bh)? = v["blockHash"] {
            if v["fromBlock"] != nil || v["toBlock"] != nil {
                throw .invalidParams("invalid argument \(i): cannot specify both BlockHash and FromBlock/ToBlock, choose one or the other")
            }
            let h: Hash32
            do { h = try Params.hash(bh) } catch { throw .invalidParams("invalid argument \(i): \(error.message)") }
            guard let n = chain.resolve(.hash(h)) else { throw .server("unknown block") }
            from = n; to = n
        } else {
            from = try bound("fromBlock", overrideFrom ?? head)
            to = try bound("toBlock", head)
            if from > to && v["toBlock"] != nil { throw .server("invalid block range params") }
        }
        if let o = overrideFrom { from = max(from, o) }
        var addresses: [Address] = []
        do throws(RPCError) {
            switch v["address"] {
            case .string(let s)?: addresses = [try Params.address(s)]
            case .array(let a)?:
                for x in a { guard case .string(let s) = x else { throw RPCError.invalidParams("address must be a string") }; addresses.append(try Params.address(s)) }
            default: break
            }
            var topics: [[Hash32]?] = []
            if case .array(let ts)? = v["topics"] {
                if ts.count > 4 { throw RPCError.invalidParams("exceed max topics") }
                for t in ts {
                    switch t {
                    case .null: topics.append(nil)
                    case .string(let s): topics.append([try Params.hash(s)])
                    case .array(let alts):
                        var hs: [Hash32] = []
                        for a in alts {
                            if case .string(let s) = a { hs.append(try Params.hash(s)) }
                            else if !a.isNull { throw RPCError.invalidParams("topic must be a hash or null") }
                        }
                        topics.append(hs.isEmpty ? nil : hs)
                    default: throw RPCError.invalidParams("topic must be a hash, a list or null")
                    }
                }
            }
            return LogFilter(fromBlock: from, toBlock: to, addresses: addresses, topics: topics)
        } catch { throw .invalidParams("invalid argument \(i): \(error.message)") }
    }

    func filterChanges(_ id: String, all: Bool) throws(RPCError) -> JSON {
        guard let f = filters.get(id) else { throw .server("filter not found") }
        let head = chain.head.number
        switch f.kind {
        case .blocks:
            filters.setLast(id, head)
            if head <= f.lastBlock { return .array([]) }
            return .array(((f.lastBlock + 1)...head).compactMap { chain.blockHash($0).map { .hash($0) } })
        case .pending:
            return .array([])
        case .logs(let spec):
            if all {
                let lf = try logFilter(spec, index: 0)
                return .array(try node { () throws(NodeError) in try chain.logs(lf) }.map(RPCEncoding.log))
            }
            filters.setLast(id, head)
            if head <= f.lastBlock { return .array([]) }
            let lf = try logFilter(spec, index: 0, from: f.lastBlock + 1)
            var bounded = lf
            bounded.toBlock = min(lf.toBlock, head)
            if spec["toBlock"] == nil || spec["toBlock"]?.isNull == true { bounded.toBlock = head }
            let logs = try node { () throws(NodeError) in try chain.logs(bounded) }
            return .array(logs.map(RPCEncoding.log))
        }
    }
}
