import Primitives

extension EVM where H == JournaledState {
    /// `execute` for the journaled state: the whole interpreter is specialised for it in this module, so
    /// host calls are direct rather than through the protocol's witness table.
    public func execute(_ msg: Message) -> ExecResult { executeMessage(msg) }
}

extension EVM {
    /// Executes a message (call or creation) as a new frame, with its own snapshot: on revert or
    /// exceptional halt the frame's state changes are undone (and on a halt its gas is consumed).
    public func execute(_ msg: Message) -> ExecResult { executeMessage(msg) }

    func executeMessage(_ msg: Message) -> ExecResult {
        switch msg.kind {
        case .create, .create2: return executeCreate(msg, address: msg.target)
        default: return executeCall(msg)
        }
    }

    func executeCall(_ msg: Message) -> ExecResult {
        if msg.depth > Gas.callDepthLimit { return ExecResult(halt: .callDepthExceeded, gasLeft: msg.gas) }
        let transfers = msg.kind == .call && !msg.value.isZero
        if (msg.kind == .call || msg.kind == .callCode) && host.balance(msg.caller) < msg.value {
            return ExecResult(halt: .insufficientBalance, gasLeft: msg.gas)
        }
        let snap = host.snapshot()
        let precompile = msg.codeAddress.isPrecompile
        if msg.kind == .call {
            if !host.exists(msg.target) && !precompile && !transfers {
                // Nothing to run and nothing to create (EIP-161): a successful no-op.
                return ExecResult(halt: .stop, gasLeft: msg.gas)
            }
            _ = host.transfer(from: msg.caller, to: msg.target, value: msg.value)
        } else if msg.kind == .staticCall {
            host.touch(msg.target)
        }
        var result: ExecResult
        if precompile {
            result = runPrecompile(msg.codeAddress, msg.input, gas: msg.gas)
        } else {
            let code = analyzed(msg.codeAddress)
            if code.count == 0 { return ExecResult(halt: .stop, gasLeft: msg.gas) }
            result = run(code, msg)
        }
        if !result.isSuccess {
            host.revert(to: snap)
            if result.halt != .reverted { result.gasLeft = 0; result.output = [] }
        }
        return result
    }

    /// Runs a creation to `address` (computed by the caller; the caller's nonce is already handled).
    func executeCreate(_ msg: Message, address: Address) -> ExecResult {
        if msg.depth > Gas.callDepthLimit { return ExecResult(halt: .callDepthExceeded, gasLeft: msg.gas) }
        if host.balance(msg.caller) < msg.value { return ExecResult(halt: .insufficientBalance, gasLeft: msg.gas) }
        _ = host.warmAccount(address)
        if host.nonce(address) != 0 || host.codeHash(address) != emptyCodeHash || host.hasStorage(address) {
            return ExecResult(halt: .createCollision, gasLeft: 0)
        }
        let snap = host.snapshot()
        host.createContract(address)
        _ = host.transfer(from: msg.caller, to: address, value: msg.value)
        var frameMsg = msg
        frameMsg.target = address
        frameMsg.codeAddress = address
        let initcode = AnalyzedCode(msg.input)
        frameMsg.input = []
        var result = run(initcode, frameMsg)
        if result.isSuccess {
            let code = result.output
            var halt: Halt? = nil
            if code.count > Gas.maxCodeSize {
                halt = .codeSizeExceeded
            } else if code.first == 0xef {
                halt = .invalidCodePrefix
            } else if result.gasLeft < Gas.codeDeposit * code.count {
                halt = .outOfGas
            }
            if let halt {
                host.revert(to: snap)
                return ExecResult(halt: halt, gasLeft: 0)
            }
            result.gasLeft -= Gas.codeDeposit * code.count
            host.setCode(address, code)
            result.output = []
            result.createdAddress = address
            return result
        }
        host.revert(to: snap)
        if result.halt != .reverted { result.gasLeft = 0; result.output = [] }
        return result
    }

