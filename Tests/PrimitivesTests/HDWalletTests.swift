import Testing
import Primitives
import TestSupport

/// BIP-39 and BIP-32 against eth-account's hdaccount (tools/vectors/hd_vectors.py), and SHA-512 / HMAC-SHA512
/// against their published RFC test values.
@Suite struct HDWalletTests {
    static var root: [String: Any] { (try? Fixtures.json(Fixtures.vector("PrimitivesTests", "hd.json")) as? [String: Any]) ?? [:] }

    func hex(_ s: String) throws -> [UInt8] { try Hex.decode(s.hasPrefix("0x") ? s : "0x" + s) }

    @Test func sha512AndHMAC() throws {
        // FIPS 180-2 "abc" and RFC 4231 test case 2.
        #expect(Hex.encode(SHA512.hash(Array("abc".utf8))) == "0xddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f")
        #expect(Hex.encode(try HMACSHA512.mac(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8)))
                == "0x164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737")
    }

    @Test func wordList() {
        #expect(BIP39.englishWords.count == 2048)
        #expect(BIP39.englishWords.first == "abandon" && BIP39.englishWords.last == "zoo")
        #expect(Set(BIP39.englishWords).count == 2048)
    }

    @Test func phrasesFromEntropy() throws {
        let phrases = Self.root["phrases"] as? [[String: String]] ?? []
        #expect(phrases.count == 7)
        for p in phrases {
            let entropy = try hex(p["entropy"] ?? "")
            #expect(try BIP39.mnemonic(entropy: entropy) == p["mnemonic"], "entropy \(p["entropy"] ?? "")")
            #expect(try BIP39.entropy(fromMnemonic: p["mnemonic"] ?? "") == entropy)
        }
        let fresh = try BIP39.generate(wordCount: 24)
        #expect(try BIP39.validate(fresh).count == 24)
    }

    @Test func seeds() throws {
        let seeds = Self.root["seeds"] as? [[String: String]] ?? []
        #expect(seeds.count == 5)
        for s in seeds {
            #expect(try BIP39.seed(mnemonic: s["mnemonic"] ?? "", passphrase: s["passphrase"] ?? "") == (try hex(s["seed"] ?? "")),
                    "\(s["mnemonic"] ?? "") / \(s["passphrase"] ?? "")")
        }
    }

    @Test func derivation() throws {
        let derived = Self.root["derived"] as? [[String: String]] ?? []
        #expect(derived.count == 21)
        for d in derived {
            let master = try ExtendedPrivateKey(seed: try hex(d["seed"] ?? ""))
            let path = try DerivationPath(d["path"] ?? "")
            #expect(path.description == d["path"])
            #expect(try master.derive(path).privateKey.bytes == (try hex(d["key"] ?? "")), "\(d["path"] ?? "")")
        }
    }

    @Test func devAccounts() throws {
        let dev = Self.root["devAccounts"] as? [String: Any] ?? [:]
        let mnemonic = dev["mnemonic"] as? String ?? ""
        let accounts = dev["accounts"] as? [[String: Any]] ?? []
        let keys = try HDWallet.accounts(mnemonic: mnemonic, count: 10)
        #expect(accounts.count == 10)
        for (i, a) in accounts.enumerated() {
            #expect(keys[i].address == (try Address(hex: a["address"] as? String ?? "")), "account \(i)")
            #expect(keys[i].bytes == (try hex(a["key"] as? String ?? "")), "key \(i)")
            #expect(try HDWallet.privateKey(mnemonic: mnemonic, path: .ethereum(index: UInt32(i))) == keys[i])
        }
        #expect(keys[0].address.checksummed == "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266")
    }

    @Test func invalidInput() throws {
        let invalid = Self.root["invalid"] as? [[String: String]] ?? []
        #expect(invalid.count == 4)
        for v in invalid {
            do {
                _ = try BIP39.validate(v["mnemonic"] ?? "")
                Issue.record("accepted invalid mnemonic: \(v["mnemonic"] ?? "")")
            } catch {
                switch (v["why"], error) {
                case ("checksum", .checksumMismatch), ("wordCount", .wordCount), ("unknownWord", .unknownWord): break
                default: Issue.record("\(v["mnemonic"] ?? ""): expected \(v["why"] ?? ""), got \(error)")
                }
            }
        }
        #expect(throws: MnemonicError.unknownWord(index: 12, word: "junkk")) {
            try BIP39.seed(mnemonic: "test test test test test test test test test test test junkk")
        }
        #expect(throws: MnemonicError.entropyLength(15)) { try BIP39.mnemonic(entropy: [UInt8](repeating: 0, count: 15)) }
        #expect(throws: HDWalletError.self) { try DerivationPath("44'/60'") }
        #expect(throws: HDWalletError.self) { try DerivationPath("m/2147483648") }
        #expect(throws: HDWalletError.self) { try DerivationPath("m/1//2") }
        #expect(throws: HDWalletError.seedLength(8)) { try ExtendedPrivateKey(seed: [UInt8](repeating: 1, count: 8)) }
    }
}
