import Foundation
import GFLContracts
import Hummingbird
import Logging
import Primitives
import RPCClient

/// A contract whose ABI is known, for decoding calls and logs.
public struct KnownContract: Sendable {
    public var name: String
    public var abi: ABIContract
    public init(name: String, abi: ABIContract) { self.name = name; self.abi = abi }
}

/// Where names and ABIs of contracts come from: `gfl deploy`'s ABI registry, read through closures so that
/// contracts deployed while the explorer runs are found too.
public struct ContractBook: Sendable {
    /// The registry entry of an address.
    public var lookup: @Sendable (Address) -> KnownContract?
    /// The address of the registry entry with this name (the newest when several share it).
    public var addressNamed: @Sendable (String) -> Address?

    public init(lookup: @escaping @Sendable (Address) -> KnownContract?,
                addressNamed: @escaping @Sendable (String) -> Address?) {
        self.lookup = lookup; self.addressNamed = addressNamed
    }

    /// No registry: only the GFL contracts recognised by their code are named.
    public static let empty = ContractBook(lookup: { _ in nil }, addressNamed: { _ in nil })
}

/// What the web explorer serves and how.
public struct ExplorerConfig: Sendable {
    /// The node's JSON-RPC endpoint.
    public var rpcURL: URL
    /// The GFL Controller; nil: the registry entry named "Controller", if any.
    public var controller: Address?
    /// A folder searched (recursively) for `metrics.json` run reports that hold per-round accuracy.
    public var reportsDirectory: URL?
    /// Names and ABIs of contracts (`gfl deploy`'s registry).
    public var contracts: ContractBook
    /// Blocks shown on the front page.
    public var homeBlocks: Int
    /// Blocks scanned backwards from the head for an address's recent transactions.
    public var addressScanBlocks: Int
    /// The chain's Receipts contract (DFL accuracy receipts); nil: job pages have no receipts section.
    public var receipts: Address?

    public init(rpcURL: URL, controller: Address? = nil, reportsDirectory: URL? = nil, contracts: ContractBook = .empty,
                homeBlocks: Int = 20, addressScanBlocks: Int = 200, receipts: Address? = nil) {
        self.rpcURL = rpcURL; self.controller = controller; self.reportsDirectory = reportsDirectory
        self.contracts = contracts; self.homeBlocks = homeBlocks; self.addressScanBlocks = addressScanBlocks
        self.receipts = receipts
    }
}

/// Why a page could not be shown; each case has its HTTP status.
public enum ExplorerError: Error, CustomStringConvertible, Equatable {
    /// Input that cannot name anything (a malformed hash or address): 400.
    case badRequest(String)
    /// Well-formed but absent (no such block, transaction or job): 404.
    case notFound(String)
    /// The node could not be reached or answered with an error: 502.
    case node(String)

    /// The HTTP status of the error page.
    public var status: Int {
        switch self {
        case .badRequest: return 400
        case .notFound: return 404
        case .node: return 502
        }
    }

    public var description: String {
        switch self {
        case .badRequest(let m), .notFound(let m): return m
        case .node(let m): return "the node did not answer: \(m)"
        }
    }

    /// Maps the errors of the RPC client and the bindings (unreachable node, error answers) to page errors.
    static func from(_ error: any Error) -> ExplorerError {
        if let e = error as? ExplorerError { return e }
        if let e = error as? RPCError { return .node(e.description) }
        if let e = error as? ContractError {
            if case .rpc(let r) = e { return .node(r.description) }
            return .node(e.description)
        }
        return .node(String(describing: error))
    }
}

/// One rendered answer: an HTML page with its status, or a redirect.
public struct PageResponse: Sendable {
    /// The HTTP status.
    public var status: Int
    /// The whole document.
    public var html: String
    /// Set for redirects (status 303).
    public var location: String?

    /// A full page around `body` (an HTML fragment); `jobs` adds the GFL jobs link to the header.
    public static func page(_ title: String, _ body: String, status: Int = 200, jobs: Bool) -> PageResponse {
        PageResponse(status: status, html: HTML.page(title: title, body: body, showJobs: jobs), location: nil)
    }

    /// A 303 redirect to `path` (with a link in the body for clients that do not follow it).
    public static func redirect(_ path: String) -> PageResponse {
        PageResponse(status: 303, html: HTML.page(title: "Redirect", body: HTML.link(path, path), showJobs: false),
                     location: path)
    }
}

/// The web explorer: server-rendered pages over a node's JSON-RPC. `respond(path:query:)` renders one request
/// (the tests call it in-process); `application(host:port:…)` serves it over HTTP with Hummingbird.
public struct ExplorerSite: Sendable {
    public let config: ExplorerConfig
    /// The node's client (10 s timeout per call, so a stuck node gives an error page rather than a hung one).
    public let client: EthClient
    let cache = CodeKindCache()

