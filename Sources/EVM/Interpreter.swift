import Primitives

/// The Cancun interpreter over a `Host`. One instance runs one transaction's frames (it caches analysed
/// code by code hash and pools stack buffers across frames).
public final class EVM<H: Host> {
    public let host: H
    public let block: BlockEnv
    public var tx: TxEnv
    /// Optional EIP-3155-style tracer, called before each instruction.
    public var tracer: ((_ pc: Int, _ op: UInt8, _ gas: Int, _ stack: [UInt256], _ depth: Int) -> Void)?

    var codeCache: [Hash32: AnalyzedCode] = [:]
    var stackPool: [UnsafeMutablePointer<UInt256>] = []
    /// Memory buffers of finished frames, reused so deep call chains do not fault in fresh pages.
    var memoryPool: [(UnsafeMutableRawPointer, Int)] = []

    public init(host: H, block: BlockEnv, tx: TxEnv) {
        self.host = host; self.block = block; self.tx = tx
    }

    deinit {
        for s in stackPool { s.deallocate() }
        for (p, _) in memoryPool { p.deallocate() }
    }

    func acquireStack() -> UnsafeMutablePointer<UInt256> {
        stackPool.popLast() ?? .allocate(capacity: Gas.stackLimit)
    }

    func analyzed(_ addr: Address) -> AnalyzedCode {
        let h = host.codeHash(addr)
        if let c = codeCache[h] { return c }
        let c = AnalyzedCode(host.code(addr))
        codeCache[h] = c
        return c
    }

    /// Runs `code` for `msg` until it halts. State changes are not reverted here; callers do that.
    func run(_ code: AnalyzedCode, _ msg: Message) -> ExecResult {
        // Two copies of the loop: the untraced one has no per-instruction tracer test.
        tracer == nil ? runLoop(code, msg, tracing: false) : runLoop(code, msg, tracing: true)
    }

