/// Multiplication, division and the modular operations of the EVM (MUL, DIV, MOD, ADDMOD, MULMOD, EXP).
///
/// The small, hot operations are `@inlinable` so the interpreter (another module) can inline them; division's
/// slow path stays out of line (UInt256+Division.swift) because its body is large and a call costs little next to it.
extension UInt256 {
    // MARK: Limb helpers

    /// `a * b + c + d` as a 128-bit (hi, lo) pair; it cannot overflow since (2^64-1)^2 + 2(2^64-1) < 2^128.
    @inlinable @inline(__always)
    static func mulAdd(_ a: UInt64, _ b: UInt64, _ c: UInt64, _ d: UInt64) -> (hi: UInt64, lo: UInt64) {
        let (h, l) = a.multipliedFullWidth(by: b)
        let (s1, o1) = l.addingReportingOverflow(c)
        let (s2, o2) = s1.addingReportingOverflow(d)
        return (h &+ UInt256.bit(o1) &+ UInt256.bit(o2), s2)
    }

    // MARK: Multiplication

    /// Product modulo 2^256 (the EVM's MUL). Ten limb multiplications: only the products that reach the low
    /// four limbs are formed.
    @inlinable @inline(__always)
    public static func &* (a: UInt256, b: UInt256) -> UInt256 {
        var c: UInt64, r1: UInt64, r2: UInt64
        let (h0, r0) = a.l0.multipliedFullWidth(by: b.l0)
        (c, r1) = mulAdd(a.l0, b.l1, h0, 0)
        (c, r2) = mulAdd(a.l0, b.l2, c, 0)
        var r3 = a.l0 &* b.l3 &+ c

        (c, r1) = mulAdd(a.l1, b.l0, r1, 0)
        (c, r2) = mulAdd(a.l1, b.l1, r2, c)
        r3 = r3 &+ a.l1 &* b.l2 &+ c

        (c, r2) = mulAdd(a.l2, b.l0, r2, 0)
        r3 = r3 &+ a.l2 &* b.l1 &+ c

        r3 = r3 &+ a.l3 &* b.l0
        return UInt256(l0: r0, l1: r1, l2: r2, l3: r3)
    }

    /// `a = a &* b`.
    @inlinable @inline(__always)
    public static func &*= (a: inout UInt256, b: UInt256) { a = a &* b }

    /// `self &* self` with six limb multiplications instead of ten: each cross product a_i a_j (i != j)
    /// appears twice, so it is formed once and doubled with a shift.
    @inlinable @inline(__always)
    var squaredWrapping: UInt256 {
        let (h00, l00) = l0.multipliedFullWidth(by: l0)
        let (h01, l01) = l0.multipliedFullWidth(by: l1)
        let (h02, l02) = l0.multipliedFullWidth(by: l2)
        let (h11, l11) = l1.multipliedFullWidth(by: l1)
        // Cross terms X = a0 a1 2^64 + a0 a2 2^128 + (a0 a3 + a1 a2) 2^192, modulo 2^256.
        let (x2, c) = h01.addingReportingOverflow(l02)
        let x3 = h02 &+ l0 &* l3 &+ l1 &* l2 &+ UInt256.bit(c)
        let doubled = UInt256(l0: 0, l1: l01 &<< 1, l2: x2 &<< 1 | l01 >> 63, l3: x3 &<< 1 | x2 >> 63)
        return UInt256(l0: l00, l1: h00, l2: l11, l3: h11) &+ doubled
    }

    /// The full 512-bit product as (high, low) halves.
    @inlinable
    public func multipliedFullWidth(by other: UInt256) -> (high: UInt256, low: UInt256) {
        let a = self, b = other
        var c: UInt64
        // Row 0: a.l0 * b.
        var p0: UInt64, p1: UInt64, p2: UInt64, p3: UInt64, p4: UInt64, p5: UInt64, p6: UInt64, p7: UInt64
        (c, p0) = a.l0.multipliedFullWidth(by: b.l0)
        (c, p1) = UInt256.mulAdd(a.l0, b.l1, c, 0)
        (c, p2) = UInt256.mulAdd(a.l0, b.l2, c, 0)
        (p4, p3) = UInt256.mulAdd(a.l0, b.l3, c, 0)
        // Row 1: a.l1 * b, one limb up.
        (c, p1) = UInt256.mulAdd(a.l1, b.l0, p1, 0)
        (c, p2) = UInt256.mulAdd(a.l1, b.l1, p2, c)
        (c, p3) = UInt256.mulAdd(a.l1, b.l2, p3, c)
        (p5, p4) = UInt256.mulAdd(a.l1, b.l3, p4, c)
        // Row 2.
        (c, p2) = UInt256.mulAdd(a.l2, b.l0, p2, 0)
        (c, p3) = UInt256.mulAdd(a.l2, b.l1, p3, c)
        (c, p4) = UInt256.mulAdd(a.l2, b.l2, p4, c)
        (p6, p5) = UInt256.mulAdd(a.l2, b.l3, p5, c)
        // Row 3.
        (c, p3) = UInt256.mulAdd(a.l3, b.l0, p3, 0)
        (c, p4) = UInt256.mulAdd(a.l3, b.l1, p4, c)
        (c, p5) = UInt256.mulAdd(a.l3, b.l2, p5, c)
        (p7, p6) = UInt256.mulAdd(a.l3, b.l3, p6, c)
        return (UInt256(l0: p4, l1: p5, l2: p6, l3: p7), UInt256(l0: p0, l1: p1, l2: p2, l3: p3))
    }

