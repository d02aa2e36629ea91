import ContentStore
import ContentStoreServer
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Hummingbird
import Logging
import Primitives
import ServiceLifecycle
import Storage
import Synchronization
import Testing

/// A Hummingbird application run in a ServiceGroup and stopped by graceful shutdown: cancelling the task that runs
/// a server can trap inside SwiftNIO when a connection is being accepted at that moment (apple/swift-nio#3481).
final class Served: Sendable {
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    init(_ service: some Service) {
        let group = ServiceGroup(configuration: .init(services: [service], gracefulShutdownSignals: [],
                                                      logger: Logger(label: "test-server")))
        self.group = group
        task = Task { try await group.run() }
    }

    func stop() async {
        await group.triggerGracefulShutdown()
        _ = await task.result
    }
}

/// A store served on a free loopback port for the duration of a test.
final class RunningServer: Sendable {
    let store: BlockStore
    let port: Int
    let served: Served
    var url: String { "http://127.0.0.1:\(port)" }

    private init(store: BlockStore, port: Int, served: Served) {
        self.store = store; self.port = port; self.served = served
    }

    static func start(_ store: BlockStore) async throws -> RunningServer {
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = StoreServer.application(store: store, host: "127.0.0.1", port: 0, logLevel: .critical) { port in
            continuation.yield(port)
            continuation.finish()
        }
        let served = Served(app)
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw StoreError.remote(url: "loopback", reason: "server did not start") }
        return RunningServer(store: store, port: port, served: served)
    }

    func stop() async { await served.stop() }
}

/// Sends a raw POST and returns (status, body) without the client's interpretation.
func rawPost(_ url: String, body: Data? = nil, contentType: String? = nil, method: String = "POST") async throws -> (Int, Data) {
    var r = URLRequest(url: URL(string: url)!)
    r.httpMethod = method
    if let contentType { r.setValue(contentType, forHTTPHeaderField: "Content-Type") }
    r.httpBody = body
    let (data, response) = try await URLSession.shared.data(for: r)
    return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
}

@Suite(.serialized) struct HTTPTests {
    /// Two stores on loopback: a file added to A over HTTP is fetched by B from A's API (every block verified),
    /// then served by B to a third party.
    @Test func twoStoreRoundTrip() async throws {
        let a = try await RunningServer.start(try TestFiles.leveldbStore())
        let b = try await RunningServer.start(try TestFiles.leveldbStore())
        defer { Task { await a.stop(); await b.stop() } }
        let clientA = try StoreClient(url: a.url)
        let clientB = try StoreClient(url: b.url + "/api/v0/")

        let data = TestFiles.bytes(5 * 262_144 + 1234, seed: 42)
        let expected = try computeCID(bytes: data)
        let added = try await clientA.add(bytes: data, name: "model.bin")
        #expect(added == AddResponse(Name: "model.bin", Hash: expected.cid.string, Size: String(expected.cumulativeSize)))
        #expect(try await clientA.pins() == [expected.cid])
        #expect(try await clientA.cat(expected.cid) == data)
        #expect(try await clientA.blockSize(expected.cid) == (try a.store.block(expected.cid)).count)

        // B fetches from A (the trainer passes A's URL), then serves it.
        let fetched = try await PeerFetcher(store: b.store).fetch(expected.cid, from: clientA)
        #expect(fetched == 7)  // 6 leaves + root
        #expect(try b.store.isPinned(expected.cid))
        #expect(try await clientB.cat(expected.cid) == data)
        #expect(try await clientB.cat(expected.cid.v1) == data)
        #expect(try await clientB.stats() == (try b.store.stats()))
        // A second fetch finds everything local.
        #expect(try await PeerFetcher(store: b.store).fetch(expected.cid, from: clientA) == 0)

        // Pins over the API, and GC after unpinning.
        try await clientB.unpin(expected.cid)
        #expect(try await clientB.pins().isEmpty)
        #expect(try await clientB.gc() == 7)
        await #expect(throws: StoreError.self) { try await clientB.cat(expected.cid) }
        await #expect(throws: StoreError.self) { try await clientB.pin(expected.cid) }
    }

    /// Concurrent uploads while GC runs over and over: protection of in-progress adds and the pin written before
    /// protection ends mean no upload loses a block.
    @Test func concurrentAddsSurviveGC() async throws {
        let s = try await RunningServer.start(try TestFiles.leveldbStore())
        defer { Task { await s.stop() } }
        let client = try StoreClient(url: s.url)
        let files = (0..<4).map { TestFiles.bytes(9 << 20 + $0, seed: 300 + UInt64($0)) }
        let hashes = try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for (i, f) in files.enumerated() {
                group.addTask { (i, try await client.add(bytes: f, name: "f\(i)").Hash) }
            }
            group.addTask {
                for _ in 0..<20 { _ = try await client.gc(); try await Task.sleep(for: .milliseconds(10)) }
                return (-1, "")
            }
            var out: [Int: String] = [:]
            for try await (i, h) in group where i >= 0 { out[i] = h }
            return out
        }
        _ = try await client.gc()
        for (i, f) in files.enumerated() {
            let cid = try CID(try #require(hashes[i]))
            #expect(try s.store.cat(cid) == f, "file \(i)")
        }
    }

    /// Larger than the server's verify-before-answer window (16 MiB), so `cat` takes the streaming path and the
    /// upload arrives in many pieces.
    @Test func largeFileStreamsBothWays() async throws {
        let s = try await RunningServer.start(try TestFiles.leveldbStore())
        defer { Task { await s.stop() } }
        let client = try StoreClient(url: s.url)
        let data = TestFiles.bytes((17 << 20) + 5, seed: 17)
        let added = try await client.add(bytes: data, name: "big")
        #expect(added.Hash == (try computeCID(bytes: data)).cid.string)
        #expect(try await client.cat(try CID(added.Hash)) == data)
    }

