/// Contract ABIs in the JSON form solc, Vyper and Foundry emit, with lookups by name, signature, selector
/// and topic, and decoding of calldata, logs and revert data against them.
import Foundation

/// A contract's interface parsed from its JSON ABI.
public struct ABIContract: Sendable {
    public private(set) var functions: [ABIFunction] = []
    public private(set) var events: [ABIEvent] = []
    public private(set) var errors: [ABIErrorDefinition] = []
    /// Constructor parameters, if the ABI declares a constructor.
    public private(set) var constructor: [ABIParameter]?
    public private(set) var constructorMutability: ABIStateMutability = .nonpayable
    /// The fallback function's mutability, if the contract has one.
    public private(set) var fallback: ABIStateMutability?
    public private(set) var hasReceive = false

    private var bySelector: [ABISelector: Int] = [:]
    private var byTopic: [Hash32: Int] = [:]
    private var byErrorSelector: [ABISelector: Int] = [:]

    /// Parses a JSON ABI: an array of entries, or an object with an `abi` array (a compiler artifact).
    public init(json: String) throws(ABIError) { try self.init(json: Array(json.utf8)) }

    /// Parses a JSON ABI from UTF-8 bytes (see `init(json: String)`).
    public init(json bytes: [UInt8]) throws(ABIError) {
        let root: Any
        do { root = try JSONSerialization.jsonObject(with: Data(bytes)) } catch {
            throw .invalidJSON("not JSON: \(error.localizedDescription)")
        }
        let entries: [Any]
        if let a = root as? [Any] {
            entries = a
        } else if let o = root as? [String: Any], let a = o["abi"] as? [Any] {
            entries = a
        } else {
            throw .invalidJSON("expected an array of entries or an object with an 'abi' array")
        }
        for (i, raw) in entries.enumerated() {
            guard let e = raw as? [String: Any] else { throw .invalidJSON("entry \(i) is not an object") }
            let kind = e["type"] as? String ?? "function"  // the spec makes "function" the default
            let name = e["name"] as? String
            let context = "entry \(i) (\(kind)\(name.map { " " + $0 } ?? ""))"
            func params(_ key: String, required: Bool) throws(ABIError) -> [ABIParameter] {
                guard let value = e[key] else {
                    if required { throw .invalidJSON("\(context): missing '\(key)'") }
                    return []
                }
                guard let list = value as? [Any] else { throw .invalidJSON("\(context): '\(key)' is not an array") }
                return try ABIContract.parameters(list, context: "\(context) \(key)", depth: 0)
            }
            func mutability() throws(ABIError) -> ABIStateMutability {
                if let s = e["stateMutability"] as? String {
                    guard let m = ABIStateMutability(rawValue: s) else {
                        throw .invalidJSON("\(context): unknown stateMutability '\(s)'")
                    }
                    return m
                }
                // Pre-0.5 ABIs: `constant` and `payable` flags.
                if e["payable"] as? Bool == true { return .payable }
                if e["constant"] as? Bool == true { return .view }
                return .nonpayable
            }
            func requireName() throws(ABIError) -> String {
                guard let n = name, !n.isEmpty else { throw .invalidJSON("\(context): missing 'name'") }
                return n
            }
            switch kind {
            case "function":
                let f = ABIFunction(name: try requireName(), inputs: try params("inputs", required: false),
                                    outputs: try params("outputs", required: false), stateMutability: try mutability())
                if bySelector[f.selector] == nil { bySelector[f.selector] = functions.count }
                functions.append(f)
            case "event":
                let ev = ABIEvent(name: try requireName(), inputs: try params("inputs", required: false),
                                  anonymous: e["anonymous"] as? Bool ?? false)
                if !ev.anonymous, byTopic[ev.topic0] == nil { byTopic[ev.topic0] = events.count }
                events.append(ev)
            case "error":
                let er = ABIErrorDefinition(name: try requireName(), inputs: try params("inputs", required: false))
                if byErrorSelector[er.selector] == nil { byErrorSelector[er.selector] = errors.count }
                errors.append(er)
            case "constructor":
                constructor = try params("inputs", required: false)
                constructorMutability = try mutability()
            case "fallback":
                fallback = try mutability()
            case "receive":
                hasReceive = true
            default:
                throw .invalidJSON("\(context): unknown entry type '\(kind)'")
            }
        }
    }

    /// Parses a JSON parameter list; `tuple` types take their shape from `components`.
    static func parameters(_ list: [Any], context: String, depth: Int) throws(ABIError) -> [ABIParameter] {
        guard depth <= ABIType.maxDepth else { throw .invalidJSON("\(context): nested too deeply") }
        var out: [ABIParameter] = []
        for (i, raw) in list.enumerated() {
            let where_ = "\(context)[\(i)]"
            guard let p = raw as? [String: Any] else { throw .invalidJSON("\(where_) is not an object") }
            guard let typeText = p["type"] as? String else { throw .invalidJSON("\(where_): missing 'type'") }
            var components: [ABIParameter] = []
            let type: ABIType
            do throws(ABIError) {
                if typeText.hasPrefix("tuple") {
                    guard let list = p["components"] as? [Any], !list.isEmpty else {
                        throw ABIError.invalidJSON("\(where_): tuple type without 'components'")
                    }
                    components = try parameters(list, context: "\(where_).components", depth: depth + 1)
                    // Reuse the canonical parser for the array suffixes and the layout limits.
                    let tuple = ABIType.tuple(components.map(\.type)).canonical
                    type = try ABIType(parsing: tuple + typeText.dropFirst("tuple".count))
                } else {
                    type = try ABIType(parsing: typeText)
                }
            } catch {
                if case .invalidType(let t, let r) = error { throw .invalidJSON("\(where_): type '\(t)': \(r)") }
                throw error
            }
            out.append(ABIParameter(name: p["name"] as? String ?? "", type: type, components: components,
                                    indexed: p["indexed"] as? Bool ?? false))
        }
        return out
    }

