import EVM
import Foundation
import Primitives
import RPCClient

extension ExplorerSite {
    /// `/address/{addr}`: balance, nonce, code, known name, view results of a known contract, and the transactions
    /// from or to the address in the last `addressScanBlocks` blocks.
    func addressPage(_ text: String) async throws -> PageResponse {
        guard let address = try? Address(hex: text) else {
            throw ExplorerError.badRequest("'\(text)' is not an address (0x and 40 hex digits, EIP-55 checksum when mixed case)")
        }
        let balance = try await client.balance(address)
        let nonce = try await client.nonce(address, at: .latest)
        let code = try await client.code(address)
        let known = await knownContract(address)
        var rows: [(String, String)] = [
            ("address", HTML.mono(address.checksummed)),
            ("balance", HTML.escape(Format.ether(balance) + " ether")),
            ("nonce", String(nonce)),
            ("code", code.isEmpty ? "none (externally owned account)"
                : HTML.escape("\(code.count) bytes, keccak \(Keccak256.hash(code).hex)")),
        ]
        if let known { rows.append(("contract", HTML.escape(known.name))) }
        var body = HTML.fields(rows)
        switch await codeKind(address) {
        case .controller:
            body += "<p>This is a GFL Controller: " + HTML.link("/jobs?controller=\(address.checksummed)", "its jobs") + "</p>"
        case .storage(let job?):
            body += "<p>The Storage contract of " + HTML.link("/job/\(job)", "GFL job \(job)") + "</p>"
        default: break
        }
        if let known {
            body += "<h2>View functions</h2>" + HTML.table(["function", "result"], await viewResults(address, known.abi))
        }
        let (txRows, from, to) = try await recentTransactions(of: address)
        body += "<h2>Transactions in blocks \(from)…\(to)</h2>"
            + HTML.table(["block", "hash", "from", "to", "value (ether)", "call"], txRows)
        return .page("Address \(Format.short(address.checksummed))", body, jobs: controllerAddress != nil)
    }

    /// Calls every view or pure function without arguments, as `gfl explorer contract` does.
    func viewResults(_ address: Address, _ abi: ABIContract) async -> [[String]] {
        var rows: [[String]] = []
        for fn in abi.functions where fn.inputs.isEmpty && (fn.stateMutability == .view || fn.stateMutability == .pure) {
            let result: String
            do {
                let out = try await client.call(CallRequest(to: address, data: try ABI.encodeCall(fn, [])))
                let values = try ABI.decodeOutput(fn, from: out)
                if values.count == 1, case .address(let a) = values[0] {
                    result = HTML.link("/address/\(a.checksummed)", a.checksummed)
                } else {
                    result = HTML.mono(values.map { ABI.format($0) }.joined(separator: ", "))
                }
            } catch {
                result = "<span class=\"bad\">" + HTML.escape("error: \(error)") + "</span>"
            }
            rows.append([HTML.mono(fn.name), result])
        }
        return rows
    }

    /// Transactions from or to `address` in the newest blocks, newest first.
    func recentTransactions(of address: Address) async throws -> (rows: [[String]], from: UInt64, to: UInt64) {
        let head = try await client.blockNumber()
        let depth = UInt64(max(1, config.addressScanBlocks))
        let first = head >= depth ? head - depth + 1 : 0
        var rows: [[String]] = []
        var n = head
        while true {
            if let block = try await client.block(.number(n), full: true) {
                for tx in (block["transactions"]?.arrayValue ?? []).reversed() {
                    let from = tx["from"].flatMap { try? Decode.address($0) }
                    let to = tx["to"].flatMap { try? Decode.address($0) }
                    // A creation's address follows from its sender and nonce, so no receipt is needed to find it.
                    var created: Address?
                    if to == nil, let from, let nonce = try? Decode.u64(tx["nonce"] ?? .null) {
                        created = Address.create(sender: from, nonce: nonce)
                    }
                    guard from == address || to == address || created == address else { continue }
                    let hash = tx["hash"]?.stringValue ?? ""
                    let input = tx["input"].flatMap { try? Decode.bytes($0) } ?? []
                    let call = await decodeCall(to: to, input: input)
                    rows.append([
                        HTML.link("/block/\(n)", String(n)), HTML.link("/tx/\(hash)", Format.short(hash)),
                        from.map { $0 == address ? "<b>this</b>" : HTML.link("/address/\($0.checksummed)", Format.short($0.checksummed)) } ?? "",
                        to.map { $0 == address ? "<b>this</b>" : HTML.link("/address/\($0.checksummed)", Format.short($0.checksummed)) }
                            ?? (created == address ? "<b>created this</b>" : created.map {
                                "created " + HTML.link("/address/\($0.checksummed)", Format.short($0.checksummed)) }
                                ?? "<span class=\"muted\">contract creation</span>"),
                        HTML.escape(Format.ether(Format.quantity(tx["value"]))),
                        call.map { HTML.mono($0.function.name) } ?? "",
                    ])
                }
            }
            if n == first { break }
            n -= 1
        }
        return (rows, first, head)
    }
}
