import Primitives

/// Operand tables for the UInt256 rows: random values (fixed seed) of the shapes each row names, read in turn so
/// the optimiser cannot constant-fold the operation, and few enough (256 pairs) to stay in L1 cache.
private struct Operands {
    var a: [UInt256] = [], b: [UInt256] = [], c: [UInt256] = []
    private var state: UInt64 = 0x5EED

    /// SplitMix64.
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A random value of exactly `bits` bits (top bit set).
    mutating func value(bits: Int) -> UInt256 {
        let full = UInt256(l0: next(), l1: next(), l2: next(), l3: next()) | (UInt256.one << 255)
        return full >> (256 - bits)
    }

    init(count: Int = 256, a aBits: Int, b bBits: Int, c cBits: Int = 256) {
        for _ in 0..<count {
            a.append(value(bits: aBits)); b.append(value(bits: bBits)); c.append(value(bits: cBits))
        }
    }

    /// Shift counts spread over 0..<256 in `a`.
    static func shiftCounts(count: Int = 256) -> Operands {
        var ops = Operands(count: 0, a: 1, b: 1)
        for _ in 0..<count { ops.a.append(UInt256(ops.next() & 255)) }
        return ops
    }
}

/// Where results go so the optimiser must compute them. `blackHole` is not enough for inlinable arithmetic: its
/// specialisation for UInt256 drops the unused argument, and the whole computation with it. A store to a public
/// global cannot be dropped.
nonisolated(unsafe) public var uint256BenchSink: UInt64 = 0

@inline(__always)
private func sink(_ x: UInt256) { uint256BenchSink ^= x.l0 ^ x.l1 ^ x.l2 ^ x.l3 }

/// Runs `op` over the operand table for about `iterations` calls and returns ns per call. Results are folded
/// together with xor (cheap, and keeps every call live) and stored to `uint256BenchSink`.
@inline(__always)
private func bench(_ ops: Operands, iterations: Int = 4_000_000,
                   _ op: (UInt256, UInt256, UInt256) -> UInt256) -> Double {
    ops.a.withUnsafeBufferPointer { a in
        ops.b.withUnsafeBufferPointer { b in
            ops.c.withUnsafeBufferPointer { c in
                let mask = a.count - 1   // a power of two
                return measure(iterations: iterations) { n in
                    var acc = UInt256.zero
                    for i in 0..<n {
                        let k = i & mask
                        acc = acc ^ op(a[k], b[k], c[k])
                    }
                    sink(acc)
                }
            }
        }
    }
}

/// UInt256 micro-benchmarks, ns per operation, on random operands of the sizes named in each row: `div 256/128`
/// divides 256-bit values by 128-bit ones, `n200` is a 200-bit modulus (operands 256-bit, or just below the modulus
/// for `addmod reduced`), `e256` a 256-bit exponent.
func uint256Rows() -> [(String, Double, Double?)] {
    var rows: [(String, Double, Double?)] = []
    let full = Operands(a: 256, b: 256, c: 256)
    // add and shl are cheap enough for the xor fold to matter, so they run as dependent chains instead:
    // each result feeds the next call, which also stops the compiler from vectorising across iterations.
    rows.append(("uint256/add", chain(full) { acc, x in acc &+ x }, nil))
    rows.append(("uint256/mul", bench(full) { a, b, _ in a &* b }, nil))
    rows.append(("uint256/div 256/64", bench(Operands(a: 256, b: 64)) { a, b, _ in a / b }, nil))
    rows.append(("uint256/div 256/128", bench(Operands(a: 256, b: 128)) { a, b, _ in a / b }, nil))
    rows.append(("uint256/div 256/192", bench(Operands(a: 256, b: 192)) { a, b, _ in a / b }, nil))
    rows.append(("uint256/div 256/256", bench(Operands(a: 256, b: 250)) { a, b, _ in a / b }, nil))
    rows.append(("uint256/div 128/64", bench(Operands(a: 128, b: 64)) { a, b, _ in a / b }, nil))
    rows.append(("uint256/mod 256/128", bench(Operands(a: 256, b: 128)) { a, b, _ in a % b }, nil))
    rows.append(("uint256/addmod n200", bench(Operands(a: 256, b: 256, c: 200)) { a, b, n in
        UInt256.addmod(a, b, n) }, nil))
    rows.append(("uint256/addmod reduced", bench(Operands(a: 199, b: 199, c: 200)) { a, b, n in
        UInt256.addmod(a, b, n) }, nil))
    rows.append(("uint256/mulmod n200", bench(Operands(a: 256, b: 256, c: 200)) { a, b, n in
        UInt256.mulmod(a, b, n) }, nil))
    rows.append(("uint256/mulmod n256", bench(Operands(a: 256, b: 256, c: 256)) { a, b, n in
        UInt256.mulmod(a, b, n) }, nil))
    rows.append(("uint256/exp e256", bench(full, iterations: 20_000) { a, e, _ in UInt256.exp(a, e) }, nil))
    rows.append(("uint256/exp e16", bench(Operands(a: 256, b: 16), iterations: 400_000) { a, e, _ in
        UInt256.exp(a, e) }, nil))
    rows.append(("uint256/shl", chain(Operands.shiftCounts()) { acc, s in (acc << s) | s }, nil))
    return rows
}

/// Dependent chain `acc = op(acc, a[i])`: latency per call of an operation too cheap to measure otherwise.
@inline(__always)
private func chain(_ ops: Operands, iterations: Int = 20_000_000,
                   _ op: (UInt256, UInt256) -> UInt256) -> Double {
    ops.a.withUnsafeBufferPointer { a in
        let mask = a.count - 1
        return measure(iterations: iterations) { n in
            var acc = a[0]
            for i in 0..<n { acc = op(acc, a[i & mask]) }
            sink(acc)
        }
    }
}
