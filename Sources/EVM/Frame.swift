import Primitives

/// A frame's memory: a raw, zero-filled, growable buffer (sizes are multiples of 32).
struct Memory {
    var ptr: UnsafeMutableRawPointer? = nil
    var size = 0
    var capacity = 0

    mutating func grow(to newSize: Int) {
        if newSize > capacity {
            var cap = Swift.max(capacity * 2, 1024)
            while cap < newSize { cap *= 2 }
            let p = UnsafeMutableRawPointer.allocate(byteCount: cap, alignment: 16)
            if let old = ptr {
                p.copyMemory(from: old, byteCount: size)
                old.deallocate()
            }
            ptr = p
            capacity = cap
        }
        (ptr! + size).initializeMemory(as: UInt8.self, repeating: 0, count: newSize - size)
        size = newSize
    }

    func free() { ptr?.deallocate() }

    @inline(__always)
    func load(_ off: Int) -> UInt256 { UInt256(word: Bytes32(UnsafeRawBufferPointer(start: ptr! + off, count: 32))) }

    @inline(__always)
    func store(_ off: Int, _ v: UInt256) { v.word.store(to: ptr! + off) }

    func bytes(_ off: Int, _ len: Int) -> [UInt8] {
        if len == 0 { return [] }
        return Array(UnsafeRawBufferPointer(start: ptr! + off, count: len))
    }
}

/// The mutable state of one executing frame: gas, stack and memory. Kept in one struct passed `inout`
/// to the opcode helpers so the loop has no heap traffic per instruction.
struct Frame {
    var gas: Int
    var top = 0
    let stack: UnsafeMutablePointer<UInt256>
    var mem = Memory()
    var returnData: [UInt8] = []

    init(gas: Int, stack: UnsafeMutablePointer<UInt256>) { self.gas = gas; self.stack = stack }

    @inline(__always) mutating func pop() -> UInt256 { top -= 1; return stack[top] }
    @inline(__always) mutating func push(_ v: UInt256) { stack[top] = v; top += 1 }
    @inline(__always) func peek(_ i: Int = 0) -> UInt256 { stack[top - 1 - i] }

    /// Charges `cost`; false when gas ran out.
    @inline(__always) mutating func charge(_ cost: Int) -> Bool { gas -= cost; return gas >= 0 }

    /// Validates a memory range and charges its expansion. Returns (offset, length), or nil when the gas
    /// cannot pay for it (offsets past 2^32 can never be paid for).
    @inline(__always)
    mutating func expand(_ off: UInt256, _ len: UInt256) -> (Int, Int)? {
        if len.isZero { return (0, 0) }
        guard (off.l1 | off.l2 | off.l3 | len.l1 | len.l2 | len.l3) == 0,
              off.l0 <= 0xffff_ffff, len.l0 <= 0xffff_ffff else { return nil }
        let o = Int(off.l0), l = Int(len.l0)
        let end = o + l
        if end > mem.size {
            let words = (end + 31) >> 5
            gas -= Gas.memoryCost(words: words) - Gas.memoryCost(words: mem.size >> 5)
            if gas < 0 { return nil }
            mem.grow(to: words << 5)
        }
        return (o, l)
    }

    /// Copies `len` bytes of `src` from `srcOffset` into memory at `dst`, padding with zeros past the end.
    @inline(__always)
    func copyPadded(to dst: Int, from src: UnsafeRawBufferPointer, offset srcOffset: UInt256, count len: Int) {
        if len == 0 { return }
        let d = mem.ptr! + dst
        var avail = 0
        var start = 0
        if srcOffset.fitsUInt64 && srcOffset.l0 < UInt64(src.count) {
            start = Int(srcOffset.l0)
            avail = Swift.min(len, src.count - start)
        }
        if avail > 0 { d.copyMemory(from: src.baseAddress! + start, byteCount: avail) }
        if avail < len { (d + avail).initializeMemory(as: UInt8.self, repeating: 0, count: len - avail) }
    }

    /// Word-count helper for per-word copy costs.
    @inline(__always) static func words(_ len: Int) -> Int { (len + 31) >> 5 }
}