    /// CREATE / CREATE2 opcodes.
    func create(_ f: inout Frame, _ msg: Message, create2: Bool) -> Halt? {
        if msg.isStatic { return .staticStateChange }
        let value = f.pop(), off = f.pop(), len = f.pop()
        let salt = create2 ? f.pop() : .zero
        guard let (o, l) = f.expand(off, len) else { return .outOfGas }
        if l > Gas.maxInitcodeSize { return .outOfGas }
        var cost = Gas.initcodeWord * Frame.words(l)
        if create2 { cost += Gas.keccakWord * Frame.words(l) }
        if !f.charge(cost) { return .outOfGas }
        let initcode = f.mem.bytes(o, l)
        f.returnData = []
        let callGas = f.gas - f.gas / 64
        // Depth and balance failures return the gas without touching the nonce.
        if msg.depth + 1 > Gas.callDepthLimit || host.balance(msg.target) < value {
            f.push(.zero)
            return nil
        }
        let nonce = host.nonce(msg.target)
        if nonce == UInt64.max { f.push(.zero); return nil }
        host.setNonce(msg.target, nonce + 1)
        let address = create2
            ? Address.create2(sender: msg.target, salt: salt, initcodeHash: Keccak256.hash(initcode))
            : Address.create(sender: msg.target, nonce: nonce)
        f.gas -= callGas
        let sub = Message(kind: create2 ? .create2 : .create, caller: msg.target, target: address, value: value,
                          input: initcode, gas: callGas, depth: msg.depth + 1)
        let r = executeCreate(sub, address: address)
        f.gas += r.gasLeft
        if r.isSuccess {
            f.push(address.stackWord)
        } else {
            if r.halt == .reverted { f.returnData = r.output }
            f.push(.zero)
        }
        return nil
    }

    /// CALL, CALLCODE, DELEGATECALL, STATICCALL.
    func call(_ f: inout Frame, _ msg: Message, _ op: UInt8) -> Halt? {
        let gasReq = f.pop()
        let to = Address(stackWord: f.pop())
        let value = (op == 0xf1 || op == 0xf2) ? f.pop() : .zero
        let inOff = f.pop(), inLen = f.pop(), outOff = f.pop(), outLen = f.pop()
        if op == 0xf1 && msg.isStatic && !value.isZero { return .staticStateChange }
        guard let (io, il) = f.expand(inOff, inLen), let (oo, ol) = f.expand(outOff, outLen) else { return .outOfGas }
        var cost = host.warmAccount(to) ? Gas.coldAccountAccess : Gas.warmAccess
        if !value.isZero {
            cost += Gas.callValue
            if op == 0xf1 && host.isEmpty(to) { cost += Gas.newAccount }
        }
        if !f.charge(cost) { return .outOfGas }
        let avail = f.gas - f.gas / 64
        var callGas = gasReq.fitsUInt64 && gasReq.l0 < UInt64(avail) ? Int(gasReq.l0) : avail
        f.gas -= callGas
        if !value.isZero { callGas += Gas.callStipend }
        let input = f.mem.bytes(io, il)
        var sub: Message
        switch op {
        case 0xf1:
            sub = Message(kind: .call, caller: msg.target, target: to, value: value, input: input, gas: callGas,
                          isStatic: msg.isStatic, depth: msg.depth + 1)
        case 0xf2:
            sub = Message(kind: .callCode, caller: msg.target, target: msg.target, codeAddress: to, value: value,
                          input: input, gas: callGas, isStatic: msg.isStatic, depth: msg.depth + 1)
        case 0xf4:
            sub = Message(kind: .delegateCall, caller: msg.caller, target: msg.target, codeAddress: to,
                          value: msg.value, input: input, gas: callGas, isStatic: msg.isStatic, depth: msg.depth + 1)
        default:
            sub = Message(kind: .staticCall, caller: msg.target, target: to, input: input, gas: callGas,
                          isStatic: true, depth: msg.depth + 1)
        }
        let r = executeCall(sub)
        f.gas += r.gasLeft
        f.returnData = r.output
        if ol > 0 && !r.output.isEmpty {
            let n = min(ol, r.output.count)
            r.output.withUnsafeBytes { (f.mem.ptr! + oo).copyMemory(from: $0.baseAddress!, byteCount: n) }
        }
        f.push(r.isSuccess ? .one : .zero)
        return nil
    }
}