    // MARK: Lookups

    /// All functions with this name (several when overloaded).
    public func functions(named name: String) -> [ABIFunction] { functions.filter { $0.name == name } }

    /// The function with this name, or this signature when the text has parentheses (`transfer(address,uint256)`,
    /// names and spaces allowed). A bare overloaded name is an `ambiguous` error listing the signatures.
    public func function(_ nameOrSignature: String) throws(ABIError) -> ABIFunction {
        if nameOrSignature.contains("(") {
            let wanted = try ABIFunction(signature: nameOrSignature).signature
            guard let f = functions.first(where: { $0.signature == wanted }) else { throw .notFound("function \(wanted)") }
            return f
        }
        let matches = functions(named: nameOrSignature)
        guard let f = matches.first else { throw .notFound("function \(nameOrSignature)") }
        guard matches.count == 1 else { throw .ambiguous(nameOrSignature, candidates: matches.map(\.signature)) }
        return f
    }

    /// The function with this selector.
    public func function(selector: ABISelector) -> ABIFunction? { bySelector[selector].map { functions[$0] } }

    /// The event with this name or signature (see `function(_:)`).
    public func event(_ nameOrSignature: String) throws(ABIError) -> ABIEvent {
        if nameOrSignature.contains("(") {
            let wanted = try ABIEvent(signature: nameOrSignature).signature
            guard let e = events.first(where: { $0.signature == wanted }) else { throw .notFound("event \(wanted)") }
            return e
        }
        let matches = events.filter { $0.name == nameOrSignature }
        guard let e = matches.first else { throw .notFound("event \(nameOrSignature)") }
        guard matches.count == 1 else { throw .ambiguous(nameOrSignature, candidates: matches.map(\.signature)) }
        return e
    }

    /// The non-anonymous event whose signature hashes to `topic0`.
    public func event(topic0: Hash32) -> ABIEvent? { byTopic[topic0].map { events[$0] } }

    /// The custom error with this name or signature.
    public func error(_ nameOrSignature: String) throws(ABIError) -> ABIErrorDefinition {
        if nameOrSignature.contains("(") {
            let wanted = try ABIErrorDefinition(signature: nameOrSignature).signature
            guard let e = errors.first(where: { $0.signature == wanted }) else { throw .notFound("error \(wanted)") }
            return e
        }
        let matches = errors.filter { $0.name == nameOrSignature }
        guard let e = matches.first else { throw .notFound("error \(nameOrSignature)") }
        guard matches.count == 1 else { throw .ambiguous(nameOrSignature, candidates: matches.map(\.signature)) }
        return e
    }

    /// The custom error with this selector.
    public func error(selector: ABISelector) -> ABIErrorDefinition? { byErrorSelector[selector].map { errors[$0] } }

    // MARK: Decoding against the ABI

    /// Finds the function calldata is for (by selector) and decodes its arguments.
    public func decodeCall(_ calldata: [UInt8]) throws(ABIError) -> (ABIFunction, [ABIValue]) {
        guard calldata.count >= 4 else {
            throw .invalidData(path: "calldata", failure: .selector("only \(calldata.count) bytes"))
        }
        guard let f = function(selector: ABISelector(calldata)) else {
            throw .notFound("function with selector \(ABISelector(calldata))")
        }
        return (f, try ABI.decodeCall(f, from: calldata))
    }

    /// Finds a log's event by its first topic and decodes it. Anonymous events cannot be found this way.
    public func decodeLog(topics: [Hash32], data: [UInt8]) throws(ABIError) -> (ABIEvent, [ABIEventField]) {
        guard let t0 = topics.first else { throw .notFound("event for a log without topics") }
        guard let e = event(topic0: t0) else { throw .notFound("event with topic \(t0.hex)") }
        return (e, try e.decode(topics: topics, data: data))
    }

    /// Decodes revert data: `Error(string)`, `Panic(uint256)` or one of this contract's errors.
    public func decodeRevert(_ data: [UInt8]) throws(ABIError) -> ABIRevertReason {
        try ABI.decodeRevert(data, errors: errors)
    }

    /// Calldata for the function with this name or signature (see `function(_:)`).
    public func encodeCall(_ nameOrSignature: String, _ values: [ABIValue]) throws(ABIError) -> [UInt8] {
        try ABI.encodeCall(function(nameOrSignature), values)
    }

    /// Decodes the return data of the function with this name or signature.
    public func decodeOutput(_ nameOrSignature: String, from data: [UInt8]) throws(ABIError) -> [ABIValue] {
        try ABI.decodeOutput(function(nameOrSignature), from: data)
    }

    /// Deployment data: creation bytecode followed by the encoded constructor arguments.
    public func deployData(bytecode: [UInt8], arguments: [ABIValue]) throws(ABIError) -> [UInt8] {
        let params = constructor ?? []
        guard params.count == arguments.count else {
            throw .wrongCount(path: "constructor arguments", expected: params.count, got: arguments.count)
        }
        return bytecode + (params.isEmpty ? [] : try ABI.encode(params.map(\.type), arguments))
    }
}
