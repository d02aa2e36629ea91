/// Ether denominations: parsing "1.5ether", "30 gwei", "12" (wei) into wei, and printing wei in a unit.

/// A denomination of ether with its power of ten in wei.
public enum EtherUnit: String, CaseIterable, Sendable {
    case wei, kwei, mwei, gwei, szabo, finney, ether

    /// log10 of the unit in wei.
    public var decimals: Int {
        switch self {
        case .wei: return 0
        case .kwei: return 3
        case .mwei: return 6
        case .gwei: return 9
        case .szabo: return 12
        case .finney: return 15
        case .ether: return 18
        }
    }
}

/// An error from parsing an amount.
public enum AmountError: Error, Equatable, CustomStringConvertible {
    case empty
    case unknownUnit(String)
    case invalidNumber(String)
    case tooManyDecimals(String, unit: EtherUnit)
    case overflow(String)

    public var description: String {
        switch self {
        case .empty: return "empty amount"
        case .unknownUnit(let u):
            return "unknown unit '\(u)' (use one of \(EtherUnit.allCases.map(\.rawValue).joined(separator: ", ")))"
        case .invalidNumber(let s): return "invalid amount '\(s)': expected a decimal number like 1.5"
        case .tooManyDecimals(let s, let u): return "amount '\(s)' has more than \(u.decimals) decimals for \(u.rawValue)"
        case .overflow(let s): return "amount '\(s)' does not fit in 256 bits of wei"
        }
    }
}

public enum Units {
    /// Parses an amount such as `1.5ether`, `1.5 ether`, `30gwei` or `1000` (wei when no unit is given; a bare
    /// `0x…` hex number is wei too) into wei.
    public static func parse(_ text: String, defaultUnit: EtherUnit = .wei) throws(AmountError) -> UInt256 {
        let trimmed = text.trimmingCharacters(in: " ")
        if trimmed.isEmpty { throw .empty }
        if trimmed.hasPrefix("0x") || trimmed.hasPrefix("0X") {
            guard let v = UInt256(trimmed) else { throw .invalidNumber(text) }
            return v
        }
        let numberEnd = trimmed.firstIndex { !($0.isASCII && ($0.isNumber || $0 == ".")) } ?? trimmed.endIndex
        let number = String(trimmed[..<numberEnd])
        let unitText = String(trimmed[numberEnd...]).trimmingCharacters(in: " ").lowercased()
        let unit: EtherUnit
        if unitText.isEmpty { unit = defaultUnit } else {
            guard let u = EtherUnit(rawValue: unitText) else { throw .unknownUnit(unitText) }
            unit = u
        }
        return try toWei(number, unit: unit, original: text)
    }

    /// `number` (decimal, optional fraction) times 10^unit.decimals.
    public static func toWei(_ number: String, unit: EtherUnit, original: String? = nil) throws(AmountError) -> UInt256 {
        let shown = original ?? number
        let parts = number.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, !number.isEmpty, number != "." else { throw .invalidNumber(shown) }
        let whole = parts[0].isEmpty ? "0" : String(parts[0])
        var fraction = parts.count == 2 ? String(parts[1]) : ""
        while fraction.hasSuffix("0") { fraction.removeLast() }
        guard whole.allSatisfy({ $0.isASCII && $0.isNumber }), fraction.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw .invalidNumber(shown)
        }
        guard fraction.count <= unit.decimals else { throw .tooManyDecimals(shown, unit: unit) }
        let digits = whole + fraction + String(repeating: "0", count: unit.decimals - fraction.count)
        do { return try UInt256(decimal: digits) } catch { throw .overflow(shown) }
    }

    /// `wei` written in `unit` with no trailing zeros in the fraction, e.g. 1500000000000000000 → "1.5".
    public static func format(_ wei: UInt256, unit: EtherUnit) -> String {
        var digits = wei.description
        let d = unit.decimals
        if d == 0 { return digits }
        if digits.count <= d { digits = String(repeating: "0", count: d - digits.count + 1) + digits }
        let split = digits.index(digits.endIndex, offsetBy: -d)
        var fraction = String(digits[split...])
        while fraction.hasSuffix("0") { fraction.removeLast() }
        let whole = String(digits[..<split])
        return fraction.isEmpty ? whole : whole + "." + fraction
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: Character) -> String {
        var s = Substring(self)
        while s.first == set { s.removeFirst() }
        while s.last == set { s.removeLast() }
        return String(s)
    }
}
