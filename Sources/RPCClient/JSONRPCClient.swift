import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// An error from talking to a JSON-RPC endpoint.
public enum RPCError: Error, CustomStringConvertible, Equatable {
    /// The node could not be reached (refused, timed out, bad host).
    case unreachable(url: String, reason: String)
    /// The server answered with a non-200 HTTP status.
    case http(status: Int, body: String)
    /// The server answered with a JSON-RPC error object. `data` is the raw `data` field (e.g. revert bytes).
    case server(code: Int, message: String, data: JSONValue?)
    /// The response was not the JSON we expected.
    case malformedResponse(String)

    public var description: String {
        switch self {
        case .unreachable(let url, let reason): return "cannot reach node at \(url): \(reason)"
        case .http(let status, let body): return "node answered HTTP \(status): \(body.prefix(200))"
        case .server(let code, let message, _): return "\(message) (code \(code))"
        case .malformedResponse(let why): return "malformed response from node: \(why)"
        }
    }

    /// The revert data carried by an `execution reverted` error (geth's code 3), if any.
    public var revertData: [UInt8]? {
        guard case .server(_, _, let data) = self, let hex = data?.stringValue else { return nil }
        return try? [UInt8](hex: hex)
    }
}

/// A minimal JSON-RPC 2.0 client over HTTP POST. Works with any Ethereum node (gfl node, geth, anvil).
public final class JSONRPCClient: Sendable {
    public let url: URL
    private let session: URLSession
    private let counter = Counter()

    public init(url: URL, timeout: TimeInterval = 30) {
        self.url = url
        let config = URLSessionConfiguration.ephemeral
        config.timeoutIntervalForRequest = timeout
        session = URLSession(configuration: config)
    }

    /// Calls `method` with `params` and returns the `result` field.
    public func call(_ method: String, _ params: [JSONValue] = []) async throws(RPCError) -> JSONValue {
        let id = counter.next()
        let reply = try await post(Self.request(id: id, method, params))
        return try Self.result(of: reply)
    }

    /// Sends several calls in one JSON-RPC batch (one HTTP round trip) and returns each call's result or error,
    /// in the order asked. Servers may answer a batch in any order; replies are matched by id.
    public func batch(_ calls: [(method: String, params: [JSONValue])]) async throws(RPCError) -> [Result<JSONValue, RPCError>] {
        if calls.isEmpty { return [] }
        let ids = calls.map { _ in counter.next() }
        let body = JSONValue.array(zip(ids, calls).map { Self.request(id: $0, $1.method, $1.params) })
        let reply = try await post(body)
        // A server that refuses batches answers with one error object instead of an array.
        if reply.arrayValue == nil { _ = try Self.result(of: reply) }
        guard let items = reply.arrayValue else { throw .malformedResponse("batch answered with \(reply)") }
        var byID: [Int: JSONValue] = [:]
        for item in items {
            if case .number(let n)? = item["id"] { byID[Int(n)] = item }
        }
        return ids.map { id in
            guard let item = byID[id] else { return .failure(.malformedResponse("batch reply lacks id \(id)")) }
            do throws(RPCError) { return .success(try Self.result(of: item)) } catch { return .failure(error) }
        }
    }

    private static func request(id: Int, _ method: String, _ params: [JSONValue]) -> JSONValue {
        ["jsonrpc": "2.0", "id": .number(Double(id)), "method": .string(method), "params": .array(params)]
    }

    /// The `result` of one reply object, or its `error` as `RPCError.server`.
    private static func result(of reply: JSONValue) throws(RPCError) -> JSONValue {
        if let err = reply["error"], !err.isNull {
            let code: Int
            if case .number(let n)? = err["code"] { code = Int(n) } else { code = 0 }
            throw .server(code: code, message: err["message"]?.stringValue ?? "unknown error", data: err["data"])
        }
        guard let result = reply["result"] else { throw .malformedResponse("no result in \(reply)") }
        return result
    }

    /// POSTs one JSON body and decodes the JSON reply.
    private func post(_ body: JSONValue) async throws(RPCError) -> JSONValue {
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        do { request.httpBody = try JSONEncoder().encode(body) } catch {
            throw .malformedResponse("cannot encode request: \(error)")
        }
        let data: Data, response: URLResponse
        do {
            (data, response) = try await session.data(for: request)
        } catch {
            throw .unreachable(url: url.absoluteString, reason: (error as NSError).localizedDescription)
        }
        if let http = response as? HTTPURLResponse, http.statusCode != 200 {
            throw .http(status: http.statusCode, body: String(decoding: data, as: UTF8.self))
        }
        do { return try JSONDecoder().decode(JSONValue.self, from: data) } catch {
            throw .malformedResponse("not JSON: \(String(decoding: data.prefix(200), as: UTF8.self))")
        }
    }
}

/// A thread-safe request id counter.
final class Counter: @unchecked Sendable {
    // Guarded by `lock`; that is why this class can be @unchecked Sendable.
    private var value = 0
    private let lock = NSLock()
    func next() -> Int { lock.lock(); defer { lock.unlock() }; value += 1; return value }
}
