import Primitives
import RPCClient

/// One contract at one address on one chain: what the generated bindings call through. It encodes calldata
/// from the ABI (no hand-built calldata anywhere) and decodes outputs, reverts and logs.
public struct ContractBinding: Sendable {
    public let address: Address
    public let chain: any ChainAccess
    /// Custom errors of the contract, for decoding reverts.
    public let errors: [ABIErrorDefinition]

    public init(address: Address, chain: any ChainAccess, errors: [ABIErrorDefinition] = []) {
        self.address = address; self.chain = chain; self.errors = errors
    }

    /// Calls `function` (an `eth_call`) and decodes its outputs.
    public func call(_ function: ABIFunction, _ arguments: [ABIValue], from: Address? = nil,
                     at block: BlockTag = .latest) async throws(ContractError) -> [ABIValue] {
        let data = try ABIRead.calldata(function, arguments)
        let out: [UInt8]
        do { out = try await chain.call(CallRequest(from: from, to: address, data: data), at: block) } catch {
            throw error.named(function.name)
        }
        do { return try ABI.decodeOutput(function, from: out) } catch { throw .abi(error) }
    }

    /// Sends `function` with `arguments` as a transaction signed by `key` and waits for its receipt.
    public func transact(_ function: ABIFunction, _ arguments: [ABIValue], from key: PrivateKey,
                         gas: UInt64? = nil) async throws(ContractError) -> ContractReceipt {
        let data = try ABIRead.calldata(function, arguments)
        do { return try await chain.transact(from: key, to: address, data: data, gas: gas) } catch {
            throw error.named(function.name)
        }
    }

    /// Gas the function would use if `sender` sent it now.
    public func estimateGas(_ function: ABIFunction, _ arguments: [ABIValue], from sender: Address? = nil)
        async throws(ContractError) -> UInt64 {
        let data = try ABIRead.calldata(function, arguments)
        do { return try await chain.estimateGas(CallRequest(from: sender, to: address, data: data)) } catch {
            throw error.named(function.name)
        }
    }

    /// This contract's logs with these topics (nil: any) between two blocks.
    public func logs(topics: [[Hash32]?], fromBlock: BlockTag, toBlock: BlockTag) async throws(ContractError) -> [ContractLog] {
        try await chain.logs(LogFilter(fromBlock: fromBlock, toBlock: toBlock, addresses: [address], topics: topics))
    }
}

/// Conversions between ABI values and Swift values for the generated bindings, with typed errors that name
/// the field (`jobs.status`, `ring[3].node`) when data does not have the promised shape.
public enum ABIRead {
    static func shape(_ v: ABIValue) -> String { ABI.format(v, nested: true) }

    /// Calldata for `function`: selector, then the ABI-encoded arguments.
    public static func calldata(_ function: ABIFunction, _ arguments: [ABIValue]) throws(ContractError) -> [UInt8] {
        do { return try ABI.encodeCall(function, arguments) } catch { throw .abi(error) }
    }

    /// ABI-encodes values (constructor arguments).
    public static func encode(_ types: [ABIType], _ values: [ABIValue]) throws(ContractError) -> [UInt8] {
        do { return try ABI.encode(types, values) } catch { throw .abi(error) }
    }

    /// The elements of an array value.
    public static func array(_ v: ABIValue, _ path: String) throws(ContractError) -> [ABIValue] {
        guard case .array(let items) = v else { throw .badValue(path: path, expected: "an array", got: shape(v)) }
        return items
    }

    /// The fields of a tuple value with `count` fields.
    public static func tuple(_ v: ABIValue, count: Int, _ path: String) throws(ContractError) -> [ABIValue] {
        guard case .tuple(let items) = v, items.count == count else {
            throw .badValue(path: path, expected: "a tuple of \(count)", got: shape(v))
        }
        return items
    }

