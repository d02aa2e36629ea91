/// The HTTP transport: JSON-RPC requests are POSTed to `/` (any path is accepted, as geth does), answered with
/// `application/json`. Built on Hummingbird 2 so the content store's kubo API can share the port later.
import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import Node

public enum RPCServer {
    /// Request bodies above this size are refused (geth's limit is 5 MiB).
    public static let maxBodyBytes = 5 * 1024 * 1024

    /// The router: POST on any path runs the JSON-RPC handler.
    public static func router(handler: RPCHandler) -> Router<BasicRequestContext> {
        let router = Router()
        addRoutes(to: router, handler: handler)
        return router
    }

    /// Adds the JSON-RPC routes (POST on `/` and any other path not routed more specifically) to `router`, so
    /// one port can serve JSON-RPC next to other APIs such as the content store's `/api/v0`.
    public static func addRoutes(to router: Router<BasicRequestContext>, handler: RPCHandler) {
        let serve: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in
            let buffer: ByteBuffer
            do { buffer = try await request.body.collect(upTo: maxBodyBytes) } catch {
                return Response(status: .contentTooLarge, headers: [.contentType: "application/json"],
                                body: .init(byteBuffer: ByteBuffer(string: RPCHandler.response(
                                    id: .null, error: RPCError(-32600, "request body too large")).text)))
            }
            let body = Array(buffer.readableBytesView)
            let out = handler.handle(body) ?? []
            return Response(status: .ok, headers: [.contentType: "application/json"],
                            body: .init(byteBuffer: ByteBuffer(bytes: out)))
        }
        router.post("/", use: serve)
        router.post("/**", use: serve)
    }

    /// An application serving `handler` on host:port; `onRunning` receives the bound port once it listens.
    public static func application(handler: RPCHandler, host: String, port: Int, logger: Logger,
                                   onRunning: @escaping @Sendable (Int) async -> Void) -> some ApplicationProtocol {
        application(router: router(handler: handler), host: host, port: port, logger: logger, webSocket: handler,
                    onRunning: onRunning)
    }

    /// An application serving a prepared router (JSON-RPC plus whatever else was added to it). With `webSocket`,
    /// a WebSocket upgrade on any path of the same port speaks JSON-RPC with `eth_subscribe`, as geth's WS
    /// endpoint does; plain HTTP requests are unaffected.
    public static func application(router: Router<BasicRequestContext>, host: String, port: Int, logger: Logger,
                                   webSocket handler: RPCHandler? = nil,
                                   onRunning: @escaping @Sendable (Int) async -> Void) -> some ApplicationProtocol {
        Application(router: router,
                    server: .http1WebSocketUpgrade { _, _, _ in
                        guard let handler else { return .dontUpgrade }
                        return .upgrade([:]) { inbound, outbound, _ in
                            try await serveWebSocket(handler: handler, inbound: inbound, outbound: outbound)
                        }
                    },
                    configuration: .init(address: .hostname(host, port: port), serverName: nil),
                    onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
                    logger: logger)
    }

    /// One WebSocket session: requests are answered in order while a second task pushes subscription
    /// notifications for each new block.
    static func serveWebSocket(handler: RPCHandler, inbound: WebSocketInboundStream,
                               outbound: WebSocketOutboundWriter) async throws {
        let session = SubscriptionSession(handler: handler)
        let (token, blocks) = handler.subscriptions.register()
        defer { handler.subscriptions.unregister(token) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await n in blocks {
                    for text in session.notifications(forBlock: n) { try await outbound.write(.text(text)) }
                }
            }
            for try await message in inbound.messages(maxSize: maxBodyBytes) {
                let body: [UInt8]
                switch message {
                case .text(let t): body = Array(t.utf8)
                case .binary(let b): body = Array(b.readableBytesView)
                }
                let (reply, activate) = session.handle(body)
                if let reply { try await outbound.write(.text(String(decoding: reply, as: UTF8.self))) }
                session.activate(activate)
            }
            group.cancelAll()
        }
    }
}