    /// The product modulo 2^256 and whether the true product was 2^256 or more.
    @inlinable
    public func multipliedReportingOverflow(by other: UInt256) -> (partialValue: UInt256, overflow: Bool) {
        let (high, low) = multipliedFullWidth(by: other)
        return (low, !high.isZero)
    }

    // MARK: Division (EVM semantics)

    /// Quotient and remainder. Division by zero gives (0, 0), as the EVM's DIV and MOD define it, instead of
    /// trapping: the interpreter never has to test the divisor itself.
    @inlinable @inline(__always)
    public func quotientAndRemainder(dividingBy divisor: UInt256) -> (quotient: UInt256, remainder: UInt256) {
        if divisor.fitsUInt64 {
            if divisor.l0 == 0 { return (.zero, .zero) }
            // Both in one limb: the common case for offsets, sizes and loop counters.
            if fitsUInt64 { return (UInt256(l0 / divisor.l0), UInt256(l0 % divisor.l0)) }
        } else if self < divisor {
            return (.zero, self)
        }
        return UInt256.divModSlow(self, divisor)
    }

    /// Unsigned quotient, rounded down; `x / 0 == 0` (EVM DIV), never a trap.
    @inlinable @inline(__always)
    public static func / (a: UInt256, b: UInt256) -> UInt256 { a.quotientAndRemainder(dividingBy: b).quotient }

    /// Unsigned remainder; `x % 0 == 0` (EVM MOD), never a trap.
    @inlinable @inline(__always)
    public static func % (a: UInt256, b: UInt256) -> UInt256 { a.quotientAndRemainder(dividingBy: b).remainder }

    /// `a = a / b` (EVM semantics: 0 when `b` is 0).
    @inlinable @inline(__always)
    public static func /= (a: inout UInt256, b: UInt256) { a = a / b }

    /// `a = a % b` (EVM semantics: 0 when `b` is 0).
    @inlinable @inline(__always)
    public static func %= (a: inout UInt256, b: UInt256) { a = a % b }

    // MARK: Modular arithmetic

    /// `(a + b) mod n` over the true 257-bit sum (EVM ADDMOD); 0 when `n` is 0.
    @inlinable
    public static func addmod(_ a: UInt256, _ b: UInt256, _ n: UInt256) -> UInt256 {
        if n.isZero { return .zero }
        let (sum, carry) = a.addingReportingOverflow(b)
        if a < n && b < n {
            // The true sum is below 2n: at most one subtraction of n, which also undoes a lost carry.
            return carry || sum >= n ? sum &- n : sum
        }
        if !carry { return sum % n }
        return addmodSlow(sum, n)
    }

    /// `(a * b) mod n` over the full 512-bit product (EVM MULMOD); 0 when `n` is 0.
    @inlinable
    public static func mulmod(_ a: UInt256, _ b: UInt256, _ n: UInt256) -> UInt256 {
        if n.isZero { return .zero }
        if a.fitsUInt64 && b.fitsUInt64 {
            let (hi, lo) = a.l0.multipliedFullWidth(by: b.l0)
            return UInt256(l0: lo, l1: hi, l2: 0, l3: 0) % n
        }
        let (high, low) = a.multipliedFullWidth(by: b)
        if high.isZero { return low % n }
        return mulmodSlow(high, low, n)
    }

    // MARK: Exponentiation

    /// `base ** exponent` modulo 2^256 (EVM EXP), by left-to-right square-and-multiply: one squaring per
    /// exponent bit below the top one, plus one multiplication per set bit. EXP's gas depends on the exponent's
    /// byte length, which is `exponent.byteWidth`.
    @inlinable
    public static func exp(_ base: UInt256, _ exponent: UInt256) -> UInt256 {
        if exponent.isZero { return .one }
        if base.fitsUInt64 && base.l0 <= 2 {
            // 0, 1 and 2 are common bases (2 ** n builds masks and shifts); answer them without multiplying.
            switch base.l0 {
            case 0: return .zero
            case 1: return .one
            default: return UInt256.one << exponent
            }
        }
        return expSlow(base, exponent)
    }

    /// Square-and-multiply for the general case; `exponent` is nonzero.
    @usableFromInline
    static func expSlow(_ base: UInt256, _ exponent: UInt256) -> UInt256 {
        var result = base
        var limbIndex = 3
        while exponent[limb: limbIndex] == 0 { limbIndex -= 1 }
        var limb = exponent[limb: limbIndex]
        // The top set bit is accounted for by starting from `base`.
        var bit = 63 - limb.leadingZeroBitCount
        while true {
            while bit > 0 {
                bit -= 1
                result = result.squaredWrapping
                if (limb >> UInt64(bit)) & 1 != 0 { result = result &* base }
            }
            if result.isZero || limbIndex == 0 { return result }  // an even base can reach 0 and stay there
            limbIndex -= 1
            limb = exponent[limb: limbIndex]
            bit = 64
        }
    }
}
