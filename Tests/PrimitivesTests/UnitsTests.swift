import Testing
import Primitives

@Suite struct UnitsTests {
    @Test func parsesAmounts() throws {
        #expect(try Units.parse("1.5ether") == UInt256(1_500_000_000_000_000_000 as UInt64))
        #expect(try Units.parse("1.5 ether") == UInt256(1_500_000_000_000_000_000 as UInt64))
        #expect(try Units.parse("30gwei") == UInt256(30_000_000_000 as UInt64))
        #expect(try Units.parse("12") == UInt256(12))
        #expect(try Units.parse("0x10") == UInt256(16))
        #expect(try Units.parse(".5ether") == UInt256(500_000_000_000_000_000 as UInt64))
        #expect(try Units.parse("2", defaultUnit: .ether) == UInt256(2_000_000_000_000_000_000 as UInt64))
        // 10^59 ether is 10^77 wei: fits (2^256 ≈ 1.16·10^77); 10^60 ether does not.
        #expect(try Units.parse("1" + String(repeating: "0", count: 59) + "ether").description
                == "1" + String(repeating: "0", count: 77))
    }

    @Test func rejectsBadAmounts() {
        #expect(throws: AmountError.unknownUnit("eth")) { try Units.parse("1eth") }
        #expect(throws: AmountError.tooManyDecimals("1.5wei", unit: .wei)) { try Units.parse("1.5wei") }
        #expect(throws: AmountError.invalidNumber("1.2.3ether")) { try Units.parse("1.2.3ether") }
        #expect(throws: AmountError.empty) { try Units.parse("  ") }
        #expect(throws: AmountError.overflow("1" + String(repeating: "0", count: 60) + "ether")) {
            try Units.parse("1" + String(repeating: "0", count: 60) + "ether")
        }
    }

    @Test func formats() throws {
        #expect(Units.format(UInt256(1_500_000_000_000_000_000 as UInt64), unit: .ether) == "1.5")
        #expect(Units.format(UInt256(1), unit: .ether) == "0.000000000000000001")
        #expect(Units.format(.zero, unit: .gwei) == "0")
        #expect(Units.format(UInt256(30_000_000_000 as UInt64), unit: .gwei) == "30")
        for text in ["0.1", "123.456", "1", "0.000000001"] {
            #expect(Units.format(try Units.parse(text + "ether"), unit: .ether) == text)
        }
    }
}
