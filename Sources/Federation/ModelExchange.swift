import ContentStore
import ContentStoreServer
import Foundation
import Hummingbird
import Logging
import Primitives

/// What a node moved through the content store: bytes fetched from each peer, and by phase.
public struct TransferRecord: Codable, Sendable, Equatable {
    public var round: Int
    /// `submission`, `ring1`, `ring2`, `global`.
    public var phase: String
    public var step: Int
    public var from: String
    public var to: String
    public var origin: String
    public var bytes: Int
    public init(round: Int, phase: String, step: Int, from: String, to: String, origin: String, bytes: Int) {
        self.round = round; self.phase = phase; self.step = step; self.from = from; self.to = to
        self.origin = origin; self.bytes = bytes
    }
}

/// A node's own content store: a LevelDB block store served over the kubo-shaped HTTP API on loopback, where peers
/// fetch this node's files (each file is fetched from the peer that announced it, verified block by block, and
/// stored here so the next peer in the ring can fetch it from this node in turn).
public final class NodeStore: @unchecked Sendable {
    public let store: BlockStore
    public private(set) var url: String = ""
    private var server: ServerTask?

    public init(path: String) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        store = try BlockStore(path: path)
    }

    /// Starts serving on `host:port` (0 picks a free port); returns once the server listens.
    public func serve(host: String = "127.0.0.1", port: Int = 0) async throws {
        let bound = AsyncStream<Int>.makeStream()
        let app = StoreServer.application(store: store, host: host, port: port, logLevel: .critical) { p in
            bound.continuation.yield(p)
            bound.continuation.finish()
        }
        server = ServerTask(app, label: "gfl.store")
        var it = bound.stream.makeAsyncIterator()
        guard let p = await it.next() else { throw FederationError.store("store server did not start") }
        url = "http://\(host):\(p)"
    }

    /// Stops serving (a killed node's files become unreachable, as with a crashed IPFS daemon).
    public func stop() { server?.stop(); server = nil }

    /// Adds bytes, pinned; returns the CID.
    public func add(_ bytes: [UInt8]) throws -> CID { try store.add(bytes: bytes).cid }

    /// Copies `cid` from a peer's store into this one (verified), then returns the file's bytes.
    public func fetch(_ cid: CID, from peerURL: String) async throws -> [UInt8] {
        if peerURL != url {
            let client: StoreClient
            do { client = try StoreClient(url: peerURL) } catch { throw FederationError.store("\(error)") }
            do { try await PeerFetcher(store: store).fetch(cid, from: client) } catch {
                throw FederationError.store("fetching \(cid) from \(peerURL): \(error)")
            }
        }
        do { return try store.cat(cid) } catch { throw FederationError.store("reading \(cid): \(error)") }
    }
}

/// How model files and their references are protected. Every member of a job holds the job key (handed to it by
/// the key dealer with ECIES, see `RDFLNode`); a model file is an AES-256-GCM envelope bound to (job, round,
/// author), and the on-chain reference is the file's 34-byte CIDv0 multihash sealed the same way: 63 bytes, so the
/// chain shows neither the model nor where it is.
public struct ModelSealer: Sendable {
    public let key: [UInt8]
    public let jobId: UInt256

    public init(key: [UInt8], jobId: UInt256) { self.key = key; self.jobId = jobId }

    func context(_ round: Int, _ author: Address) -> EnvelopeContext {
        EnvelopeContext(jobId: jobId, round: UInt64(round), sender: author)
    }

    public func sealFile(_ bytes: [UInt8], round: Int, author: Address) throws -> [UInt8] {
        try Envelope.seal(bytes, key: key, context: context(round, author))
    }

    public func openFile(_ bytes: [UInt8], round: Int, author: Address) throws -> [UInt8] {
        do { return try Envelope.open(bytes, key: key, context: context(round, author)) } catch {
            throw FederationError.tampered("model file of \(author) for round \(round): \(error)")
        }
    }

    public func sealReference(_ cid: CID, round: Int, author: Address) throws -> [UInt8] {
        try Envelope.seal(cid.multihash, key: key, context: context(round, author))
    }

    public func openReference(_ ref: [UInt8], round: Int, author: Address) throws -> CID {
        let plain: [UInt8]
        do { plain = try Envelope.open(ref, key: key, context: context(round, author)) } catch {
            throw FederationError.tampered("model reference of \(author) for round \(round): \(error)")
        }
        guard plain.count == 34, plain[0] == 0x12, plain[1] == 0x20 else {
            throw FederationError.tampered("model reference of \(author) is not a sha2-256 multihash")
        }
        return CID(v0: Bytes32(Array(plain[2...])))
    }
}

/// Errors of the federated runtime.
public enum FederationError: Error, CustomStringConvertible {
    case store(String)
    case tampered(String)
    case chain(String)
    case protocolViolation(String)
    case timeout(String)
    case config(String)
    public var description: String {
        switch self {
        case .store(let s): return "content store: \(s)"
        case .tampered(let s): return "rejected: \(s)"
        case .chain(let s): return "chain: \(s)"
        case .protocolViolation(let s): return "protocol: \(s)"
        case .timeout(let s): return "timed out: \(s)"
        case .config(let s): return s
        }
    }
}
