import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Primitives

/// What kubo's `add` returns for each file (its `Size` is the DAG's cumulative size, as a decimal string).
public struct AddResponse: Codable, Equatable, Sendable {
    public var Name: String
    public var Hash: String
    public var Size: String

    public init(Name: String, Hash: String, Size: String) {
        self.Name = Name; self.Hash = Hash; self.Size = Size
    }

    /// One JSON object with kubo's key order (Name, Hash, Size), without a trailing newline.
    public var jsonLine: String {
        func quoted(_ s: String) -> String {
            // JSONEncoder escapes a lone string correctly; key order is ours.
            (try? String(decoding: JSONEncoder().encode(s), as: UTF8.self)) ?? "\"\""
        }
        return #"{"Name":\#(quoted(Name)),"Hash":\#(quoted(Hash)),"Size":\#(quoted(Size))}"#
    }
}

/// A client for kubo's HTTP RPC API (`/api/v0/…`), which our `ContentStoreServer` also serves. Every call is a
/// POST, as kubo requires.
///
/// To use a real IPFS daemon instead of a GFL node, point it at kubo's API address (by default
/// `http://127.0.0.1:5001`, set by `Addresses.API` in kubo's config): `StoreClient(url: "http://127.0.0.1:5001")`,
/// or `gfl store add --api http://127.0.0.1:5001 …` (any `gfl store` subcommand) on the command line. Nothing else changes: the CIDs are the same.
public struct StoreClient: Sendable {
    /// The API root, e.g. `http://127.0.0.1:5001`.
    public let baseURL: URL
    private let session: URLSession

    /// - Parameter url: scheme, host and port of the API (a trailing `/api/v0` is accepted and dropped).
    public init(url: String) throws(StoreError) {
        var text = url
        while text.hasSuffix("/") { text.removeLast() }
        if text.hasSuffix("/api/v0") { text.removeLast(7) }
        guard let u = URL(string: text), let scheme = u.scheme, scheme == "http" || scheme == "https", u.host != nil else {
            throw .remote(url: url, reason: "not an http(s) URL with a host")
        }
        baseURL = u
        let config = URLSessionConfiguration.ephemeral
        config.timeoutIntervalForRequest = 120
        session = URLSession(configuration: config)
    }

    private func url(_ command: String, _ query: [(String, String)]) throws(StoreError) -> URL {
        let path = baseURL.appendingPathComponent("api/v0/" + command)
        guard var c = URLComponents(url: path, resolvingAgainstBaseURL: false) else {
            throw .remote(url: path.absoluteString, reason: "cannot build request URL")
        }
        if !query.isEmpty { c.queryItems = query.map { URLQueryItem(name: $0.0, value: $0.1) } }
        guard let u = c.url else { throw .remote(url: path.absoluteString, reason: "cannot build request URL") }
        return u
    }

