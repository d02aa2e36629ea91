/// BIP-32 hierarchical deterministic private-key derivation (hardened and normal children) and BIP-44 paths,
/// with the Ethereum path m/44'/60'/0'/0/i that wallets and dev chains use for a mnemonic's accounts.
import CSecp256k1

/// An error from HD key derivation.
public enum HDWalletError: Error, Equatable, CustomStringConvertible {
    /// A derivation path that does not parse; says where and why.
    case invalidPath(String, reason: String)
    /// The seed must be 16…64 bytes (BIP-32).
    case seedLength(Int)
    /// The master key or a child key is zero or not below n (probability ~2^-127; BIP-32 says skip the index).
    case invalidChild(index: UInt32)
    /// HMAC failed inside OpenSSL.
    case crypto(CryptoError)
    /// The mnemonic is invalid.
    case mnemonic(MnemonicError)

    public var description: String {
        switch self {
        case .invalidPath(let p, let why): return "invalid derivation path '\(p)': \(why)"
        case .seedLength(let n): return "BIP-32 seed must be 16 to 64 bytes, got \(n)"
        case .invalidChild(let i): return "BIP-32 child \(i) is not a valid key (use the next index)"
        case .crypto(let e): return "BIP-32: \(e)"
        case .mnemonic(let e): return "\(e)"
        }
    }
}

/// A derivation path such as m/44'/60'/0'/0/0: child indices, hardened ones with bit 31 set.
public struct DerivationPath: Hashable, Sendable, CustomStringConvertible {
    /// Offset of hardened indices.
    public static let hardened: UInt32 = 0x8000_0000

    /// The child indices from the master key down.
    public let components: [UInt32]

    public init(components: [UInt32]) { self.components = components }

    /// Parses "m/44'/60'/0'/0/0" (hardened marked by ' or h or H).
    public init(_ text: String) throws(HDWalletError) {
        var parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.first == "m" else { throw .invalidPath(text, reason: "must start with m") }
        parts.removeFirst()
        var out: [UInt32] = []
        for (i, var p) in parts.enumerated() {
            var hard = false
            if let last = p.last, last == "'" || last == "h" || last == "H" { hard = true; p.removeLast() }
            guard !p.isEmpty, p.allSatisfy({ $0.isASCII && $0.isNumber }), let v = UInt32(p), v < Self.hardened else {
                throw .invalidPath(text, reason: "component \(i + 1) '\(parts[i])' is not an index below 2^31")
            }
            out.append(hard ? v | Self.hardened : v)
        }
        components = out
    }

    /// m/44'/60'/0'/0/index: the Ethereum account path used by MetaMask, geth, anvil and eth-account.
    public static func ethereum(index: UInt32) -> DerivationPath {
        DerivationPath(components: [44 | hardened, 60 | hardened, 0 | hardened, 0, index])
    }

    public var description: String {
        (["m"] + components.map { $0 >= Self.hardened ? "\($0 - Self.hardened)'" : "\($0)" }).joined(separator: "/")
    }
}

/// A BIP-32 extended private key: a private key and its chain code.
public struct ExtendedPrivateKey: Hashable, Sendable {
    public let privateKey: PrivateKey
    public let chainCode: Bytes32
    /// 0 for the master key.
    public let depth: UInt8

    /// The master key of a seed: I = HMAC-SHA512("Bitcoin seed", seed); key = I[0..<32], chain code = I[32...].
    public init(seed: [UInt8]) throws(HDWalletError) {
        guard (16...64).contains(seed.count) else { throw .seedLength(seed.count) }
        let i: [UInt8]
        do { i = try HMACSHA512.mac(key: Array("Bitcoin seed".utf8), message: seed) } catch { throw .crypto(error) }
        guard let key = try? PrivateKey(bytes: Array(i[0..<32])) else { throw .invalidChild(index: 0) }
        self.init(privateKey: key, chainCode: Bytes32(Array(i[32..<64])), depth: 0)
    }

    init(privateKey: PrivateKey, chainCode: Bytes32, depth: UInt8) {
        self.privateKey = privateKey; self.chainCode = chainCode; self.depth = depth
    }

    /// Child `index` (hardened when index ≥ 2^31): I = HMAC-SHA512(chain code, data), data = 0x00‖k‖index for
    /// hardened children and compressed(K)‖index for normal ones; the child key is I[0..<32] + k mod n.
    public func child(_ index: UInt32) throws(HDWalletError) -> ExtendedPrivateKey {
        var data: [UInt8]
        if index >= DerivationPath.hardened {
            data = [0] + privateKey.bytes
        } else {
            data = privateKey.publicKey.compressed
        }
        data += [UInt8(index >> 24), UInt8(truncatingIfNeeded: index >> 16), UInt8(truncatingIfNeeded: index >> 8),
                 UInt8(truncatingIfNeeded: index)]
        let i: [UInt8]
        do { i = try HMACSHA512.mac(key: chainCode.bytes, message: data) } catch { throw .crypto(error) }
        var key = privateKey.bytes
        let tweak = Array(i[0..<32])
        // Fails when the tweak is ≥ n or the sum is zero: BIP-32's "invalid child" case.
        let ok = secp256k1_ec_seckey_tweak_add(Secp256k1Context.shared.ctx, &key, tweak)
        defer { for j in key.indices { key[j] = 0 } }
        guard ok == 1, let childKey = try? PrivateKey(bytes: key) else { throw .invalidChild(index: index) }
        return ExtendedPrivateKey(privateKey: childKey, chainCode: Bytes32(Array(i[32..<64])), depth: depth &+ 1)
    }

    /// The key at `path` below this one.
    public func derive(_ path: DerivationPath) throws(HDWalletError) -> ExtendedPrivateKey {
        var k = self
        for c in path.components { k = try k.child(c) }
        return k
    }
}

/// Mnemonic → accounts, as wallets and dev chains derive them.
public enum HDWallet {
    /// The standard development mnemonic (Hardhat, Anvil, Foundry): its account 0 is
    /// 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266.
    public static let testMnemonic = "test test test test test test test test test test test junk"

    /// The private key at `path` for a BIP-39 phrase (validated) and optional passphrase.
    public static func privateKey(mnemonic: String, passphrase: String = "",
                                  path: DerivationPath) throws(HDWalletError) -> PrivateKey {
        let seed: [UInt8]
        do { seed = try BIP39.seed(mnemonic: mnemonic, passphrase: passphrase) } catch { throw .mnemonic(error) }
        return try ExtendedPrivateKey(seed: seed).derive(path).privateKey
    }

    /// The first `count` accounts m/44'/60'/0'/0/0 … /count-1 of a phrase (the seed is computed once).
    public static func accounts(mnemonic: String, passphrase: String = "",
                                count: Int) throws(HDWalletError) -> [PrivateKey] {
        let seed: [UInt8]
        do { seed = try BIP39.seed(mnemonic: mnemonic, passphrase: passphrase) } catch { throw .mnemonic(error) }
        // m/44'/60'/0'/0 once, then the normal children below it.
        let parent = try ExtendedPrivateKey(seed: seed).derive(DerivationPath(components: [
            44 | DerivationPath.hardened, 60 | DerivationPath.hardened, DerivationPath.hardened, 0]))
        var out: [PrivateKey] = []
        for i in 0..<max(count, 0) { out.append(try parent.child(UInt32(i)).privateKey) }
        return out
    }
}
