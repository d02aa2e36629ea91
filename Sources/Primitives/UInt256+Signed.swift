/// The EVM's signed operations (SDIV, SMOD, SLT, SGT, SIGNEXTEND) on words read as 256-bit two's complement.
extension UInt256 {
    /// The magnitude of the value read as two's complement. -2^255 maps to 2^255, which is still the correct
    /// unsigned magnitude, so no case needs special treatment.
    @inlinable @inline(__always)
    public var signedMagnitude: UInt256 { isNegative ? negated : self }

    /// Signed division truncated toward zero (EVM SDIV). Division by zero gives 0, and -2^255 / -1 gives
    /// -2^255 (the true quotient 2^255 wraps): both fall out of dividing magnitudes and fixing the sign.
    @inlinable
    public func sdiv(_ divisor: UInt256) -> UInt256 {
        let q = signedMagnitude / divisor.signedMagnitude
        return isNegative != divisor.isNegative ? q.negated : q
    }

    /// Signed remainder (EVM SMOD): its sign is the dividend's, its magnitude `|a| mod |b|`; 0 when the
    /// divisor is 0.
    @inlinable
    public func smod(_ divisor: UInt256) -> UInt256 {
        let r = signedMagnitude % divisor.signedMagnitude
        return isNegative ? r.negated : r
    }

    /// Signed less-than (EVM SLT). Flipping the sign bits maps two's complement order onto unsigned order.
    @inlinable @inline(__always)
    public func slt(_ other: UInt256) -> Bool {
        let bias: UInt64 = 1 << 63
        return UInt256(l0: l0, l1: l1, l2: l2, l3: l3 ^ bias) < UInt256(l0: other.l0, l1: other.l1, l2: other.l2,
                                                                         l3: other.l3 ^ bias)
    }

    /// Signed greater-than (EVM SGT).
    @inlinable @inline(__always)
    public func sgt(_ other: UInt256) -> Bool { other.slt(self) }

    /// Sign extension from byte `byteIndex` counted from the least significant end (EVM SIGNEXTEND(b, x) is
    /// `x.signextend(byteIndex: b)`): bit `8 * b + 7` is copied into every higher bit. An index of 31 or more
    /// leaves the value unchanged.
    @inlinable @inline(__always)
    public func signextend(byteIndex: UInt256) -> UInt256 {
        guard byteIndex.fitsUInt64 && byteIndex.l0 < 31 else { return self }
        let signBit = byteIndex.l0 &* 8 &+ 7                   // 7...247
        let keep = UInt256.shiftedRight(.max, 255 &- signBit, fill: 0)   // bits 0...signBit
        let negative = UInt256.shiftedRight(self, signBit, fill: 0).l0 & 1 != 0
        return negative ? self | ~keep : self & keep
    }

    /// Two's-complement encoding of a (possibly negative) Int, as the EVM stores signed values.
    @inlinable @inline(__always)
    public init(signed value: Int) {
        let fill: UInt64 = value < 0 ? .max : 0
        self.init(l0: UInt64(bitPattern: Int64(value)), l1: fill, l2: fill, l3: fill)
    }
}