    /// A site for `config`; nothing is contacted until a page is asked for.
    public init(config: ExplorerConfig) {
        self.config = config
        self.client = EthClient(rpc: JSONRPCClient(url: config.rpcURL, timeout: 10))
    }

    /// The Controller this site shows jobs of: `--controller`, else the registry's "Controller".
    public var controllerAddress: Address? { config.controller ?? config.contracts.addressNamed("Controller") }

    /// Renders the page for `path` (e.g. `/tx/0x…`); errors become error pages with their status, never a throw.
    public func respond(path: String, query: [String: String] = [:]) async -> PageResponse {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map { String($0).removingPercentEncoding ?? String($0) }
        do {
            switch (parts.first, parts.count) {
            case (nil, _): return try await homePage()
            case ("block", 2): return try await blockPage(parts[1])
            case ("tx", 2): return try await transactionPage(parts[1])
            case ("address", 2): return try await addressPage(parts[1])
            case ("search", 1): return try await search(query["q"] ?? "")
            case ("jobs", 1): return try await jobsPage(query)
            case ("job", 2): return try await jobPage(parts[1], query)
            default: throw ExplorerError.notFound("no page at \(path)")
            }
        } catch {
            return errorPage(ExplorerError.from(error))
        }
    }

    func errorPage(_ error: ExplorerError) -> PageResponse {
        let title: String
        switch error {
        case .badRequest: title = "Bad request"
        case .notFound: title = "Not found"
        case .node: title = "Node unavailable"
        }
        let body = "<div class=\"error\"><p>\(HTML.escape(error.description))</p>"
            + "<p class=\"muted\">HTTP \(error.status) · node \(HTML.escape(config.rpcURL.absoluteString))</p></div>"
        return .page(title, body, status: error.status, jobs: controllerAddress != nil)
    }

    /// Decodes a form query (`q=job+1&x=%2F`): `+` is a space, as browsers send form fields; the first value wins.
    public static func parseQuery(_ raw: String) -> [String: String] {
        var out: [String: String] = [:]
        for pair in raw.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String {
                let spaced = s.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            let key = decode(kv[0])
            if out[key] == nil { out[key] = kv.count > 1 ? decode(kv[1]) : "" }
        }
        return out
    }

    /// The router: every GET goes through `respond`.
    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        let site = self
        let handle: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in
            let page = await site.respond(path: request.uri.path, query: ExplorerSite.parseQuery(request.uri.query ?? ""))
            var headers: HTTPFields = [.contentType: "text/html; charset=utf-8"]
            if let location = page.location { headers[.location] = location }
            return Response(status: HTTPResponse.Status(code: page.status), headers: headers,
                            body: .init(byteBuffer: ByteBuffer(string: page.html)))
        }
        router.get("/", use: handle)
        router.get("/**", use: handle)
        return router
    }

    /// An HTTP application on host:port (0: any free port); `onRunning` receives the bound port.
    public func application(host: String, port: Int, logger: Logger,
                            onRunning: @escaping @Sendable (Int) async -> Void) -> some ApplicationProtocol {
        Application(router: router(), configuration: .init(address: .hostname(host, port: port), serverName: nil),
                    onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
                    logger: logger)
    }

    // MARK: naming contracts

    /// The name and ABI of a contract: the registry first, then the GFL contracts recognised by their code.
    func knownContract(_ address: Address) async -> KnownContract? {
        if let k = config.contracts.lookup(address) { return k }
        switch await codeKind(address) {
        case .controller: return try? KnownContract(name: "Controller", abi: ControllerContract.artifact.abi())
        case .storage(let job):
            return try? KnownContract(name: job.map { "Storage (job \($0))" } ?? "Storage", abi: StorageContract.artifact.abi())
        case .other, .account, .unknown: return nil
        }
    }

    func codeKind(_ address: Address) async -> CodeKind {
        if let k = await cache.get(address) { return k }
        guard let code = try? await client.code(address) else { return .unknown }
        var kind = code.isEmpty ? CodeKind.account : GFLCode.kind(of: code).codeKind
        if case .storage = kind, let job = try? await StorageContract(address: address, chain: RPCChain(client: client)).jobId() {
            kind = .storage(job: job)
        }
        await cache.set(address, kind)
        return kind
    }
}

/// What an address holds, as far as the explorer can tell from its code.
enum CodeKind: Sendable, Equatable {
    case controller
    case storage(job: UInt256?)
    case other
    case account
    /// The code could not be read (node unreachable); not cached.
    case unknown
}

/// Code kinds by address. Code never changes after deployment (no SELFDESTRUCT since Cancun), so entries stay valid.
actor CodeKindCache {
    private var kinds: [Address: CodeKind] = [:]
    func get(_ a: Address) -> CodeKind? { kinds[a] }
    /// Accounts without code are not kept: a contract may be deployed to the address later.
    func set(_ a: Address, _ k: CodeKind) {
        guard k != .account, k != .unknown, kinds.count < 10_000 else { return }
        kinds[a] = k
    }
}
