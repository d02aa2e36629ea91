import ArgumentParser
import Federation
import Foundation
import Learning

extension JobCommand {
    /// `gfl job compare`: the same job (seeds, split, attackers) under several strategies, one table and one plot.
    struct Compare: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a job under several strategies on the same split and compare them.",
            discussion: "Example: gfl job compare job.json --strategies rdfl,fedavg,median,trimmed-mean,krum --dir cmp")
        @Argument(help: "Job file.") var file: String
        @Option(help: "Comma-separated: rdfl, fedavg, median, trimmed-mean, krum.") var strategies = "rdfl,fedavg,median"
        @Option(help: "Directory for the runs and the comparison.") var dir = "gfl-compare"
        @Option(help: "Genesis file of the embedded chain (RDFL).") var genesis = "genesis/dev.json"
        @Flag(help: "End with one JSON line per strategy.") var json = false
        @Flag(help: "No live progress.") var quiet = false

        func run() async throws {
            var base: JobConfig
            do { base = try JobConfig.load(path: file) } catch { throw CLIError("\(error)") }
            let names = strategies.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
            for n in names where Strategy(rawValue: n) == nil { throw CLIError("unknown strategy '\(n)'; use \(Strategy.allCases.map(\.rawValue).joined(separator: ", "))") }
            var reports: [RunReport] = []
            for n in names {
                base.strategy = n
                if !json { print("== \(n)") }
                reports.append(try await JobRunner.run(base, directory: dir + "/" + n, genesis: genesis, json: json, quiet: quiet))
            }
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let table = Self.table(reports)
            try table.write(toFile: dir + "/comparison.txt", atomically: true, encoding: .utf8)
            let chart = LineChart(title: "Global test accuracy by round", xLabel: "round", yLabel: "accuracy",
                                  series: reports.map { r in LineChart.Series(name: r.strategy, points: r.rounds.map { (x: Double($0.round), y: $0.globalAccuracy) }, dashed: false) },
                                  yRange: 0...1)
            try chart.svg().write(toFile: dir + "/comparison.svg", atomically: true, encoding: .utf8)
            let e = JSONEncoder(); e.outputFormatting = [.prettyPrinted, .sortedKeys]
            try e.encode(reports).write(to: URL(fileURLWithPath: dir + "/comparison.json"))
            if json {
                for r in reports { print(FederationOutput.summaryJSON(r, directory: dir + "/" + r.strategy + "/report")) }
            } else {
                print(table)
                print("comparison: \(dir)/comparison.txt, comparison.json, comparison.svg")
            }
        }

        static func table(_ reports: [RunReport]) -> String {
            var lines = ["strategy       final acc  best acc  chain bytes  store MB  gas used     seconds"]
            for r in reports {
                let best = r.rounds.map(\.globalAccuracy).max() ?? 0
                let chainBytes = r.rounds.map(\.bytesOnChain).reduce(0, +)
                let store = Double(r.rounds.flatMap { $0.bytesStore.values }.reduce(0, +)) / 1_048_576
                lines.append([r.strategy.padded(13), fixed(r.finalAccuracy, 4).leftPadded(9), fixed(best, 4).leftPadded(8),
                              String(chainBytes).leftPadded(11), fixed(store, 1).leftPadded(8), String(r.gasUsed).leftPadded(11),
                              fixed(r.seconds, 1).leftPadded(9)].joined(separator: "  "))
            }
            return lines.joined(separator: "\n") + "\n"
        }
    }
}
