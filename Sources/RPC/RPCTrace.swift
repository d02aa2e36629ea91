/// debug_traceTransaction: geth's struct-log tracer (default) and a call tracer (`{"tracer":"callTracer"}`) built
/// from the same instruction stream (frames open at CALL-family/CREATE instructions and close when depth drops).
import EVM
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