    /// A lying peer: it serves a different block under a requested CID. The fetcher checks each block's hash
    /// itself, so the substitution is an error naming the CID and nothing is stored.
    @Test func substitutedBlockFromPeerIsRejected() async throws {
        let honest = try BlockStore(kv: MemoryStore())
        let data = TestFiles.bytes(262_144 + 9, seed: 21)
        let root = try honest.add(bytes: data).cid
        let leaves = try PBNode(decoding: try honest.block(root)).links.map(\.cid)
        let substitute = try honest.block(leaves[1])  // a real block, but not the one asked for

        let router = Router()
        router.post("api/v0/block/get") { request, _ -> Response in
            let arg = String(request.uri.queryParameters["arg"] ?? "")
            let cid = try CID(arg)
            let bytes = cid == leaves[0] ? substitute : try honest.block(cid)
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        var logger = Logger(label: "liar")
        logger.logLevel = .critical
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { continuation.yield($0.localAddress?.port ?? 0); continuation.finish() },
                              logger: logger)
        let served = Served(app)
        defer { Task { await served.stop() } }
        var it = ports.makeAsyncIterator()
        let port = try #require(await it.next())

        let local = try BlockStore(kv: MemoryStore())
        do {
            try await PeerFetcher(store: local).fetch(root, from: try StoreClient(url: "http://127.0.0.1:\(port)"))
            Issue.record("fetch accepted a substituted block")
        } catch {
            guard case .corruptBlock(let cid, _) = error else { Issue.record("wrong error \(error)"); return }
            #expect(cid == leaves[0])
            #expect(error.description.contains(leaves[0].string))
        }
        #expect(try !local.has(leaves[0]))
        #expect(try !local.isPinned(root))
    }

    @Test func kuboShapedResponsesAndErrors() async throws {
        let s = try await RunningServer.start(try BlockStore(kv: MemoryStore()))
        defer { Task { await s.stop() } }
        let api = s.url + "/api/v0/"

        let (vs, vbody) = try await rawPost(api + "version")
        #expect(vs == 200)
        let version = try JSONSerialization.jsonObject(with: vbody) as? [String: Any]
        #expect(version?["Version"] as? String == StoreServer.version)

        // add with two files, cid-version=1 and only-hash: one JSON line per file, nothing stored.
        let boundary = "test-boundary"
        var body = MultipartParser.fileHeader(boundary: boundary, fileName: "one")
        body += Array("hello\n".utf8)
        body += Array("\r\n".utf8) + MultipartParser.fileHeader(boundary: boundary, fileName: "two")
        body += [UInt8]()
        body += MultipartParser.footer(boundary: boundary)
        let (st, out) = try await rawPost(api + "add?cid-version=1&only-hash=true", body: Data(body),
                                          contentType: "multipart/form-data; boundary=\(boundary)")
        #expect(st == 200)
        let lines = String(decoding: out, as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 2)
        let first = try JSONDecoder().decode(AddResponse.self, from: Data(lines[0].utf8))
        #expect(first.Name == "one")
        #expect(first.Hash == (try computeCID(bytes: Array("hello\n".utf8))).cid.v1.string)
        let second = try JSONDecoder().decode(AddResponse.self, from: Data(lines[1].utf8))
        #expect(second.Hash == "bafybeif7ztnhq65lumvvtr4ekcwd2ifwgm3awq4zfr3srh462rwyinlb4y")  // the empty file
        #expect(try s.store.stats().blocks == 0)

        // Errors in kubo's shape: a missing block names the CID; bad input is a 400.
        let absent = "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH"
        let (es, ebody) = try await rawPost(api + "cat?arg=\(absent)")
        #expect(es == 500)
        let err = try JSONSerialization.jsonObject(with: ebody) as? [String: Any]
        #expect((err?["Message"] as? String)?.contains(absent) == true)
        #expect(err?["Type"] as? String == "error")
        #expect(try await rawPost(api + "cat?arg=notacid").0 == 400)
        #expect(try await rawPost(api + "cat").0 == 400)
        #expect(try await rawPost(api + "add", body: Data("x".utf8), contentType: "text/plain").0 == 400)
        // kubo accepts only POST.
        #expect(try await rawPost(api + "version", method: "GET").0 == 405)
    }

    @Test func corruptBlockIsRefusedOverHTTP() async throws {
        let store = try TestFiles.leveldbStore()
        let s = try await RunningServer.start(store)
        defer { Task { await s.stop() } }
        let client = try StoreClient(url: s.url)
        let data = TestFiles.bytes(2 * 262_144 + 1, seed: 8)
        let cid = try CID((try await client.add(bytes: data)).Hash)
        let leaf = try PBNode(decoding: try store.block(cid)).links[0].cid
        var bytes = try #require(try store.rawBlock(leaf.digest))
        bytes[20] ^= 1
        try store.kv.put(try #require(try store.dataKey(of: leaf.digest)), bytes)

        do {
            _ = try await client.cat(cid)
            Issue.record("cat returned data from a corrupt DAG")
        } catch {
            #expect(error.description.contains(leaf.string), "\(error)")
        }
        // A peer fetching from this server gets an error naming the block, and stores nothing of it.
        let other = try BlockStore(kv: MemoryStore())
        do {
            try await PeerFetcher(store: other).fetch(cid, from: client)
            Issue.record("fetch accepted a corrupt DAG")
        } catch {
            #expect(error.description.contains(leaf.string), "\(error)")
        }
        #expect(try !other.has(leaf))
        #expect(try !other.isPinned(cid))
    }
}
