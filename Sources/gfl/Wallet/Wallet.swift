import ArgumentParser
import Foundation
import Primitives

/// `gfl wallet …`: key files in a keystore directory (Web3 Secret Storage v3, readable by geth and eth-account).
struct WalletCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wallet",
        abstract: "Create, import and use keys kept in an encrypted keystore.",
        discussion: """
        Keys live in ~/.gfl/keystore (or --keystore DIR, or $GFL_KEYSTORE) as Web3 Secret Storage v3 files, the \
        format geth and eth-account use. Passwords come from a prompt, --password-file or $GFL_PASSWORD.
        """,
        subcommands: [New.self, Import.self, List.self, AddressOf.self, Balance.self, Nonce.self, Send.self,
                      SignTx.self, SignMessage.self, VerifyMessage.self, Export.self, ChangePassword.self])
}

/// Options shared by commands that read the keystore.
struct KeystoreOptions: ParsableArguments {
    @Option(help: "Keystore directory (default ~/.gfl/keystore or $GFL_KEYSTORE).")
    var keystore: String = KeystoreDirectory.defaultPath

    var directory: KeystoreDirectory { KeystoreDirectory(path: keystore) }

    /// The key file for `account`: an address, or an index into `gfl wallet list` (default 0).
    func entry(_ account: String?) throws -> KeystoreDirectory.Entry {
        let entries = try directory.entries()
        guard !entries.isEmpty else { throw CLIError("no keys in \(keystore): create one with 'gfl wallet new'") }
        guard let account else { return entries[0] }
        if let i = Int(account) {
            guard entries.indices.contains(i) else { throw CLIError("no account #\(i): the keystore has \(entries.count)") }
            return entries[i]
        }
        return try directory.entry(for: try Address(hex: account))
    }

    /// Decrypts the key for `account`.
    func unlock(_ account: String?, password: PasswordOptions) throws -> PrivateKey {
        let e = try entry(account)
        let pw = try password.password(prompt: "Password for \(e.address.checksummed): ")
        return try Keystore.read(contentsOf: e.url, password: pw)
    }
}

/// Prints a JSON object with string values (keys in the given order).
func printJSON(_ pairs: KeyValuePairs<String, String>) {
    let body = pairs.map { "\(jsonString($0.key)):\(jsonString($0.value))" }.joined(separator: ",")
    print("{\(body)}")
}

/// A JSON string literal.
func jsonString(_ s: String) -> String {
    let data = (try? JSONSerialization.data(withJSONObject: [s], options: [.withoutEscapingSlashes])) ?? Data("[\"\"]".utf8)
    return String(decoding: data.dropFirst().dropLast(), as: UTF8.self)
}

extension WalletCommand {
    struct New: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a new random key and store it encrypted.")
        @OptionGroup var keystore: KeystoreOptions
        @OptionGroup var password: PasswordOptions
        @Flag(help: "Print {\"address\", \"path\"} as JSON.") var json = false
        @Flag(help: "Use light scrypt parameters (n=4096): fast, for throw-away test keys only.") var light = false

