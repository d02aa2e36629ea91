import ArgumentParser
import Foundation
import Primitives
import RPCClient

/// Wallet commands that talk to a node.
extension WalletCommand {
    struct Balance: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show an address's balance (in ether unless --unit).")
        @OptionGroup var node: RPCOptions
        @Argument(help: "Address (default: keystore account 0).") var address: String?
        @OptionGroup var keystore: KeystoreOptions
        @Option(help: "Unit to show: wei, gwei, ether.") var unit: String = "ether"
        @Flag(help: "Print {\"address\", \"wei\"} as JSON.") var json = false

        func run() async throws {
            let a = try address.map { try Address(hex: $0) } ?? keystore.entry(nil).address
            guard let u = EtherUnit(rawValue: unit.lowercased()) else { throw AmountError.unknownUnit(unit) }
            let wei: UInt256
            do { wei = try await node.client().balance(a) } catch { throw explain(error) }
            if json { printJSON(["address": a.checksummed, "wei": wei.description]) } else {
                print("\(Units.format(wei, unit: u)) \(u.rawValue)")
            }
        }
    }

    struct Nonce: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show an address's next nonce (pending).")
        @OptionGroup var node: RPCOptions
        @Argument(help: "Address (default: keystore account 0).") var address: String?
        @OptionGroup var keystore: KeystoreOptions

        func run() async throws {
            let a = try address.map { try Address(hex: $0) } ?? keystore.entry(nil).address
            do { print(try await node.client().nonce(a)) } catch { throw explain(error) }
        }
    }

    struct Send: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send ether, and wait for the receipt.",
            discussion: "Example: gfl wallet send --to 0xRECIPIENT --value 1.5ether --dev-account 0")
        @OptionGroup var node: RPCOptions
        @OptionGroup var signer: SignerOptions
        @OptionGroup var tx: TxOptions
        @Option(help: "Recipient address.") var to: String
        @Option(help: "Amount with unit, e.g. 1.5ether, 20gwei, 1000 (wei).") var value: String
        @Option(help: "Optional 0x-hex call data.") var data: String = "0x"
        @Flag(help: "Print the receipt as JSON.") var json = false

        func run() async throws {
            let sender = TransactionSender(client: try node.client(), key: try signer.key())
            try await sendAndReport(sender: sender, to: try Address(hex: to), value: try Units.parse(value),
                                    data: try Hex.decode(data), tx: tx, json: json, abi: nil)
        }
    }

    struct SignTx: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sign-tx",
            abstract: "Build and sign a transaction; print the raw hex without sending it.",
            discussion: "Nonce, fees and gas still come from the node unless given (--nonce, --gas, --max-fee, --priority-fee).")
        @OptionGroup var node: RPCOptions
        @OptionGroup var signer: SignerOptions
        @OptionGroup var tx: TxOptions
        @Option(help: "Recipient (omit to create a contract).") var to: String?
        @Option(help: "Amount, e.g. 1ether.") var value: String = "0"
        @Option(help: "0x-hex call data.") var data: String = "0x"

        func run() async throws {
            let sender = TransactionSender(client: try node.client(), key: try signer.key())
            do {
                let signed = try await sender.sign(to: try to.map { try Address(hex: $0) }, value: try Units.parse(value),
                                                   data: try Hex.decode(data), options: try tx.sendOptions())
                print(Hex.encode(signed.encoded))
            } catch { throw explain(error) }
        }
    }
}
