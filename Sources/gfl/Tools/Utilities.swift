import ArgumentParser
import Primitives

/// `gfl keccak TEXT`: Keccak-256 of text, or of bytes when the input is 0x-hex (like `cast keccak`).
struct KeccakCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keccak",
        abstract: "Keccak-256 hash of a string, or of bytes given as 0x-hex.",
        discussion: "Example: gfl keccak 'Transfer(address,address,uint256)'")

    @Argument(help: "Text to hash; 0x-prefixed input is read as hex bytes.") var input: String

    func run() throws {
        let bytes: [UInt8] = input.hasPrefix("0x") ? try Hex.decode(input) : Array(input.utf8)
        print(Keccak256.hash(bytes).hex)
    }
}

/// `gfl sig 'transfer(address,uint256)'`: the 4-byte function selector.
struct SigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sig",
        abstract: "Function selector of a signature.",
        discussion: "Example: gfl sig 'transfer(address,uint256)'  →  0xa9059cbb")

    @Argument(help: "A function signature such as 'balanceOf(address)' (output types in a second pair of parentheses are ignored).")
    var signature: String

    func run() throws {
        print(try ABIFunction(signature: signature).selector.description)
    }
}

/// `gfl abi encode|decode`.
struct ABICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "abi",
        abstract: "Encode and decode Ethereum ABI data.",
        subcommands: [Encode.self, Decode.self])

    struct Encode: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "ABI-encode arguments for a function signature (with its selector unless --no-selector).",
            discussion: "Example: gfl abi encode 'transfer(address,uint256)' 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266 100")

        @Argument(help: "Function signature, e.g. 'transfer(address,uint256)'.") var signature: String
        @Argument(help: "Arguments as text: numbers (decimal or 0x), addresses, true/false, 0x-bytes, strings, [a,b], (a,b).")
        var arguments: [String] = []
        @Flag(help: "Encode the arguments only, without the 4-byte selector.") var noSelector = false

        func run() throws {
            let function = try ABIFunction(signature: signature)
            guard arguments.count == function.inputs.count else {
                throw ValidationError("\(function.signature) takes \(function.inputs.count) argument(s), got \(arguments.count)")
            }
            let values = try ABI.parseArguments(arguments, for: function.inputs)
            let data = noSelector ? try ABI.encode(function.inputs.map(\.type), values)
                                  : try ABI.encodeCall(function, values)
            print(Hex.encode(data))
        }
    }

    struct Decode: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Decode ABI data: return data by the output types, or calldata with --input.",
            discussion: """
            Example: gfl abi decode 'balanceOf(address)(uint256)' 0x…32 bytes…
                     gfl abi decode --input 'transfer(address,uint256)' 0xa9059cbb…
            """)

        @Argument(help: "Signature with output types, e.g. 'balanceOf(address)(uint256)'.") var signature: String
        @Argument(help: "0x-hex data.") var data: String
        @Flag(help: "Decode calldata (selector + inputs) instead of return data.") var input = false

        func run() throws {
            let function = try ABIFunction(signature: signature)
            let bytes = try Hex.decode(data)
            let values = input ? try ABI.decodeCall(function, from: bytes) : try ABI.decodeOutput(function, from: bytes)
            for v in values { print(ABI.format(v)) }
        }
    }
}

/// `gfl to-wei 1.5 ether`.
struct ToWei: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "to-wei", abstract: "Convert an amount to wei.", discussion: "Example: gfl to-wei 1.5 ether")
    @Argument(help: "Amount, e.g. 1.5 or 1.5ether.") var amount: String
    @Argument(help: "Unit: wei, gwei, ether, … (default ether).") var unit: String = "ether"

    func run() throws {
        guard let u = EtherUnit(rawValue: unit.lowercased()) else { throw AmountError.unknownUnit(unit) }
        print(try Units.parse(amount, defaultUnit: u).description)
    }
}

/// `gfl from-wei 1500000000000000000 ether`.
struct FromWei: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "from-wei", abstract: "Convert wei to a unit.", discussion: "Example: gfl from-wei 1500000000000000000")
    @Argument(help: "Amount in wei (decimal or 0x).") var wei: String
    @Argument(help: "Unit: wei, gwei, ether, … (default ether).") var unit: String = "ether"

    func run() throws {
        guard let u = EtherUnit(rawValue: unit.lowercased()) else { throw AmountError.unknownUnit(unit) }
        print(Units.format(try UInt256(parsing: wei), unit: u))
    }
}
