/// Logs and transaction receipts in their consensus encoding (post-Byzantium: a status code instead of a state
/// root): rlp([status, cumulativeGasUsed, bloom, logs]), prefixed by the type byte for typed transactions. This is
/// the encoding the receipts trie and receipt storage use.
import Primitives

/// A log emitted by a transaction.
public struct Log: Hashable, Sendable {
    public var address: Address
    public var topics: [Hash32]
    public var data: [UInt8]

    public init(address: Address, topics: [Hash32], data: [UInt8]) {
        self.address = address; self.topics = topics; self.data = data
    }

    /// Appends rlp([address, [topics…], data]).
    public func encode(into out: inout [UInt8]) {
        let topicsPayload = 33 * topics.count
        let payload = 21 + RLP.headerLength(payloadLength: topicsPayload) + topicsPayload
            + RLP.encodedLength(bytes: data.count, first: data.first)
        RLP.appendListHeader(payloadLength: payload, to: &out)
        RLP.appendAddress(address, to: &out)
        RLP.appendListHeader(payloadLength: topicsPayload, to: &out)
        for t in topics { RLP.appendWord(t, to: &out) }
        RLP.appendBytes(data, to: &out)
    }

    /// keccak256(rlp([log, …])): the "logs hash" state tests compare.
    public static func hash(_ logs: [Log]) -> Hash32 {
        var body: [UInt8] = []
        for l in logs { l.encode(into: &body) }
        var out: [UInt8] = []
        RLP.appendListHeader(payloadLength: body.count, to: &out)
        out += body
        return Keccak256.hash(out)
    }
}

/// An error from decoding a receipt.
public enum ReceiptError: Error, Equatable, CustomStringConvertible {
    case empty
    case unknownType(UInt8)
    /// A malformed field, named.
    case field(String, RLPError)
    case structure(RLPError)
    /// Status must be empty (failure) or 0x01 (success); a 32-byte pre-Byzantium state root is not supported.
    case invalidStatus([UInt8])
    case bloomLength(Int)

    public var description: String {
        switch self {
        case .empty: return "receipt: empty input"
        case .unknownType(let t): return "receipt: unknown transaction type \(t)"
        case .field(let f, let e): return "receipt field \(f): \(e)"
        case .structure(let e): return "receipt: \(e)"
        case .invalidStatus(let s): return "receipt status must be empty or 0x01, got \(Hex.encode(s))"
        case .bloomLength(let n): return "receipt bloom must be 256 bytes, got \(n)"
        }
    }
}

/// A transaction receipt.
public struct Receipt: Hashable, Sendable {
    public var type: TransactionType
    /// EIP-658 status: true when execution succeeded.
    public var succeeded: Bool
    /// Gas used in the block up to and including this transaction.
    public var cumulativeGasUsed: UInt64
    public var logs: [Log]
    /// The bloom of `logs`.
    public var bloom: Bloom

    /// A receipt; the bloom is computed from the logs.
    public init(type: TransactionType, succeeded: Bool, cumulativeGasUsed: UInt64, logs: [Log]) {
        self.type = type; self.succeeded = succeeded; self.cumulativeGasUsed = cumulativeGasUsed
        self.logs = logs
        bloom = Bloom(logs: logs)
    }

    /// The consensus encoding: rlp([status, cumulativeGasUsed, bloom, logs]), after the type byte when typed.
    public var encoded: [UInt8] {
        var logsPayload: [UInt8] = []
        for l in logs { l.encode(into: &logsPayload) }
        let payload = 1 + RLP.encodedLength(of: cumulativeGasUsed) + 3 + 256
            + RLP.headerLength(payloadLength: logsPayload.count) + logsPayload.count
        var out: [UInt8] = []
        out.reserveCapacity(payload + 4)
        if type != .legacy { out.append(type.rawValue) }
        RLP.appendListHeader(payloadLength: payload, to: &out)
        out.append(succeeded ? 0x01 : 0x80)
        RLP.appendUInt(cumulativeGasUsed, to: &out)
        RLP.appendBytes(bloom.bytes, to: &out)
        RLP.appendListHeader(payloadLength: logsPayload.count, to: &out)
        out += logsPayload
        return out
    }

    /// Decodes the consensus encoding; the stored bloom is taken as encoded (not recomputed).
    public init(decoding bytes: [UInt8]) throws(ReceiptError) {
        guard let first = bytes.first else { throw .empty }
        let type: TransactionType
        let body: [UInt8]
        if first >= 0xc0 {
            type = .legacy; body = bytes
        } else {
            guard let t = TransactionType(rawValue: first), t != .legacy else { throw .unknownType(first) }
            type = t; body = Array(bytes[1...])
        }
        var d = RLPDecoder(body)
        func field<T>(_ name: String, _ read: (inout RLPDecoder) throws(RLPError) -> T) throws(ReceiptError) -> T {
            do throws(RLPError) { return try read(&d) } catch { throw .field(name, error) }
        }
        let outer: RLPListMarker
        do throws(RLPError) { outer = try d.enterList() } catch { throw .structure(error) }
        let status = try field("status") { (d) throws(RLPError) in try d.readBytes() }
        guard status.isEmpty || status == [1] else { throw .invalidStatus(status) }
        let gas = try field("cumulativeGasUsed") { (d) throws(RLPError) in try d.readUInt64() }
        let bloomBytes = try field("logsBloom") { (d) throws(RLPError) in try d.readBytes() }
        guard let bloom = Bloom(bytes: bloomBytes) else { throw .bloomLength(bloomBytes.count) }
        let logsMarker = try field("logs") { (d) throws(RLPError) in try d.enterList() }
        var logs: [Log] = []
        while d.hasMore {
            let m = try field("log") { (d) throws(RLPError) in try d.enterList() }
            let address = try field("log address") { (d) throws(RLPError) in try d.readAddress() }
            let tm = try field("log topics") { (d) throws(RLPError) in try d.enterList() }
            var topics: [Hash32] = []
            while d.hasMore { topics.append(try field("log topic") { (d) throws(RLPError) in try d.readWord() }) }
            try field("log topics") { (d) throws(RLPError) in try d.exitList(tm) }
            let data = try field("log data") { (d) throws(RLPError) in try d.readBytes() }
            try field("log") { (d) throws(RLPError) in try d.exitList(m) }
            logs.append(Log(address: address, topics: topics, data: data))
        }
        try field("logs") { (d) throws(RLPError) in try d.exitList(logsMarker) }
        do throws(RLPError) { try d.exitList(outer); try d.finish() } catch { throw .structure(error) }
        self.type = type; succeeded = status == [1]; cumulativeGasUsed = gas; self.logs = logs; self.bloom = bloom
    }
}
