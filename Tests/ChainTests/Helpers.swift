import Foundation
import Primitives
import TestSupport

/// Small conversions for reading JSON vectors; a malformed vector fails the test through `#require` at call sites.
enum V {
    static func bytes(_ s: String) throws -> [UInt8] { try Hex.decode(s.hasPrefix("0x") ? s : "0x" + s) }
    static func word(_ s: String) throws -> Bytes32 { Bytes32(try Hex.decode(s.hasPrefix("0x") ? s : "0x" + s, count: 32)) }
    static func address(_ s: String) throws -> Address { Address(try Hex.decode(s.hasPrefix("0x") ? s : "0x" + s, count: 20)) }
    static func u256(_ s: String) throws -> UInt256 { try UInt256(parsing: s) }
    static func u64(_ s: String) throws -> UInt64 {
        let v = try UInt256(parsing: s)
        guard v.fitsUInt64 else { throw NumberParseError.overflow(s) }
        return v.l0
    }
    static func object(_ target: String, _ name: String) throws -> [String: Any] {
        guard let o = try Fixtures.json(Fixtures.vector(target, name)) as? [String: Any] else {
            throw CocoaError(.fileReadCorruptFile)
        }
        return o
    }
}
