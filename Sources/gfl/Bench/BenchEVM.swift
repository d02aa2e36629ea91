import ArgumentParser
import EVM
import Foundation
import Primitives

/// `gfl bench evm`: runs the standard EVM benchmark cases, checks output and gas, then times the call.
struct BenchEVM: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evm",
        abstract: "Time the interpreter on ../shared/evm-benchmarks/cases.json (median of several runs).")

    @Flag(help: "One JSON object per line: {\"name\", \"ok\", \"gas\", \"median_ms\", \"mgas_per_s\"}.") var json = false
    @Option(help: "Only cases whose id contains this text.") var filter: String?
    @Option(help: "The cases.json to read.") var cases: String = "../shared/evm-benchmarks/cases.json"
    @Option(help: "Timed repetitions per case.") var repetitions: Int = 5

    struct Case {
        var id: String
        var accounts: [Address: Account]
        var caller: Address, to: Address
        var input: [UInt8]
        var value: UInt256
        var gasLimit: Int
        var expectedOutput: [UInt8]?
        var outputSHA: String?
        var expectedGas: Int?
    }

    func load() throws -> [Case] {
        let url = URL(fileURLWithPath: cases)
        let base = url.deletingLastPathComponent()
        guard let top = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any],
              let list = top["cases"] as? [[String: Any]] else {
            throw ValidationError("\(cases): no \"cases\" list")
        }
        func str(_ v: Any?) -> String { (v as? String) ?? "" }
        return try list.map { c in
            var accounts: [Address: Account] = [:]
            for a in (c["accounts"] as? [[String: Any]]) ?? [] {
                let codeText = try String(contentsOf: base.appendingPathComponent(str(a["code_file"])), encoding: .utf8)
                var storage: [UInt256: UInt256] = [:]
                for (k, v) in (a["storage"] as? [String: Any]) ?? [:] {
                    storage[try UInt256(parsing: k)] = try UInt256(parsing: str(v))
                }
                accounts[try Address(hex: str(a["address"]))] = Account(
                    code: try Hex.decode(codeText.trimmingCharacters(in: .whitespacesAndNewlines)), storage: storage)
            }
            let caller = try Address(hex: str(c["caller"]))
            if accounts[caller] == nil { accounts[caller] = Account(balance: UInt256(UInt64(1) << 60)) }
            let gasNumber = (c["gas_limit"] as? NSNumber)?.int64Value ?? 1_000_000_000
            let value = (c["value"] as? NSNumber)?.uint64Value ?? 0
            return Case(
                id: str(c["id"]), accounts: accounts, caller: caller, to: try Address(hex: str(c["to"])),
                input: try Hex.decode(str(c["input"])), value: UInt256(value), gasLimit: Int(gasNumber),
                expectedOutput: (c["expected_output"] as? String).flatMap { try? Hex.decode($0) },
                outputSHA: c["reference_output_sha256"] as? String,
                expectedGas: (c["reference_exec_gas_first"] as? NSNumber)?.intValue
                    ?? (c["expected_exec_gas"] as? NSNumber)?.intValue)
        }
    }

    /// One call on a fresh state with the caller, target and precompiles warm, as in a transaction.
    static func runOnce(_ c: Case) -> (ExecResult, UInt64) {
        let state = JournaledState(accounts: c.accounts)
        state.beginTransaction()
        _ = state.warmAccount(c.caller); _ = state.warmAccount(c.to)
        for i in 1...10 { _ = state.warmAccount(Address(hi: 0, mid: 0, lo: UInt64(i))) }
        let evm = EVM(host: state, block: BlockEnv(gasLimit: UInt64(c.gasLimit)), tx: TxEnv(origin: c.caller))
        let msg = Message(kind: .call, caller: c.caller, target: c.to, value: c.value, input: c.input, gas: c.gasLimit)
        let start = nowNanos()
        let r = evm.execute(msg)
        return (r, nowNanos() - start)
    }

    func run() throws {
        let all = try load().filter { filter == nil || $0.id.contains(filter!) }
        let box = BenchBox()
        let reps = repetitions
        // Deep call chains need a large stack; run on a worker thread that has one.
        let thread = Thread {
            for c in all {
                let (r, _) = BenchEVM.runOnce(c)
                let gas = c.gasLimit - r.gasLeft
                var ok = r.isSuccess
                if let e = c.expectedOutput { ok = ok && r.output == e }
                else if let s = c.outputSHA { ok = ok && Hex.encode(sha256Digest(r.output), prefix: false) == s }
                if let g = c.expectedGas { ok = ok && g == gas }
                var times: [UInt64] = []
                if ok { for _ in 0..<reps { times.append(BenchEVM.runOnce(c).1) } }
                times.sort()
                let ms = times.isEmpty ? 0 : Double(times[times.count / 2]) / 1e6
                box.rows.append((c.id, ok, gas, ms, r.halt.description))
            }
            box.done.signal()
        }
        thread.stackSize = 256 << 20
        thread.start()
        box.done.wait()
        for (id, ok, gas, ms, halt) in box.rows {
            let mgas = ms > 0 ? Double(gas) / 1e3 / ms : 0
            if json {
                print(#"{"name":"\#(id)","ok":\#(ok),"gas":\#(gas),"median_ms":\#(String(format: "%.5f", ms)),"mgas_per_s":\#(format2(mgas))}"#)
            } else if ok {
                print(id.padded(44) + "\(String(format: "%.4f", ms)) ms".leftPadded(14) + "\(format2(mgas)) Mgas/s".leftPadded(16) + "  gas \(gas)")
            } else {
                print(id.padded(44) + "FAILED (gas \(gas), \(halt))".leftPadded(14))
            }
        }
    }
}

final class BenchBox: @unchecked Sendable {
    var rows: [(String, Bool, Int, Double, String)] = []
    let done = DispatchSemaphore(value: 0)
}
