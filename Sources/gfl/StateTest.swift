import ArgumentParser
import EVM
import Execution
import Foundation
import Primitives

/// `gfl statetest PATH…`: runs Ethereum state tests (Cancun) and compares post-state roots and logs hashes.
struct StateTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "statetest",
        abstract: "Run Ethereum GeneralStateTests (Cancun expectations) on the EVM.",
        discussion: "Prints one line per failing case and ends with `statetests: N passed, M failed`.")

    @Argument(help: "State-test files or directories (searched recursively for .json).") var paths: [String]
    @Flag(help: "Print one JSON object per case, like geth's `evm statetest`.") var json = false
    @Flag(help: "Print an EIP-3155 step trace (JSON lines on stderr: pc, op, gas, gasCost, stack, depth) for the selected cases; use with --filter and --index.")
    var trace = false
    @Option(help: "Only run tests whose file path or name contains this text.") var filter: String?
    @Option(help: "Only run this post-state index of each selected test.") var index: Int?
    @Option(help: "Skip tests whose file path or name contains this text (repeatable).") var skip: [String] = []
    @Option(help: "Worker threads (default: the number of CPU cores).") var jobs: Int?
    @Option(help: "Report a case that runs longer than this many seconds as failed (it is not interrupted).")
    var timeout: Double?
    @Option(help: "File of cases known to fail (`path<TAB>test<TAB>index` lines): exit non-zero only when a case outside it fails or a listed case passes.")
    var expectFailures: String?
    @Option(help: "Write the failing cases to this file in the --expect-failures format.") var writeFailures: String?

    func run() throws {
        let files = StateTestRunner.collectFiles(paths)
        if files.isEmpty { throw ValidationError("no state-test files found under \(paths.joined(separator: " "))") }
        let results = StateTestLines(count: files.count)
        let tracing = trace
        let filter = self.filter, index = self.index, skip = self.skip, timeout = self.timeout
        StateTestRunner.parallel(count: files.count, threads: trace ? 1 : (jobs ?? ProcessInfo.processInfo.activeProcessorCount)) { i in
            let (path, rel) = files[i]
            var lines: [Line] = []
            do {
                for test in try StateTest.load(URL(fileURLWithPath: path)) {
                    let label = rel + " " + test.name
                    if let filter, !label.contains(filter) { continue }
                    if skip.contains(where: { label.contains($0) }) { continue }
                    for c in test.cases {
                        if let index, c.index != index { continue }
                        let tracer: ((Int, UInt8, Int, [UInt256], Int) -> Void)? = tracing ? { pc, op, gas, stack, depth in
                            let st = stack.map { "\"\($0.hexString)\"" }.joined(separator: ",")
                            let cost = max(0, Int(Gas.staticCost(op)))
                            FileHandle.standardError.write(
                                "{\"pc\":\(pc),\"op\":\(op),\"gas\":\"0x\(String(gas, radix: 16))\",\"gasCost\":\"0x\(String(cost, radix: 16))\",\"stack\":[\(st)],\"depth\":\(depth)}\n"
                                    .data(using: .utf8)!)
                        } : nil
                        let start = Date()
                        var r = test.run(c, tracer: tracer)
                        let took = Date().timeIntervalSince(start)
                        if let timeout, took > timeout {
                            r.passed = false
                            r.error = "timeout: took \(String(format: "%.1f", took)) s (limit \(timeout) s)"
                        }
                        lines.append(Line(rel: rel, result: r))
                    }
                }
            } catch {
                lines.append(Line(rel: rel, loadError: "\(error)"))
            }
            results.set(i, lines)
        }
        let all = results.all()
        var passed = 0, failed = 0
        var failures: [String] = []
        for l in all {
            if let e = l.loadError {
                failed += 1
                print("FAIL \(l.rel): cannot load: \(e)")
                failures.append("\(l.rel)\t*\t*")
                continue
            }
            guard let r = l.result else { continue }
            let c = r.testCase
            if json {
                let err = (r.error ?? "").replacingOccurrences(of: "\"", with: "'")
                print("{\"name\":\"\(c.name)\",\"index\":\(c.index),\"pass\":\(r.passed),\"fork\":\"Cancun\",\"stateRoot\":\"\(r.root.hex)\",\"logsHash\":\"\(r.logs.hex)\",\"gasUsed\":\(r.gasUsed),\"error\":\"\(err)\"}")
            }
            if r.passed {
                passed += 1
            } else {
                failed += 1
                failures.append("\(l.rel)\t\(c.name)\t\(c.index)")
                if !json {
                    var msg = "FAIL \(l.rel) \(c.name) [\(c.index)]: expected root \(c.expectedRoot.hex) got \(r.root.hex)"
                    if r.logs != c.expectedLogs { msg += ", logs expected \(c.expectedLogs.hex) got \(r.logs.hex)" }
                    if let e = r.error { msg += " (\(e))" }
                    if let x = c.expectException { msg += " [expected \(x)]" }
                    print(msg)
                }
            }
        }
        if let writeFailures {
            try (failures.joined(separator: "\n") + (failures.isEmpty ? "" : "\n")).write(toFile: writeFailures, atomically: true, encoding: .utf8)
        }
        print("statetests: \(passed) passed, \(failed) failed")
        if let expectFailures {
            let known = Set(try String(contentsOfFile: expectFailures, encoding: .utf8)
                .split(separator: "\n").map(String.init).filter { !$0.isEmpty && !$0.hasPrefix("#") })
            let now = Set(failures)
            let newFailures = now.subtracting(known).sorted()
            // Only listed cases that were actually run this time can be "fixed".
            let ran = Set(all.compactMap { l in l.result.map { "\(l.rel)\t\($0.testCase.name)\t\($0.testCase.index)" } })
            let fixed = known.intersection(ran).subtracting(now).sorted()
            for f in newFailures { print("REGRESSION (not in \(expectFailures)): \(f.replacingOccurrences(of: "\t", with: " "))") }
            for f in fixed { print("NOW PASSES (remove from \(expectFailures)): \(f.replacingOccurrences(of: "\t", with: " "))") }
            print("expected failures: \(known.count) listed, \(newFailures.count) new, \(fixed.count) now passing")
            if !newFailures.isEmpty || !fixed.isEmpty { throw ExitCode(1) }
            return
        }
        if failed > 0 { throw ExitCode(1) }
    }
}

struct Line: Sendable {
    var rel: String
    var result: StateTestResult?
    var loadError: String?
    init(rel: String, result: StateTestResult) { self.rel = rel; self.result = result }
    init(rel: String, loadError: String) { self.rel = rel; self.loadError = loadError }
}

final class StateTestLines: @unchecked Sendable {
    private var slots: [[Line]]
    private let lock = NSLock()
    init(count: Int) { slots = Array(repeating: [], count: count) }
    func set(_ i: Int, _ v: [Line]) { lock.lock(); slots[i] = v; lock.unlock() }
    func all() -> [Line] { lock.lock(); defer { lock.unlock() }; return slots.flatMap { $0 } }
}
