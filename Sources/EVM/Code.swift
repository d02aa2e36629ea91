import Primitives

/// Bytecode prepared for execution: copied into a raw buffer padded with 33 zero bytes (so PUSH at the
/// end reads zeros without a bounds check) and a JUMPDEST bitmap. Built once per code hash and cached.
final class AnalyzedCode {
    let bytes: UnsafeMutablePointer<UInt8>
    let count: Int
    /// Bit i set when byte i is a JUMPDEST opcode (not PUSH data).
    let jumpdests: UnsafeMutablePointer<UInt64>

    init(_ code: [UInt8]) {
        let n = code.count
        count = n
        let buf = UnsafeMutablePointer<UInt8>.allocate(capacity: n + 33)
        buf.initialize(repeating: 0, count: n + 33)
        code.withUnsafeBufferPointer { if let b = $0.baseAddress { buf.update(from: b, count: n) } }
        bytes = buf
        let words = count / 64 + 1
        jumpdests = .allocate(capacity: words)
        jumpdests.initialize(repeating: 0, count: words)
        var i = 0
        while i < count {
            let op = bytes[i]
            if op == 0x5b {
                jumpdests[i >> 6] |= 1 << UInt64(i & 63)
            } else if op >= 0x60 && op <= 0x7f {
                i += Int(op) - 0x5f
            }
            i += 1
        }
    }

    deinit {
        bytes.deallocate()
        jumpdests.deallocate()
    }

    @inline(__always)
    func isJumpdest(_ dest: UInt256) -> Bool {
        guard dest.fitsUInt64, dest.l0 < UInt64(count) else { return false }
        let i = Int(dest.l0)
        return (jumpdests[i >> 6] >> UInt64(i & 63)) & 1 == 1
    }
}
