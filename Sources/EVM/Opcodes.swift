/// Opcode mnemonics, kept with the fork tables.

/// Mnemonics of the Cancun opcodes: struct-log traces, the disassembler.
public enum Opcodes {
    public static let table: [UInt8: String] = {
        var t: [UInt8: String] = [:]
        let named: [(UInt8, String)] = [
            (0x00, "STOP"), (0x01, "ADD"), (0x02, "MUL"), (0x03, "SUB"), (0x04, "DIV"), (0x05, "SDIV"), (0x06, "MOD"),
            (0x07, "SMOD"), (0x08, "ADDMOD"), (0x09, "MULMOD"), (0x0a, "EXP"), (0x0b, "SIGNEXTEND"), (0x10, "LT"),
            (0x11, "GT"), (0x12, "SLT"), (0x13, "SGT"), (0x14, "EQ"), (0x15, "ISZERO"), (0x16, "AND"), (0x17, "OR"),
            (0x18, "XOR"), (0x19, "NOT"), (0x1a, "BYTE"), (0x1b, "SHL"), (0x1c, "SHR"), (0x1d, "SAR"), (0x20, "KECCAK256"),
            (0x30, "ADDRESS"), (0x31, "BALANCE"), (0x32, "ORIGIN"), (0x33, "CALLER"), (0x34, "CALLVALUE"),
            (0x35, "CALLDATALOAD"), (0x36, "CALLDATASIZE"), (0x37, "CALLDATACOPY"), (0x38, "CODESIZE"), (0x39, "CODECOPY"),
            (0x3a, "GASPRICE"), (0x3b, "EXTCODESIZE"), (0x3c, "EXTCODECOPY"), (0x3d, "RETURNDATASIZE"),
            (0x3e, "RETURNDATACOPY"), (0x3f, "EXTCODEHASH"), (0x40, "BLOCKHASH"), (0x41, "COINBASE"), (0x42, "TIMESTAMP"),
            (0x43, "NUMBER"), (0x44, "PREVRANDAO"), (0x45, "GASLIMIT"), (0x46, "CHAINID"), (0x47, "SELFBALANCE"),
            (0x48, "BASEFEE"), (0x49, "BLOBHASH"), (0x4a, "BLOBBASEFEE"), (0x50, "POP"), (0x51, "MLOAD"), (0x52, "MSTORE"),
            (0x53, "MSTORE8"), (0x54, "SLOAD"), (0x55, "SSTORE"), (0x56, "JUMP"), (0x57, "JUMPI"), (0x58, "PC"),
            (0x59, "MSIZE"), (0x5a, "GAS"), (0x5b, "JUMPDEST"), (0x5c, "TLOAD"), (0x5d, "TSTORE"), (0x5e, "MCOPY"),
            (0x5f, "PUSH0"), (0xf0, "CREATE"), (0xf1, "CALL"), (0xf2, "CALLCODE"), (0xf3, "RETURN"), (0xf4, "DELEGATECALL"),
            (0xf5, "CREATE2"), (0xfa, "STATICCALL"), (0xfd, "REVERT"), (0xfe, "INVALID"), (0xff, "SELFDESTRUCT"),
        ]
        for (k, v) in named { t[k] = v }
        for i in 0..<32 { t[UInt8(0x60 + i)] = "PUSH\(i + 1)" }
        for i in 0..<16 { t[UInt8(0x80 + i)] = "DUP\(i + 1)"; t[UInt8(0x90 + i)] = "SWAP\(i + 1)" }
        for i in 0..<5 { t[UInt8(0xa0 + i)] = "LOG\(i)" }
        return t
    }()

    /// The mnemonic of `op`, or a note that it is undefined.
    public static func name(_ op: UInt8) -> String { table[op] ?? "opcode 0x\(String(op, radix: 16)) not defined" }

    /// Number of immediate bytes after `op` (PUSH1…PUSH32).
    public static func immediateCount(_ op: UInt8) -> Int { op >= 0x60 && op <= 0x7f ? Int(op - 0x5f) : 0 }

    /// Disassembles bytecode into (offset, mnemonic, immediate bytes); a PUSH cut off by the end of the code
    /// keeps the bytes that are there.
    public static func disassemble(_ code: [UInt8]) -> [(offset: Int, name: String, immediate: [UInt8])] {
        var out: [(Int, String, [UInt8])] = []
        var pc = 0
        while pc < code.count {
            let op = code[pc]
            let n = immediateCount(op)
            let imm = Array(code[min(pc + 1, code.count)..<min(pc + 1 + n, code.count)])
            out.append((pc, table[op] ?? "INVALID(0x\(String(op, radix: 16)))", imm))
            pc += 1 + n
        }
        return out
    }
}