    /// Sends a POST and returns the body of a 200 response; other statuses become an error carrying kubo's
    /// `Message`.
    private func post(_ command: String, _ query: [(String, String)] = [], body: Data? = nil,
                      contentType: String? = nil) async throws(StoreError) -> Data {
        let target = try url(command, query)
        var request = URLRequest(url: target)
        request.httpMethod = "POST"
        if let contentType { request.setValue(contentType, forHTTPHeaderField: "Content-Type") }
        let data: Data, response: URLResponse
        do {
            if let body {
                (data, response) = try await session.upload(for: request, from: body)
            } else {
                (data, response) = try await session.data(for: request)
            }
        } catch {
            throw .remote(url: target.absoluteString, reason: error.localizedDescription)
        }
        guard let http = response as? HTTPURLResponse else {
            throw .remote(url: target.absoluteString, reason: "not an HTTP response")
        }
        guard http.statusCode == 200 else {
            var message = String(decoding: data.prefix(1000), as: UTF8.self)
            if let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any], let m = obj["Message"] as? String {
                message = m
            }
            throw .remote(url: target.absoluteString, reason: "HTTP \(http.statusCode): \(message)")
        }
        return data
    }

    private func json(_ data: Data, _ command: String) throws(StoreError) -> [String: Any] {
        guard let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw .remote(url: baseURL.absoluteString, reason: "\(command): response is not a JSON object")
        }
        return obj
    }

    /// The daemon's version string (`Version` of `/api/v0/version`).
    public func version() async throws(StoreError) -> String {
        let obj = try json(try await post("version"), "version")
        return obj["Version"] as? String ?? "?"
    }

    /// Uploads bytes as one file; returns kubo's answer. With `cidVersion: 1` kubo also switches to raw leaves
    /// (its own default), so the CID differs from the CIDv1 of the default DAG.
    public func add(bytes: [UInt8], name: String = "file", pin: Bool = true) async throws(StoreError) -> AddResponse {
        // A random boundary: the chance that 96 random bits appear in the file is negligible.
        let random = (try? SecureRandom.bytes(12)) ?? Array(SHA256.hash(bytes).bytes.prefix(12))
        let boundary = "gfl-" + Hex.encode(random, prefix: false)
        var body = Data(MultipartParser.fileHeader(boundary: boundary, fileName: name))
        body.append(contentsOf: bytes)
        body.append(contentsOf: MultipartParser.footer(boundary: boundary))
        let data = try await post("add", [("pin", pin ? "true" : "false"), ("progress", "false")], body: body,
                                  contentType: "multipart/form-data; boundary=\(boundary)")
        // One JSON object per line; the last is the file (directories would come after, but we send none).
        let lines = data.split(separator: UInt8(ascii: "\n")).filter { !$0.isEmpty }
        guard let last = lines.last, let r = try? JSONDecoder().decode(AddResponse.self, from: Data(last)) else {
            throw .remote(url: baseURL.absoluteString, reason: "add: unexpected response \(String(decoding: data.prefix(300), as: UTF8.self))")
        }
        return r
    }

    /// Uploads the file at `path` (named by its last path component).
    public func add(path: String, pin: Bool = true) async throws(StoreError) -> AddResponse {
        let bytes: [UInt8]
        do { bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) } catch {
            throw .io(path: path, reason: error.localizedDescription)
        }
        return try await add(bytes: bytes, name: (path as NSString).lastPathComponent, pin: pin)
    }

    /// The file's bytes as the server returns them (`cat`). The server did the verifying; use
    /// `PeerFetcher` to verify locally block by block.
    public func cat(_ cid: CID) async throws(StoreError) -> [UInt8] {
        [UInt8](try await post("cat", [("arg", cid.string)]))
    }

    /// Largest block accepted from a peer: kubo and bitswap cap blocks at 2 MiB; we allow twice that.
    public static let maxBlockSize = 4 << 20

    /// One raw block, checked against `cid` here: a substituted block is an error naming the CID.
    public func block(_ cid: CID) async throws(StoreError) -> [UInt8] {
        let bytes = [UInt8](try await post("block/get", [("arg", cid.string)]))
        guard bytes.count <= StoreClient.maxBlockSize else {
            throw .remote(url: baseURL.absoluteString, reason: "block \(cid) is \(bytes.count) bytes, over the \(StoreClient.maxBlockSize)-byte limit")
        }
        let actual = SHA256.hash(bytes)
        guard actual == cid.digest else { throw .corruptBlock(cid, actual: actual) }
        return bytes
    }

    /// A block's size (`block/stat`).
    public func blockSize(_ cid: CID) async throws(StoreError) -> Int {
        let obj = try json(try await post("block/stat", [("arg", cid.string)]), "block/stat")
        guard let size = obj["Size"] as? Int else { throw .remote(url: baseURL.absoluteString, reason: "block/stat: no Size") }
        return size
    }

    /// Pins recursively (`pin/add`).
    public func pin(_ cid: CID) async throws(StoreError) { _ = try await post("pin/add", [("arg", cid.string)]) }

    /// Removes a recursive pin (`pin/rm`).
    public func unpin(_ cid: CID) async throws(StoreError) { _ = try await post("pin/rm", [("arg", cid.string)]) }

    /// Recursive pins (`pin/ls?type=recursive`).
    public func pins() async throws(StoreError) -> [CID] {
        let obj = try json(try await post("pin/ls", [("type", "recursive")]), "pin/ls")
        guard let keys = obj["Keys"] as? [String: Any] else { return [] }
        var out: [CID] = []
        for k in keys.keys.sorted() {
            do { out.append(try CID(k)) } catch { throw .invalidCID(error) }
        }
        return out
    }

    /// Block count and bytes of the remote store (`repo/stat`); pins from `pin/ls`.
    public func stats() async throws(StoreError) -> StoreStats {
        let obj = try json(try await post("repo/stat"), "repo/stat")
        let blocks = (obj["NumObjects"] as? NSNumber)?.uint64Value ?? 0
        let bytes = (obj["RepoSize"] as? NSNumber)?.uint64Value ?? 0
        return StoreStats(blocks: blocks, bytes: bytes, pins: UInt64(try await pins().count))
    }

    /// Runs garbage collection on the remote store (`repo/gc`); returns how many blocks it removed.
    public func gc() async throws(StoreError) -> Int {
        let data = try await post("repo/gc")
        return data.split(separator: UInt8(ascii: "\n")).filter { !$0.isEmpty }.count
    }
}

/// Copies a DAG from a peer's API into the local store, verifying every block against its CID before storing
/// it, so the node can then serve it to the next peer (the ring exchange). Blocks already held are not
/// fetched again. Works against a kubo daemon too, since it uses only `block/get`.
public struct PeerFetcher: Sendable {
    public let store: BlockStore

    public init(store: BlockStore) { self.store = store }

    /// Fetches every block of `cid`'s DAG from `peer`, pins the root when `pin`, and returns the number of blocks
    /// that were fetched (not counting ones already present).
    @discardableResult
    public func fetch(_ cid: CID, from peer: StoreClient, pin: Bool = true) async throws(StoreError) -> Int {
        var stack = [cid]
        var seen = Set<Bytes32>()
        var protected: [Bytes32] = []
        defer { store.unprotect(protected) }
        var fetched = 0
        while let next = stack.popLast() {
            guard seen.insert(next.digest).inserted else { continue }
            let block: [UInt8]
            if try store.has(next) {
                block = try store.block(next)
            } else {
                block = try await peer.block(next)
                try store.put(digest: next.digest, block: block, protect: true)
                protected.append(next.digest)
                fetched += 1
            }
            guard next.codec == .dagPB else { continue }
            let node: PBNode
            do { node = try PBNode(decoding: block) } catch { throw .malformedBlock(next, reason: error.description) }
            for link in node.links.reversed() { stack.append(link.cid) }
        }
        if pin { try store.recordPin(cid) }
        return fetched
    }
}
