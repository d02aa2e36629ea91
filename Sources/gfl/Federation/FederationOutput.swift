import Federation
import Foundation

/// Terminal output shared by `gfl demo`, `gfl job run` and `gfl job compare`.
enum FederationOutput {
    /// The per-round table of a run (fits 100 columns).
    static func roundTable(_ report: RunReport) -> String {
        var lines = ["round  global acc  loss    aggregator  chain B  store MB  train s  distil s  chain s  store s  wall s"]
        for r in report.rounds {
            let store = Double(r.bytesStore.values.reduce(0, +)) / 1_048_576
            let s = r.seconds
            lines.append([String(r.round).padded(5), fixed(r.globalAccuracy, 4).leftPadded(10), fixed(r.globalLoss, 3).leftPadded(6),
                          (r.aggregator ?? "-").leftPadded(10), String(r.bytesOnChain).leftPadded(8), fixed(store, 2).leftPadded(8),
                          fixed(s["training"] ?? 0, 2).leftPadded(7), fixed(s["distillation"] ?? 0, 2).leftPadded(8),
                          fixed(s["chain"] ?? 0, 2).leftPadded(7), fixed(s["store"] ?? 0, 2).leftPadded(7),
                          fixed(s["wall"] ?? 0, 2).leftPadded(6)].joined(separator: "  "))
        }
        return lines.joined(separator: "\n")
    }

    /// Teachers each trusted node chose in each round.
    static func teacherLines(_ report: RunReport) -> [String] {
        report.rounds.flatMap { r in
            r.teachers.keys.sorted().map { t in
                "round \(r.round): \(t) learnt from " + r.teachers[t]!.map { "\($0.node) (\(fixed($0.distance, 2)))" }.joined(separator: ", ")
            }
        }
    }

    /// The JSON line `--json` ends with.
    static func summaryJSON(_ report: RunReport, directory: String) -> String {
        let object: [String: Any] = ["final_accuracy": report.finalAccuracy, "rounds": report.rounds.count,
                                     "report_dir": directory, "seconds": report.seconds, "strategy": report.strategy]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    /// A live display on standard error: one status line redrawn on a terminal, event lines as they happen.
    final class Display: @unchecked Sendable {
        private let lock = NSLock()
        private var shownEvents = 0, shownRounds = 0
        private var lastStatus = Date()
        private let tty = isatty(2) != 0
        let quiet: Bool
        init(quiet: Bool) { self.quiet = quiet }

        func update(_ p: LocalCluster.Progress) {
            guard !quiet else { return }
            lock.lock(); defer { lock.unlock() }
            var out = ""
            if tty { out += "\r\u{1B}[K" }
            for e in p.events.dropFirst(shownEvents) { out += "  · \(e)\n" }
            shownEvents = p.events.count
            for r in p.finishedRounds.dropFirst(shownRounds) {
                out += Self.doneLine(r)
            }
            shownRounds = p.finishedRounds.count
            let nodes = p.phases.map { "\($0.name)\($0.trusted ? "*" : ""):\($0.phase)" }.joined(separator: " ")
            if tty {
                out += String("round \(p.round) │ \(nodes)".prefix(150))
            } else if Date().timeIntervalSince(lastStatus) > 15 {
                // Without a terminal, a status line now and then shows where each node is.
                lastStatus = Date()
                out += "  round \(p.round) │ \(nodes)\n"
            }
            writeStderr(out)
        }

        private static func doneLine(_ r: RoundMetrics) -> String {
            "  round \(r.round) done: global accuracy \(fixed(r.globalAccuracy, 4)), aggregator \(r.aggregator ?? "-")\n"
        }

        /// Clears the status line; with the run's report, also prints the rounds that ended after the last update.
        func finish(_ report: RunReport? = nil) {
            guard !quiet else { return }
            lock.lock(); defer { lock.unlock() }
            var out = tty ? "\r\u{1B}[K" : ""
            for r in (report?.rounds ?? []).dropFirst(shownRounds) {
                out += Self.doneLine(r)
            }
            shownRounds = max(shownRounds, report?.rounds.count ?? 0)
            writeStderr(out)
        }
    }
}
