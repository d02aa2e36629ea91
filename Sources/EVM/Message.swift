import Primitives

/// How a frame was entered.
public enum CallKind: UInt8, Sendable {
    case call, callCode, delegateCall, staticCall, create, create2
}

/// Why a frame stopped.
public enum Halt: Equatable, Sendable, CustomStringConvertible {
    case stop, returned, reverted
    case outOfGas, stackUnderflow, stackOverflow, invalidJump, invalidOpcode(UInt8)
    case staticStateChange, returnDataOutOfBounds, callDepthExceeded, insufficientBalance
    case nonceOverflow, createCollision, codeSizeExceeded, invalidCodePrefix, initcodeSizeExceeded
    case precompileFailure

    /// True for normal completion (STOP, RETURN, or a call that did nothing).
    public var isSuccess: Bool { self == .stop || self == .returned }

    public var description: String {
        switch self {
        case .stop: return "stop"
        case .returned: return "return"
        case .reverted: return "execution reverted"
        case .outOfGas: return "out of gas"
        case .stackUnderflow: return "stack underflow"
        case .stackOverflow: return "stack overflow (1024)"
        case .invalidJump: return "invalid jump destination"
        case .invalidOpcode(let op): return "invalid opcode 0x\(String(op, radix: 16))"
        case .staticStateChange: return "state change in a static call"
        case .returnDataOutOfBounds: return "return data out of bounds"
        case .callDepthExceeded: return "call depth exceeded"
        case .insufficientBalance: return "insufficient balance for transfer"
        case .nonceOverflow: return "nonce overflow"
        case .createCollision: return "contract address collision"
        case .codeSizeExceeded: return "max code size exceeded (EIP-170)"
        case .invalidCodePrefix: return "code starts with 0xEF (EIP-3541)"
        case .initcodeSizeExceeded: return "max initcode size exceeded (EIP-3860)"
        case .precompileFailure: return "precompile failed"
        }
    }
}

/// A message call or contract creation to execute.
public struct Message: Sendable {
    public var kind: CallKind
    /// CALLER inside the frame.
    public var caller: Address
    /// The account whose storage and balance the frame works on (ADDRESS).
    public var target: Address
    /// The account whose code runs (differs from `target` for CALLCODE and DELEGATECALL).
    public var codeAddress: Address
    /// CALLVALUE; moved from caller to target only for CALL and creations.
    public var value: UInt256
    public var input: [UInt8]
    public var gas: Int
    public var isStatic: Bool
    public var depth: Int

    public init(kind: CallKind, caller: Address, target: Address, codeAddress: Address? = nil, value: UInt256 = .zero,
                input: [UInt8] = [], gas: Int, isStatic: Bool = false, depth: Int = 0) {
        self.kind = kind; self.caller = caller; self.target = target; self.codeAddress = codeAddress ?? target
        self.value = value; self.input = input; self.gas = gas; self.isStatic = isStatic; self.depth = depth
    }
}

/// The outcome of a frame.
public struct ExecResult: Sendable {
    public var halt: Halt
    public var gasLeft: Int
    public var output: [UInt8]
    /// The new contract's address, for successful creations.
    public var createdAddress: Address?

    public var isSuccess: Bool { halt.isSuccess }

    public init(halt: Halt, gasLeft: Int, output: [UInt8] = [], createdAddress: Address? = nil) {
        self.halt = halt; self.gasLeft = gasLeft; self.output = output; self.createdAddress = createdAddress
    }
}

extension Address {
    /// The low 160 bits of a stack word.
    @inline(__always)
    init(stackWord v: UInt256) { self.init(hi: UInt32(truncatingIfNeeded: v.l2), mid: v.l1, lo: v.l0) }

    /// As a stack word.
    @inline(__always)
    var stackWord: UInt256 { UInt256(l0: lo, l1: mid, l2: UInt64(hi), l3: 0) }

    /// 0x01...0x0a: Cancun's precompiles.
    @inline(__always)
    var isPrecompile: Bool { hi == 0 && mid == 0 && lo >= 1 && lo <= 10 }

    /// CREATE address: keccak256(rlp([sender, nonce]))[12...].
    public static func create(sender: Address, nonce: UInt64) -> Address {
        var nonceRLP: [UInt8]
        if nonce == 0 {
            nonceRLP = [0x80]
        } else if nonce < 0x80 {
            nonceRLP = [UInt8(nonce)]
        } else {
            let be = UInt256(nonce).trimmedBytes
            nonceRLP = [0x80 + UInt8(be.count)] + be
        }
        let payload = [0x94] + sender.bytes + nonceRLP
        let h = Keccak256.hash([0xc0 + UInt8(payload.count)] + payload).bytes
        return Address(Array(h[12...]))
    }

    /// CREATE2 address: keccak256(0xff ++ sender ++ salt ++ keccak256(initcode))[12...].
    public static func create2(sender: Address, salt: UInt256, initcodeHash: Hash32) -> Address {
        let h = Keccak256.hash([0xff] + sender.bytes + salt.bytes + initcodeHash.bytes).bytes
        return Address(Array(h[12...]))
    }
}
