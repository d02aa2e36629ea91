@testable import EVM
import Foundation
import Primitives
import Testing
import TestSupport

/// EVM arithmetic against results computed with Python's arbitrary-precision integers
/// (tools/vectors/evm_arith.py, committed as Tests/EVMTests/Vectors/arith.json).
@Suite struct ArithmeticTests {
    @Test func pythonVectors() throws {
        let cases = try #require(Fixtures.json(Fixtures.vector("EVMTests", "arith.json")) as? [[String: String]])
        #expect(cases.count > 2000)
        for c in cases {
            let a = try UInt256(parsing: c["a"]!), b = try UInt256(parsing: c["b"]!), m = try UInt256(parsing: c["c"]!)
            let want = try UInt256(parsing: c["result"]!)
            let got: UInt256
            switch c["op"]! {
            case "mul": got = UInt256.evmMul(a, b)
            case "div": got = UInt256.evmDivMod(a, b).0
            case "mod": got = UInt256.evmDivMod(a, b).1
            case "sdiv": got = UInt256.evmSDiv(a, b)
            case "smod": got = UInt256.evmSMod(a, b)
            case "addmod": got = UInt256.evmAddMod(a, b, m)
            case "mulmod": got = UInt256.evmMulMod(a, b, m)
            case "exp": got = UInt256.evmExp(a, b)
            case "shl": got = b.evmShl(a.shiftAmount)
            case "shr": got = b.evmShr(a.shiftAmount)
            case "sar": got = b.evmSar(a.shiftAmount)
            case "signextend": got = UInt256.evmSignExtend(a, b)
            case "byte": got = UInt256.evmByte(a, b)
            default: Issue.record("unknown op \(c["op"]!)"); continue
            }
            #expect(got == want, "\(c["op"]!)(\(c["a"]!), \(c["b"]!), \(c["c"]!))")
        }
    }
}
