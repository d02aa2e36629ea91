import Foundation

/// Time a node spent in one round, by activity (seconds).
public struct PhaseSeconds: Codable, Sendable, Equatable {
    public var training = 0.0
    public var distillation = 0.0
    /// Transactions and contract views (not waiting for other nodes).
    public var chain = 0.0
    /// Adding, sealing, fetching and opening model files.
    public var store = 0.0
    public var evaluation = 0.0
    /// From the round's start to the global model in hand.
    public var wall = 0.0
    public init() {}
}

/// A teacher a trusted node chose, with its Euclidean distance.
public struct TeacherChoice: Codable, Sendable, Equatable {
    public var node: String
    public var distance: Double
    public init(node: String, distance: Double) { self.node = node; self.distance = distance }
}

/// What one node did and measured in one round; trainers append these to `node-NAME.jsonl` and the report merges
/// them.
public struct NodeRoundRecord: Codable, Sendable, Equatable {
    public var node: String
    public var name: String
    public var round: Int
    public var role: String
    public var adversary: String
    public var localAccuracy = 0.0
    public var localLoss = 0.0
    /// The global model on this node's evaluation set.
    public var globalAccuracy = 0.0
    public var globalLoss = 0.0
    /// The global model on the full test set (only the node asked to evaluate it).
    public var globalTestAccuracy: Double?
    public var globalTestLoss: Double?
    public var submittedTo: String?
    public var resubmitted = false
    public var teachers: [TeacherChoice] = []
    public var modelsSeen = 0
    public var aggregator: String?
    /// The distilled models this node averaged, when it was the aggregator.
    public var aggregated: [String] = []
    public var transfers: [TransferRecord] = []
    public var rejected: [String] = []
    public var timeouts: [String] = []
    /// Transactions the chain reverted because of a race (the round ended, or the target went down, between
    /// reading the chain and sending); the node read the chain again and went on.
    public var reverted: [String]?
    /// Calldata bytes of this node's transactions in the round, and the size of one model reference.
    public var chainBytes = 0
    public var referenceBytes = 0
    public var gasUsed: UInt64 = 0
    public var transactions = 0
    public var seconds = PhaseSeconds()
    /// DFL: this node's reputation of each sender after the round's aggregation.
    public var reputation: [String: Double]?
    /// 1-bit FD: the Peer Truth Serum reward the Distillation contract credited this node for the round (wei).
    public var rewardWei: String?

    public init(node: String, name: String, round: Int, role: String, adversary: String) {
        self.node = node; self.name = name; self.round = round; self.role = role; self.adversary = adversary
    }

    public var bytesReceived: Int { transfers.reduce(0) { $0 + $1.bytes } }
}

/// Appends records as JSON lines to a file (a trainer process's output).
public final class RecordFile: @unchecked Sendable {
    private let lock = NSLock()
    private let handle: FileHandle

    public init(path: String) throws {
        FileManager.default.createFile(atPath: path, contents: nil)
        guard let h = FileHandle(forWritingAtPath: path) else { throw FederationError.config("cannot write \(path)") }
        handle = h
    }

    public func append(_ record: NodeRoundRecord) {
        guard var data = try? ReportJSON.encoder().encode(record) else { return }
        data.append(0x0A)
        lock.lock(); handle.write(data); lock.unlock()
    }

    /// Reads every record of a JSON-lines file; a line that does not decode is an error naming the line.
    public static func read(path: String) throws -> [NodeRoundRecord] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw FederationError.config("cannot read \(path)") }
        var out: [NodeRoundRecord] = []
        for (i, line) in text.split(separator: "\n").enumerated() where !line.isEmpty {
            do { out.append(try ReportJSON.decoder().decode(NodeRoundRecord.self, from: Data(line.utf8))) } catch {
                throw FederationError.config("\(path):\(i + 1): not a node record (\(error))")
            }
        }
        return out
    }
}

/// Collects records in memory (the in-process runner).
public final class RecordCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var records: [NodeRoundRecord] = []
    public init() {}
    public func append(_ r: NodeRoundRecord) { lock.lock(); records.append(r); lock.unlock() }
    public var all: [NodeRoundRecord] { lock.lock(); defer { lock.unlock() }; return records }
}
