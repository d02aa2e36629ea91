/// The 2048-bit logs bloom filter of receipts and block headers (Yellow Paper §4.3.1): for each log address and
/// topic, three bits are set, each chosen by 11 bits of keccak256(item) (bytes 0‖1, 2‖3, 4‖5, masked to 0…2047),
/// counted from the least significant bit of the big-endian 256-byte value.
import Primitives

public struct Bloom: Hashable, Sendable, CustomStringConvertible {
    /// The 256 bytes, big-endian as they appear in headers and receipts.
    public private(set) var bytes: [UInt8]

    /// The empty filter.
    public init() { bytes = [UInt8](repeating: 0, count: 256) }

    /// From 256 bytes; nil for any other length.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 256 else { return nil }
        self.bytes = bytes
    }

    /// The filter of a list of logs (each log's address and topics).
    public init(logs: [Log]) {
        self.init()
        for log in logs { add(log) }
    }

    /// The (byte index, bit mask) of the `i`-th (0…2) bit for an item whose keccak256 is `hash`.
    @inline(__always)
    static func position(_ hash: Hash32, _ i: Int) -> (index: Int, mask: UInt8) {
        // Bytes 0…5 of the hash are the top 6 bytes of w0 (big-endian).
        let bit = Int((hash.w0 >> UInt64(48 - 16 * i)) & 2047)
        return (255 - bit / 8, UInt8(1) << UInt8(bit % 8))
    }

    /// Sets the bits for raw bytes (an address's 20 bytes or a topic's 32).
    public mutating func add(_ item: [UInt8]) { add(hash: Keccak256.hash(item)) }

    /// Sets the bits for an item whose keccak256 is `hash`.
    public mutating func add(hash: Hash32) {
        for i in 0..<3 { let p = Bloom.position(hash, i); bytes[p.index] |= p.mask }
    }

    public mutating func add(address: Address) { add(address.bytes) }
    public mutating func add(topic: Hash32) { add(topic.bytes) }

    /// Adds a log's address and topics.
    public mutating func add(_ log: Log) {
        add(address: log.address)
        for t in log.topics { add(topic: t) }
    }

    /// Ors another filter into this one (a block's bloom is the union of its receipts').
    public mutating func formUnion(_ other: Bloom) {
        for i in 0..<256 { bytes[i] |= other.bytes[i] }
    }

    /// True when all three bits of the item are set: it may be present (false means it is certainly absent).
    public func mayContain(_ item: [UInt8]) -> Bool {
        let hash = Keccak256.hash(item)
        for i in 0..<3 { let p = Bloom.position(hash, i); if bytes[p.index] & p.mask == 0 { return false } }
        return true
    }

    public func mayContain(address: Address) -> Bool { mayContain(address.bytes) }
    public func mayContain(topic: Hash32) -> Bool { mayContain(topic.bytes) }

    public var isEmpty: Bool { bytes.allSatisfy { $0 == 0 } }

    public var description: String { Hex.encode(bytes) }
}
