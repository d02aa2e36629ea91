import Foundation
import Testing
import Primitives
import TestSupport

/// The ABI codec against vectors from eth_abi, eth_utils, web3 and Vyper (tools/vectors/abi_vectors.py).
@Suite struct ABIVectorTests {
    /// Parsed once; read-only afterwards, so sharing it between tests is safe.
    nonisolated(unsafe) static let root: [String: Any] = {
        (try? Fixtures.json(Fixtures.vector("PrimitivesTests", "abi.json"))) as? [String: Any] ?? [:]
    }()

    static func list(_ key: String) -> [[String: Any]] { root[key] as? [[String: Any]] ?? [] }

    @Test func encodesLikeEthAbi() throws {
        let cases = Self.list("encode")
        #expect(cases.count > 250)
        for c in cases {
            let typeStrings = c["types"] as! [String]
            let types = try typeStrings.map { try ABIType(parsing: $0) }
            let values = try zip(types, c["values"] as! [Any]).map { try abiValue($1, $0) }
            let expected = try [UInt8](hex: c["encoded"] as! String)
            let label = typeStrings.joined(separator: ",")
            #expect(try ABI.encode(types, values) == expected, "encode \(label)")
            #expect(try ABI.decode(types, from: expected) == values, "decode \(label)")
            for (t, s) in zip(types, typeStrings) {
                #expect(try ABIType(parsing: t.canonical) == t, "canonical \(s)")
                if s != "uint" && s != "int" { #expect(t.canonical == s) }
            }
            // The command-line text form reads back to the same value.
            for (t, v) in zip(types, values) {
                #expect(try ABI.parseArgument(ABI.format(v), as: t) == v, "text round trip \(t): \(ABI.format(v))")
            }
        }
    }

    /// Mutated and hostile encodings: eth_abi's strict decoder decided which are valid; we must agree.
    @Test func decodesAndRejectsLikeEthAbi() throws {
        let cases = Self.list("decode")
        #expect(cases.count > 1000)
        var rejected = 0
        for c in cases {
            let types = try (c["types"] as! [String]).map { try ABIType(parsing: $0) }
            let data = try [UInt8](hex: c["data"] as! String)
            let why = "\(c["why"] as! String) \(types) \(c["data"] as! String)"
            if c["ok"] as! Bool {
                let values = try zip(types, c["values"] as! [Any]).map { try abiValue($1, $0) }
                #expect(try ABI.decode(types, from: data) == values, "should accept: \(why)")
            } else {
                rejected += 1
                let error = c["error"] as? String ?? "?"
                #expect(throws: ABIError.self, "should reject (\(error)): \(why)") {
                    try ABI.decode(types, from: data)
                }
            }
        }
        #expect(rejected > 1000)
    }

    @Test func selectorsAndTopics() throws {
        let cases = Self.list("selectors")
        #expect(cases.count > 10)
        for c in cases {
            let sig = c["signature"] as! String
            #expect(ABISelector(signature: sig).description == "0x" + (c["selector"] as! String))
            #expect(Keccak256.hash(sig).hex == "0x" + (c["topic"] as! String))
            #expect(try ABIFunction(signature: sig).signature == sig)
            #expect(try ABIEvent(signature: sig).topic0.hex == "0x" + (c["topic"] as! String))
        }
        for c in Self.list("topics") {
            let t = try ABIType(parsing: c["type"] as! String)
            let v = try abiValue(c["value"]!, t)
            #expect(try ABI.topic(t, v).hex == "0x" + (c["topic"] as! String), "topic of \(t)")
        }
        #expect(Self.list("topics").count > 8)
    }

    /// Logs built with eth_abi and decoded by web3's `get_event_data`.
    @Test func eventsLikeWeb3() throws {
        let cases = Self.list("events")
        #expect(cases.count == 3)
        for c in cases {
            let abiJSON = try JSONSerialization.data(withJSONObject: [c["abi"]!])
            let contract = try ABIContract(json: [UInt8](abiJSON))
            let event = contract.events[0]
            #expect(event.signature == c["signature"] as! String)
            let topics = try (c["topics"] as! [String]).map { try Bytes32(hex: $0) }
            let data = try [UInt8](hex: c["data"] as! String)
            let values = try zip(event.inputs, c["values"] as! [Any]).map { try abiValue($1, $0.type) }
            #expect(try event.topics(values) == topics, "\(event.signature) topics")
            let fields = try event.decode(topics: topics, data: data)
            let expected = c["fields"] as! [[String: Any]]
            #expect(fields.count == expected.count)
            for (f, e) in zip(fields, expected) {
                #expect(f.name == e["name"] as! String)
                if let h = e["hash"] as? String {
                    #expect(f.value == .hashed(try Bytes32(hex: h)), "\(f.name)")
                } else {
                    #expect(f.value == .value(try abiValue(e["value"]!, f.parameter.type)), "\(f.name)")
                }
            }
            if !event.anonymous {
                #expect(contract.event(topic0: topics[0]) == event)
                #expect(try contract.decodeLog(topics: topics, data: data).1 == fields)
            }
        }
    }