    @inline(__always)
    func runLoop(_ code: AnalyzedCode, _ msg: Message, tracing: Bool) -> ExecResult {
        let stack = acquireStack()
        var f = Frame(gas: msg.gas, stack: stack)
        if let (p, cap) = memoryPool.popLast() { f.mem.ptr = p; f.mem.capacity = cap }
        defer {
            if let p = f.mem.ptr { memoryPool.append((p, f.mem.capacity)) }
            stackPool.append(stack)
        }
        let bytes = code.bytes
        let table = OpTable.cancun
        let infoTable = table.info
        var pc = 0

        @inline(__always) func fail(_ h: Halt) -> ExecResult { ExecResult(halt: h, gasLeft: 0) }

        while true {
            let opByte = bytes[pc]
            let op = Int(opByte)
            let info = infoTable[op]
            if tracing, let tracer {
                tracer(pc, opByte, f.gas, (0..<f.top).map { stack[$0] }, msg.depth + 1)
            }
            // One unsigned compare covers both underflow and overflow.
            let minS = Int(info.minStack), maxS = Int(info.maxStack)
            if UInt(bitPattern: f.top &- minS) > UInt(bitPattern: maxS &- minS) {
                if info.gas < 0 { return fail(.invalidOpcode(opByte)) }
                return fail(f.top < minS ? .stackUnderflow : .stackOverflow)
            }
            if info.gas < 0 { return fail(.invalidOpcode(opByte)) }
            f.gas &-= Int(info.gas)
            if f.gas < 0 { return fail(.outOfGas) }

            switch opByte {
            case 0x00:
                return ExecResult(halt: .stop, gasLeft: f.gas)
            case 0x01: let a = f.pop(); stack[f.top - 1] = UInt256.evmAdd(a, stack[f.top - 1])
            case 0x02: let a = f.pop(); stack[f.top - 1] = UInt256.evmMul(a, stack[f.top - 1])
            case 0x03: let a = f.pop(); stack[f.top - 1] = UInt256.evmSub(a, stack[f.top - 1])
            case 0x04: let a = f.pop(); stack[f.top - 1] = UInt256.evmDivMod(a, stack[f.top - 1]).0
            case 0x05: let a = f.pop(); stack[f.top - 1] = UInt256.evmSDiv(a, stack[f.top - 1])
            case 0x06: let a = f.pop(); stack[f.top - 1] = UInt256.evmDivMod(a, stack[f.top - 1]).1
            case 0x07: let a = f.pop(); stack[f.top - 1] = UInt256.evmSMod(a, stack[f.top - 1])
            case 0x08:
                let a = f.pop(), b = f.pop()
                stack[f.top - 1] = UInt256.evmAddMod(a, b, stack[f.top - 1])
            case 0x09:
                let a = f.pop(), b = f.pop()
                stack[f.top - 1] = UInt256.evmMulMod(a, b, stack[f.top - 1])
            case 0x0a:
                let a = f.pop(), e = stack[f.top - 1]
                if !f.charge(Gas.expByte * e.byteWidth) { return fail(.outOfGas) }
                stack[f.top - 1] = UInt256.evmExp(a, e)
            case 0x0b: let b = f.pop(); stack[f.top - 1] = UInt256.evmSignExtend(b, stack[f.top - 1])
            case 0x10: let a = f.pop(); stack[f.top - 1] = a < stack[f.top - 1] ? .one : .zero
            case 0x11: let a = f.pop(); stack[f.top - 1] = stack[f.top - 1] < a ? .one : .zero
            case 0x12: let a = f.pop(); stack[f.top - 1] = UInt256.evmSlt(a, stack[f.top - 1]) ? .one : .zero
            case 0x13: let a = f.pop(); stack[f.top - 1] = UInt256.evmSlt(stack[f.top - 1], a) ? .one : .zero
            case 0x14: let a = f.pop(); stack[f.top - 1] = a == stack[f.top - 1] ? .one : .zero
            case 0x15: stack[f.top - 1] = stack[f.top - 1].isZero ? .one : .zero
            case 0x16: let a = f.pop(); stack[f.top - 1] = a & stack[f.top - 1]
            case 0x17: let a = f.pop(); stack[f.top - 1] = a | stack[f.top - 1]
            case 0x18: let a = f.pop(); stack[f.top - 1] = a ^ stack[f.top - 1]
            case 0x19: stack[f.top - 1] = ~stack[f.top - 1]
            case 0x1a: let i = f.pop(); stack[f.top - 1] = UInt256.evmByte(i, stack[f.top - 1])
            case 0x1b: let s = f.pop(); stack[f.top - 1] = stack[f.top - 1].evmShl(s.shiftAmount)
            case 0x1c: let s = f.pop(); stack[f.top - 1] = stack[f.top - 1].evmShr(s.shiftAmount)
            case 0x1d: let s = f.pop(); stack[f.top - 1] = stack[f.top - 1].evmSar(s.shiftAmount)
            case 0x20:
                let off = f.pop(), len = stack[f.top - 1]
                guard let (o, l) = f.expand(off, len), f.charge(Gas.keccakWord * Frame.words(l)) else {
                    return fail(.outOfGas)
                }
                let h = l == 0 ? emptyCodeHash : Keccak256.hash(UnsafeRawBufferPointer(start: f.mem.ptr! + o, count: l))
                stack[f.top - 1] = UInt256(word: h)
            case 0x30: f.push(msg.target.stackWord)
            case 0x31:
                let a = Address(stackWord: stack[f.top - 1])
                if !f.charge(host.warmAccount(a) ? Gas.coldAccountAccess : Gas.warmAccess) { return fail(.outOfGas) }
                stack[f.top - 1] = host.balance(a)
            case 0x32: f.push(tx.origin.stackWord)
            case 0x33: f.push(msg.caller.stackWord)
            case 0x34: f.push(msg.value)
            case 0x35:
                let i = stack[f.top - 1]
                let n = msg.input.count
                if i.fitsUInt64 && i.l0 < UInt64(n) {
                    let s = Int(i.l0)
                    stack[f.top - 1] = msg.input.withUnsafeBytes { raw in
                        if s + 32 <= n { return UInt256(word: Bytes32(UnsafeRawBufferPointer(rebasing: raw[s..<(s + 32)]))) }
                        var v = UInt256.zero
                        for k in 0..<(n - s) {
                            let bit = (31 - k) * 8
                            v[limb: bit >> 6] |= UInt64(raw[s + k]) << UInt64(bit & 63)
                        }
                        return v
                    }
                } else {
                    stack[f.top - 1] = .zero
                }
            case 0x36: f.push(UInt256(UInt64(msg.input.count)))
            case 0x37:
                let dst = f.pop(), src = f.pop(), len = f.pop()
                guard let (d, l) = f.expand(dst, len), f.charge(Gas.copyWord * Frame.words(l)) else {
                    return fail(.outOfGas)
                }
                msg.input.withUnsafeBytes { f.copyPadded(to: d, from: $0, offset: src, count: l) }
            case 0x39:
                let dst = f.pop(), src = f.pop(), len = f.pop()
                guard let (d, l) = f.expand(dst, len), f.charge(Gas.copyWord * Frame.words(l)) else {
                    return fail(.outOfGas)
                }
                f.copyPadded(to: d, from: UnsafeRawBufferPointer(start: bytes, count: code.count), offset: src, count: l)
            case 0x3e:
                let dst = f.pop(), src = f.pop(), len = f.pop()
                guard let (d, l) = f.expand(dst, len), f.charge(Gas.copyWord * Frame.words(l)) else {
                    return fail(.outOfGas)
                }
                let (end, o) = src.addingReportingOverflow(len)
                if o || !end.fitsUInt64 || end.l0 > UInt64(f.returnData.count) { return fail(.returnDataOutOfBounds) }
                f.returnData.withUnsafeBytes { f.copyPadded(to: d, from: $0, offset: src, count: l) }
            case 0x38: f.push(UInt256(UInt64(code.count)))
            case 0x3a: f.push(tx.gasPrice)
            case 0x3b:
                let a = Address(stackWord: stack[f.top - 1])
                if !f.charge(host.warmAccount(a) ? Gas.coldAccountAccess : Gas.warmAccess) { return fail(.outOfGas) }
                stack[f.top - 1] = UInt256(UInt64(host.code(a).count))
            case 0x3c:
                let a = Address(stackWord: f.pop())
                let dst = f.pop(), src = f.pop(), len = f.pop()
                if !f.charge(host.warmAccount(a) ? Gas.coldAccountAccess : Gas.warmAccess) { return fail(.outOfGas) }
                guard let (d, l) = f.expand(dst, len), f.charge(Gas.copyWord * Frame.words(l)) else {
                    return fail(.outOfGas)
                }
                if l > 0 { host.code(a).withUnsafeBytes { f.copyPadded(to: d, from: $0, offset: src, count: l) } }
            case 0x3d: f.push(UInt256(UInt64(f.returnData.count)))
            case 0x3f:
                let a = Address(stackWord: stack[f.top - 1])
                if !f.charge(host.warmAccount(a) ? Gas.coldAccountAccess : Gas.warmAccess) { return fail(.outOfGas) }
                stack[f.top - 1] = host.isEmpty(a) ? .zero : UInt256(word: host.codeHash(a))
            case 0x40:
                let n = stack[f.top - 1]
                let cur = block.number
                if n.fitsUInt64 && n.l0 < cur && n.l0 + 256 >= cur {
                    stack[f.top - 1] = UInt256(word: host.blockHash(n.l0))
                } else {
                    stack[f.top - 1] = .zero
                }
            case 0x41: f.push(block.coinbase.stackWord)
            case 0x42: f.push(block.timestamp)
            case 0x43: f.push(UInt256(block.number))
            case 0x44: f.push(block.prevRandao)
            case 0x45: f.push(UInt256(block.gasLimit))
            case 0x46: f.push(block.chainId)
            case 0x47: f.push(host.balance(msg.target))
            case 0x48: f.push(block.baseFee)
            case 0x49:
                let i = stack[f.top - 1]
                stack[f.top - 1] = i.fitsUInt64 && i.l0 < UInt64(tx.blobHashes.count)
                    ? UInt256(word: tx.blobHashes[Int(i.l0)]) : .zero
            case 0x4a: f.push(block.blobBaseFee)
            case 0x50: f.top -= 1
            case 0x51:
                guard let (o, _) = f.expand(stack[f.top - 1], UInt256(32)) else { return fail(.outOfGas) }
                stack[f.top - 1] = f.mem.load(o)
            case 0x52:
                let off = f.pop(), v = f.pop()
                guard let (o, _) = f.expand(off, UInt256(32)) else { return fail(.outOfGas) }
                f.mem.store(o, v)
            case 0x53:
                let off = f.pop(), v = f.pop()
                guard let (o, _) = f.expand(off, .one) else { return fail(.outOfGas) }
                f.mem.ptr!.storeBytes(of: UInt8(truncatingIfNeeded: v.l0), toByteOffset: o, as: UInt8.self)
            case 0x54:
                let k = stack[f.top - 1]
                if !f.charge(host.warmSlot(msg.target, k) ? Gas.coldSload : Gas.warmAccess) { return fail(.outOfGas) }
                stack[f.top - 1] = host.storage(msg.target, k)
            case 0x55:
                if let h = sstore(&f, msg) { return fail(h) }
            case 0x56:
                let d = f.pop()
                if !code.isJumpdest(d) { return fail(.invalidJump) }
                pc = Int(d.l0)
                continue
            case 0x57:
                let d = f.pop(), c = f.pop()
                if !c.isZero {
                    if !code.isJumpdest(d) { return fail(.invalidJump) }
                    pc = Int(d.l0)
                    continue
                }
            case 0x58: f.push(UInt256(UInt64(pc)))
            case 0x59: f.push(UInt256(UInt64(f.mem.size)))
            case 0x5a: f.push(UInt256(UInt64(f.gas)))
            case 0x5b: break
            case 0x5c:
                stack[f.top - 1] = host.transientStorage(msg.target, stack[f.top - 1])
            case 0x5d:
                if msg.isStatic { return fail(.staticStateChange) }
                let k = f.pop(), v = f.pop()
                host.setTransientStorage(msg.target, k, v)
            case 0x5e:
                let dst = f.pop(), src = f.pop(), len = f.pop()
                if !len.isZero {
                    // Expansion covers the larger of the two ranges.
                    let far = dst < src ? src : dst
                    guard let (_, l) = f.expand(far, len), f.charge(Gas.copyWord * Frame.words(l)),
                          let (d, _) = f.expand(dst, len), let (s, _) = f.expand(src, len) else {
                        return fail(.outOfGas)
                    }
                    (f.mem.ptr! + d).copyMemory(from: f.mem.ptr! + s, byteCount: l)
                }
            case 0x5f: f.push(.zero)
            case 0x60:
                f.push(UInt256(UInt64(bytes[pc + 1])))
                pc += 1
            case 0x61...0x7f:
                let n = op - 0x5f
                var v = UInt256.zero
                // Big-endian immediate: fill limbs from the least significant end.
                var end = pc + n
                var limb = 0
                while end > pc {
                    var w: UInt64 = 0
                    let start = max(pc, end - 8)
                    var k = start + 1
                    while k <= end { w = w << 8 | UInt64(bytes[k]); k += 1 }
                    v[limb: limb] = w
                    limb += 1
                    end = start
                }
                f.push(v)
                pc += n
            case 0x80...0x8f:
                f.push(stack[f.top - 1 - (op - 0x80)])
            case 0x90...0x9f:
                let n = op - 0x8f
                let t = stack[f.top - 1]
                stack[f.top - 1] = stack[f.top - 1 - n]
                stack[f.top - 1 - n] = t
            case 0xa0...0xa4:
                if msg.isStatic { return fail(.staticStateChange) }
                let off = f.pop(), len = f.pop()
                var topics: [Hash32] = []
                for _ in 0..<(op - 0xa0) { topics.append(f.pop().word) }
                guard let (o, l) = f.expand(off, len), f.charge(Gas.logData * l) else { return fail(.outOfGas) }
                host.addLog(Log(address: msg.target, topics: topics, data: f.mem.bytes(o, l)))
            case 0xf0, 0xf5:
                if let h = create(&f, msg, create2: opByte == 0xf5) { return fail(h) }
            case 0xf1, 0xf2, 0xf4, 0xfa:
                if let h = call(&f, msg, opByte) { return fail(h) }
            case 0xf3, 0xfd:
                let off = f.pop(), len = f.pop()
                guard let (o, l) = f.expand(off, len) else { return fail(.outOfGas) }
                return ExecResult(halt: opByte == 0xf3 ? .returned : .reverted, gasLeft: f.gas, output: f.mem.bytes(o, l))
            case 0xff:
                if msg.isStatic { return fail(.staticStateChange) }
                let b = Address(stackWord: f.pop())
                var cost = host.warmAccount(b) ? Gas.coldAccountAccess : 0
                if !host.balance(msg.target).isZero && host.isEmpty(b) { cost += Gas.newAccount }
                if !f.charge(cost) { return fail(.outOfGas) }
                host.selfDestruct(msg.target, beneficiary: b)
                return ExecResult(halt: .stop, gasLeft: f.gas)
            default:
                return fail(.invalidOpcode(opByte))
            }
            pc &+= 1
        }
    }

