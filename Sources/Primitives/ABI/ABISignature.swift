/// Functions, events and errors: their canonical signatures, selectors and topics, and parsing of
/// human-readable signatures such as Foundry's `balanceOf(address)(uint256)` or
/// `function transfer(address to, uint256 amount) returns (bool)`.

/// A named, typed parameter of a function, event or error. For tuple types (and arrays of tuples)
/// `components` names the tuple's fields; it may be empty when the names are unknown.
public struct ABIParameter: Hashable, Sendable {
    public var name: String
    public var type: ABIType
    public var components: [ABIParameter]
    /// For event parameters: stored in a topic rather than in the data.
    public var indexed: Bool

    /// A parameter; `components` should mirror the tuple inside `type` when names are wanted in errors.
    public init(name: String = "", type: ABIType, components: [ABIParameter] = [], indexed: Bool = false) {
        self.name = name
        self.type = type
        self.components = components
        self.indexed = indexed
    }
}

/// A 4-byte function or error selector: the first four bytes of Keccak-256 of the signature.
public struct ABISelector: Hashable, Sendable, CustomStringConvertible {
    /// The four bytes, big-endian.
    public var value: UInt32

    /// A selector from its big-endian value, e.g. `0xa9059cbb`.
    public init(_ value: UInt32) { self.value = value }

    /// The first four bytes of `bytes` (which must hold at least four; callers check).
    public init(_ bytes: [UInt8]) {
        value = bytes.prefix(4).reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// The selector of a canonical signature such as `transfer(address,uint256)`.
    public init(signature: String) {
        let h = Keccak256.hash(signature)
        value = UInt32(truncatingIfNeeded: h.w0 >> 32)
    }

    /// The four bytes as calldata starts with them.
    public var bytes: [UInt8] { [UInt8(value >> 24), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)] }
    public var description: String { Hex.encode(bytes) }
}

/// A function's state mutability as the JSON ABI states it.
public enum ABIStateMutability: String, Hashable, Sendable {
    case pure, view, nonpayable, payable
}

/// A contract function.
public struct ABIFunction: Hashable, Sendable, CustomStringConvertible {
    public let name: String
    public let inputs: [ABIParameter]
    public let outputs: [ABIParameter]
    public let stateMutability: ABIStateMutability
    /// `name(type1,type2)` with canonical types.
    public let signature: String
    public let selector: ABISelector

    /// A function from its parts (as a JSON ABI gives them); the signature and selector are derived.
    public init(name: String, inputs: [ABIParameter], outputs: [ABIParameter] = [],
                stateMutability: ABIStateMutability = .nonpayable) {
        self.name = name
        self.inputs = inputs
        self.outputs = outputs
        self.stateMutability = stateMutability
        signature = name + ABIParameter.canonicalList(inputs)
        selector = ABISelector(signature: signature)
    }

    /// Parses `transfer(address,uint256)`, `balanceOf(address)(uint256)` (outputs in the second parentheses),
    /// or the Solidity-like `function f(uint256 x, (address a, bool b)[] s) external view returns (bool)`.
    /// Parameter names, data locations and `tuple` prefixes are accepted and do not change the signature.
    public init(signature text: String) throws(ABIError) {
        var p = SignatureParser(text: text)
        let parsed = try p.parse(keyword: "function")
        let allowed: Set = ["external", "public", "internal", "private", "pure", "view", "payable", "nonpayable",
                            "virtual", "override"]
        if let w = parsed.modifiers.first(where: { !allowed.contains($0) }) {
            throw .invalidSignature(text, reason: "unexpected '\(w)' after the parameters")
        }
        let mutability = parsed.modifiers.compactMap { ABIStateMutability(rawValue: $0) }.last ?? .nonpayable
        self.init(name: parsed.name, inputs: parsed.inputs, outputs: parsed.outputs ?? [], stateMutability: mutability)
    }

    /// `balanceOf(address)(uint256)`: the signature followed by the output types, as Foundry prints it.
    public var description: String {
        outputs.isEmpty ? signature : signature + ABIParameter.canonicalList(outputs)
    }
}

/// An event.
public struct ABIEvent: Hashable, Sendable, CustomStringConvertible {
    public let name: String
    public let inputs: [ABIParameter]
    /// Anonymous events have no signature topic.
    public let anonymous: Bool
    public let signature: String
    /// Keccak-256 of the signature: the first topic of a non-anonymous event's logs.
    public let topic0: Hash32

