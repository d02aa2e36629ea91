import ArgumentParser
import ContentStore
import Federation
import Foundation
import GFLContracts
import Learning
import Primitives
import RPCClient

/// `gfl job`: the model provider's side of a job, and runs of whole jobs.
struct JobCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "job",
        abstract: "Create, start and follow federated-learning jobs; run or compare whole jobs locally.",
        discussion: """
        With a node running ('gfl node'), as the model provider:
          gfl job deploy --dev-account 0          (prints export GFL_CONTROLLER=0x…)
          gfl job create job.json --dev-account 0
          gfl job start 1 --dev-account 0 --wait-nodes 4
          gfl job status 1
        and one 'gfl trainer --job 1 --shard I …' per data provider.
        In one process, with its own embedded chain:
          gfl job run job.json
          gfl job compare job.json --strategies rdfl,fedavg,median
        """,
        subcommands: [Deploy.self, Create.self, Start.self, Status.self, Run.self, Compare.self, Template.self])

    struct ControllerOption: ParsableArguments {
        @Option(help: "Controller address (default $GFL_CONTROLLER).") var controller: String?
        func address() throws -> Address { try Address(hex: try TrainerCommand.controllerAddress(controller)) }
    }

    struct Deploy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Deploy the Storage blueprint, the Controller, and the Receipts (dfl) and Distillation (fd-1bit) contracts.")
        @OptionGroup var rpc: RPCOptions
        @OptionGroup var signer: SignerOptions
        @Flag(help: "Print JSON.") var json = false
        func run() async throws {
            let chain = RPCChain(url: URL(string: rpc.rpc)!)
            let d: GFLDeployment, receipts: Address, distillation: Address
            do {
                let key = try signer.key()
                d = try await GFLDeployment.deploy(on: chain, from: key)
                receipts = try await ReceiptsDeployment.deploy(on: chain, from: key, controller: d.controller.address).address
                distillation = try await DistillationDeployment.deploy(on: chain, from: key, controller: d.controller.address).address
            } catch { throw CLIError("\(error)") }
            if json {
                print(#"{"controller":"\#(d.controller.address.checksummed)","storageBlueprint":"\#(d.storageBlueprint.checksummed)","receipts":"\#(receipts.checksummed)","distillation":"\#(distillation.checksummed)"}"#)
            } else {
                print("Controller         \(d.controller.address.checksummed)")
                print("Storage blueprint  \(d.storageBlueprint.checksummed)")
                print("Receipts           \(receipts.checksummed)")
                print("Distillation       \(distillation.checksummed)")
                print("export GFL_CONTROLLER=\(d.controller.address.checksummed) GFL_RECEIPTS=\(receipts.checksummed) GFL_DISTILLATION=\(distillation.checksummed)")
            }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a job file to the store and create the job on the Controller.")
        @Argument(help: "Job file (JSON; 'gfl job template' prints one).") var file: String
        @OptionGroup var rpc: RPCOptions
        @OptionGroup var signer: SignerOptions
        @OptionGroup var controller: ControllerOption
        @Option(help: "Store API to add the job file to (default: the node's, --rpc URL).") var store: String?
        @Option(help: "Receipts contract for a dfl job (default $GFL_RECEIPTS).") var receipts: String?
        @Option(help: "Distillation contract for an fd-1bit job (default $GFL_DISTILLATION).") var distillation: String?
        @Flag(help: "Print JSON.") var json = false
        func run() async throws {
            var config: JobConfig
            do { config = try JobConfig.load(path: file) } catch { throw CLIError("\(error)") }
            let env = ProcessInfo.processInfo.environment
            if config.strategy == Strategy.dfl.rawValue && config.receiptsContract.isEmpty {
                guard let a = receipts ?? env["GFL_RECEIPTS"] else { throw CLIError("a dfl job needs the Receipts contract: --receipts ADDR or $GFL_RECEIPTS ('gfl job deploy' prints it)") }
                config.receiptsContract = a
            }
            if config.strategy == Strategy.fd1bit.rawValue && config.distillationContract.isEmpty {
                guard let a = distillation ?? env["GFL_DISTILLATION"] else { throw CLIError("an fd-1bit job needs the Distillation contract: --distillation ADDR or $GFL_DISTILLATION ('gfl job deploy' prints it)") }
                config.distillationContract = a
            }
            do { try config.validate() } catch { throw CLIError("\(error)") }
            if config.trustedSelection != "data-size" && config.strategy == Strategy.rdfl.rawValue {
                throw CLIError("trustedSelection \"\(config.trustedSelection)\" is for embedded runs (gfl job run/compare); "
                               + "on a chain node the Controller picks trusted nodes by data size: set \"data-size\"")
            }
            let chain = RPCChain(url: URL(string: rpc.rpc)!)
            let d = try await GFLDeployment.attach(controller: try controller.address(), on: chain)
            let bytes = [UInt8](config.encoded())
            let cid: String
            do { cid = try await StoreClient(url: store ?? rpc.rpc).add(bytes: bytes, name: "job.json").Hash } catch {
                throw CLIError("adding the job file to \(store ?? rpc.rpc): \(error)")
            }
            let created: (jobId: UInt256, storage: StorageContract)
            do {
                created = try await d.createJob(config.jobSpec(cid: cid), from: try signer.key())
                try await LocalCluster.configureDistillation(job: config, jobId: created.jobId, on: chain, owner: try signer.key())
            } catch { throw CLIError("\(error)") }
            if json {
                print(#"{"jobId":\#(created.jobId),"storage":"\#(created.storage.address.checksummed)","jobCid":"\#(cid)"}"#)
            } else {
                print("job \(created.jobId) created: storage \(created.storage.address.checksummed), job file \(cid)")
            }
        }
    }

    struct Start: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Start a job (the owner); trusted nodes are chosen by data size.")
        @Argument(help: "Job id.") var id: Int
        @OptionGroup var rpc: RPCOptions
        @OptionGroup var signer: SignerOptions
        @OptionGroup var controller: ControllerOption
        @Option(help: "Wait until this many nodes joined (up to --timeout seconds).") var waitNodes: Int?
        @Option(help: "Seconds to wait for --wait-nodes.") var timeout = 300.0
        func run() async throws {
            let chain = RPCChain(url: URL(string: rpc.rpc)!)
            let c = ControllerContract(address: try controller.address(), chain: chain)
            if let n = waitNodes {
                let deadline = Date().addingTimeInterval(timeout)
                while try await c.jobs(UInt256(id)).nodeCount < UInt256(n) {
                    if Date() > deadline { throw CLIError("only \(try await c.jobs(UInt256(id)).nodeCount) of \(n) nodes joined job \(id) in \(Int(timeout)) s") }
                    try await Task.sleep(nanoseconds: 200_000_000)
                }
            }
            do { _ = try await c.startJob(jobId: UInt256(id), from: try signer.key()) } catch { throw CLIError("\(error)") }
            print("job \(id) started")
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a job: status, ring and rounds.")
        @Argument(help: "Job id.") var id: Int
        @OptionGroup var rpc: RPCOptions
        @OptionGroup var controller: ControllerOption
        @Flag(help: "Print JSON.") var json = false
        func run() async throws {
            let chain = RPCChain(url: URL(string: rpc.rpc)!)
            let view: JobView
            do { view = try await JobView.load(ControllerContract(address: try controller.address(), chain: chain), jobId: UInt256(id)) } catch {
                throw CLIError("\(error)")
            }
            let status = view.job.jobStatus.map { "\($0)" } ?? "unknown"
            if json {
                let rounds: [[String: Any]] = view.rounds.map { r in
                    ["round": r.round.asInt ?? 0, "submissions": r.submissions.count, "forwards": r.forwards.count,
                     "distilled": r.distilled.count, "aggregator": r.aggregator.checksummed, "global": Hex.encode(r.globalModel)]
                }
                let ring: [[String: Any]] = view.ring.map { ["node": $0.node.checksummed, "trusted": $0.trusted, "position": $0.position.hexString] }
                let obj: [String: Any] = ["jobId": id, "status": status, "round": view.job.currentRound.asInt ?? 0,
                                          "rounds": view.job.rounds.asInt ?? 0, "ring": ring, "roundLog": rounds,
                                          "storage": view.storage.checksummed, "jobCid": view.job.jobCid]
                print(String(decoding: try JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys]), as: UTF8.self))
                return
            }
            print("job \(id): \(status), round \(view.job.currentRound) of \(view.job.rounds), \(view.job.nodeCount) nodes, job file \(view.job.jobCid)")
            print("storage \(view.storage.checksummed)")
            print("ring (clockwise):")
            for e in view.ring { print("  \(e.trusted ? "T" : "-") \(e.node.checksummed)  \(String(e.position.hexString.prefix(18)))…") }
            for (a, n) in view.members where !n.alive { print("  x \(a.checksummed) (down)") }
            print("round  submissions  forwards  distilled  aggregator                                  global ref")
            for r in view.rounds {
                print([String(r.round.asInt ?? 0).padded(5), String(r.submissions.count).leftPadded(11),
                       String(r.forwards.count).leftPadded(8), String(r.distilled.count).leftPadded(9),
                       (r.aggregator == .zero ? "-" : r.aggregator.checksummed).padded(42),
                       r.globalModel.isEmpty ? "-" : "\(r.globalModel.count) bytes"].joined(separator: "  "))
            }
        }
    }

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a whole job in this process (embedded chain and stores) and write its report.")
        @Argument(help: "Job file.") var file: String
        @Option(help: "Working directory (chain, stores, report).") var dir: String?
        @Option(help: "Genesis file of the embedded chain.") var genesis = "genesis/dev.json"
        @Option(help: "Kill the second trusted node when this round starts.") var killTrustedAt: Int?
        @Option(help: "Kill the aggregator selected in this round.") var killAggregatorAt: Int?
        @Option(help: "Mine a block every N seconds instead of one per transaction (BCFL's time model compares these).")
        var blockTime: Double?
        @Flag(help: "End with one JSON line.") var json = false
        @Flag(help: "No live progress.") var quiet = false
        func run() async throws {
            let config: JobConfig
            do { config = try JobConfig.load(path: file) } catch { throw CLIError("\(error)") }
            let directory = dir ?? NSTemporaryDirectory() + "gfl-job-\(ProcessInfo.processInfo.processIdentifier)-\(Int(Date().timeIntervalSince1970))"
            let report = try await JobRunner.run(config, directory: directory, genesis: genesis, killTrustedAt: killTrustedAt,
                                                 killAggregatorAt: killAggregatorAt, blockTime: blockTime, json: json, quiet: quiet)
            if json { print(FederationOutput.summaryJSON(report, directory: directory + "/report")) }
        }
    }

    struct Template: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a job file with every field at its default.")
        func run() { print(String(decoding: JobConfig().encoded(), as: UTF8.self)) }
    }
}

