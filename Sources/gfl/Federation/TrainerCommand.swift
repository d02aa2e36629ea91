import ArgumentParser
import ContentStore
import Federation
import Foundation
import GFLContracts
import Learning
import Primitives
import RPCClient

/// `gfl trainer`: one data provider of a job, as its own process.
struct TrainerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trainer",
        abstract: "Run one data provider (trainer) of an RDFL job.",
        discussion: """
        Joins the job's ring on the Controller, serves its own content store (LevelDB under --repo) on a loopback \
        port that it announces on chain, reads the job file from --job-store by the CID on chain, trains on its \
        shard of Fashion-MNIST and follows the job through contract events until the last round. Round records \
        go to --out/node-INDEX.jsonl. It talks to the chain only through JSON-RPC, so --rpc may be any node.

        Example (node started with 'gfl node', contracts and job from 'gfl job deploy' and 'gfl job create'):
          gfl trainer --controller 0xCONTROLLER --job 1 --dev-account 1 --shard 0 --repo t0 --out run
        """)

    @OptionGroup var rpc: RPCOptions
    @OptionGroup var signer: SignerOptions
    @Option(help: "Controller address (default $GFL_CONTROLLER).") var controller: String?
    @Option(help: "Job id.") var job: Int
    @Option(help: "Which shard of the job's split this node trains on (0…nodes-1).") var shard: Int
    @Option(help: "Store API holding the job file (default: the node's, --rpc URL + /api/v0).") var jobStore: String?
    @Option(help: "Directory of this node's content store.") var repo: String
    @Option(help: "Address for this node's store API.") var storeAddr = "127.0.0.1"
    @Option(help: "Port for this node's store API (0 picks a free one).") var storePort = 0
    @Option(help: "Directory for the round records.") var out = "."
    @Option(help: "Fashion-MNIST directory.") var data = FashionMNIST.defaultDirectory
    @Flag(help: "Also score the global model on the job's full test set every round.") var evaluateGlobal = false
    @Option(help: "Threads for training (default: all cores).") var threads: Int?
    @Option(help: "Seconds to keep serving this node's store after the job ends, so peers can fetch the last models.")
    var linger = 20.0

    func run() async throws {
        let key = try signer.key()
        guard let url = URL(string: rpc.rpc) else { throw CLIError("invalid --rpc URL") }
        let chain = RPCChain(url: url)
        let controllerAddress = try Address(hex: try Self.controllerAddress(controller))
        let jobId = UInt256(job)
        let record: ControllerContract.Job
        do { record = try await ControllerContract(address: controllerAddress, chain: chain).jobs(jobId) } catch {
            throw CLIError("cannot read job \(job) from the Controller at \(controllerAddress) via \(rpc.rpc): \(error)")
        }
        guard record.storage != .zero else { throw CLIError("job \(job) does not exist on the Controller \(controllerAddress)") }
        // The job file, by the CID on chain, verified against it.
        let storeURL = jobStore ?? rpc.rpc
        let config: JobConfig
        do {
            let cid = try CID(record.jobCid)
            let bytes = try await StoreClient(url: storeURL).cat(cid)
            guard try computeCID(bytes: bytes).cid == cid else { throw CLIError("job file from \(storeURL) does not match CID \(cid)") }
            config = try JobConfig.decode(Data(bytes))
        } catch let e as CLIError { throw e } catch {
            throw CLIError("job file \(record.jobCid) from \(storeURL): \(error)")
        }
        guard shard >= 0 && shard < config.nodes else { throw CLIError("--shard must be 0…\(config.nodes - 1)") }
        let shards: (train: Dataset, test: Dataset, nodeTest: Dataset, reference: Dataset?)
        do { shards = try FederatedData.shard(shard, job: config, directory: data) } catch { throw CLIError("\(error)") }
        var train = shards.train
        if config.adversary(ofNode: shard) == .labelFlip { train = Adversary.flipLabels(train) }
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let store = try NodeStore(path: repo)
        try await store.serve(host: storeAddr, port: storePort)
        let records = try RecordFile(path: out + "/node-\(shard).jsonl")
        var setup = RDFLNode.Setup(
            key: key, index: shard, name: LocalCluster.name(shard), job: config, jobId: jobId,
            controller: controllerAddress, data: train, test: shards.nodeTest,
            globalTest: evaluateGlobal ? shards.test : nil, store: store,
            compute: ComputePool(width: threads ?? ComputePool.cores), sink: { records.append($0) })
        setup.reference = shards.reference
        let node = try RDFLNode(setup: setup, chain: chain)
        say("trainer \(key.address.checksummed) shard \(shard): store \(store.url), job \(job)")
        do {
            try await node.join()
            say("joined job \(job); waiting for it to start")
            try await node.run()
        } catch {
            store.stop()
            throw CLIError("trainer \(shard): \(error)")
        }
        say("job \(job) finished; serving the store \(Int(linger)) s more for late peers")
        try await Task.sleep(nanoseconds: UInt64(max(0, linger) * 1e9))
        store.stop()
    }

    /// A trainer's output usually goes to a log file that someone tails: each line is flushed as it is printed.
    func say(_ line: String) {
        print(line)
        fflush(nil)
    }

    static func controllerAddress(_ given: String?) throws -> String {
        if let c = given ?? ProcessInfo.processInfo.environment["GFL_CONTROLLER"] { return c }
        throw CLIError("no Controller address: pass --controller ADDR or set $GFL_CONTROLLER ('gfl job deploy' prints it)")
    }
}
