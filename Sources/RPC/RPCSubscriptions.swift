/// `eth_subscribe` / `eth_unsubscribe` over WebSocket, as geth serves them: `newHeads` (each new block's header)
/// and `logs` (each new log matching an address/topics filter), pushed as `eth_subscription` notifications.
/// Every other method on a WebSocket behaves as over HTTP. Logs of blocks undone by `evm_revert` are not
/// re-sent with `removed: true` (geth does that for reorgs).
import Foundation
import Node
import Primitives

/// Fans the chain's new block numbers out to the open WebSocket sessions. `Blockchain.onBlock` calls `publish`
/// with the chain's lock held, so this only enqueues; each session builds its notifications on its own task.
public final class SubscriptionHub: @unchecked Sendable {
    private let lock = NSLock()
    private var sinks: [Int: AsyncStream<UInt64>.Continuation] = [:]
    private var nextToken = 0

    public init() {}

    /// Announces a committed block.
    public func publish(_ number: UInt64) {
        lock.lock()
        let targets = Array(sinks.values)
        lock.unlock()
        for t in targets { t.yield(number) }
    }

    /// A stream of new block numbers for one session; `unregister(token)` ends it.
    func register() -> (token: Int, blocks: AsyncStream<UInt64>) {
        // Buffered without bound: a session that falls behind still sees every block, in order.
        let (stream, continuation) = AsyncStream<UInt64>.makeStream()
        lock.lock(); defer { lock.unlock() }
        nextToken += 1
        sinks[nextToken] = continuation
        return (nextToken, stream)
    }

    func unregister(_ token: Int) {
        lock.lock()
        let c = sinks.removeValue(forKey: token)
        lock.unlock()
        c?.finish()
    }
}

/// One WebSocket connection's subscriptions.
final class SubscriptionSession: @unchecked Sendable {
    enum Kind { case newHeads, logs(filter: [(String, JSON)]) }
    struct Subscription { var kind: Kind; var active: Bool }

    let handler: RPCHandler
    private let lock = NSLock()
    private var subscriptions: [String: Subscription] = [:]
    /// Subscriptions per connection, as geth bounds them implicitly by memory; this keeps a client loop finite.
    static let maxSubscriptions = 1024

    init(handler: RPCHandler) { self.handler = handler }

    /// Answers one WebSocket text message. `activate` lists subscriptions that start sending once the reply is
    /// on the wire (so a notification never precedes the id it belongs to).
    func handle(_ body: [UInt8]) -> (reply: [UInt8]?, activate: [String]) {
        let parsed: JSON
        do { parsed = try JSON.parse(body) } catch {
            return (RPCHandler.response(id: .null, error: .parse(error.description)).serialized, [])
        }
        var started: [String] = []
        if case .array(let reqs) = parsed {
            if reqs.isEmpty { return (RPCHandler.response(id: .null, error: .invalidRequest("empty batch")).serialized, []) }
            let out = reqs.compactMap { one($0, &started) }
            return (out.isEmpty ? nil : JSON.array(out).serialized, started)
        }
        return (one(parsed, &started)?.serialized, started)
    }

    private func one(_ req: JSON, _ started: inout [String]) -> JSON? {
        guard case .string(let method)? = req["method"], method == "eth_subscribe" || method == "eth_unsubscribe" else {
            return handler.handleOne(req)
        }
        guard let id = req["id"] else { return nil }
        do throws(RPCError) {
            let p = try Params(req["params"])
            let result: JSON
            if method == "eth_subscribe" {
                let sid = try subscribe(p)
                started.append(sid)
                result = .string(sid)
            } else {
                guard p.count == 1, case .string(let sid) = p.items[0] else {
                    throw RPCError.invalidParams("eth_unsubscribe takes one subscription id")
                }
                lock.lock()
                result = .bool(subscriptions.removeValue(forKey: sid) != nil)
                lock.unlock()
            }
            return .object([("jsonrpc", .string("2.0")), ("id", id), ("result", result)])
        } catch { return RPCHandler.response(id: id, error: error) }
    }

    private func subscribe(_ p: Params) throws(RPCError) -> String {
        guard p.count >= 1, case .string(let name) = p.items[0] else {
            throw .invalidParams("eth_subscribe needs a subscription name")
        }
        let kind: Kind
        switch name {
        case "newHeads":
            guard p.count == 1 else { throw .invalidParams("newHeads takes no filter") }
            kind = .newHeads
        case "logs":
            guard p.count <= 2 else { throw .invalidParams("too many arguments for logs") }
            var members: [(String, JSON)] = []
            if p.count == 2 {
                guard case .object(let m) = p.items[1] else { throw .invalidParams("logs filter must be an object") }
                members = m.filter { $0.0 == "address" || $0.0 == "topics" }
            }
            // Check the filter now (same parser as eth_getLogs), so a bad one is an error here, not silence later.
            let head = handler.chain.head.number
            _ = try handler.dispatch("eth_getLogs", Params(.array([.object(Self.range(head, members))])))
            kind = .logs(filter: members)
        default:
            throw .invalidParams("unsupported subscription type: \(name)")
        }
        var raw = [UInt8](repeating: 0, count: 16)
        for i in raw.indices { raw[i] = UInt8.random(in: 0...255) }
        let sid = Hex.encode(raw)
        lock.lock(); defer { lock.unlock() }
        guard subscriptions.count < Self.maxSubscriptions else {
            throw .server("too many subscriptions on this connection (\(Self.maxSubscriptions))")
        }
        subscriptions[sid] = Subscription(kind: kind, active: false)
        return sid
    }

    static func range(_ n: UInt64, _ filter: [(String, JSON)]) -> [(String, JSON)] {
        [("fromBlock", .quantity(n)), ("toBlock", .quantity(n))] + filter
    }

    func activate(_ ids: [String]) {
        lock.lock(); defer { lock.unlock() }
        for id in ids { subscriptions[id]?.active = true }
    }

    /// The notifications block `n` produces for this session's active subscriptions.
    func notifications(forBlock n: UInt64) -> [String] {
        lock.lock()
        let subs = subscriptions.filter { $0.value.active }
        lock.unlock()
        if subs.isEmpty { return [] }
        var out: [String] = []
        var header: JSON?
        for (sid, s) in subs.sorted(by: { $0.key < $1.key }) {
            switch s.kind {
            case .newHeads:
                if header == nil {
                    guard let block = try? handler.dispatch("eth_getBlockByNumber", Params(.array([.quantity(n), .bool(false)]))),
                          case .object(let m) = block else { continue }
                    // A header, not a block: geth's newHeads carries no body fields.
                    let bodyFields: Set<String> = ["transactions", "uncles", "withdrawals", "size", "totalDifficulty"]
                    header = .object(m.filter { !bodyFields.contains($0.0) })
                }
                out.append(Self.notification(sid, header!))
            case .logs(let filter):
                guard case .array(let logs)? = try? handler.dispatch("eth_getLogs", Params(.array([.object(Self.range(n, filter))])))
                else { continue }
                for l in logs { out.append(Self.notification(sid, l)) }
            }
        }
        return out
    }

    static func notification(_ sid: String, _ result: JSON) -> String {
        JSON.object([("jsonrpc", .string("2.0")), ("method", .string("eth_subscription")),
                     ("params", .object([("subscription", .string(sid)), ("result", result)]))]).text
    }
}
