import ArgumentParser
import EVM
import ExplorerWeb
import Foundation
import GFLContracts
import Primitives
import RPCClient

/// `gfl explorer …`: read a chain through JSON-RPC — blocks, transactions with decoded input, receipts with decoded
/// logs, accounts, storage, code — from any Ethereum node.
struct ExplorerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explorer",
        abstract: "Inspect the chain: blocks, transactions, receipts, accounts, storage, code and logs.",
        discussion: "Calls and logs of contracts deployed with 'gfl deploy' (or given --abi) are decoded.",
        subcommands: [Head.self, Blocks.self, BlockCmd.self, Tx.self, ReceiptCmd.self, Account.self, StorageCmd.self,
                      Code.self, Logs.self, Contract.self, Job.self, Serve.self])
}

/// Parses a quantity field of a JSON-RPC object.
func quantity(_ v: JSONValue?) -> UInt256 { v.flatMap { try? Decode.u256($0) } ?? .zero }

/// "2026-11-21 20:15:03" (UTC) for a unix timestamp.
func formatTime(_ seconds: UInt256) -> String {
    let f = DateFormatter()
    f.locale = Locale(identifier: "en_US_POSIX")
    f.timeZone = TimeZone(identifier: "UTC")
    f.dateFormat = "yyyy-MM-dd HH:mm:ss"
    return f.string(from: Date(timeIntervalSince1970: Double(seconds.fitsUInt64 ? seconds.l0 : 0)))
}

/// `0x1234…abcd` for long hex.
func short(_ hex: String, keep: Int = 10) -> String {
    hex.count <= 2 * keep + 1 ? hex : String(hex.prefix(keep)) + "…" + String(hex.suffix(keep - 2))
}

/// Parses a block argument: a number, a tag, or a 32-byte hash.
func fetchBlock(_ client: EthClient, _ text: String, full: Bool) async throws -> JSONValue {
    let result: JSONValue
    if text.hasPrefix("0x") && text.count == 66 {
        result = try await client.rpc.call("eth_getBlockByHash", [.string(text), .bool(full)])
    } else {
        result = try await client.rpc.call("eth_getBlockByNumber", [try parseBlockTag(text).json, .bool(full)])
    }
    guard !result.isNull else { throw CLIError("no block \(text)") }
    return result
}

/// A function call decoded with the ABI registry or an ABI file, as text lines.
func decodeInput(to: Address?, input: [UInt8], abiFile: String?) -> (name: String, args: [String])? {
    guard input.count >= 4, let to else { return nil }
    let contract: ABIContract?
    if let abiFile, let a = try? Artifact.load(abiFile) { contract = a.abi }
    else if let abiFile, let d = FileManager.default.contents(atPath: abiFile) { contract = try? ABIContract(json: Array(d)) }
    else { contract = ABIRegistry.lookup(to)?.1 }
    guard let contract, let (fn, values) = try? contract.decodeCall(input) else { return nil }
    return (fn.signature, zip(fn.inputs, values).map { p, v in (p.name.isEmpty ? "" : p.name + "=") + ABI.format(v) })
}

/// A log decoded with the ABI registry or an ABI file.
func decodeLog(_ log: RPCLog, abiFile: String?) -> (name: String, fields: [String])? {
    let contract: ABIContract?
    if let abiFile, let a = try? Artifact.load(abiFile) { contract = a.abi } else { contract = ABIRegistry.lookup(log.address)?.1 }
    guard let contract, let (event, fields) = try? contract.decodeLog(topics: log.topics, data: log.data) else { return nil }
    return (event.signature, fields.map(formatField))
}

/// `name=value` for a decoded event field (an indexed dynamic value shows as the hash its topic holds).
func formatField(_ f: ABIEventField) -> String {
    let value: String
    switch f.value {
    case .value(let v): value = ABI.format(v)
    case .hashed(let h): value = "keccak " + h.hex
    }
    return f.name.isEmpty ? value : "\(f.name)=\(value)"
}