    /// An event from its parts; the signature and topic are derived.
    public init(name: String, inputs: [ABIParameter], anonymous: Bool = false) {
        self.name = name
        self.inputs = inputs
        self.anonymous = anonymous
        signature = name + ABIParameter.canonicalList(inputs)
        topic0 = Keccak256.hash(signature)
    }

    /// Parses `Transfer(address indexed from, address indexed to, uint256 value)`, optionally prefixed by
    /// `event` and followed by `anonymous`.
    public init(signature text: String) throws(ABIError) {
        var p = SignatureParser(text: text)
        let parsed = try p.parse(keyword: "event")
        guard parsed.outputs == nil else { throw .invalidSignature(text, reason: "an event has no outputs") }
        if let w = parsed.modifiers.first(where: { $0 != "anonymous" }) {
            throw .invalidSignature(text, reason: "unexpected '\(w)' after the parameters")
        }
        self.init(name: parsed.name, inputs: parsed.inputs, anonymous: parsed.modifiers.contains("anonymous"))
    }

    public var description: String { signature }

    /// Decodes a log: indexed fields from `topics` (after the signature topic unless anonymous), the rest
    /// from `data`. Indexed fields of non-value types (strings, bytes, arrays, tuples) are only available as
    /// the hash stored in their topic.
    public func decode(topics: [Hash32], data: [UInt8]) throws(ABIError) -> [ABIEventField] {
        let indexed = inputs.filter(\.indexed)
        let expected = indexed.count + (anonymous ? 0 : 1)
        guard topics.count == expected else {
            throw .invalidData(path: "log of \(signature)",
                               failure: .topics("expected \(expected) topics, got \(topics.count)"))
        }
        if !anonymous && topics[0] != topic0 {
            throw .invalidData(path: "log of \(signature)",
                               failure: .topics("topic 0 is \(topics[0].hex), not the event's \(topic0.hex)"))
        }
        let dataParams = inputs.filter { !$0.indexed }
        let dataValues = try ABI.decode(dataParams, from: data)
        var fields: [ABIEventField] = []
        var topicIndex = anonymous ? 0 : 1
        var dataIndex = 0
        for (i, p) in inputs.enumerated() {
            if p.indexed {
                let topic = topics[topicIndex]
                topicIndex += 1
                if p.type.isValueType {
                    do {
                        fields.append(ABIEventField(parameter: p, value: .value(try ABI.decodeWord(p.type, topic))))
                    } catch {
                        throw error.inside(.arg(i)).abiError(names: inputs)
                    }
                } else {
                    fields.append(ABIEventField(parameter: p, value: .hashed(topic)))
                }
            } else {
                fields.append(ABIEventField(parameter: p, value: .value(dataValues[dataIndex])))
                dataIndex += 1
            }
        }
        return fields
    }

    /// The topics a log of this event with these (all) input values would carry.
    public func topics(_ values: [ABIValue]) throws(ABIError) -> [Hash32] {
        guard values.count == inputs.count else {
            throw .wrongCount(path: "arguments of \(signature)", expected: inputs.count, got: values.count)
        }
        var out = anonymous ? [] : [topic0]
        for (p, v) in zip(inputs, values) where p.indexed { out.append(try ABI.topic(p.type, v)) }
        return out
    }
}

/// One decoded field of a log.
public struct ABIEventField: Hashable, Sendable {
    /// A decoded value, or for an indexed non-value type the Keccak-256 hash its topic holds.
    public enum Value: Hashable, Sendable {
        case value(ABIValue)
        case hashed(Hash32)
    }
    public var parameter: ABIParameter
    public var value: Value

    public var name: String { parameter.name }
}

/// A custom error declared by a contract (`error InsufficientBalance(uint256 available, uint256 required)`).
public struct ABIErrorDefinition: Hashable, Sendable, CustomStringConvertible {
    public let name: String
    public let inputs: [ABIParameter]
    public let signature: String
    public let selector: ABISelector

    /// An error from its parts; the signature and selector are derived.
    public init(name: String, inputs: [ABIParameter]) {
        self.name = name
        self.inputs = inputs
        signature = name + ABIParameter.canonicalList(inputs)
        selector = ABISelector(signature: signature)
    }

