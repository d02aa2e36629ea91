import Testing
import Primitives

@Suite struct HexTests {
    @Test func roundTrip() throws {
        #expect(try Hex.decode("0x") == [])
        #expect(try Hex.decode("") == [])
        #expect(try Hex.decode("0xdeadBEEF") == [0xde, 0xad, 0xbe, 0xef])
        #expect(try Hex.decode("00ff") == [0, 255])
        #expect(Hex.encode([0, 1, 0xab]) == "0x0001ab")
        #expect(Hex.encode([0xab], prefix: false) == "ab")
    }

    @Test func badInputNamesTheProblem() {
        #expect(throws: HexError.oddLength(3)) { try Hex.decode("0xabc") }
        #expect(throws: HexError.invalidCharacter("g", position: 1)) { try Hex.decode("0xag") }
        #expect(throws: HexError.missingPrefix) { try Hex.decode("ab", requirePrefix: true) }
        #expect(throws: HexError.wrongLength(expected: 32, got: 1)) { try Bytes32(hex: "0x01") }
        #expect(HexError.invalidCharacter("z", position: 4).description == "invalid hex character 'z' at position 4")
    }
}

@Suite struct AddressTests {
    // EIP-55's own examples.
    static let eip55 = [
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
        "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB", "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
    ]

    @Test(arguments: eip55) func checksumRoundTrip(_ text: String) throws {
        let a = try Address(hex: text)
        #expect(a.checksummed == text)
        #expect(try Address(hex: text.lowercased()) == a)
        #expect(try Address(hex: "0x" + text.dropFirst(2).uppercased()) == a)
    }

    @Test func badChecksumIsRejected() {
        // One letter's case flipped.
        #expect(throws: AddressError.badChecksum(expected: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")) {
            try Address(hex: "0x5aaeb6053F3E94C9b9A09f33669435E7Ef1BeAed")
        }
        #expect(throws: AddressError.wrongLength(19)) { try Address(hex: "0x" + String(repeating: "ab", count: 19)) }
    }

    @Test func wordConversion() throws {
        let a = try Address(hex: "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266")
        #expect(Address(word: a.word) == a)
        #expect(a.word.bytes.prefix(12).allSatisfy { $0 == 0 })
        #expect(Array(a.word.bytes.suffix(20)) == a.bytes)
    }
}
