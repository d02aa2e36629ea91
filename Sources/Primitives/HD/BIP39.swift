/// BIP-39 mnemonic phrases: English word-list lookup, checksum validation, entropy ↔ phrase conversion, and the
/// 64-byte seed (PBKDF2-HMAC-SHA512, 2048 rounds, salt "mnemonic" + passphrase, both NFKD-normalised).
import Foundation

/// An error from parsing a mnemonic or deriving its seed.
public enum MnemonicError: Error, Equatable, CustomStringConvertible {
    /// BIP-39 phrases have 12, 15, 18, 21 or 24 words.
    case wordCount(Int)
    /// Word `index` (1-based) is not in the English list.
    case unknownWord(index: Int, word: String)
    /// The words are all valid but the checksum bits do not match the entropy.
    case checksumMismatch
    /// Entropy must be 16, 20, 24, 28 or 32 bytes.
    case entropyLength(Int)
    /// PBKDF2 or the random generator failed.
    case crypto(CryptoError)

    public var description: String {
        switch self {
        case .wordCount(let n): return "mnemonic has \(n) words; BIP-39 phrases have 12, 15, 18, 21 or 24"
        case .unknownWord(let i, let w): return "mnemonic word \(i) '\(w)' is not in the BIP-39 English word list"
        case .checksumMismatch: return "mnemonic checksum does not match (a word is wrong or out of order)"
        case .entropyLength(let n): return "mnemonic entropy must be 16, 20, 24, 28 or 32 bytes, got \(n)"
        case .crypto(let e): return "mnemonic: \(e)"
        }
    }
}

/// BIP-39 with the English word list.
public enum BIP39 {
    /// The 2,048 English words in list order (index = the 11-bit value a word encodes).
    public static let englishWords: [String] = englishText.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)

    /// Word → index, for parsing.
    static let englishIndex: [String: Int] = {
        var d: [String: Int] = [:]
        d.reserveCapacity(2048)
        for (i, w) in englishWords.enumerated() { d[w] = i }
        return d
    }()

    /// The words of `phrase` (split on any whitespace), each checked against the list, and the checksum checked.
    /// Words are matched exactly: BIP-39 words are lower case.
    public static func validate(_ phrase: String) throws(MnemonicError) -> [String] {
        let words = phrase.split(whereSeparator: { $0.isWhitespace }).map(String.init)
        _ = try entropy(words: words)
        return words
    }

    /// The entropy a valid phrase encodes.
    public static func entropy(fromMnemonic phrase: String) throws(MnemonicError) -> [UInt8] {
        try entropy(words: phrase.split(whereSeparator: { $0.isWhitespace }).map(String.init))
    }

    static func entropy(words: [String]) throws(MnemonicError) -> [UInt8] {
        guard [12, 15, 18, 21, 24].contains(words.count) else { throw .wordCount(words.count) }
        // Each word carries 11 bits; the last totalBits/33 bits are the checksum.
        var bits: [Bool] = []
        bits.reserveCapacity(words.count * 11)
        for (i, w) in words.enumerated() {
            guard let v = englishIndex[w] else { throw .unknownWord(index: i + 1, word: w) }
            for b in stride(from: 10, through: 0, by: -1) { bits.append((v >> b) & 1 == 1) }
        }
        let checksumBits = bits.count / 33
        let entropyBits = bits.count - checksumBits
        var entropy = [UInt8](repeating: 0, count: entropyBits / 8)
        for i in 0..<entropyBits where bits[i] { entropy[i / 8] |= 0x80 >> UInt8(i % 8) }
        let hash = SHA256.hash(entropy).bytes
        for i in 0..<checksumBits {
            let expected = (hash[i / 8] >> UInt8(7 - i % 8)) & 1 == 1
            if bits[entropyBits + i] != expected { throw .checksumMismatch }
        }
        return entropy
    }

    /// The phrase for 16…32 bytes of entropy (a multiple of 4): entropy bits, then the first len/4 bits of
    /// SHA-256(entropy), read as 11-bit word indices.
    public static func mnemonic(entropy: [UInt8]) throws(MnemonicError) -> String {
        guard [16, 20, 24, 28, 32].contains(entropy.count) else { throw .entropyLength(entropy.count) }
        let hash = SHA256.hash(entropy).bytes
        var bits: [Bool] = []
        for byte in entropy { for b in stride(from: 7, through: 0, by: -1) { bits.append((byte >> UInt8(b)) & 1 == 1) } }
        for i in 0..<(entropy.count * 8 / 32) { bits.append((hash[i / 8] >> UInt8(7 - i % 8)) & 1 == 1) }
        var words: [String] = []
        for w in 0..<(bits.count / 11) {
            var v = 0
            for b in 0..<11 { v = v << 1 | (bits[w * 11 + b] ? 1 : 0) }
            words.append(englishWords[v])
        }
        return words.joined(separator: " ")
    }

    /// A fresh phrase of `wordCount` words (12 … 24) from OpenSSL's secure random generator.
    public static func generate(wordCount: Int = 12) throws(MnemonicError) -> String {
        guard [12, 15, 18, 21, 24].contains(wordCount) else { throw .wordCount(wordCount) }
        let entropy: [UInt8]
        do { entropy = try SecureRandom.bytes(wordCount * 4 / 3) } catch { throw .crypto(error) }
        return try mnemonic(entropy: entropy)
    }

    /// The 64-byte seed of a phrase. The phrase is validated (word list and checksum) unless `validate` is false,
    /// then its words are joined by single spaces; phrase and passphrase are NFKD-normalised as BIP-39 specifies.
    public static func seed(mnemonic phrase: String, passphrase: String = "",
                            validate: Bool = true) throws(MnemonicError) -> [UInt8] {
        let words = phrase.split(whereSeparator: { $0.isWhitespace }).map(String.init)
        if validate { _ = try entropy(words: words) }
        let normalisedPhrase = words.joined(separator: " ").decomposedStringWithCompatibilityMapping
        let salt = "mnemonic" + passphrase.decomposedStringWithCompatibilityMapping
        do {
            return try PBKDF2.sha512(password: Array(normalisedPhrase.utf8), salt: Array(salt.utf8),
                                     iterations: 2048, keyLength: 64)
        } catch { throw .crypto(error) }
    }
}