/// Runs one job file with the strategy it names on an embedded cluster: a chain node, the contracts and one node
/// per data provider with its own store. RDFL gets `trusted` nodes by the job's `trustedSelection`; every other strategy has one
/// trusted node (ring index 0): the fixed aggregator, or the keeper that closes DFL's and 1-bit FD's rounds.
enum JobRunner {
    /// RDFL's trusted ring indices by the job's rule. Data size is decided here by the Controller's rule (the
    /// shards are known before the nodes join), so that fault injection can name the second trusted node.
    /// Adversaries are untrusted nodes by definition: a job whose rule would trust one is refused.
    /// `data` is the job's split, loaded once here for the data-size rule and handed on to the run.
    static func trustedIndices(_ config: JobConfig, data: inout FederatedData?) throws -> [Int] {
        let indices: [Int]
        if config.trustedSelection == "spread" {
            indices = JobConfig.trustedSpread(nodes: config.nodes, count: config.trusted)
        } else if config.trustedSelection == "nodes" {
            indices = config.trustedNodes.sorted()
        } else {
            let split: FederatedData
            if let loaded = data { split = loaded } else {
                do { split = try FederatedData.load(job: config) } catch { throw CLIError("\(error)") }
                data = split
            }
            indices = JobConfig.trustedByDataSize(sizes: split.train.map(\.count), count: config.trusted)
        }
        if let bad = indices.first(where: { config.adversary(ofNode: $0) != .none }) {
            throw CLIError("node \(LocalCluster.name(bad)) (index \(bad)) would be trusted by \(config.trustedSelection) but is an adversary; "
                           + "adversaries must be untrusted nodes (move them, or set trustedSelection)")
        }
        return indices
    }

