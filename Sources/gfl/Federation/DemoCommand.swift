import ArgumentParser
import Federation
import Foundation
import Learning

/// `gfl demo`: the whole system in one command.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run an RDFL job end to end: chain, contracts, store and six data providers in one process.",
        discussion: """
        Starts a chain node (LevelDB in --dir, a block per transaction) with JSON-RPC and the content store API on a \
        loopback port, deploys the Controller and Storage contracts, creates a job and runs the data providers A…F \
        of the paper's ring (A, D and F trusted, B malicious) for 5 rounds of LeNet on a Fashion-MNIST subset. Each \
        provider has its own key, content store and data shard; models travel encrypted between the stores and \
        only their sealed references go on chain. Prints a table per round and writes metrics.json, metrics.csv, \
        ring.json and accuracy.svg into DIR/report.

        Examples:
          gfl demo
          gfl demo --nodes 10 --rounds 20 --malicious 3 --alpha 0.1
          gfl demo --kill-trusted-at 3 --kill-aggregator-at 4
        """)

    @Option(help: "Data providers in the ring.") var nodes = 6
    @Option(help: "Trusted nodes (default 3, as in the paper; at most nodes - 1).") var trusted: Int?
    @Option(help: "Rounds.") var rounds = 5
    @Option(help: "How many untrusted nodes are malicious.") var malicious = 1
    @Option(help: "What malicious nodes do: noise, sign-flip or label-flip.") var attack = "noise"
    @Option(help: "Dirichlet α of a non-IID split (default: IID).") var alpha: Double?
    @Option(help: "Training images used, split over the nodes.") var trainSamples = 30_000
    @Option(help: "Test images for the global accuracy.") var testSamples = 5_000
    @Option(help: "Model preset: lenet, mlp or gfl-cnn.") var model = "lenet"
    @Option(help: "Local epochs per round.") var localEpochs = 1
    @Option(help: "Seed of the model, the split and the training.") var seed: UInt64 = 0
    @Option(help: "Kill the trusted node D (or the second trusted) when this round starts.") var killTrustedAt: Int?
    @Option(help: "Kill the aggregator the Controller selects in this round.") var killAggregatorAt: Int?
    @Option(help: "Make node C slow: this many extra seconds per round.") var slow: Double?
    @Option(help: "Working directory (chain, stores, report); default a fresh temporary directory.") var dir: String?
    @Option(help: "Genesis file of the embedded chain.") var genesis = "genesis/dev.json"
    @Flag(help: "End with one JSON line: final_accuracy, rounds, report_dir, seconds.") var json = false
    @Flag(help: "No live progress.") var quiet = false

    func validate() throws {
        guard nodes >= 2 && nodes <= 64 else { throw ValidationError("--nodes must be 2…64") }
        guard rounds >= 1 else { throw ValidationError("--rounds must be positive") }
        guard Adversary(rawValue: attack).map({ $0 != .none }) ?? false else { throw ValidationError("--attack must be noise, sign-flip or label-flip") }
    }

    func run() async throws {
        var job = JobConfig()
        job.nodes = nodes
        job.rounds = rounds
        job.model = model
        job.trainSamples = trainSamples
        job.testSamples = testSamples
        job.nodeTestSamples = min(testSamples, 1_000)
        job.localEpochs = localEpochs
        job.seed = seed
        if let a = alpha { job.partition = "dirichlet"; job.alpha = a }
        let t = trusted ?? max(1, min(3, nodes - 1))
        guard t >= 1 && t < nodes else { throw ValidationError("--trusted must be 1…nodes-1") }
        job.trusted = t
        let trustedIdx = JobConfig.trustedSpread(nodes: nodes, count: t)
        let untrusted = (0..<nodes).filter { !trustedIdx.contains($0) }
        guard malicious >= 0 && malicious <= untrusted.count else { throw ValidationError("--malicious must be 0…\(untrusted.count)") }
        job.adversaries = untrusted.prefix(malicious).map { JobConfig.AdversarySpec(node: $0, kind: attack) }
        job.byzantine = max(1, malicious)
        do { try job.validate() } catch { throw CLIError("\(error)") }

        let directory = dir ?? NSTemporaryDirectory() + "gfl-demo-\(ProcessInfo.processInfo.processIdentifier)-\(Int(Date().timeIntervalSince1970))"
        var options = LocalCluster.Options(job: job, workDirectory: directory)
        options.genesisPath = genesis
        options.trustedRingIndices = trustedIdx
        if let k = killTrustedAt { options.killTrusted = (k, trustedIdx.count > 1 ? trustedIdx[1] : trustedIdx[0]) }
        options.killAggregatorAtRound = killAggregatorAt
        if let s = slow { options.slowNode = (2, s) }
        try await DemoCommand.runCluster(options, json: json, quiet: quiet)
    }

    static func runCluster(_ options: LocalCluster.Options, json: Bool, quiet: Bool) async throws {
        let job = options.job
        if !json {
            let names = (0..<job.nodes).map(LocalCluster.name)
            let trusted = (options.trustedRingIndices ?? []).map { names[$0] }
            let bad = job.adversaries.map { "\(names[$0.node]) (\($0.kind))" }
            print("RDFL: \(job.nodes) data providers \(names.joined(separator: " ")), trusted \(trusted.isEmpty ? "by data size" : trusted.joined(separator: " ")), malicious \(bad.isEmpty ? "none" : bad.joined(separator: " "))")
            print("      \(job.model), \(job.partition == "iid" ? "IID" : "Dirichlet α=\(job.alpha)") split of \(job.trainSamples) Fashion-MNIST images, \(job.rounds) rounds, \(job.localEpochs) local epoch(s)")
            print("      working directory \(options.workDirectory)")
        }
        let display = FederationOutput.Display(quiet: quiet || json)
        let report: RunReport
        do {
            report = try await LocalCluster(options: options).run { display.update($0) }
        } catch {
            display.finish()
            throw CLIError("\(error)")
        }
        display.finish(report)
        let reportDir = options.workDirectory + "/report"
        if json {
            print(FederationOutput.summaryJSON(report, directory: reportDir))
            return
        }
        print(FederationOutput.roundTable(report))
        for line in FederationOutput.teacherLines(report).suffix(6) { print(line) }
        print("final global accuracy \(fixed(report.finalAccuracy, 4)) in \(fixed(report.seconds, 1)) s; model reference on chain: \(report.referenceBytes) bytes; chain+store share of round time \(fixed(report.chainStoreShare * 100, 1))%")
        print("report: \(reportDir)/metrics.json, metrics.csv, ring.json, accuracy.svg")
        let chain = options.workDirectory + "/chain"
        print("inspect it: gfl node --datadir \(chain) --genesis \(chain)/genesis.json & gfl explorer serve --controller \(report.controller ?? "?") --reports \(reportDir)")
    }
}
