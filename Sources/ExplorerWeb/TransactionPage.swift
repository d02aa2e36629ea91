import Foundation
import Primitives
import RPCClient

/// A call decoded with a known contract's ABI.
struct DecodedCall {
    var contract: String
    var function: ABIFunction
    /// (parameter name, formatted value).
    var arguments: [(String, String)]
}

/// A log decoded with a known contract's ABI.
struct DecodedLog {
    var contract: String
    var event: ABIEvent
    var fields: [(String, String)]
}

extension ExplorerSite {
    func decodeCall(to: Address?, input: [UInt8]) async -> DecodedCall? {
        guard let to, input.count >= 4, let known = await knownContract(to),
              let (fn, values) = try? known.abi.decodeCall(input) else { return nil }
        return DecodedCall(contract: known.name, function: fn,
                           arguments: zip(fn.inputs, values).map { ($0.name, ABI.format($1)) })
    }

    func decodeLog(_ log: RPCLog) async -> DecodedLog? {
        guard let known = await knownContract(log.address),
              let (event, fields) = try? known.abi.decodeLog(topics: log.topics, data: log.data) else { return nil }
        return DecodedLog(contract: known.name, event: event, fields: fields.map { f in
            switch f.value {
            case .value(let v): return (f.name, ABI.format(v))
            case .hashed(let h): return (f.name, "keccak " + h.hex)
            }
        })
    }

    /// `/tx/{hash}`: the transaction, its receipt, its decoded input and logs.
    func transactionPage(_ text: String) async throws -> PageResponse {
        guard text.hasPrefix("0x"), text.count == 66, let hash = try? Hash32(hex: text) else {
            throw ExplorerError.badRequest("'\(text)' is not a transaction hash (0x and 64 hex digits)")
        }
        let tx = try await client.rpc.call("eth_getTransactionByHash", [.string(hash.hex)])
        if tx.isNull { throw ExplorerError.notFound("no transaction \(hash.hex) on this chain") }
        let receipt = try await client.receipt(hash)
        let from = tx["from"].flatMap { try? Decode.address($0) }?.checksummed ?? ""
        let to = tx["to"].flatMap { try? Decode.address($0) }
        let input = tx["input"].flatMap { try? Decode.bytes($0) } ?? []
        let call = await decodeCall(to: to, input: input)
        var toCell = "<span class=\"muted\">contract creation</span>"
        if let to {
            toCell = HTML.link("/address/\(to.checksummed)", to.checksummed)
            var name = call?.contract
            if name == nil { name = await knownContract(to)?.name }
            if let name { toCell += " (" + HTML.escape(name) + ")" }
        }
        let status: String
        if let r = receipt {
            status = r.status ? "<span class=\"ok\">success</span>" : "<span class=\"bad\">failed</span>"
        } else {
            status = "<span class=\"muted\">pending (no receipt yet)</span>"
        }
        var rows: [(String, String)] = [
            ("hash", HTML.mono(hash.hex)),
            ("status", status),
            ("block", receipt.map { HTML.link("/block/\($0.blockNumber)", String($0.blockNumber)) } ?? "—"),
            ("from", HTML.link("/address/\(from)", from)),
            ("to", toCell),
            ("value", HTML.escape(Format.ether(Format.quantity(tx["value"])) + " ether")),
            ("nonce", HTML.escape(Format.quantity(tx["nonce"]).description)),
            ("type", HTML.escape(Format.quantity(tx["type"]).description)),
            ("gas limit", HTML.escape(Format.quantity(tx["gas"]).description)),
        ]
        if let r = receipt {
            rows.append(("gas used", String(r.gasUsed)))
            if let p = r.effectiveGasPrice { rows.append(("gas price", HTML.escape(Format.gwei(p) + " gwei"))) }
            if let c = r.contractAddress { rows.append(("contract created", HTML.link("/address/\(c.checksummed)", c.checksummed))) }
        }
        rows.append(("input", "\(input.count) bytes"))
        var body = HTML.fields(rows)
        if let call {
            body += "<h2>Call</h2><p>" + HTML.escape(call.contract) + "." + HTML.mono(call.function.signature) + "</p>"
                + HTML.table(["parameter", "value"], call.arguments.map { [HTML.escape($0.0), HTML.mono($0.1)] })
        } else if !input.isEmpty {
            body += "<h2>Input</h2><p class=\"muted\">no ABI known for the recipient; raw input:</p><p>"
                + HTML.mono(Hex.encode(input.prefix(1024))) + (input.count > 1024 ? " …" : "") + "</p>"
        }
        if let r = receipt {
            body += "<h2>Logs (\(r.logs.count))</h2>"
            for (i, log) in r.logs.enumerated() {
                let source = HTML.link("/address/\(log.address.checksummed)", log.address.checksummed)
                if let d = await decodeLog(log) {
                    body += "<h3>\(i). " + HTML.escape(d.contract) + " " + HTML.mono(d.event.signature) + "</h3><p>" + source + "</p>"
                        + HTML.table(["field", "value"], d.fields.map { [HTML.escape($0.0), HTML.mono($0.1)] })
                } else {
                    body += "<h3>\(i). log of \(source)</h3>"
                        + HTML.fields(log.topics.enumerated().map { ("topic \($0.offset)", HTML.mono($0.element.hex)) }
                                      + [("data", HTML.mono(Hex.encode(log.data)))])
                }
            }
        }
        return .page("Transaction \(Format.short(hash.hex))", body, jobs: controllerAddress != nil)
    }
}
