import Learning

/// The data of a run: Fashion-MNIST's first `trainSamples` training images split over the nodes by the job's
/// partitioner and seed (every strategy gets the same split), the global test set and the nodes' evaluation set.
public struct FederatedData: Sendable {
    public var train: [Dataset]
    public var test: Dataset
    public var nodeTest: Dataset
    /// 1-bit FD's public reference set: the last `referenceSamples` training images (never in a node's shard).
    public var reference: Dataset?

    public static func load(job: JobConfig, directory: String = FashionMNIST.defaultDirectory) throws -> FederatedData {
        let files = try FashionMNIST.open(directory: directory)
        let train = files.train(0..<max(0, job.trainSamples))
        let parts = try job.partitioner.split(labels: train.labels, classes: train.classes, nodes: job.nodes, seed: job.seed)
        let reference = job.strategy == Strategy.fd1bit.rawValue
            ? files.train(max(0, files.trainCount - job.referenceSamples)..<files.trainCount) : nil
        return FederatedData(train: parts.map { train.subset($0) }, test: files.test(0..<max(0, job.testSamples)),
                             nodeTest: files.test(0..<max(0, job.nodeTestSamples)), reference: reference)
    }

    /// One node's shard (a `gfl trainer` process loads only what it needs).
    public static func shard(_ index: Int, job: JobConfig, directory: String = FashionMNIST.defaultDirectory) throws
        -> (train: Dataset, test: Dataset, nodeTest: Dataset, reference: Dataset?) {
        let all = try load(job: job, directory: directory)
        guard index >= 0 && index < all.train.count else {
            throw FederationError.config("shard \(index) outside 0..<\(all.train.count)")
        }
        return (all.train[index], all.test, all.nodeTest, all.reference)
    }
}