    static func run(_ config: JobConfig, directory: String, genesis: String, killTrustedAt: Int? = nil,
                    killAggregatorAt: Int? = nil, blockTime: Double? = nil, json: Bool, quiet: Bool) async throws -> RunReport {
        guard let strategy = Strategy(rawValue: config.strategy) else { throw CLIError("unknown strategy \(config.strategy)") }
        var options = LocalCluster.Options(job: config, workDirectory: directory)
        options.genesisPath = genesis
        options.blockTime = blockTime
        if strategy == .rdfl {
            options.trustedRingIndices = try trustedIndices(config, data: &options.data)
            // The data-size rule is the Controller's own (and refills lost places); spread and listed sets are the owner's.
            options.trustedByDataSize = config.trustedSelection == "data-size"
        } else {
            options.trustedRingIndices = [0]
        }
        if let k = killTrustedAt, let idx = options.trustedRingIndices {
            guard strategy == .rdfl else { throw CLIError("--kill-trusted-at needs the rdfl strategy (the others have one aggregator)") }
            options.killTrusted = (k, idx.count > 1 ? idx[1] : idx[0])
        }
        options.killAggregatorAtRound = killAggregatorAt
        let display = FederationOutput.Display(quiet: quiet || json)
        let report: RunReport
        do { report = try await LocalCluster(options: options).run { display.update($0) } } catch {
            display.finish(); throw CLIError("\(error)")
        }
        display.finish(report)
        if !json {
            print(FederationOutput.roundTable(report))
            print("report: \(directory)/report")
            print("chain: gfl node --datadir \(directory)/chain --genesis \(directory)/chain/genesis.json (then gfl explorer job \(report.jobId ?? "1") --controller \(report.controller ?? "?"))")
        }
        return report
    }
}
