import ArgumentParser
import Federation
import Foundation
import Learning

extension JobCommand {
    /// `gfl job compare`: the same job (seeds, split, attackers) under several strategies, one table and one plot.
    struct Compare: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a job under several strategies on the same split and compare them.",
            discussion: """
            Every strategy runs through its own embedded chain and per-node stores, on the same seed, split and
            attackers. The table lists final and best global accuracy, calldata bytes on chain, bytes moved
            between the nodes' stores, gas, and seconds; comparison.svg plots accuracy by round.
            Example: gfl job compare tools/jobs/lenet-10-iid.json --strategies rdfl,fedavg,median,dfl,bcfl,fd-1bit --dir cmp
            """)
        @Argument(help: "Job file.") var file: String
        @Option(help: "Comma-separated: rdfl, fedavg, median, trimmed-mean, krum, dfl, bcfl, fd-1bit.")
        var strategies = "rdfl,fedavg,median,dfl,bcfl,fd-1bit"
        @Option(help: "Override the job's rounds (shorter comparisons).") var rounds: Int?
        @Option(help: "Directory for the runs and the comparison.") var dir = "gfl-compare"
        @Option(help: "Genesis file of the embedded chain (RDFL).") var genesis = "genesis/dev.json"
        @Flag(help: "End with one JSON line per strategy.") var json = false
        @Flag(help: "No live progress.") var quiet = false

        func run() async throws {
            var base: JobConfig
            do { base = try JobConfig.load(path: file) } catch { throw CLIError("\(error)") }
            if let rounds { base.rounds = rounds }
            let names = strategies.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
            for n in names where Strategy(rawValue: n) == nil { throw CLIError("unknown strategy '\(n)'; use \(Strategy.allCases.map(\.rawValue).joined(separator: ", "))") }
            // 1-bit FD's reference set is the end of the training set; every strategy then trains on the same rest.
            if names.contains(Strategy.fd1bit.rawValue) && base.trainSamples > 60_000 - base.referenceSamples {
                base.trainSamples = 60_000 - base.referenceSamples
                if !json { print("trainSamples \(base.trainSamples) for every strategy (fd-1bit keeps the last \(base.referenceSamples) as its reference set)") }
            }
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
            var lines = ["strategy       final acc  best acc  chain bytes  moved MB  gas used     seconds"]
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
