import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import TestSupport

/// A minimal synchronous JSON-RPC client over HTTP (tests only).
struct RPCClient {
    let url: URL

    /// Posts `body`; returns the parsed JSON response.
    func post(_ body: String, timeout: TimeInterval = 10) throws -> Any {
        var req = URLRequest(url: url)
        req.httpMethod = "POST"
        req.httpBody = Data(body.utf8)
        req.setValue("application/json", forHTTPHeaderField: "Content-Type")
        req.timeoutInterval = timeout
        final class Box: @unchecked Sendable { var data: Data?; var error: Error? }
        let box = Box()
        let sem = DispatchSemaphore(value: 0)
        URLSession.shared.dataTask(with: req) { d, _, e in box.data = d; box.error = e; sem.signal() }.resume()
        sem.wait()
        if let e = box.error { throw e }
        guard let d = box.data else { throw HarnessError("no response body") }
        return try JSONSerialization.jsonObject(with: d, options: [.fragmentsAllowed])
    }

    /// Calls one method; returns `result` or throws the error object's message.
    func call(_ method: String, _ params: String = "[]") throws -> Any {
        let r = try post(#"{"jsonrpc":"2.0","id":1,"method":"\#(method)","params":\#(params)}"#)
        guard let obj = r as? [String: Any] else { throw HarnessError("not an object: \(r)") }
        if let e = obj["error"] as? [String: Any] { throw HarnessError("\(method): \(e["message"] ?? e)") }
        return obj["result"] ?? NSNull()
    }
}
