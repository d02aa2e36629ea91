/// The HTTP transport: JSON-RPC requests are POSTed to `/` (any path is accepted, as geth does), answered with
/// `application/json`. Built on Hummingbird 2 so the content store's kubo API can share the port later.
import Foundation
import Hummingbird
import Logging
import Node

public enum RPCServer {
    /// Request bodies above this size are refused (geth's limit is 5 MiB).
    public static let maxBodyBytes = 5 * 1024 * 1024

    /// The router: POST on any path runs the JSON-RPC handler.
    public static func router(handler: RPCHandler) -> Router<BasicRequestContext> {
        let router = Router()
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
        return router
    }

    /// An application serving `handler` on host:port; `onRunning` receives the bound port once it listens.
    public static func application(handler: RPCHandler, host: String, port: Int, logger: Logger,
                                   onRunning: @escaping @Sendable (Int) async -> Void) -> some ApplicationProtocol {
        Application(router: router(handler: handler),
                    configuration: .init(address: .hostname(host, port: port), serverName: nil),
                    onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
                    logger: logger)
    }
}