extension ExplorerCommand {
    struct Head: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The latest block.")
        @OptionGroup var node: RPCOptions
        @Flag(help: "Print the block as JSON.") var json = false
        func run() async throws {
            do { try await BlockCmd.show(try node.client(), "latest", full: false, json: json) } catch { throw explain(error) }
        }
    }

    struct Blocks: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A table of the latest blocks.")
        @OptionGroup var node: RPCOptions
        @Option(help: "How many blocks.") var last: Int = 10
        @Flag(help: "Print a JSON array of blocks.") var json = false

        func run() async throws {
            let client = try node.client()
            do {
                let head = try await client.blockNumber()
                var rows: [JSONValue] = []
                var n = head
                while rows.count < max(1, last) {
                    rows.append(try await fetchBlock(client, String(n), full: false))
                    if n == 0 { break }
                    n -= 1
                }
                if json { print(JSONValue.array(rows).description); return }
                print("number".leftPadded(8) + "  " + "hash".padded(23) + "time (UTC)".padded(21) + "txs".leftPadded(5)
                      + "gas used".leftPadded(12) + "base fee (gwei)".leftPadded(17))
                for b in rows {
                    print(quantity(b["number"]).description.leftPadded(8) + "  " + short(b["hash"]?.stringValue ?? "").padded(23)
                          + formatTime(quantity(b["timestamp"])).padded(21)
                          + String(b["transactions"]?.arrayValue?.count ?? 0).leftPadded(5)
                          + quantity(b["gasUsed"]).description.leftPadded(12)
                          + Units.format(quantity(b["baseFeePerGas"]), unit: .gwei).leftPadded(17))
                }
            } catch { throw explain(error) }
        }
    }

    struct BlockCmd: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "block", abstract: "One block by number, hash or tag.")
        @OptionGroup var node: RPCOptions
        @Argument(help: "Block number, hash, or latest/earliest/pending.") var block: String = "latest"
        @Flag(help: "Include full transactions.") var full = false
        @Flag(help: "Print the JSON-RPC block object.") var json = false

        func run() async throws {
            do { try await Self.show(try node.client(), block, full: full, json: json) } catch { throw explain(error) }
        }

        static func show(_ client: EthClient, _ which: String, full: Bool, json: Bool) async throws {
            let b = try await fetchBlock(client, which, full: full)
            if json { print(b.description); return }
            let rows: [(String, String)] = [
                ("number", quantity(b["number"]).description), ("hash", b["hash"]?.stringValue ?? ""),
                ("parent", b["parentHash"]?.stringValue ?? ""), ("time", formatTime(quantity(b["timestamp"])) + " UTC"),
                ("miner", b["miner"]?.stringValue ?? ""), ("state root", b["stateRoot"]?.stringValue ?? ""),
                ("gas used", "\(quantity(b["gasUsed"])) of \(quantity(b["gasLimit"]))"),
                ("base fee", Units.format(quantity(b["baseFeePerGas"]), unit: .gwei) + " gwei"),
                ("transactions", String(b["transactions"]?.arrayValue?.count ?? 0)),
            ]
            for (k, v) in rows { print(k.padded(14) + v) }
            for tx in b["transactions"]?.arrayValue ?? [] {
                print("  " + (tx.stringValue ?? tx["hash"]?.stringValue ?? ""))
            }
        }
    }

    struct Tx: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A transaction, with its input decoded when the contract's ABI is known.")
        @OptionGroup var node: RPCOptions
        @Argument(help: "Transaction hash.") var hash: String
        @Option(help: "ABI JSON or artifact to decode the input with.") var abi: String?
        @Flag(help: "Print the JSON-RPC object plus a \"decoded\" field.") var json = false

        func run() async throws {
            let client = try node.client()
            let tx: JSONValue
            do { tx = try await client.rpc.call("eth_getTransactionByHash", [.string(try Hash32(hex: hash).hex)]) } catch {
                throw explain(error)
            }
            guard !tx.isNull else { throw CLIError("no transaction \(hash)") }
            let to = tx["to"].flatMap { try? Decode.address($0) }
            let input = tx["input"].flatMap { try? Decode.bytes($0) } ?? []
            let decoded = decodeInput(to: to, input: input, abiFile: abi)
            if json {
                guard case .object(var o) = tx else { print(tx.description); return }
                if let d = decoded {
                    o["decoded"] = .object(["function": .string(d.name), "arguments": .array(d.args.map { .string($0) })])
                }
                print(JSONValue.object(o).description)
                return
            }
            let rows: [(String, String)] = [
                ("hash", tx["hash"]?.stringValue ?? ""), ("block", quantity(tx["blockNumber"]).description),
                ("from", tx["from"]?.stringValue ?? ""), ("to", to?.checksummed ?? "(contract creation)"),
                ("value", Units.format(quantity(tx["value"]), unit: .ether) + " ether"),
                ("nonce", quantity(tx["nonce"]).description), ("gas limit", quantity(tx["gas"]).description),
                ("type", quantity(tx["type"]).description), ("input", "\(input.count) bytes"),
            ]
            for (k, v) in rows { print(k.padded(11) + v) }
            if let d = decoded {
                print("call".padded(11) + d.name)
                for a in d.args { print("".padded(13) + a) }
            }
        }
    }

    struct ReceiptCmd: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "receipt", abstract: "A receipt, with its logs decoded into events.")
        @OptionGroup var node: RPCOptions
        @Argument(help: "Transaction hash.") var hash: String
        @Option(help: "ABI JSON or artifact to decode logs with.") var abi: String?
        @Flag(help: "Print the JSON-RPC receipt plus \"decoded\" events.") var json = false

        func run() async throws {
            let client = try node.client()
            let receipt: RPCReceipt?
            do { receipt = try await client.receipt(try Hash32(hex: hash)) } catch { throw explain(error) }
            guard let r = receipt else { throw CLIError("no receipt for \(hash) (unknown or not mined yet)") }
            let decoded = r.logs.map { decodeLog($0, abiFile: abi) }
            if json {
                guard case .object(var o) = r.raw else { print(r.raw.description); return }
                o["decoded"] = .array(decoded.map { d in
                    d.map { .object(["event": .string($0.name), "fields": .array($0.fields.map { .string($0) })]) } ?? .null
                })
                print(JSONValue.object(o).description)
                return
            }
            printReceipt(r, json: false)
            for (i, log) in r.logs.enumerated() {
                if let d = decoded[i] {
                    print("log \(i)  \(log.address.checksummed)  \(d.name)")
                    for f in d.fields { print("         \(f)") }
                } else {
                    print("log \(i)  \(log.address.checksummed)  topics \(log.topics.map { short($0.hex) })  data \(log.data.count) bytes")
                }
            }
        }
    }

    struct Account: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Balance, nonce and code of an address.")
        @OptionGroup var node: RPCOptions
        @Argument(help: "Address.") var address: String
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let a = try Address(hex: address)
            let client = try node.client()
            do {
                let balance = try await client.balance(a)
                let nonce = try await client.nonce(a, at: .latest)
                let code = try await client.code(a)
                let known = ABIRegistry.lookup(a)?.0
                let codeHash = Keccak256.hash(code).hex
                if json {
                    print(JSONValue.object([
                        "address": .string(a.checksummed), "balance": .string(balance.hexString),
                        "nonce": .string("0x" + String(nonce, radix: 16)), "codeSize": .number(Double(code.count)),
                        "codeHash": .string(codeHash), "contract": known.map { .string($0) } ?? .null,
                    ]).description)
                    return
                }
                print("address".padded(11) + a.checksummed)
                print("balance".padded(11) + Units.format(balance, unit: .ether) + " ether")
                print("nonce".padded(11) + String(nonce))
                print("code".padded(11) + (code.isEmpty ? "none (externally owned account)" : "\(code.count) bytes, hash \(codeHash)"))
                if let known { print("contract".padded(11) + known + " (deployed with gfl deploy)") }
            } catch { throw explain(error) }
        }
    }

    struct StorageCmd: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "storage", abstract: "One storage slot of a contract.")
        @OptionGroup var node: RPCOptions
        @Argument(help: "Address.") var address: String
        @Argument(help: "Slot (decimal or 0x).") var slot: String
        @Option(help: "Block number or tag.") var block: String = "latest"

        func run() async throws {
            let client = try node.client()
            do {
                print(try await client.storage(try Address(hex: address), slot: try UInt256(parsing: slot), at: try parseBlockTag(block)).hex)
            } catch { throw explain(error) }
        }
    }

    struct Code: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A contract's runtime code, as hex or disassembled.")
        @OptionGroup var node: RPCOptions
        @Argument(help: "Address.") var address: String
        @Flag(help: "Print one instruction per line.") var disassemble = false

        func run() async throws {
            let code: [UInt8]
            do { code = try await node.client().code(try Address(hex: address)) } catch { throw explain(error) }
            guard disassemble else { print(Hex.encode(code)); return }
            for ins in Opcodes.disassemble(code) {
                let imm = ins.immediate.isEmpty ? "" : " " + Hex.encode(ins.immediate)
                print(String(format: "%06x", ins.offset) + "  " + ins.name + imm)
            }
        }
    }

    struct Logs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Logs matching an address and event, decoded.",
            discussion: "Example: gfl explorer logs --address 0xTOKEN --event 'Transfer(address,address,uint256)'")
        @OptionGroup var node: RPCOptions
        @Option(help: "Contract address.") var address: String?
        @Option(help: "Event signature, e.g. 'Transfer(address indexed from, address indexed to, uint256 value)' or 'Transfer(address,address,uint256)'.")
        var event: String?
        @Option(help: "First block (default 0).") var fromBlock: String = "earliest"
        @Option(help: "Last block (default latest).") var toBlock: String = "latest"
        @Option(help: "ABI JSON or artifact to decode logs with.") var abi: String?
        @Flag(help: "Print a JSON array of logs with \"decoded\" fields.") var json = false

        func run() async throws {
            let client = try node.client()
            var topics: [[Hash32]?] = []
            var ev: ABIEvent?
            if let event {
                ev = try ABIEvent(signature: event)
                topics = [[ev!.topic0]]
            }
            let filter = LogFilter(fromBlock: try parseBlockTag(fromBlock), toBlock: try parseBlockTag(toBlock),
                                   addresses: try address.map { [try Address(hex: $0)] } ?? [], topics: topics)
            let logs: [RPCLog]
            do { logs = try await client.logs(filter) } catch { throw explain(error) }
            var out: [JSONValue] = []
            for log in logs {
                var decoded: (String, [String])?
                if let ev, ev.inputs.filter(\.indexed).count == log.topics.count - 1,
                   let fields = try? ev.decode(topics: log.topics, data: log.data) {
                    decoded = (ev.signature, fields.map(formatField))
                } else { decoded = decodeLog(log, abiFile: abi) }
                if json {
                    out.append(.object([
                        "address": .string(log.address.checksummed), "blockNumber": .number(Double(log.blockNumber ?? 0)),
                        "transactionHash": .string(log.transactionHash?.hex ?? ""),
                        "topics": .array(log.topics.map { .string($0.hex) }), "data": .string(Hex.encode(log.data)),
                        "decoded": decoded.map { .object(["event": .string($0.0), "fields": .array($0.1.map { .string($0) })]) } ?? .null,
                    ]))
                } else {
                    let where_ = "block \(log.blockNumber ?? 0)  tx \(short(log.transactionHash?.hex ?? ""))"
                    print(where_ + "  " + (decoded.map { "\($0.0)  " + $0.1.joined(separator: ", ") } ?? "\(log.topics.count) topics, \(log.data.count) bytes"))
                }
            }
            if json { print(JSONValue.array(out).description) } else if logs.isEmpty { print("no logs") }
        }
    }

    struct Contract: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Call every view function without arguments of a known contract and print the results.")
        @OptionGroup var node: RPCOptions
        @Argument(help: "Contract address.") var address: String
        @Option(help: "ABI JSON or artifact (default: the ABI saved by gfl deploy).") var abi: String?

        func run() async throws {
            let a = try Address(hex: address)
            let contract: ABIContract
            var name = "contract"
            let client = try node.client()
            // The GFL contracts are recognised by their code, so they decode without a registry entry.
            let kind: GFLCode.Kind
            do { kind = GFLCode.kind(of: try await client.code(a)) } catch { throw explain(error) }
            if let abi { contract = try Artifact.load(abi).abi } else if let known = ABIRegistry.lookup(a) {
                (name, contract) = known
            } else if kind == .controller {
                (name, contract) = ("Controller (GFL)", try ControllerContract.artifact.abi())
            } else if kind == .storage {
                (name, contract) = ("Storage (GFL)", try StorageContract.artifact.abi())
            } else { throw CLIError("no ABI known for \(a.checksummed): pass --abi FILE") }
            print("\(name) at \(a.checksummed)")
            for fn in contract.functions where fn.inputs.isEmpty && (fn.stateMutability == .view || fn.stateMutability == .pure) {
                do {
                    let out = try await client.call(CallRequest(to: a, data: try ABI.encodeCall(fn, [])))
                    let values = try ABI.decodeOutput(fn, from: out)
                    print("  " + fn.name.padded(24) + values.map { ABI.format($0) }.joined(separator: ", "))
                } catch {
                    print("  " + fn.name.padded(24) + "error: \(explain(error))")
                }
            }
            if kind == .controller {
                print("hint: a GFL Controller; see a job with: gfl explorer job ID --controller \(a.checksummed)")
            }
        }
    }
}
