/// ABI values, mirroring `ABIType`. Integers are 256-bit words: `uint` values as is, `int` values in two's
/// complement (so `-1` is `UInt256.max`); the width lives in the type, and the encoder checks the value fits.
/// Not `indirect`: arrays already box their elements, and leaving the enum flat keeps a decoded word
/// from costing a heap allocation of its own.
public enum ABIValue: Hashable, Sendable {
    case uint(UInt256)
    /// A signed integer in 256-bit two's complement.
    case int(UInt256)
    case address(Address)
    case bool(Bool)
    /// `bytes<M>`: exactly M bytes.
    case fixedBytes([UInt8])
    case bytes([UInt8])
    case string(String)
    /// Elements of `T[]` or `T[k]`.
    case array([ABIValue])
    case tuple([ABIValue])

    /// An `int` value from a Swift Int (two's complement).
    public static func signed(_ v: Int) -> ABIValue {
        v >= 0 ? .int(UInt256(UInt64(v))) : .int(UInt256(UInt64(v.magnitude)).negated)
    }

    /// A short name of the value's kind, for error messages.
    var kindName: String {
        switch self {
        case .uint: return "uint"
        case .int: return "int"
        case .address: return "address"
        case .bool: return "bool"
        case .fixedBytes(let b): return "bytes\(b.count)"
        case .bytes: return "bytes"
        case .string: return "string"
        case .array(let a): return "array of \(a.count)"
        case .tuple(let t): return "tuple of \(t.count)"
        }
    }

    /// The integer word if this is `.uint` or `.int`.
    public var integerWord: UInt256? {
        switch self {
        case .uint(let v), .int(let v): return v
        default: return nil
        }
    }

    /// The word of a `.uint` value.
    public var uint256: UInt256? { if case .uint(let v) = self { v } else { nil } }

    /// The address of an `.address` value.
    public var address: Address? { if case .address(let a) = self { a } else { nil } }

    /// The flag of a `.bool` value.
    public var bool: Bool? { if case .bool(let b) = self { b } else { nil } }

    /// The text of a `.string` value.
    public var string: String? { if case .string(let s) = self { s } else { nil } }

    /// The bytes of a `.bytes` or `.fixedBytes` value.
    public var byteArray: [UInt8]? {
        switch self {
        case .bytes(let b), .fixedBytes(let b): return b
        default: return nil
        }
    }

    /// The elements of an array or tuple.
    public var elements: [ABIValue]? {
        switch self {
        case .array(let a), .tuple(let a): return a
        default: return nil
        }
    }
}

extension UInt256 {
    /// Whether the value fits in an unsigned integer of `bits` bits.
    @inline(__always)
    func fitsUnsigned(bits: Int) -> Bool { bitWidth <= bits }

    /// Whether the value, read as 256-bit two's complement, fits in a signed integer of `bits` bits
    /// (i.e. its word is the sign extension of its low `bits` bits).
    @inline(__always)
    func fitsSigned(bits: Int) -> Bool { (isNegative ? ~self : self).bitWidth <= bits - 1 }

    /// Signed decimal text of a two's-complement word: `-1` for `UInt256.max`.
    var signedDescription: String { isNegative ? "-" + negated.description : description }
}

extension ABIValue: CustomStringConvertible {
    /// The command-line text form (`ABI.format`), with strings quoted.
    public var description: String { ABI.format(self, nested: true) }
}
