import ArgumentParser
import Foundation
import Primitives
import RPCClient

/// Resolves the function to call: a cast-style signature, or a name looked up in `--abi FILE` / the ABI registry.
func resolveFunction(_ text: String, abiFile: String?, address: Address) throws -> (ABIFunction, ABIContract?) {
    if text.contains("(") { return (try ABIFunction(signature: text), abiFile == nil ? ABIRegistry.lookup(address)?.1 : nil) }
    let contract: ABIContract
    if let abiFile {
        guard let data = FileManager.default.contents(atPath: abiFile) else { throw CLIError("cannot read \(abiFile)") }
        let text = String(decoding: data, as: UTF8.self)
        if let artifact = try? Artifact.load(abiFile) { contract = artifact.abi } else { contract = try ABIContract(json: text) }
    } else if let known = ABIRegistry.lookup(address) {
        contract = known.1
    } else {
        throw CLIError("'\(text)' is not a signature and \(address.checksummed) has no known ABI: pass 'name(types)(outputs)' or --abi FILE")
    }
    return (try contract.function(text), contract)
}

/// Parses arguments for `function`, with a clear count check.
func parseArguments(_ args: [String], for function: ABIFunction) throws -> [ABIValue] {
    guard args.count == function.inputs.count else {
        throw CLIError("\(function.signature) takes \(function.inputs.count) argument(s), got \(args.count)")
    }
    return try ABI.parseArguments(args, for: function.inputs)
}

/// `gfl call ADDR SIG ARGS…`: a read-only eth_call with decoded output.
struct CallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "call",
        abstract: "Call a contract function without a transaction (eth_call) and decode the result.",
        discussion: """
        Examples:
          gfl call 0xTOKEN 'balanceOf(address)(uint256)' 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266
          gfl call 0xTOKEN totalSupply --abi Token.abi.json
        """)

    @OptionGroup var node: RPCOptions
    @Argument(help: "Contract address.") var address: String
    @Argument(help: "Signature 'name(types)(outputs)', or a function name with --abi.") var function: String
    @Argument(help: "Arguments.") var arguments: [String] = []
    @Option(help: "ABI JSON or artifact file to look the function up in.") var abi: String?
    @Option(help: "Caller address (msg.sender).") var from: String?
    @Option(help: "Block number or tag (latest, pending, earliest).") var block: String = "latest"
    @Flag(help: "Print {\"raw\", \"decoded\"} as JSON.") var json = false

    func run() async throws {
        let to = try Address(hex: address)
        let (fn, contract) = try resolveFunction(function, abiFile: abi, address: to)
        let data = try ABI.encodeCall(fn, try parseArguments(arguments, for: fn))
        let client = try node.client()
        let out: [UInt8]
        do {
            out = try await client.call(CallRequest(from: try from.map { try Address(hex: $0) }, to: to, data: data),
                                        at: try parseBlockTag(block))
        } catch { throw explain(error, abi: contract) }
        if fn.outputs.isEmpty {
            print(json ? "{\"raw\":\(jsonString(Hex.encode(out))),\"decoded\":[]}" : Hex.encode(out))
            return
        }
        let values = try ABI.decodeOutput(fn, from: out)
        if json {
            let decoded = values.map { jsonString(ABI.format($0)) }.joined(separator: ",")
            print("{\"raw\":\(jsonString(Hex.encode(out))),\"decoded\":[\(decoded)]}")
        } else {
            for v in values { print(ABI.format(v)) }
        }
    }
}

/// Parses `latest`, `pending`, `earliest`, or a block number (decimal or 0x).
func parseBlockTag(_ text: String) throws -> BlockTag {
    switch text.lowercased() {
    case "latest": return .latest
    case "pending": return .pending
    case "earliest": return .earliest
    case "safe": return .safe
    case "finalized": return .finalized
    default:
        guard let n = UInt256(text), n.fitsUInt64 else { throw CLIError("invalid block '\(text)': use a number or latest/pending/earliest") }
        return .number(n.l0)
    }
}