    /// SSTORE with EIP-2200/2929/3529 gas and refunds; returns a halt reason on failure.
    @inline(__always)
    func sstore(_ f: inout Frame, _ msg: Message) -> Halt? {
        if msg.isStatic { return .staticStateChange }
        if f.gas <= Gas.sstoreStipend { return .outOfGas }
        let k = f.pop(), v = f.pop()
        var cost = host.warmSlot(msg.target, k) ? Gas.coldSload : 0
        let current = host.storage(msg.target, k)
        if current == v {
            cost += Gas.warmAccess
        } else {
            let original = host.originalStorage(msg.target, k)
            if original == current {
                cost += original.isZero ? Gas.sstoreSet : Gas.sstoreReset
                if !original.isZero && v.isZero { host.addRefund(Gas.sstoreClearsRefund) }
            } else {
                cost += Gas.warmAccess
                if !original.isZero {
                    if current.isZero { host.addRefund(-Gas.sstoreClearsRefund) }
                    else if v.isZero { host.addRefund(Gas.sstoreClearsRefund) }
                }
                if original == v {
                    host.addRefund(original.isZero ? Gas.sstoreSet - Gas.warmAccess : Gas.sstoreReset - Gas.warmAccess)
                }
            }
        }
        if !f.charge(cost) { return .outOfGas }
        host.setStorage(msg.target, k, v)
        return nil
    }
}