    /// A `uint<M>` word.
    public static func uint256(_ v: ABIValue, _ path: String) throws(ContractError) -> UInt256 {
        guard case .uint(let x) = v else { throw .badValue(path: path, expected: "a uint", got: shape(v)) }
        return x
    }

    /// An `int<M>` word in two's complement.
    public static func int256(_ v: ABIValue, _ path: String) throws(ContractError) -> UInt256 {
        guard case .int(let x) = v else { throw .badValue(path: path, expected: "an int", got: shape(v)) }
        return x
    }

    static func small(_ v: ABIValue, _ path: String, max: UInt64, _ name: String) throws(ContractError) -> UInt64 {
        let x = try uint256(v, path)
        guard x.fitsUInt64, x.l0 <= max else { throw .badValue(path: path, expected: "a \(name)", got: x.description) }
        return x.l0
    }

    /// A `uint8`, checked to fit.
    public static func uint8(_ v: ABIValue, _ path: String) throws(ContractError) -> UInt8 {
        UInt8(try small(v, path, max: UInt64(UInt8.max), "uint8"))
    }

    /// A `uint16`, checked to fit.
    public static func uint16(_ v: ABIValue, _ path: String) throws(ContractError) -> UInt16 {
        UInt16(try small(v, path, max: UInt64(UInt16.max), "uint16"))
    }

    /// A `uint32`, checked to fit.
    public static func uint32(_ v: ABIValue, _ path: String) throws(ContractError) -> UInt32 {
        UInt32(try small(v, path, max: UInt64(UInt32.max), "uint32"))
    }

    /// A `uint64`, checked to fit.
    public static func uint64(_ v: ABIValue, _ path: String) throws(ContractError) -> UInt64 {
        try small(v, path, max: UInt64.max, "uint64")
    }

    /// An address.
    public static func address(_ v: ABIValue, _ path: String) throws(ContractError) -> Address {
        guard case .address(let a) = v else { throw .badValue(path: path, expected: "an address", got: shape(v)) }
        return a
    }

    /// A bool.
    public static func bool(_ v: ABIValue, _ path: String) throws(ContractError) -> Bool {
        guard case .bool(let b) = v else { throw .badValue(path: path, expected: "a bool", got: shape(v)) }
        return b
    }

    /// A string.
    public static func string(_ v: ABIValue, _ path: String) throws(ContractError) -> String {
        guard case .string(let s) = v else { throw .badValue(path: path, expected: "a string", got: shape(v)) }
        return s
    }

    /// `bytes` or `bytes<M>`.
    public static func bytes(_ v: ABIValue, _ path: String) throws(ContractError) -> [UInt8] {
        guard let b = v.byteArray else { throw .badValue(path: path, expected: "bytes", got: shape(v)) }
        return b
    }

    /// Decodes a log against an event (topic count, topic 0, data).
    public static func eventFields(_ event: ABIEvent, _ log: ContractLog) throws(ContractError) -> [ABIEventField] {
        do { return try event.decode(topics: log.topics, data: log.data) } catch { throw .abi(error) }
    }

    /// The decoded value of a log field (not an indexed hash).
    public static func eventValue(_ field: ABIEventField, _ path: String) throws(ContractError) -> ABIValue {
        guard case .value(let v) = field.value else { throw .badValue(path: path, expected: "a value", got: "a topic hash") }
        return v
    }

    /// The topic hash of an indexed string, bytes, array or tuple field.
    public static func hashed(_ field: ABIEventField, _ path: String) throws(ContractError) -> Hash32 {
        guard case .hashed(let h) = field.value else { throw .badValue(path: path, expected: "a topic hash", got: "a value") }
        return h
    }

    /// The topic filter for one indexed field: nil (any value) or the value's topic.
    public static func topic(_ type: ABIType, _ value: ABIValue?) throws(ContractError) -> [Hash32]? {
        guard let value else { return nil }
        do { return [try ABI.topic(type, value)] } catch { throw .abi(error) }
    }
}
