import Testing
import Primitives

/// Hand-written ABI cases: the spec's rules and examples, error messages and hostile inputs.
/// (Byte-level agreement with eth_abi is in ABIVectorTests.)
@Suite struct ABITests {
    // MARK: Types

    @Test func parsesCanonicalTypes() throws {
        #expect(try ABIType(parsing: "uint") == .uint(256))
        #expect(try ABIType(parsing: "int") == .int(256))
        #expect(try ABIType(parsing: "uint8") == .uint(8))
        #expect(try ABIType(parsing: "bytes32") == .fixedBytes(32))
        #expect(try ABIType(parsing: "uint256[2][]") == .array(.fixedArray(.uint(256), 2)))
        #expect(try ABIType(parsing: "(address,(bool,string)[])[3]")
                == .fixedArray(.tuple([.address, .array(.tuple([.bool, .string]))]), 3))
        #expect(try ABIType(parsing: "(uint,int8[])").canonical == "(uint256,int8[])")
    }

    @Test func rejectsBadTypes() {
        let bad: [(String, String)] = [
            ("uint7", "multiple of 8"), ("uint264", "multiple of 8"), ("int0", "not a type"), ("bytes0", "not a type"),
            ("bytes33", "1...32"), ("uint08", "not a type"), ("uint256[0]", "positive"), ("()", "empty tuple"),
            ("(uint256", "missing ')'"), ("uint256[", "array suffix"), ("uint256]", "unexpected"),
            ("fixed128x18", "fixed-point"), ("string[01]", "positive"), ("", "missing type"), ("Uint256", "where a type"),
            ("uint256 ", "unexpected"), ("function", "not supported"), ("foo", "unknown type"),
            ("uint256[99999999999]", "too large"), ("uint256[134217728][134217728]", "exceeds"),
            ("(uint256,)", "where a type"),
        ]
        for (text, fragment) in bad {
            do {
                _ = try ABIType(parsing: text)
                Issue.record("'\(text)' should not parse")
            } catch {
                #expect(error.description.contains(fragment), "'\(text)': \(error)")
            }
        }
        let deep = String(repeating: "(", count: 40) + "uint8" + String(repeating: ")", count: 40)
        #expect(throws: ABIError.self) { try ABIType(parsing: deep) }
        #expect(throws: ABIError.self) { try ABIType(parsing: "uint8" + String(repeating: "[]", count: 40)) }
        #expect(throws: ABIError.self) { try ABIType.fixedArray(.bool, 0).validate() }
        #expect(throws: ABIError.self) { try ABI.encode([.uint(7)], [.uint(1)]) }
    }

    @Test func layout() throws {
        #expect(try ABIType(parsing: "(uint256,bool)").headSize == 64)
        #expect(try ABIType(parsing: "uint256[3][2]").headSize == 192)
        #expect(try ABIType(parsing: "(uint256,string)").headSize == 32)
        #expect(try ABIType(parsing: "string[2]").isDynamic)
        #expect(try !ABIType(parsing: "(uint8,bytes32)[4]").isDynamic)
        #expect(try ABIType(parsing: "(uint8,bytes32)[]").isDynamic)
    }

    // MARK: Encoding

    /// The spec's `baz(uint32,bool)` example: selector 0xcdcd77c0, then 69 and true as words.
    @Test func specExample() throws {
        let data = try ABI.encodeCall("baz(uint32,bool)", [.uint(69), .bool(true)])
        #expect(Hex.encode(data) == "0xcdcd77c0" + String(repeating: "0", count: 62) + "45"
                + String(repeating: "0", count: 63) + "1")
    }

    @Test func encodeErrorsNameThePath() throws {
        func message(_ body: () throws -> [UInt8]) -> String {
            do { _ = try body(); return "no error" } catch { return "\(error)" }
        }
        #expect(message { try ABI.encode([.uint(8)], [.uint(256)]) }.contains("arg 0: 256 does not fit in uint8"))
        #expect(message { try ABI.encode([.uint(8)], [.signed(-1)]) }.contains("negative"))
        #expect(message { try ABI.encode([.int(8)], [.signed(-129)]) }.contains("-129 does not fit in int8"))
        let t = try ABIType(parsing: "(uint256,uint8[])")
        let v = ABIValue.tuple([.uint(1), .array([.uint(1), .uint(2), .uint(300)])])
        #expect(message { try ABI.encode([.bool, t], [.bool(true), v]) }.contains("arg 1.1[2]"))
        let f = try ABIFunction(signature: "f(bool flag, (uint256 a, uint8[] x) s)")
        #expect(message { try ABI.encodeCall(f, [.bool(true), v]) }.contains("arg 1 (s).x[2]"))
        #expect(message { try ABI.encode([.fixedBytes(4)], [.fixedBytes([1, 2])]) }.contains("needs 4 bytes"))
        #expect(message { try ABI.encode([.address], [.string("x")]) }.contains("expected address, got string"))
        #expect(message { try ABI.encode([.fixedArray(.bool, 2)], [.array([.bool(true)])]) }.contains("expected 2"))
        #expect(message { try ABI.encode([.bool], []) }.contains("expected 1"))
    }

    // MARK: Decoding hostile data

    @Test func decodeErrorsNameThePath() throws {
        let f = try ABIFunction(signature: "f(bool flag, (uint256 a, uint8[] x) s)")
        var data = try ABI.encode(f.inputs.map(\.type),
                                  [.bool(true), .tuple([.uint(1), .array([.uint(1), .uint(2), .uint(3)])])])
        data[data.count - 2] = 1  // the last uint8 becomes 0x0103
        do {
            _ = try ABI.decode(f.inputs, from: data)
            Issue.record("dirty uint8 accepted")
        } catch {
            #expect(error.description.contains("arg 1 (s).x[2]"), "\(error)")
            #expect(error.description.contains("uint8"), "\(error)")
        }
    }

    /// Lengths and offsets far beyond the data fail before anything is allocated from them.
    @Test func hugeLengthsFailFast() throws {
        func word(_ v: UInt256) -> [UInt8] { v.bytes }
        let huge = UInt256(l0: 0, l1: 1, l2: 0, l3: 0)
        for type in ["uint256[]", "string[]", "bytes", "(uint8,bytes)[]"] {
            let t = try ABIType(parsing: type)
            #expect(throws: ABIError.self, "\(type)") { try ABI.decode([t], from: word(32) + word(huge)) }
            #expect(throws: ABIError.self, "\(type)") { try ABI.decode([t], from: word(32) + word(UInt256(UInt64(1) << 40))) }
            #expect(throws: ABIError.self, "\(type)") { try ABI.decode([t], from: word(.max) + word(0)) }
        }
    }

    /// Tails shared by many offsets could turn a small input into a huge value; the decoder refuses.
    @Test func sharedTailsCannotAmplify() throws {
        // uint256[][] with 200 inner offsets all pointing at one 200-element array.
        var data = UInt256(32).bytes + UInt256(200).bytes
        for _ in 0..<200 { data += UInt256(200 * 32).bytes }
        data += UInt256(200).bytes
        for i in 0..<200 { data += UInt256(UInt64(i)).bytes }
        let t = try ABIType(parsing: "uint256[][]")
        do {
            _ = try ABI.decode([t], from: data)
            Issue.record("amplified input accepted")
        } catch {
            guard case .invalidData(_, .tooLarge) = error else { Issue.record("wrong error: \(error)"); return }
        }
        // The same shape with a few shared tails (as eth_abi allows) still decodes.
        var small = UInt256(32).bytes + UInt256(2).bytes + UInt256(64).bytes + UInt256(64).bytes
        small += UInt256(1).bytes + UInt256(7).bytes
        #expect(try ABI.decode([t], from: small) == [.array([.array([.uint(7)]), .array([.uint(7)])])])
    }

    @Test func decodeCallChecksTheSelector() throws {
        let f = try ABIFunction(signature: "transfer(address,uint256)")
        let data = try ABI.encodeCall(f, [.address(.zero), .uint(5)])
        #expect(try ABI.decodeCall(f, from: data) == [.address(.zero), .uint(5)])
        let other = try ABIFunction(signature: "approve(address,uint256)")
        #expect(throws: ABIError.self) { try ABI.decodeCall(other, from: data) }
        #expect(throws: ABIError.self) { try ABI.decodeCall(f, from: [0xa9, 0x05]) }
    }

    // MARK: Signatures

    @Test func signatureForms() throws {
        let bal = try ABIFunction(signature: "balanceOf(address)(uint256)")
        #expect(bal.signature == "balanceOf(address)")
        #expect(bal.outputs.map(\.type) == [.uint(256)])
        #expect(bal.selector.description == "0x70a08231")
        #expect(bal.description == "balanceOf(address)(uint256)")

        let t = try ABIFunction(signature: "function transfer(address to, uint256 amount) external returns (bool)")
        #expect(t.signature == "transfer(address,uint256)")
        #expect(t.inputs.map(\.name) == ["to", "amount"])
        #expect(t.outputs.map(\.type) == [.bool])

        let n = try ABIFunction(signature: "f((uint256 a, address payable b)[] memory items, string calldata s) view")
        #expect(n.signature == "f((uint256,address)[],string)")
        #expect(n.inputs[0].components.map(\.name) == ["a", "b"])
        #expect(n.stateMutability == .view)
        #expect(try ABIFunction(signature: "g(tuple(uint256,bool)[2] x)").signature == "g((uint256,bool)[2])")
        #expect(try ABIFunction(signature: "  h( uint , int ) ").signature == "h(uint256,int256)")

        let ev = try ABIEvent(signature: "event Transfer(address indexed from, address indexed to, uint256 value)")
        #expect(ev.inputs.map(\.indexed) == [true, true, false])
        #expect(ev.topic0.hex == "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef")
        #expect(try ABIEvent(signature: "Ping(uint256 indexed) anonymous").anonymous)
        #expect(throws: ABIError.self) { try ABIEvent(signature: "Ping(uint256) view") }
        #expect(throws: ABIError.self) { try ABIErrorDefinition(signature: "error Oops() anonymous") }

        for bad in ["transfer(address", "(uint256)", "f(uint7)", "f(uint256 a b)", "f(uint256)(bool)(bool)",
                    "event E(uint256)", "f(()) ", "f(uint256[x])", "f(,)", "f(uint256) garbage"] {
            #expect(throws: ABIError.self, "\(bad)") { try ABIFunction(signature: bad) }
        }
    }

    // MARK: Events and reverts

    @Test func eventDecodingErrors() throws {
        let ev = try ABIEvent(signature: "Transfer(address indexed from, address indexed to, uint256 value)")
        let from = try Address(hex: "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266")
        let topics = try ev.topics([.address(from), .address(.zero), .uint(1)])
        let data = try ABI.encode([.uint(256)], [.uint(1)])
        let fields = try ev.decode(topics: topics, data: data)
        #expect(fields.map(\.value) == [.value(.address(from)), .value(.address(.zero)), .value(.uint(1))])
        #expect(throws: ABIError.self) { try ev.decode(topics: Array(topics.prefix(2)), data: data) }
        #expect(throws: ABIError.self) { try ev.decode(topics: [topics[1], topics[1], topics[2]], data: data) }
        var dirty = topics
        dirty[1] = Bytes32(w0: 1, w1: dirty[1].w1, w2: dirty[1].w2, w3: dirty[1].w3)
        do {
            _ = try ev.decode(topics: dirty, data: data)
            Issue.record("dirty address topic accepted")
        } catch {
            #expect(error.description.contains("arg 0 (from)"), "\(error)")
        }
    }

    @Test func revertReasons() throws {
        #expect(try ABI.decodeRevert([]) == .empty)
        #expect(try ABI.decodeRevert([1, 2, 3, 4, 5]) == .unknown([1, 2, 3, 4, 5]))
        let panic = try ABI.decodeRevert(ABIErrorDefinition.panic.selector.bytes + UInt256(0x11).bytes)
        #expect(panic == .panic(0x11))
        #expect(panic.description.contains("overflow"))
        // Error(string) whose offset points nowhere is an error, not a silent unknown.
        let broken = ABIErrorDefinition.errorString.selector.bytes + UInt256(0x1000).bytes
        #expect(throws: ABIError.self) { try ABI.decodeRevert(broken) }
        #expect(ABIErrorDefinition.errorString.selector.description == "0x08c379a0")
        #expect(ABIErrorDefinition.panic.selector.description == "0x4e487b71")
    }

    // MARK: JSON ABI

    @Test func jsonLookupsAndErrors() throws {
        let json = """
        [{"type":"function","name":"transfer","inputs":[{"name":"to","type":"address"},{"name":"v","type":"uint256"}],
          "outputs":[{"name":"","type":"bool"}],"stateMutability":"nonpayable"},
         {"type":"function","name":"transfer","inputs":[{"name":"to","type":"address"}],"outputs":[]},
         {"name":"noType","inputs":[]},
         {"type":"event","name":"E","inputs":[{"name":"s","type":"tuple[]","indexed":true,
          "components":[{"name":"a","type":"uint8"}]}],"anonymous":false},
         {"type":"error","name":"Oops","inputs":[]},
         {"type":"receive","stateMutability":"payable"}]
        """
        let c = try ABIContract(json: json)
        #expect(c.functions.count == 3)
        #expect(c.hasReceive)
        do {
            _ = try c.function("transfer")
            Issue.record("ambiguous name accepted")
        } catch {
            #expect(error == .ambiguous("transfer", candidates: ["transfer(address,uint256)", "transfer(address)"]))
        }
        #expect(try c.function("transfer(address to, uint256 v)").outputs.map(\.type) == [.bool])
        #expect(try c.function("noType").signature == "noType()")
        #expect(try c.event("E").signature == "E((uint8)[])")
        #expect(try c.event("E").inputs[0].indexed)
        #expect(try c.error("Oops").selector == ABISelector(signature: "Oops()"))
        #expect(throws: ABIError.self) { try c.function("missing") }
        let call = try c.encodeCall("transfer(address)", [.address(.zero)])
        #expect(try c.decodeCall(call).0.signature == "transfer(address)")
        #expect(try c.decodeCall(call).1.first?.address == .zero)
        let out = try c.decodeOutput("transfer(address,uint256)", from: ABI.encode([.bool], [.bool(true)]))
        #expect(out.first?.bool == true)
        #expect(throws: ABIError.self) { try c.encodeCall("transfer", [.address(.zero)]) }

        let bad: [(String, String)] = [
            ("not json", "not JSON"), ("{}", "expected an array"), ("[1]", "not an object"),
            (#"[{"type":"function","name":"f","inputs":[{"name":"x"}]}]"#, "missing 'type'"),
            (#"[{"type":"function","name":"f","inputs":[{"name":"x","type":"tuple"}]}]"#, "without 'components'"),
            (#"[{"type":"function","name":"f","inputs":[{"name":"x","type":"uint7"}]}]"#, "uint7"),
            (#"[{"type":"function","inputs":[]}]"#, "missing 'name'"),
            (#"[{"type":"widget","name":"w"}]"#, "unknown entry type"),
            (#"[{"type":"function","name":"f","stateMutability":"sometimes"}]"#, "stateMutability"),
        ]
        for (text, fragment) in bad {
            do {
                _ = try ABIContract(json: text)
                Issue.record("'\(text)' accepted")
            } catch {
                #expect(error.description.contains(fragment), "\(text): \(error)")
            }
        }
    }

    // MARK: Command-line text

    @Test func parsesArgumentText() throws {
        func parse(_ text: String, _ type: String) throws -> ABIValue {
            try ABI.parseArgument(text, as: try ABIType(parsing: type))
        }
        #expect(try parse("255", "uint8") == .uint(255))
        #expect(try parse("0xff", "uint8") == .uint(255))
        #expect(try parse("-128", "int8") == .signed(-128))
        #expect(try parse("-0x80", "int8") == .signed(-128))
        #expect(try parse("127", "int8") == .signed(127))
        let minInt256 = "-57896044618658097711785492504343953926634992332820282019728792003956564819968"
        #expect(try parse(minInt256, "int256") == .int(UInt256(l0: 0, l1: 0, l2: 0, l3: 1 << 63)))
        #expect(try parse("true", "bool") == .bool(true))
        #expect(try parse("0x", "bytes") == .bytes([]))
        #expect(try parse("0x01020304", "bytes4") == .fixedBytes([1, 2, 3, 4]))
        #expect(try parse("hello, world", "string") == .string("hello, world"))
        #expect(try parse("[1, 2,3]", "uint256[]") == .array([.uint(1), .uint(2), .uint(3)]))
        #expect(try parse("[]", "uint256[]") == .array([]))
        #expect(try parse("[[1],[2,3]]", "uint8[][]") == .array([.array([.uint(1)]), .array([.uint(2), .uint(3)])]))
        #expect(try parse(#"(1, "a,b]", [true,false])"#, "(uint256,string,bool[])")
                == .tuple([.uint(1), .string("a,b]"), .array([.bool(true), .bool(false)])]))
        #expect(try parse("[a b, c]", "string[]") == .array([.string("a b"), .string("c")]))

        let bad: [(String, String, String)] = [
            ("256", "uint8", "does not fit"), ("-1", "uint8", "negative"), ("0x100", "uint8", "does not fit"),
            ("-129", "int8", "does not fit"), ("128", "int8", "does not fit"),
            ("-" + UInt256.max.description, "int256", "does not fit"), ("12a", "uint256", "invalid digit"),
            ("0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266".replacingOccurrences(of: "f39f", with: "F39f"), "address",
             "checksum"),
            ("0x1234", "address", "20 bytes"), ("yes", "bool", "'true' or 'false'"), ("0x0102", "bytes4", "exactly 4"),
            ("0xabc", "bytes", "odd"), ("[1,2", "uint256[]", "expected"), ("[1,2]", "uint256[3]", "expected 3"),
            ("(1)", "(uint256,bool)", "expected 2"), (#"["a]"#, "string[]", "unterminated"),
            ("[1,[2]", "uint256[][]", "unbalanced"),
        ]
        for (text, type, fragment) in bad {
            do {
                _ = try parse(text, type)
                Issue.record("'\(text)' accepted as \(type)")
            } catch {
                #expect("\(error)".contains(fragment), "'\(text)' as \(type): \(error)")
            }
        }
        let f = try ABIFunction(signature: "transfer(address to, uint256 amount)")
        do {
            _ = try ABI.parseArguments(["0x0000000000000000000000000000000000000000", "-5"], for: f.inputs)
            Issue.record("negative amount accepted")
        } catch {
            #expect(error.description.contains("arg 1 (amount)"), "\(error)")
        }
    }

    @Test func formatsValues() throws {
        #expect(ABI.format(.signed(-1)) == "-1")
        #expect(ABI.format(.uint(.max)) == UInt256.max.description)
        let a = try Address(hex: "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266")
        #expect(ABI.format(.address(a)) == "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266")
        #expect(ABI.format(.string("a \"b\"")) == "a \"b\"")
        let nested = ABIValue.tuple([.string("a \"b\"\n, c"), .array([.bytes([0xab]), .bytes([])]), .bool(false)])
        #expect(ABI.format(nested) == #"("a \"b\"\n, c", [0xab, 0x], false)"#)
        let t = try ABIType(parsing: "(string,bytes[],bool)")
        #expect(try ABI.parseArgument(ABI.format(nested), as: t) == nested)
    }
}
