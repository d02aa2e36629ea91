import Foundation
import Primitives
import RPCClient

extension ExplorerSite {
    /// `/block/{number|hash}`: the header fields and the block's transactions with decoded function names.
    func blockPage(_ which: String) async throws -> PageResponse {
        let block: JSONValue
        if which.hasPrefix("0x") {
            guard which.count == 66, let hash = try? Hash32(hex: which) else {
                throw ExplorerError.badRequest("'\(which)' is not a block number or a 32-byte block hash")
            }
            block = try await client.rpc.call("eth_getBlockByHash", [.string(hash.hex), .bool(true)])
            if block.isNull { throw ExplorerError.notFound("no block with hash \(hash.hex)") }
        } else {
            guard let n = UInt64(which) else { throw ExplorerError.badRequest("'\(which)' is not a block number or a 32-byte block hash") }
            guard let b = try await client.block(.number(n), full: true) else {
                let head = try await client.blockNumber()
                throw ExplorerError.notFound("no block \(n) (the head is block \(head))")
            }
            block = b
        }
        let number = Format.quantity(block["number"])
        let time = Format.quantity(block["timestamp"])
        let txs = block["transactions"]?.arrayValue ?? []
        var nav = ""
        if !number.isZero { nav += HTML.link("/block/\(number &- .one)", "← block \(number &- .one)") + " · " }
        nav += HTML.link("/block/\(number &+ .one)", "block \(number &+ .one) →")
        let miner = block["miner"].flatMap { try? Decode.address($0) }?.checksummed ?? ""
        var body = "<p>\(nav)</p>" + HTML.fields([
            ("number", HTML.escape(number.description)),
            ("hash", HTML.mono(block["hash"]?.stringValue ?? "")),
            ("parent", HTML.link("/block/\(block["parentHash"]?.stringValue ?? "")", block["parentHash"]?.stringValue ?? "")),
            ("time", HTML.escape(Format.time(time) + " (" + Format.age(time) + ")")),
            ("miner", HTML.link("/address/\(miner)", miner)),
            ("state root", HTML.mono(block["stateRoot"]?.stringValue ?? "")),
            ("gas used", HTML.escape("\(Format.quantity(block["gasUsed"])) of \(Format.quantity(block["gasLimit"]))")),
            ("base fee", HTML.escape(Format.gwei(Format.quantity(block["baseFeePerGas"])) + " gwei")),
            ("transactions", String(txs.count)),
        ])
        var rows: [[String]] = []
        for tx in txs {
            let hash = tx["hash"]?.stringValue ?? tx.stringValue ?? ""
            let from = tx["from"].flatMap { try? Decode.address($0) }?.checksummed ?? ""
            let to = tx["to"].flatMap { try? Decode.address($0) }
            let input = tx["input"].flatMap { try? Decode.bytes($0) } ?? []
            let call = await decodeCall(to: to, input: input)
            rows.append([
                HTML.link("/tx/\(hash)", Format.short(hash)),
                HTML.link("/address/\(from)", Format.short(from)),
                to.map { HTML.link("/address/\($0.checksummed)", Format.short($0.checksummed)) } ?? "<span class=\"muted\">contract creation</span>",
                HTML.escape(Format.ether(Format.quantity(tx["value"]))),
                call.map { HTML.mono($0.function.name) } ?? (input.isEmpty ? "<span class=\"muted\">transfer</span>" : "<span class=\"muted\">\(input.count) bytes</span>"),
            ])
        }
        body += "<h2>Transactions</h2>" + HTML.table(["hash", "from", "to", "value (ether)", "call"], rows)
        return .page("Block \(number)", body, jobs: controllerAddress != nil)
    }
}
