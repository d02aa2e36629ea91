import ArgumentParser
import Primitives

#if canImport(Glibc)
import Glibc
#endif

/// Monotonic nanoseconds.
func nowNanos() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

/// Runs `body(iterations)` for about `target` seconds in several trials and returns the median ns per iteration.
func measure(iterations: Int, trials: Int = 5, _ body: (Int) -> Void) -> Double {
    var samples: [Double] = []
    body(max(1, iterations / 10))  // warm-up
    for _ in 0..<trials {
        let start = nowNanos()
        body(iterations)
        samples.append(Double(nowNanos() - start) / Double(iterations))
    }
    samples.sort()
    return samples[samples.count / 2]
}

/// Keeps a value alive so the optimiser cannot drop the work that made it.
@inline(never)
func blackHole<T>(_ value: T) { withExtendedLifetime(value) {} }

struct BenchPrimitives: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "primitives",
        abstract: "Keccak-256 throughput and UInt256 ns/op."
    )

    @Flag(help: "One JSON object per line: {\"name\", \"ns_per_op\", \"mb_per_s\"}.") var json = false

    func run() throws {
        var rows: [(String, Double, Double?)] = []
        for size in [32, 136, 1024, 1 << 20] {
            let data = [UInt8](repeating: 0xab, count: size)
            let iterations = max(20, 20_000_000 / max(size, 64))
            let ns = data.withUnsafeBytes { raw in
                measure(iterations: iterations) { n in
                    var acc = Hash32.zero
                    for _ in 0..<n { acc = Keccak256.hash(raw) }
                    blackHole(acc)
                }
            }
            rows.append(("keccak256/\(size)B", ns, Double(size) / ns * 1e9 / 1e6))
        }
        rows.append(contentsOf: uint256Rows())
        rows.append(contentsOf: cryptoRows())
        for (name, ns, mbps) in rows {
            if json {
                let m = mbps.map { String(format2($0)) } ?? "null"
                print(#"{"name":"\#(name)","ns_per_op":\#(format2(ns)),"mb_per_s":\#(m)}"#)
            } else {
                let m = mbps.map { "  \(format2($0)) MB/s" } ?? ""
                print(name.padded(24) + "\(format2(ns)) ns/op" + m)
            }
        }
    }
}

func format2(_ x: Double) -> String {
    let r = (x * 100).rounded() / 100
    return String(r)
}
