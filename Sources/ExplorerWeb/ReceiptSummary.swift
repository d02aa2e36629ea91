import Foundation
import GFLContracts
import Primitives
import RPCClient

/// The DFL accuracy receipts each member of a job received (`Contracts/Receipts.vy`): how many testers receipted its
/// models, their mean accuracy and the last round one came in, from the contract's per-(job, node) totals.
public struct NodeReceipts: Sendable, Equatable {
    public var node: Address
    public var count: UInt256
    /// Sum of the receipted accuracies, basis points.
    public var sumAccuracy: UInt256
    public var lastRound: UInt256

    public init(node: Address, count: UInt256, sumAccuracy: UInt256, lastRound: UInt256) {
        self.node = node; self.count = count; self.sumAccuracy = sumAccuracy; self.lastRound = lastRound
    }

    /// Mean accuracy as a fraction 0…1; nil without receipts.
    public var meanAccuracy: Double? {
        guard !count.isZero, count.fitsUInt64, sumAccuracy.fitsUInt64 else { return nil }
        return Double(sumAccuracy.l0) / Double(count.l0) / 10_000
    }

    /// "91.00%" or "—".
    public var meanText: String { meanAccuracy.map { String(format: "%.2f%%", $0 * 100) } ?? "—" }

    /// One entry per member of the job (ring members first, then those reported down), in `view.members` order.
    public static func load(_ receipts: ReceiptsContract, view: JobView) async throws(ContractError) -> [NodeReceipts] {
        var out: [NodeReceipts] = []
        for m in view.members {
            let t = try await receipts.totals(jobId: view.jobId, sender: m.address)
            out.append(NodeReceipts(node: m.address, count: t.count, sumAccuracy: t.sumAccuracy, lastRound: t.lastRound))
        }
        return out
    }

    /// The section of `gfl explorer job` (text).
    public static func render(_ entries: [NodeReceipts], contract: Address) -> [String] {
        var out = ["", "accuracy receipts (DFL, Receipts \(contract.checksummed)): what testers measured on each node's models"]
        out.append(JobText.pad("node", 44) + JobText.pad("receipts", 10) + JobText.pad("mean", 10) + "last round")
        for e in entries {
            out.append(JobText.pad(e.node.checksummed, 44) + JobText.pad(e.count.description, 10) + JobText.pad(e.meanText, 10)
                       + (e.count.isZero ? "-" : e.lastRound.description))
        }
        return out
    }

    /// The same as JSON.
    public static func json(_ entries: [NodeReceipts], contract: Address) -> JSONValue {
        .object([
            "contract": .string(contract.checksummed),
            "nodes": .array(entries.map { e in
                .object(["node": .string(e.node.checksummed), "count": .string(e.count.description),
                         "meanAccuracy": e.meanAccuracy.map { .number($0) } ?? .null,
                         "lastRound": e.count.isZero ? .null : .string(e.lastRound.description)])
            }),
        ])
    }
}