    /// Parses `InsufficientBalance(uint256,uint256)`, optionally prefixed by `error`.
    public init(signature text: String) throws(ABIError) {
        var p = SignatureParser(text: text)
        let parsed = try p.parse(keyword: "error")
        guard parsed.outputs == nil else { throw .invalidSignature(text, reason: "an error has no outputs") }
        if let w = parsed.modifiers.first {
            throw .invalidSignature(text, reason: "unexpected '\(w)' after the parameters")
        }
        self.init(name: parsed.name, inputs: parsed.inputs)
    }

    public var description: String { signature }

    /// Decodes revert data carrying this error: checks the selector, then decodes the arguments.
    public func decode(_ data: [UInt8]) throws(ABIError) -> [ABIValue] {
        guard data.count >= 4, ABISelector(data) == selector else {
            throw .invalidData(path: "revert data", failure: .selector("not \(signature) (\(selector))"))
        }
        for p in inputs { try p.type.validate() }
        return try ABI.decodeValidated(inputs.map(\.type), from: data, skip: 4, names: inputs)
    }

    /// `Error(string)`, the error `revert("reason")` and `require(cond, "reason")` raise.
    public static let errorString = ABIErrorDefinition(name: "Error", inputs: [ABIParameter(name: "message", type: .string)])
    /// `Panic(uint256)`, raised by failed asserts, overflow, division by zero and the like.
    public static let panic = ABIErrorDefinition(name: "Panic", inputs: [ABIParameter(name: "code", type: .uint(256))])
}

/// Why a call reverted, decoded from its return data.
public enum ABIRevertReason: Hashable, Sendable, CustomStringConvertible {
    /// No data: `revert()`, a failed `require` without message, or running out of gas.
    case empty
    /// `Error(string)`.
    case message(String)
    /// `Panic(uint256)` with its code.
    case panic(UInt256)
    /// A custom error from the contract's ABI with its arguments.
    case custom(ABIErrorDefinition, [ABIValue])
    /// Data with a selector that no known error matches (or shorter than a selector).
    case unknown([UInt8])

    public var description: String {
        switch self {
        case .empty: return "reverted without data"
        case .message(let m): return "reverted: \(m)"
        case .panic(let code): return "panic \(code.hexString): \(ABIRevertReason.panicMeaning(code))"
        case .custom(let e, let v): return "reverted with \(e.name)(\(v.map { ABI.format($0, nested: true) }.joined(separator: ", ")))"
        case .unknown(let d): return "reverted with unrecognised data \(Hex.encode(d))"
        }
    }

    /// What Solidity's panic codes mean.
    public static func panicMeaning(_ code: UInt256) -> String {
        switch code.asInt ?? -1 {
        case 0x00: return "generic compiler panic"
        case 0x01: return "assertion failed"
        case 0x11: return "arithmetic overflow or underflow"
        case 0x12: return "division or modulo by zero"
        case 0x21: return "invalid enum value"
        case 0x22: return "incorrectly encoded storage byte array"
        case 0x31: return "pop on an empty array"
        case 0x32: return "array index out of bounds"
        case 0x41: return "out of memory"
        case 0x51: return "call to an uninitialised internal function"
        default: return "unknown panic code"
        }
    }
}

extension ABI {
    /// Decodes revert data: `Error(string)`, `Panic(uint256)`, or one of `errors` (custom errors from an ABI).
    /// Data with one of those selectors but a bad encoding is an error; an unknown selector is `.unknown`.
    public static func decodeRevert(_ data: [UInt8], errors: [ABIErrorDefinition] = []) throws(ABIError) -> ABIRevertReason {
        if data.isEmpty { return .empty }
        guard data.count >= 4 else { return .unknown(data) }
        let sel = ABISelector(data)
        if sel == ABIErrorDefinition.errorString.selector {
            if case .string(let s) = try ABIErrorDefinition.errorString.decode(data)[0] { return .message(s) }
        }
        if sel == ABIErrorDefinition.panic.selector {
            if case .uint(let c) = try ABIErrorDefinition.panic.decode(data)[0] { return .panic(c) }
        }
        if let e = errors.first(where: { $0.selector == sel }) { return .custom(e, try e.decode(data)) }
        return .unknown(data)
    }
}

extension ABIParameter {
    /// `(type1,type2)` of the parameters' canonical types.
    static func canonicalList(_ params: [ABIParameter]) -> String {
        "(" + params.map(\.type.canonical).joined(separator: ",") + ")"
    }
}
