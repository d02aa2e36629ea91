import ContentStore
import Foundation
import Hummingbird
import Logging
import Primitives

/// The content store's HTTP API in the shape of kubo's RPC API (`/api/v0/…`, every command a POST, errors as
/// `{"Message","Code","Type"}`), so kubo's clients and ours work against either.
///
/// Commands: `add` (multipart, streamed into the store), `cat`, `block/get`, `block/stat`, `pin/add`, `pin/rm`,
/// `pin/ls`, `repo/gc`, `repo/stat`, `version`.
public enum StoreServer {
    /// The version string `/api/v0/version` reports.
    public static let version = "0.1.0-gfl"

    /// Files up to this size are read (and so fully verified) before `cat` answers, so a corrupt block gives a
    /// clean error response; larger files stream, and a corrupt block found later aborts the connection.
    static let verifiedPrefixBytes = 16 << 20

    /// A router serving `store` under `/api/v0`.
    public static func router(store: BlockStore) -> Router<BasicRequestContext> {
        let router = Router()
        let api = router.group("api/v0")
        api.post("add") { request, _ in await respond { try await add(request, store) } }
        api.post("cat") { request, _ in await respond { try await cat(request, store) } }
        api.post("block/get") { request, _ in
            await respond {
                let cid = try argument(request)
                return Response(status: .ok, headers: [.contentType: "application/octet-stream"],
                                body: .init(byteBuffer: ByteBuffer(bytes: try store.block(cid))))
            }
        }
        api.post("block/stat") { request, _ in
            await respond {
                let cid = try argument(request)
                let size = try store.block(cid).count
                return json(["Key": cid.string, "Size": size])
            }
        }
        api.post("pin/add") { request, _ in
            await respond {
                let cid = try argument(request)
                try store.pin(cid)
                return json(["Pins": [cid.string]])
            }
        }
        api.post("pin/rm") { request, _ in
            await respond {
                let cid = try argument(request)
                try store.unpin(cid)
                return json(["Pins": [cid.string]])
            }
        }
        api.post("pin/ls") { request, _ in
            await respond {
                var keys: [String: Any] = [:]
                if request.uri.queryParameters["arg"] != nil {
                    let cid = try argument(request)
                    guard try store.isPinned(cid) else { throw StoreError.notPinned(cid) }
                    keys[cid.string] = ["Type": "recursive"]
                } else {
                    for cid in try store.pins() { keys[cid.string] = ["Type": "recursive"] }
                }
                return json(["Keys": keys])
            }
        }
        api.post("repo/gc") { _, _ in
            await respond {
                let removed = try store.gc()
                let lines = removed.map { jsonText(["Key": ["/": CID(v0: $0).string]]) + "\n" }.joined()
                return Response(status: .ok, headers: [.contentType: "application/json"],
                                body: .init(byteBuffer: ByteBuffer(string: lines)))
            }
        }
        api.post("repo/stat") { _, _ in
            await respond {
                let s = try store.stats()
                return json(["RepoSize": s.bytes, "NumObjects": s.blocks, "StorageMax": 0,
                             "RepoPath": "", "Version": "gfl-leveldb-1"])
            }
        }
        api.post("version") { _, _ in
            json(["Version": version, "Commit": "", "Repo": "gfl-leveldb-1", "System": systemName, "Golang": "none"])
        }
        // kubo answers every command only to POST; other methods get 405, as there.
        for command in ["add", "cat", "block/get", "block/stat", "pin/add", "pin/rm", "pin/ls", "repo/gc", "repo/stat", "version"] {
            api.get(RouterPath(command)) { _, _ in failure(.methodNotAllowed, "405 - Method Not Allowed: commands take POST") }
        }
        return router
    }

    /// An application serving `store` on `host:port` (loopback by default; port 0 picks a free one).
    /// `onRunning` receives the bound port once the server listens; `logLevel` sets Hummingbird's logging.
    public static func application(store: BlockStore, host: String = "127.0.0.1", port: Int = 5001,
                                   logLevel: Logger.Level = .info,
                                   onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        var logger = Logger(label: "gfl-store")
        logger.logLevel = logLevel
        return Application(router: router(store: store),
                           configuration: .init(address: .hostname(host, port: port), serverName: nil),
                           onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
                           logger: logger)
    }

    // MARK: Commands

