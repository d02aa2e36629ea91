import ArgumentParser
import Foundation
import Primitives
import RPCClient

/// `--rpc URL`: the node to talk to (any Ethereum JSON-RPC endpoint).
struct RPCOptions: ParsableArguments {
    @Option(help: "JSON-RPC endpoint of the node (gfl node, geth, anvil…); default $GFL_RPC or http://127.0.0.1:8545.")
    var rpc: String = ProcessInfo.processInfo.environment["GFL_RPC"] ?? "http://127.0.0.1:8545"

    func client() throws -> EthClient {
        guard let url = URL(string: rpc), url.scheme == "http" || url.scheme == "https" else {
            throw CLIError("invalid --rpc URL '\(rpc)': expected http://HOST:PORT")
        }
        return EthClient(url: url)
    }
}

/// Where the signing key comes from: a keystore account (default), a dev account of the standard test mnemonic,
/// or a private-key file.
struct SignerOptions: ParsableArguments {
    @OptionGroup var keystore: KeystoreOptions
    @OptionGroup var password: PasswordOptions
    @Option(help: "Keystore account: index in 'gfl wallet list' or address (default 0).") var account: String?
    @Option(help: "Use dev account N (0–9) of the test mnemonic, pre-funded on 'gfl node --genesis genesis/dev.json'.")
    var devAccount: Int?
    @Option(help: "Read the private key (hex) from this file.") var privateKeyFile: String?

    func key() throws -> PrivateKey {
        if let n = devAccount {
            guard (0..<10).contains(n) else { throw CLIError("--dev-account must be 0…9") }
            return try HDWallet.privateKey(mnemonic: HDWallet.testMnemonic, path: .ethereum(index: UInt32(n)))
        }
        if let f = privateKeyFile {
            guard let text = try? String(contentsOfFile: f, encoding: .utf8) else { throw CLIError("cannot read \(f)") }
            return try PrivateKey(hex: text.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return try keystore.unlock(account, password: password)
    }
}

/// Transaction options shared by every command that sends one.
struct TxOptions: ParsableArguments {
    @Flag(help: "Send a legacy (type 0) transaction instead of EIP-1559.") var legacy = false
    @Option(help: "Gas limit (default: eth_estimateGas).") var gas: UInt64?
    @Option(help: "Nonce (default: the account's pending nonce).") var nonce: UInt64?
    @Option(help: "Gas price for --legacy, e.g. 2gwei (default: eth_gasPrice).") var gasPrice: String?
    @Option(help: "EIP-1559 max fee per gas, e.g. 3gwei (default from eth_feeHistory).") var maxFee: String?
    @Option(help: "EIP-1559 priority fee, e.g. 1gwei (default from eth_feeHistory).") var priorityFee: String?
    @Flag(name: .customLong("async"), help: "Print the transaction hash and return without waiting for the receipt.")
    var async = false

    func sendOptions() throws -> SendOptions {
        var o = SendOptions(legacy: legacy, gas: gas, nonce: nonce)
        if let p = gasPrice { o.gasPrice = try Units.parse(p, defaultUnit: .wei) }
        if let f = maxFee { o.maxFeePerGas = try Units.parse(f, defaultUnit: .wei) }
        if let t = priorityFee { o.maxPriorityFeePerGas = try Units.parse(t, defaultUnit: .wei) }
        return o
    }
}

/// Turns a JSON-RPC error into the line a user reads, decoding revert reasons.
func explain(_ anyError: any Error, abi: ABIContract? = nil) -> CLIError {
    guard let error = anyError as? RPCError else { return CLIError(String(describing: anyError)) }
    if let data = error.revertData, case .server(_, let message, _) = error {
        let decoded = abi.flatMap { try? $0.decodeRevert(data) } ?? (try? ABI.decodeRevert(data, errors: []))
        guard let reason = decoded else { return CLIError("execution reverted: \(Hex.encode(data))") }
        switch reason {
        case .message(let m): return CLIError("execution reverted: \(m)")
        case .empty: return CLIError(message)
        default: return CLIError("execution reverted: \(reason)")
        }
    }
    return CLIError(error.description)
}

/// Prints a receipt as a short table, or its JSON.
func printReceipt(_ r: RPCReceipt, json: Bool, revertReason: String? = nil) {
    if json { print(r.raw.description); return }
    print("transaction  \(r.transactionHash.hex)")
    print("block        \(r.blockNumber)  \(r.blockHash.hex)")
    print("status       \(r.status ? "success (1)" : "failed (0)")")
    print("gas used     \(r.gasUsed)")
    if let p = r.effectiveGasPrice { print("gas price    \(Units.format(p, unit: .gwei)) gwei") }
    if let c = r.contractAddress { print("contract     \(c.checksummed)") }
    if !r.logs.isEmpty { print("logs         \(r.logs.count)") }
    if let reason = revertReason { print("reason       \(reason)") }
}