/// Sends a transaction, waits for its receipt (unless --async), prints it and fails with the revert reason.
func sendAndReport(sender: TransactionSender, to: Address?, value: UInt256, data: [UInt8], tx: TxOptions,
                   json: Bool, abi: ABIContract?) async throws {
    let client = sender.client
    let hash: Hash32
    do { hash = try await sender.send(to: to, value: value, data: data, options: try tx.sendOptions()) } catch {
        throw explain(error, abi: abi)
    }
    if tx.async {
        print(json ? "{\"transactionHash\":\(jsonString(hash.hex))}" : hash.hex)
        return
    }
    let receipt: RPCReceipt
    do { receipt = try await client.waitForReceipt(hash) } catch { throw explain(error) }
    if receipt.status {
        printReceipt(receipt, json: json)
        return
    }
    // Replay the call on the parent block's state to learn why it failed.
    var reason = "transaction failed"
    do {
        _ = try await client.call(CallRequest(from: sender.address, to: to, data: data, value: value),
                                  at: .number(receipt.blockNumber &- 1))
    } catch { reason = explain(error, abi: abi).description }
    printReceipt(receipt, json: json, revertReason: reason)
    throw CLIError("transaction \(hash.hex) failed in block \(receipt.blockNumber): \(reason)")
}

/// `gfl send ADDR SIG ARGS…`: a contract transaction.
struct SendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Send a transaction calling a contract function, and wait for the receipt.",
        discussion: "Example: gfl send 0xTOKEN 'transfer(address,uint256)' 0xRECIPIENT 100 --dev-account 0")

    @OptionGroup var node: RPCOptions
    @OptionGroup var signer: SignerOptions
    @OptionGroup var tx: TxOptions
    @Argument(help: "Contract address.") var address: String
    @Argument(help: "Signature 'name(types)', or a function name with --abi.") var function: String
    @Argument(help: "Arguments.") var arguments: [String] = []
    @Option(help: "ABI JSON or artifact file to look the function up in.") var abi: String?
    @Option(help: "Ether to send with the call, e.g. 0.1ether (default wei).") var value: String = "0"
    @Flag(help: "Print the receipt as JSON.") var json = false

    func run() async throws {
        let to = try Address(hex: address)
        let (fn, contract) = try resolveFunction(function, abiFile: abi, address: to)
        let data = try ABI.encodeCall(fn, try parseArguments(arguments, for: fn))
        let sender = TransactionSender(client: try node.client(), key: try signer.key())
        try await sendAndReport(sender: sender, to: to, value: try Units.parse(value), data: data, tx: tx, json: json, abi: contract)
    }
}

/// `gfl deploy ARTIFACT|Contract.vy ARGS…`.
struct DeployCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deploy",
        abstract: "Deploy a contract from a compiled artifact (JSON) or a Vyper source file.",
        discussion: """
        A .vy file is compiled first with the pinned Vyper from tools/.venv (--evm-version cancun).
        Example: gfl deploy ../shared/evm-benchmarks/erc20/Token.vy 1000000 --dev-account 0
        """)

    @OptionGroup var node: RPCOptions
    @OptionGroup var signer: SignerOptions
    @OptionGroup var tx: TxOptions
    @Argument(help: "Artifact JSON (abi + bytecode) or Vyper source (.vy).") var artifact: String
    @Argument(help: "Constructor arguments.") var arguments: [String] = []
    @Option(help: "Ether to send to the constructor.") var value: String = "0"
    @Flag(help: "Print the receipt as JSON.") var json = false

    func run() async throws {
        let a = try Artifact.load(artifact)
        let params = a.abi.constructor ?? []
        guard arguments.count == params.count else {
            throw CLIError("\(a.name)'s constructor takes \(params.count) argument(s), got \(arguments.count)")
        }
        let data = try a.abi.deployData(bytecode: a.bytecode, arguments: try ABI.parseArguments(arguments, for: params))
        let sender = TransactionSender(client: try node.client(), key: try signer.key())
        let client = sender.client
        let hash: Hash32
        do { hash = try await sender.send(to: nil, value: try Units.parse(value), data: data, options: try tx.sendOptions()) } catch {
            throw explain(error, abi: a.abi)
        }
        if tx.async { print(json ? "{\"transactionHash\":\(jsonString(hash.hex))}" : hash.hex); return }
        let receipt: RPCReceipt
        do { receipt = try await client.waitForReceipt(hash) } catch { throw explain(error) }
        guard receipt.status, let address = receipt.contractAddress else {
            printReceipt(receipt, json: json)
            throw CLIError("deployment of \(a.name) failed in block \(receipt.blockNumber)")
        }
        ABIRegistry.save(address: address, name: a.name, abiJSON: a.abiJSON)
        if !json { print("deployed \(a.name) at \(address.checksummed)") }
        printReceipt(receipt, json: json)
    }
}