        func run() throws {
            let pw = try password.password(prompt: "New password: ", confirm: true)
            let key = try PrivateKey.generate()
            let url = try keystore.directory.store(key, password: pw, kdf: light ? .light : .standard)
            if json { printJSON(["address": key.address.checksummed, "path": url.path]) } else {
                print("address \(key.address.checksummed)")
                print("file    \(url.path)")
            }
        }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import a private key, or a key derived from a BIP-39 mnemonic, into the keystore.",
            discussion: """
            The key is read from --private-key-file, or derived from --mnemonic-file at m/44'/60'/0'/0/INDEX, or \
            asked for on the terminal (never from argv).
            """)
        @OptionGroup var keystore: KeystoreOptions
        @OptionGroup var password: PasswordOptions
        @Option(help: "File holding the private key as hex.") var privateKeyFile: String?
        @Option(help: "File holding a BIP-39 mnemonic.") var mnemonicFile: String?
        @Option(help: "Account index for --mnemonic-file (path m/44'/60'/0'/0/INDEX).") var index: UInt32 = 0
        @Flag(help: "Print {\"address\", \"path\"} as JSON.") var json = false

        func run() throws {
            let key: PrivateKey
            if let f = mnemonicFile {
                guard let t = try? String(contentsOfFile: f, encoding: .utf8) else { throw CLIError("cannot read \(f)") }
                let phrase = t.split(whereSeparator: \.isWhitespace).joined(separator: " ")
                key = try HDWallet.privateKey(mnemonic: phrase, path: .ethereum(index: index))
            } else if let f = privateKeyFile {
                guard let t = try? String(contentsOfFile: f, encoding: .utf8) else { throw CLIError("cannot read \(f)") }
                key = try PrivateKey(hex: t.trimmingCharacters(in: .whitespacesAndNewlines))
            } else {
                key = try PrivateKey(hex: readHidden("Private key (hex): ").trimmingCharacters(in: .whitespacesAndNewlines))
            }
            if (try? keystore.directory.entry(for: key.address)) != nil {
                throw CLIError("\(key.address.checksummed) is already in \(keystore.keystore)")
            }
            let pw = try password.password(prompt: "New password: ", confirm: true)
            let url = try keystore.directory.store(key, password: pw)
            if json { printJSON(["address": key.address.checksummed, "path": url.path]) } else {
                print("imported \(key.address.checksummed) into \(url.path)")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the keys in the keystore.")
        @OptionGroup var keystore: KeystoreOptions
        @Flag(help: "Print a JSON array of {\"index\", \"address\", \"path\"}.") var json = false

        func run() throws {
            let entries = try keystore.directory.entries()
            if json {
                let items = entries.enumerated().map { i, e in
                    "{\"index\":\(i),\"address\":\(jsonString(e.address.checksummed)),\"path\":\(jsonString(e.url.path))}"
                }
                print("[" + items.joined(separator: ",") + "]")
                return
            }
            if entries.isEmpty { print("no keys in \(keystore.keystore)"); return }
            print("#".padded(4) + "address".padded(44) + "file")
            for (i, e) in entries.enumerated() {
                print(String(i).padded(4) + e.address.checksummed.padded(44) + e.url.lastPathComponent)
            }
        }
    }

    struct AddressOf: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "address", abstract: "Print the address of a keystore account (no password needed).")
        @OptionGroup var keystore: KeystoreOptions
        @Option(help: "Account: index in 'gfl wallet list' or address (default 0).") var account: String?

        func run() throws { print(try keystore.entry(account).address.checksummed) }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print an account's private key (asks for confirmation unless --yes).")
        @OptionGroup var keystore: KeystoreOptions
        @OptionGroup var password: PasswordOptions
        @Option(help: "Account: index or address (default 0).") var account: String?
        @Flag(help: "Do not ask for confirmation.") var yes = false

        func run() throws {
            let e = try keystore.entry(account)
            if !yes {
                guard isatty(STDIN_FILENO) != 0 else { throw CLIError("refusing to export without --yes (stdin is not a terminal)") }
                FileHandle.standardError.write(Data("Print the private key of \(e.address.checksummed)? Anyone who sees it owns the account. [y/N] ".utf8))
                guard let answer = readLine(), answer.lowercased().hasPrefix("y") else { throw CLIError("export cancelled") }
            }
            let key = try keystore.unlock(e.address.checksummed, password: password)
            print(Hex.encode(key.bytes))
        }
    }

    struct ChangePassword: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-encrypt a key file with a new password.",
            discussion: "The old password comes from --password-file/$GFL_PASSWORD/prompt; the new one from --new-password-file or a prompt.")
        @OptionGroup var keystore: KeystoreOptions
        @OptionGroup var password: PasswordOptions
        @Option(help: "Account: index or address (default 0).") var account: String?
        @Option(help: "Read the new password from this file.") var newPasswordFile: String?

        func run() throws {
            let e = try keystore.entry(account)
            let key = try keystore.unlock(e.address.checksummed, password: password)
            let newPassword = try PasswordOptions(passwordFile: newPasswordFile, env: false)
                .password(prompt: "New password: ", confirm: true)
            let json = try Keystore.encrypt(key, password: newPassword)
            _ = try keystore.directory.write(json: json, address: key.address, replacing: e.url)
            print("password changed for \(e.address.checksummed)")
        }
    }

    struct SignMessage: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sign a message with EIP-191 (personal_sign); prints the 65-byte signature.")
        @OptionGroup var keystore: KeystoreOptions
        @OptionGroup var password: PasswordOptions
        @Option(help: "Account: index or address (default 0).") var account: String?
        @Flag(help: "The message is 0x-hex bytes, not text.") var hex = false
        @Argument(help: "The message.") var message: String

        func run() throws {
            let key = try keystore.unlock(account, password: password)
            let bytes = hex ? try Hex.decode(message) : Array(message.utf8)
            print(Hex.encode(PersonalMessage.sign(bytes, with: key)))
        }
    }

    struct VerifyMessage: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check an EIP-191 signature: exits 0 when ADDRESS signed MESSAGE.")
        @Option(help: "The expected signer.") var address: String
        @Option(help: "The 65-byte signature as 0x-hex.") var signature: String
        @Flag(help: "The message is 0x-hex bytes, not text.") var hex = false
        @Argument(help: "The message.") var message: String

        func run() throws {
            let expected = try Address(hex: address)
            let bytes = hex ? try Hex.decode(message) : Array(message.utf8)
            let signer = try PersonalMessage.recoverSigner(bytes, signature: try Hex.decode(signature))
            guard signer == expected else { throw CLIError("signature is by \(signer.checksummed), not \(expected.checksummed)") }
            print("valid: signed by \(signer.checksummed)")
        }
    }
}
