import Foundation
import Primitives
import RPCClient

extension ExplorerSite {
    /// `/`: the latest blocks, newest first.
    func homePage() async throws -> PageResponse {
        let head = try await client.blockNumber()
        let chainId = try await client.chainId()
        var rows: [[String]] = []
        var n = head
        let now = Date()
        while rows.count < max(1, config.homeBlocks) {
            guard let b = try await client.block(.number(n)) else { break }
            let time = Format.quantity(b["timestamp"])
            rows.append([
                HTML.link("/block/\(n)", String(n)),
                HTML.link("/block/\(b["hash"]?.stringValue ?? "")", Format.short(b["hash"]?.stringValue ?? "")),
                "<span title=\"\(HTML.escape(Format.time(time)))\">\(HTML.escape(Format.age(time, now: now)))</span>",
                String(b["transactions"]?.arrayValue?.count ?? 0),
                HTML.escape(Format.quantity(b["gasUsed"]).description),
                HTML.escape(Format.gwei(Format.quantity(b["baseFeePerGas"]))),
            ])
            if n == 0 { break }
            n -= 1
        }
        var body = "<p>Chain id \(chainId) · head block \(HTML.link("/block/\(head)", String(head))) · node "
            + HTML.mono(config.rpcURL.absoluteString) + "</p>"
        if let c = controllerAddress {
            body += "<p>GFL Controller " + HTML.link("/address/\(c.checksummed)", c.checksummed) + " · "
                + HTML.link("/jobs", "jobs") + "</p>"
        }
        body += "<h2>Latest blocks</h2>"
            + HTML.table(["number", "hash", "age", "txs", "gas used", "base fee (gwei)"], rows)
        return .page("Latest blocks", body, jobs: controllerAddress != nil)
    }

    /// `/search?q=`: a transaction or block hash, an address, a block number or `job N` → a redirect to its page.
    func search(_ raw: String) async throws -> PageResponse {
        let q = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !q.isEmpty else { throw ExplorerError.badRequest("type a block number or hash, a transaction hash, an address or 'job N'") }
        let lower = q.lowercased()
        if lower.hasPrefix("0x") && q.count == 66, let hash = try? Hash32(hex: lower) {
            let tx = try await client.rpc.call("eth_getTransactionByHash", [.string(hash.hex)])
            if !tx.isNull { return .redirect("/tx/\(hash.hex)") }
            let block = try await client.rpc.call("eth_getBlockByHash", [.string(hash.hex), .bool(false)])
            if !block.isNull { return .redirect("/block/\(hash.hex)") }
            throw ExplorerError.notFound("no transaction or block with hash \(hash.hex)")
        }
        if q.count == 42 || q.count == 40, let a = try? Address(hex: q) { return .redirect("/address/\(a.checksummed)") }
        if let n = UInt64(q) {
            let head = try await client.blockNumber()
            guard n <= head else { throw ExplorerError.notFound("no block \(n) yet: the head is block \(head)") }
            return .redirect("/block/\(n)")
        }
        if lower.hasPrefix("job"), let id = UInt64(lower.dropFirst(3).trimmingCharacters(in: .whitespaces)) {
            return .redirect("/job/\(id)")
        }
        throw ExplorerError.notFound("nothing matches '\(q)': expected a block number, a 32-byte hash, a 20-byte address or 'job N'")
    }
}
