/// debug_traceTransaction: geth's struct-log tracer (default) and a call tracer (`{"tracer":"callTracer"}`) built
/// from the same instruction stream (frames open at CALL-family/CREATE instructions and close when depth drops).
import Node
import Primitives

enum RPCTrace {
    static func structLogs(_ t: TransactionTrace) -> JSON {
        var logs: [JSON] = []
        logs.reserveCapacity(t.steps.count)
        for (i, s) in t.steps.enumerated() {
            var cost = 0
            if i + 1 < t.steps.count, t.steps[i + 1].depth == s.depth { cost = s.gas - t.steps[i + 1].gas }
            logs.append(.object([
                ("pc", .number(String(s.pc))), ("op", .string(Opcodes.name(s.op))), ("gas", .number(String(s.gas))),
                ("gasCost", .number(String(max(cost, 0)))), ("depth", .number(String(s.depth))),
                ("stack", .array(s.stack.map { .string($0.hexString) })),
            ]))
        }
        return .object([("gas", .number(String(t.gasUsed))), ("failed", .bool(t.failed)),
                        ("returnValue", .string(Hex.encode(t.output, prefix: false))), ("structLogs", .array(logs))])
    }

    /// Nested call frames: type, from, to, value, gas, input; the top frame adds gasUsed, output and error.
    static func callFrames(_ t: TransactionTrace) -> JSON {
        let tx = t.info.tx.transaction
        struct Frame { var members: [(String, JSON)]; var calls: [JSON]; var address: Address }
        let topTo = tx.to ?? t.info.contractAddress ?? Address.create(sender: t.info.sender, nonce: tx.nonce)
        var stack: [Frame] = [Frame(members: [
            ("type", .string(tx.to == nil ? "CREATE" : "CALL")), ("from", .address(t.info.sender)), ("to", .address(topTo)),
            ("value", .quantity(tx.value)), ("gas", .quantity(tx.gasLimit)), ("gasUsed", .quantity(t.gasUsed)),
            ("input", .data(tx.data)), ("output", .data(t.output)),
        ], calls: [], address: topTo)]
        if t.failed { stack[0].members.append(("error", .string(RevertReason.reason(t.output).map { "execution reverted: \($0)" } ?? "execution reverted"))) }
        func close() {
            guard stack.count > 1 else { return }
            let f = stack.removeLast()
            stack[stack.count - 1].calls.append(.object(f.members + (f.calls.isEmpty ? [] : [("calls", .array(f.calls))])))
        }
        for (i, s) in t.steps.enumerated() {
            while stack.count > s.depth { close() }
            let next = i + 1 < t.steps.count ? t.steps[i + 1].depth : 0
            guard next > s.depth else { continue }
            let st = s.stack
            func arg(_ k: Int) -> UInt256 { st.count > k ? st[st.count - 1 - k] : .zero }
            let cur = stack[stack.count - 1].address
            var type = "CALL", to = cur, value = UInt256.zero
            switch s.op {
            case 0xf1: to = Address(word: arg(1).word); value = arg(2)
            case 0xf2: type = "CALLCODE"; value = arg(2)
            case 0xf4: type = "DELEGATECALL"
            case 0xfa: type = "STATICCALL"; to = Address(word: arg(1).word)
            case 0xf0: type = "CREATE"; value = arg(0)
            case 0xf5: type = "CREATE2"; value = arg(0)
            default: continue
            }
            if s.op == 0xf2 || s.op == 0xf4 { to = Address(word: arg(1).word) }
            let frameAddress = (s.op == 0xf2 || s.op == 0xf4) ? cur : to
            stack.append(Frame(members: [("type", .string(type)), ("from", .address(cur)), ("to", .address(to)),
                                         ("value", .quantity(value)), ("gas", .quantity(arg(0).fitsUInt64 ? arg(0).l0 : 0))],
                               calls: [], address: frameAddress))
        }
        while stack.count > 1 { close() }
        let top = stack[0]
        return .object(top.members + (top.calls.isEmpty ? [] : [("calls", .array(top.calls))]))
    }
}

/// Mnemonics of the Cancun opcodes, for struct logs.
enum Opcodes {
    static let table: [UInt8: String] = {
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

    static func name(_ op: UInt8) -> String { table[op] ?? "opcode 0x\(String(op, radix: 16)) not defined" }
}