    static func add(_ request: Request, _ store: BlockStore) async throws -> Response {
        let query = request.uri.queryParameters
        let pin = query["pin"].map { $0 != "false" } ?? true
        let onlyHash = query["only-hash"].map { $0 == "true" || $0 == "" } ?? false
        let cidVersion = Int(query["cid-version"].map(String.init) ?? "0") ?? -1
        guard cidVersion == 0 || cidVersion == 1 else { throw BadRequest("cid-version must be 0 or 1") }
        if query["raw-leaves"] == "true" { throw BadRequest("raw-leaves=true is not supported (dag-pb leaves only)") }
        if let chunker = query["chunker"], chunker != "size-262144" {
            throw BadRequest("only the default chunker size-262144 is supported")
        }
        let boundary = try MultipartParser.boundary(contentType: request.headers[.contentType] ?? "")
        var parser = MultipartParser(boundary: boundary)
        var results: [AddResponse] = []
        var current: (name: String, builder: AnyAdder)? = nil

        func handle(_ event: MultipartEvent) throws {
            switch event {
            case .partStart(let headers):
                if headers["content-type"] == "application/x-directory" {
                    throw BadRequest("directories are not supported; add files one by one")
                }
                let name = headers["content-disposition"].flatMap(MultipartParser.fileName) ?? "file"
                current = (name, onlyHash ? .hashOnly(DAGBuilder { (_, _) throws(StoreError) in })
                                          : .store(FileAdder(store: store, pin: pin)))
            case .body(let bytes):
                try current?.builder.append(bytes)
            case .partEnd:
                guard let c = current else { return }
                let added = try c.builder.finish()
                let cid = cidVersion == 1 ? added.cid.v1 : added.cid
                results.append(AddResponse(Name: c.name, Hash: cid.string, Size: String(added.cumulativeSize)))
                current = nil
            }
        }

        for try await buffer in request.body {
            try buffer.withUnsafeReadableBytes { raw in try parser.feed(raw, handle) }
        }
        try parser.finish()
        let lines = results.map { $0.jsonLine + "\n" }.joined()
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: lines)))
    }

    static func cat(_ request: Request, _ store: BlockStore) async throws -> Response {
        let cid = try argument(request)
        let reader = store.reader(cid)
        // Read ahead up to `verifiedPrefixBytes`: small files are verified completely before the status line.
        var head: [ByteBuffer] = []
        var buffered = 0
        var finished = false
        while buffered < verifiedPrefixBytes {
            guard let piece = try reader.next() else { finished = true; break }
            buffered += piece.count
            head.append(ByteBuffer(bytes: piece))
        }
        let rest = ReaderHandoff(reader: finished ? nil : reader)
        let verified = head
        let body = ResponseBody { writer in
            try await writer.write(contentsOf: verified)
            if let r = rest.reader {
                // A corrupt block here throws, which aborts the connection instead of ending the body cleanly,
                // so a client never takes a truncated file for a whole one.
                while let piece = try r.next() { try await writer.write(ByteBuffer(bytes: piece)) }
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "text/plain", .init("X-Content-Length")!: "\(buffered)"],
                        body: body)
    }

    // MARK: Plumbing

    /// A client error (HTTP 400).
    struct BadRequest: Error, CustomStringConvertible {
        let description: String
        init(_ d: String) { description = d }
    }

    /// The CID in the `arg` query parameter.
    static func argument(_ request: Request) throws -> CID {
        guard let arg = request.uri.queryParameters["arg"] else { throw BadRequest("argument \"arg\" is required") }
        let text = String(arg).removingPercentEncoding ?? String(arg)
        do { return try CID(text) } catch { throw BadRequest(error.description) }
    }

    /// Runs a handler, turning errors into kubo's error response: 400 for bad input, 500 otherwise.
    static func respond(_ body: () async throws -> Response) async -> Response {
        do { return try await body() } catch let e as BadRequest {
            return failure(.badRequest, e.description)
        } catch let e as MultipartError {
            return failure(.badRequest, e.description)
        } catch let e as StoreError {
            return failure(.internalServerError, e.description)
        } catch {
            return failure(.internalServerError, "\(error)")
        }
    }

    static func failure(_ status: HTTPResponse.Status, _ message: String) -> Response {
        var r = json(["Message": message, "Code": 0, "Type": "error"])
        r.status = status
        return r
    }

    static func json(_ object: [String: Any]) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"],
                 body: .init(byteBuffer: ByteBuffer(string: jsonText(object) + "\n")))
    }

    static func jsonText(_ object: [String: Any]) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    static var systemName: String {
        #if arch(x86_64)
        let arch = "amd64"
        #elseif arch(arm64)
        let arch = "arm64"
        #else
        let arch = "unknown"
        #endif
        #if os(Linux)
        return arch + "/linux"
        #else
        return arch + "/darwin"
        #endif
    }
}

/// Either a storing adder or a hash-only builder (`only-hash=true`).
enum AnyAdder {
    case store(FileAdder)
    case hashOnly(DAGBuilder)

    func append(_ bytes: UnsafeRawBufferPointer) throws {
        switch self {
        case .store(let a): try a.append(bytes)
        case .hashOnly(let b): try b.append(bytes)
        }
    }

    func finish() throws -> AddedFile {
        switch self {
        case .store(let a): return try a.finish()
        case .hashOnly(let b): return try b.finish()
        }
    }
}

/// Hands the file reader from the request handler to the response body writer, which runs after the handler
/// returns. `@unchecked Sendable` is sound because the two never run at the same time: the handler stops using
/// the reader before the body closure starts.
final class ReaderHandoff: @unchecked Sendable {
    let reader: FileReader?
    init(reader: FileReader?) { self.reader = reader }
}
