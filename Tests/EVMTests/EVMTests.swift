import EVM
import Execution
import Foundation
import Primitives
import Testing
import TestSupport

/// Runs a few small official state-test directories through the library (the full developer set runs in
/// release mode through `gfl statetest`, see tools/test), plus robustness checks on hostile bytecode.
@Suite struct EVMStateTests {
    func runDirectory(_ rel: String) throws -> (passed: Int, failed: [String]) {
        let dir = Fixtures.ethereumTests.appendingPathComponent("GeneralStateTests/\(rel)")
        var passed = 0
        var failed: [String] = []
        for (path, relPath) in StateTestRunner.collectFiles([dir.path]) {
            for test in try StateTest.load(URL(fileURLWithPath: path)) {
                for c in test.cases {
                    let r = test.run(c)
                    if r.passed { passed += 1 } else { failed.append("\(relPath) \(c.name) [\(c.index)] \(r.error ?? "")") }
                }
            }
        }
        return (passed, failed)
    }

    @Test(arguments: ["VMTests/vmArithmeticTest", "VMTests/vmBitwiseLogicOperation", "stExample", "stShift",
                      "Shanghai/stEIP3855-push0"])
    func directoryPasses(_ rel: String) throws {
        let (passed, failed) = try runDirectory(rel)
        #expect(passed > 0)
        #expect(failed.isEmpty, "\(failed.joined(separator: "\n"))")
    }

    /// A frame at the call-depth limit, invalid jumps, stack underflow and junk opcodes halt cleanly.
    @Test func hostileBytecodeHaltsCleanly() {
        let caller = Address(hi: 0, mid: 0, lo: 0xca11)
        let target = Address(hi: 0, mid: 0, lo: 0xc0de)
        let programs: [([UInt8], Halt)] = [
            ([0x01], .stackUnderflow),                      // ADD on an empty stack
            ([0x60, 0x03, 0x56, 0x00], .invalidJump),       // JUMP into nowhere
            ([0x60, 0x5b, 0x60, 0x01, 0x56], .invalidJump), // JUMP into PUSH data
            ([0xfe], .invalidOpcode(0xfe)),
            ([0x0c], .invalidOpcode(0x0c)),
            (Array(repeating: 0x5f, count: 1025), .stackOverflow),
            ([0x5b, 0x60, 0x00, 0x56], .outOfGas),          // infinite loop
            ([0x60, 0xff, 0x60, 0xff, 0x1b, 0x51], .outOfGas), // MLOAD at 2^255
        ]
        for (code, halt) in programs {
            let state = JournaledState(accounts: [target: Account(code: code), caller: Account(balance: UInt256(1))])
            state.beginTransaction()
            let evm = EVM(host: state, block: BlockEnv(), tx: TxEnv(origin: caller))
            let r = evm.execute(Message(kind: .call, caller: caller, target: target, gas: 100_000))
            #expect(r.halt == halt, "code \(Hex.encode(code))")
            #expect(r.gasLeft == 0)
        }
    }

    /// Self-recursion until the depth limit: every level fails or returns without crashing the process.
    @Test func deepRecursionStops() {
        let target = Address(hi: 0, mid: 0, lo: 0xc0de)
        // CALL(gas, ADDRESS, 0, 0, 0, 0, 0) forever, then STOP.
        let code: [UInt8] = [0x5f, 0x5f, 0x5f, 0x5f, 0x5f, 0x30, 0x5a, 0xf1, 0x00]
        let box = ResultHolder()
        // Test threads have small stacks; the interpreter recurses per call frame, as the runner allows for.
        StateTestRunner.parallel(count: 1, threads: 1) { _ in
            let state = JournaledState(accounts: [target: Account(code: code)])
            state.beginTransaction()
            let evm = EVM(host: state, block: BlockEnv(), tx: TxEnv(origin: target))
            box.value = evm.execute(Message(kind: .call, caller: target, target: target, gas: 30_000_000))
        }
        #expect(box.value?.isSuccess == true)
    }
}

final class ResultHolder: @unchecked Sendable { var value: ExecResult? }
