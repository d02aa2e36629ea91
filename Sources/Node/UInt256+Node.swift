/// Small UInt256 helpers the node needs (fee arithmetic); the EVM's own are internal to its module.
import Primitives

extension UInt256 {
    /// self × m and whether the product overflowed 256 bits.
    public func multipliedReportingOverflow(by m: UInt64) -> (UInt256, Bool) {
        var out = [UInt64](repeating: 0, count: 4)
        var carry: UInt64 = 0
        for i in 0..<4 {
            let (hi, lo) = self[limb: i].multipliedFullWidth(by: m)
            let (s, o) = lo.addingReportingOverflow(carry)
            out[i] = s
            carry = hi &+ (o ? 1 : 0)
        }
        return (UInt256(l0: out[0], l1: out[1], l2: out[2], l3: out[3]), carry != 0)
    }

    /// self × m (UInt256 × UInt256) and whether it overflowed.
    func mulReportingOverflow(_ m: UInt256) -> (UInt256, Bool) {
        if m.fitsUInt64 { return multipliedReportingOverflow(by: m.l0) }
        if fitsUInt64 { return m.multipliedReportingOverflow(by: l0) }
        return (.max, true)
    }

    /// self ÷ d for a 64-bit divisor (d > 0).
    public func dividedBy(_ d: UInt256) -> UInt256 {
        guard d.fitsUInt64, d.l0 != 0 else { return .zero }
        var limbs = [l0, l1, l2, l3]
        var rem: UInt64 = 0
        for i in stride(from: 3, through: 0, by: -1) {
            let (q, r) = d.l0.dividingFullWidth((rem, limbs[i]))
            limbs[i] = q; rem = r
        }
        return UInt256(l0: limbs[0], l1: limbs[1], l2: limbs[2], l3: limbs[3])
    }
}