    @Test func revertReasons() throws {
        let errors = [try ABIErrorDefinition(signature: "InsufficientBalance(uint256 available, uint256 required)")]
        for c in Self.list("reverts") {
            let data = try [UInt8](hex: c["data"] as! String)
            let reason = try ABI.decodeRevert(data, errors: errors)
            if let m = c["message"] as? String {
                #expect(reason == .message(m))
            } else if let p = c["panic"] as? String {
                #expect(reason == .panic(UInt256(p)!))
            } else {
                #expect(reason == .custom(errors[0], (c["values"] as! [String]).map { .uint(UInt256($0)!) }))
            }
        }
        #expect(Self.list("reverts").count == 9)
    }

    /// A Vyper compiler's JSON ABI and a hand-written one with overloads, errors and legacy fields,
    /// against eth_utils' signatures, selectors and topics.
    @Test func contractsLikeEthUtils() throws {
        let cases = Self.list("contracts")
        #expect(cases.count == 2)
        for c in cases {
            let json = try JSONSerialization.data(withJSONObject: c["abi"]!)
            let contract = try ABIContract(json: [UInt8](json))
            let functions = c["functions"] as! [[String: Any]]
            #expect(contract.functions.count == functions.count, "\(c["name"]!)")
            for (f, e) in zip(contract.functions, functions) {
                #expect(f.signature == e["signature"] as! String)
                #expect(f.selector.description == "0x" + (e["selector"] as! String))
                #expect(f.outputs.map(\.type.canonical) == e["outputs"] as! [String])
                #expect(contract.function(selector: f.selector) == f)
                #expect(try contract.function(f.signature) == f)
            }
            let events = c["events"] as! [[String: Any]]
            #expect(contract.events.map(\.signature) == events.map { $0["signature"] as! String })
            #expect(contract.events.map { $0.topic0.hex } == events.map { "0x" + ($0["topic"] as! String) })
            let errors = c["errors"] as! [[String: Any]]
            #expect(contract.errors.map(\.signature) == errors.map { $0["signature"] as! String })
            #expect(contract.errors.map(\.selector.description) == errors.map { "0x" + ($0["selector"] as! String) })
        }
    }

    @Test func calldataLikeEthAbi() throws {
        for c in Self.list("calls") {
            let sig = c["signature"] as! String
            let f = try ABIFunction(signature: sig)
            let values = try zip(f.inputs, c["values"] as! [Any]).map { try abiValue($1, $0.type) }
            let expected = try [UInt8](hex: c["calldata"] as! String)
            #expect(try ABI.encodeCall(sig, values) == expected)
            #expect(try ABI.decodeCall(f, from: expected) == values)
        }
        #expect(Self.list("calls").count == 3)
    }
}

/// Converts the vectors' JSON form (decimal strings for ints, 0x hex for bytes) into a value of type `t`.
func abiValue(_ json: Any, _ t: ABIType) throws -> ABIValue {
    struct Bad: Error { let what: String }
    switch t {
    case .uint:
        return .uint(try UInt256(parsing: json as! String))
    case .int:
        let s = json as! String
        return s.hasPrefix("-") ? .int(try UInt256(parsing: String(s.dropFirst())).negated) : .int(try UInt256(parsing: s))
    case .address: return .address(try Address(hex: json as! String))
    case .bool: return .bool(json as! Bool)
    case .fixedBytes: return .fixedBytes(try [UInt8](hex: json as! String))
    case .bytes: return .bytes(try [UInt8](hex: json as! String))
    case .string: return .string(json as! String)
    case .array(let e), .fixedArray(let e, _): return .array(try (json as! [Any]).map { try abiValue($0, e) })
    case .tuple(let ts):
        let items = json as! [Any]
        guard items.count == ts.count else { throw Bad(what: "tuple arity") }
        return .tuple(try zip(ts, items).map { try abiValue($1, $0) })
    }
}
