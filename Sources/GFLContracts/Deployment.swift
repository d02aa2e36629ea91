import Primitives
import RPCClient

/// GFL's contracts on one chain: the Storage blueprint and the Controller that creates a Storage per job from it.
public struct GFLDeployment: Sendable {
    public let controller: ControllerContract
    /// The EIP-5202 blueprint of Storage.vy the Controller copies for each job.
    public let storageBlueprint: Address
    public var chain: any ChainAccess { controller.binding.chain }

    public init(controller: ControllerContract, storageBlueprint: Address) {
        self.controller = controller
        self.storageBlueprint = storageBlueprint
    }

    /// Binds to a Controller deployed earlier (its blueprint address is read from the contract).
    public static func attach(controller address: Address, on chain: any ChainAccess) async throws(ContractError) -> GFLDeployment {
        let controller = ControllerContract(address: address, chain: chain)
        return GFLDeployment(controller: controller, storageBlueprint: try await controller.storageBlueprint())
    }

    /// Deploys the Storage blueprint, then the Controller pointing at it; two transactions from `key`.
    public static func deploy(on chain: any ChainAccess, from key: PrivateKey) async throws(ContractError) -> GFLDeployment {
        let blueprint = try await create(StorageContract.artifact.blueprintBytecode(), "Storage blueprint", on: chain, from: key)
        let code = try ControllerContract.artifact.bytecode() + ControllerContract.constructorArguments(blueprint: blueprint)
        let controller = try await create(code, "Controller", on: chain, from: key)
        return GFLDeployment(controller: ControllerContract(address: controller, chain: chain), storageBlueprint: blueprint)
    }

    static func create(_ code: [UInt8], _ what: String, on chain: any ChainAccess, from key: PrivateKey) async throws(ContractError) -> Address {
        let receipt: ContractReceipt
        do { receipt = try await chain.transact(from: key, to: nil, data: code, gas: nil) } catch { throw error.named("deploy \(what)") }
        guard let address = receipt.contractAddress else {
            throw .deployment("\(what): receipt of \(receipt.transactionHash.hex) has no contract address")
        }
        return address
    }

    /// The parameters of a new job (see `Controller.createJob`).
    public struct JobSpec: Sendable {
        /// CID of the job description and initial model in the content store.
        public var jobCid: String
        public var description: String
        public var rounds: UInt256
        public var maxNodes: UInt256
        /// Blocks without a heartbeat after which a node may be reported down.
        public var heartbeatTimeout: UInt256
        /// Blocks after a round starts after which an aggregator may be chosen even if trusted models are missing.
        public var roundTimeout: UInt256
        /// Blocks the chosen aggregator has to post the global model before it may be replaced.
        public var aggregationTimeout: UInt256
        /// 0: the owner marks trusted nodes; t > 0: the t nodes with the largest data size when the job starts.
        public var trustedCount: UInt256

        public init(jobCid: String, description: String = "", rounds: UInt256, maxNodes: UInt256 = 256,
                    heartbeatTimeout: UInt256 = 20, roundTimeout: UInt256 = 20, aggregationTimeout: UInt256 = 10,
                    trustedCount: UInt256 = 0) {
            self.jobCid = jobCid; self.description = description; self.rounds = rounds; self.maxNodes = maxNodes
            self.heartbeatTimeout = heartbeatTimeout; self.roundTimeout = roundTimeout
            self.aggregationTimeout = aggregationTimeout; self.trustedCount = trustedCount
        }
    }

    /// Creates a job owned by `key`; returns its id and its Storage contract (from the `JobCreated` event).
    public func createJob(_ spec: JobSpec, from key: PrivateKey) async throws(ContractError) -> (jobId: UInt256, storage: StorageContract) {
        let receipt = try await controller.createJob(
            jobCid: spec.jobCid, description: spec.description, rounds: spec.rounds, maxNodes: spec.maxNodes,
            heartbeatTimeout: spec.heartbeatTimeout, roundTimeout: spec.roundTimeout,
            aggregationTimeout: spec.aggregationTimeout, trustedCount: spec.trustedCount, from: key)
        for log in receipt.logs where log.address == controller.address {
            if case .jobCreated(let e)? = try ControllerContract.Event(log: log) {
                return (e.jobId, StorageContract(address: e.storage, chain: chain))
            }
        }
        throw .deployment("createJob receipt \(receipt.transactionHash.hex) has no JobCreated event")
    }

    /// The Storage contract of a job.
    public func storage(ofJob jobId: UInt256) async throws(ContractError) -> StorageContract {
        let job = try await controller.jobs(jobId)
        guard job.storage != .zero else { throw .badValue(path: "jobs(\(jobId)).storage", expected: "a job", got: "no such job") }
        return StorageContract(address: job.storage, chain: chain)
    }
}

extension ControllerContract {
    /// Job status values of `Job.status`.
    public enum JobStatus: UInt8, Sendable, CustomStringConvertible {
        case created = 1, running = 2, finished = 3, aborted = 4
        public var description: String {
            switch self {
            case .created: return "created"
            case .running: return "running"
            case .finished: return "finished"
            case .aborted: return "aborted"
            }
        }
    }

    /// A node's ring position: keccak256 of its 20 address bytes, as the Controller computes it.
    public static func ringPosition(of node: Address) -> UInt256 { UInt256(word: Keccak256.hash(node.bytes)) }
}

extension ControllerContract.Job {
    /// The status as an enum (nil for a value the contract does not define, e.g. 0 for a job that does not exist).
    public var jobStatus: ControllerContract.JobStatus? { ControllerContract.JobStatus(rawValue: status) }
}
