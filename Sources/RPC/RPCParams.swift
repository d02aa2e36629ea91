/// JSON-RPC errors with geth's codes, and typed reading of positional parameters with geth's
/// "invalid argument N: …" messages.
import Chain
import Node
import Primitives

/// A JSON-RPC error object.
public struct RPCError: Error, CustomStringConvertible {
    public var code: Int
    public var message: String
    public var data: JSON?

    public init(_ code: Int, _ message: String, data: JSON? = nil) { self.code = code; self.message = message; self.data = data }

    public static func parse(_ why: String) -> RPCError { RPCError(-32700, "parse error: \(why)") }
    public static func invalidRequest(_ why: String) -> RPCError { RPCError(-32600, why) }
    public static func methodNotFound(_ m: String) -> RPCError { RPCError(-32601, "the method \(m) does not exist/is not available") }
    public static func invalidParams(_ why: String) -> RPCError { RPCError(-32602, why) }
    public static func server(_ why: String) -> RPCError { RPCError(-32000, why) }

    /// Maps a node error: reverts become code 3 with the revert bytes as data, everything else -32000.
    public static func from(_ e: NodeError) -> RPCError {
        if case .reverted(let data) = e { return RPCError(3, e.description, data: .data(data)) }
        return RPCError(-32000, e.description)
    }

    public var description: String { "\(code): \(message)" }

    public var json: JSON {
        var m: [(String, JSON)] = [("code", .number(String(code))), ("message", .string(message))]
        if let data { m.append(("data", data)) }
        return .object(m)
    }
}

/// Positional parameters of one call.
struct Params {
    let items: [JSON]

    init(_ params: JSON?) throws(RPCError) {
        switch params {
        case nil, .null?: items = []
        case .array(let a)?: items = a
        default: throw .invalidParams("non-array args")
        }
    }

    var count: Int { items.count }

    func at(_ i: Int) -> JSON? {
        guard i < items.count, !items[i].isNull else { return nil }
        return items[i]
    }

    func required(_ i: Int) throws(RPCError) -> JSON {
        guard let v = at(i) else { throw .invalidParams("missing value for required argument \(i)") }
        return v
    }

    func bad(_ i: Int, _ why: String) -> RPCError { .invalidParams("invalid argument \(i): \(why)") }

    func string(_ i: Int) throws(RPCError) -> String {
        guard case .string(let s) = try required(i) else { throw bad(i, "expected a string") }
        return s
    }

    func address(_ i: Int) throws(RPCError) -> Address {
        do { return try Self.address(try string(i)) } catch { throw bad(i, error.message) }
    }

    func hash(_ i: Int) throws(RPCError) -> Hash32 {
        do { return try Self.hash(try string(i)) } catch { throw bad(i, error.message) }
    }

    func bytes(_ i: Int) throws(RPCError) -> [UInt8] {
        do { return try Self.bytes(try string(i)) } catch { throw bad(i, error.message) }
    }

    func quantity(_ i: Int) throws(RPCError) -> UInt256 {
        do { return try Self.quantity(try required(i)) } catch { throw bad(i, error.message) }
    }

    func bool(_ i: Int, default d: Bool) throws(RPCError) -> Bool {
        guard let v = at(i) else { return d }
        guard case .bool(let b) = v else { throw bad(i, "expected a boolean") }
        return b
    }

    /// A block tag, number or `{blockHash}` / `{blockNumber}` object; absent means latest.
    func blockTag(_ i: Int) throws(RPCError) -> BlockTag {
        guard let v = at(i) else { return .latest }
        do { return try Self.blockTag(v) } catch { throw bad(i, error.message) }
    }

    // MARK: Value parsers (errors carry only the reason; callers add the argument index)

    static func bytes(_ s: String) throws(RPCError) -> [UInt8] {
        guard s.hasPrefix("0x") || s.hasPrefix("0X") else { throw .invalidParams("hex string without 0x prefix") }
        do { return try Hex.decode(s) } catch { throw .invalidParams("\(error)") }
    }

    static func address(_ s: String) throws(RPCError) -> Address {
        let b = try bytes(s)
        guard b.count == 20 else { throw .invalidParams("hex string has length \(b.count * 2), want 40 for common.Address") }
        return Address(b)
    }

    static func hash(_ s: String) throws(RPCError) -> Hash32 {
        let b = try bytes(s)
        guard b.count == 32 else { throw .invalidParams("hex string has length \(b.count * 2), want 64 for common.Hash") }
        return Hash32(b)
    }

    /// A 0x-hex quantity (no leading zeros, as geth requires) or, leniently, a JSON number.
    static func quantity(_ v: JSON) throws(RPCError) -> UInt256 {
        switch v {
        case .string(let s):
            guard s.hasPrefix("0x") || s.hasPrefix("0X") else { throw .invalidParams("hex string without 0x prefix") }
            let digits = s.dropFirst(2)
            if digits.isEmpty { throw .invalidParams("hex string \"0x\"") }
            if digits.count > 1 && digits.hasPrefix("0") { throw .invalidParams("hex number with leading zero digits") }
            if digits.count > 64 { throw .invalidParams("hex number > 256 bits") }
            guard let n = UInt256(s) else { throw .invalidParams("invalid hex string") }
            return n
        case .number(let n):
            guard let v = try? UInt256(decimal: n) else { throw .invalidParams("expected a non-negative integer") }
            return v
        default: throw .invalidParams("expected a hex quantity")
        }
    }

    static func uint64(_ v: JSON) throws(RPCError) -> UInt64 {
        let q = try quantity(v)
        guard q.fitsUInt64 else { throw .invalidParams("hex number > 64 bits") }
        return q.l0
    }

    static func blockTag(_ v: JSON) throws(RPCError) -> BlockTag {
        switch v {
        case .string(let s):
            switch s {
            case "latest": return .latest
            case "pending": return .pending
            case "earliest": return .earliest
            case "safe": return .safe
            case "finalized": return .finalized
            default:
                if s.count == 66 { return .hash(try hash(s)) }
                return .number(try uint64(v))
            }
        case .number: return .number(try uint64(v))
        case .object:
            if case .string(let h)? = v["blockHash"] { return .hash(try hash(h)) }
            if let n = v["blockNumber"] { return try blockTag(n) }
            throw .invalidParams("block object needs blockHash or blockNumber")
        default: throw .invalidParams("invalid block number or tag")
        }
    }
}
