/// Cancun fork rules in one place: static gas per opcode, stack requirements, and the dynamic-cost constants.
public enum Gas {
    public static let zero = 0, base = 2, veryLow = 3, low = 5, mid = 8, high = 10
    public static let warmAccess = 100, coldAccountAccess = 2600, coldSload = 2100
    public static let sstoreSet = 20000, sstoreReset = 2900, sstoreClearsRefund = 4800, sstoreStipend = 2300
    public static let callValue = 9000, callStipend = 2300, newAccount = 25000
    public static let create = 32000, codeDeposit = 200, initcodeWord = 2, keccakWord = 6, copyWord = 3
    public static let keccak = 30, log = 375, logTopic = 375, logData = 8, expByte = 50
    public static let selfDestruct = 5000, memoryWord = 3, quadCoeffDiv = 512, blockhash = 20
    public static let txBase = 21000, txCreate = 32000, txDataZero = 4, txDataNonZero = 16
    public static let accessListAddress = 2400, accessListStorageKey = 1900
    public static let maxRefundQuotient = 5
    public static let maxCodeSize = 24576, maxInitcodeSize = 49152
    public static let callDepthLimit = 1024, stackLimit = 1024
    public static let blobGasPerBlob = 131072, maxBlobsPerBlock = 6
    public static let blobBaseFeeUpdateFraction = 3338477

    /// The static part of an opcode's gas cost (-1 for undefined opcodes); dynamic parts come on top.
    public static func staticCost(_ op: UInt8) -> Int { Int(OpTable.cancun.info[Int(op)].gas) }

    /// Total memory cost for `words` 32-byte words.
    @inline(__always)
    public static func memoryCost(words: Int) -> Int { words * memoryWord + words * words / quadCoeffDiv }
}

/// Per-opcode static properties packed in 8 bytes, so the dispatch loop does one load per instruction.
struct OpInfo {
    /// Static gas (the part that does not depend on operands); -1 marks an undefined opcode.
    var gas: Int32
    /// Minimum stack height the opcode needs.
    var minStack: Int16
    /// Largest stack height at which the opcode may run without overflowing 1024.
    var maxStack: Int16
}

/// The Cancun opcode table, in a raw buffer the interpreter indexes without bounds checks.
struct OpTable {
    let info: UnsafeMutablePointer<OpInfo>

    nonisolated(unsafe) static let cancun = OpTable()

    private init() {
        info = .allocate(capacity: 256)
        info.initialize(repeating: OpInfo(gas: -1, minStack: 0, maxStack: Int16(Gas.stackLimit)), count: 256)
        func op(_ code: Int, _ g: Int, _ pops: Int, _ pushes: Int) {
            info[code] = OpInfo(gas: Int32(g), minStack: Int16(pops),
                                maxStack: Int16(Gas.stackLimit - max(0, pushes - pops)))
        }
        op(0x00, 0, 0, 0)
        op(0x01, 3, 2, 1); op(0x02, 5, 2, 1); op(0x03, 3, 2, 1); op(0x04, 5, 2, 1); op(0x05, 5, 2, 1)
        op(0x06, 5, 2, 1); op(0x07, 5, 2, 1); op(0x08, 8, 3, 1); op(0x09, 8, 3, 1); op(0x0a, 10, 2, 1)
        op(0x0b, 5, 2, 1)
        for c in 0x10...0x14 { op(c, 3, 2, 1) }
        op(0x15, 3, 1, 1); op(0x16, 3, 2, 1); op(0x17, 3, 2, 1); op(0x18, 3, 2, 1); op(0x19, 3, 1, 1)
        op(0x1a, 3, 2, 1); op(0x1b, 3, 2, 1); op(0x1c, 3, 2, 1); op(0x1d, 3, 2, 1)
        op(0x20, 30, 2, 1)
        op(0x30, 2, 0, 1); op(0x31, 0, 1, 1); op(0x32, 2, 0, 1); op(0x33, 2, 0, 1); op(0x34, 2, 0, 1)
        op(0x35, 3, 1, 1); op(0x36, 2, 0, 1); op(0x37, 3, 3, 0); op(0x38, 2, 0, 1); op(0x39, 3, 3, 0)
        op(0x3a, 2, 0, 1); op(0x3b, 0, 1, 1); op(0x3c, 0, 4, 0); op(0x3d, 2, 0, 1); op(0x3e, 3, 3, 0)
        op(0x3f, 0, 1, 1)
        op(0x40, 20, 1, 1); op(0x41, 2, 0, 1); op(0x42, 2, 0, 1); op(0x43, 2, 0, 1); op(0x44, 2, 0, 1)
        op(0x45, 2, 0, 1); op(0x46, 2, 0, 1); op(0x47, 5, 0, 1); op(0x48, 2, 0, 1); op(0x49, 3, 1, 1)
        op(0x4a, 2, 0, 1)
        op(0x50, 2, 1, 0); op(0x51, 3, 1, 1); op(0x52, 3, 2, 0); op(0x53, 3, 2, 0); op(0x54, 0, 1, 1)
        op(0x55, 0, 2, 0); op(0x56, 8, 1, 0); op(0x57, 10, 2, 0); op(0x58, 2, 0, 1); op(0x59, 2, 0, 1)
        op(0x5a, 2, 0, 1); op(0x5b, 1, 0, 0); op(0x5c, 100, 1, 1); op(0x5d, 100, 2, 0); op(0x5e, 3, 3, 0)
        op(0x5f, 2, 0, 1)
        for c in 0x60...0x7f { op(c, 3, 0, 1) }
        for n in 1...16 { op(0x7f + n, 3, n, n + 1) }
        for n in 1...16 { op(0x8f + n, 3, n + 1, n + 1) }
        for n in 0...4 { op(0xa0 + n, Gas.log + n * Gas.logTopic, n + 2, 0) }
        op(0xf0, Gas.create, 3, 1); op(0xf1, 0, 7, 1); op(0xf2, 0, 7, 1); op(0xf3, 0, 2, 0)
        op(0xf4, 0, 6, 1); op(0xf5, Gas.create, 4, 1); op(0xfa, 0, 6, 1); op(0xfd, 0, 2, 0)
        op(0xff, Gas.selfDestruct, 1, 0)
        // 0xfe INVALID stays undefined: it halts exceptionally and consumes all gas.
    }
}
