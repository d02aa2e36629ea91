import Foundation
import GFLContracts
import Primitives
import RPCClient

/// The job view for terminals (`gfl explorer job`): fixed-width tables no wider than 100 columns, and a JSON form.
public enum JobText {
    /// The widest line `render` produces.
    public static let maxWidth = 100

    /// A Controller event as (name, one-line details).
    public static func describe(_ e: ControllerContract.Event) -> (String, String) {
        switch e {
        case .jobCreated(let j): return ("JobCreated", "owner \(j.owner.checksummed), \(j.rounds) rounds, CID \(j.jobCid)")
        case .jobStatusChanged(let s):
            let name = ControllerContract.JobStatus(rawValue: s.status)?.description ?? "status \(s.status)"
            return ("JobStatusChanged", "\(name) at round \(s.round)")
        case .nodeJoined(let n): return ("NodeJoined", "\(n.node.checksummed), data size \(n.dataSize)")
        case .trustedSet(let t): return ("TrustedSet", "\(t.node.checksummed) \(t.trusted ? "trusted" : "untrusted")")
        case .nodeDown(let d): return ("NodeDown", "\(d.node.checksummed) reported by \(d.reporter.checksummed)")
        case .aggregatorSelected(let a): return ("AggregatorSelected", "round \(a.round): \(a.aggregator.checksummed), attempt \(a.attempt)")
        case .roundCompleted(let r): return ("RoundCompleted", "round \(r.round)")
        }
    }

    static func pad(_ s: String, _ n: Int) -> String {
        s.count >= n ? String(s.prefix(n)) : s + String(repeating: " ", count: n - s.count)
    }
    static func fit(_ s: String, _ n: Int) -> String { s.count <= n ? s : String(s.prefix(max(0, n - 1))) + "…" }
    static func addr(_ a: Address) -> String { Format.short(a.checksummed, keep: 8) }

    /// The whole job as text: record, ring, round summary, round details and Controller events.
    public static func render(_ view: JobView, controller: Address, accuracy: [AccuracyReports.Entry],
                              receipts: (contract: Address, entries: [NodeReceipts])? = nil) -> String {
        var out: [String] = []
        let job = view.job
        func field(_ k: String, _ v: String) { out.append(fit(pad(k, 13) + v, maxWidth)) }
        out.append("GFL job \(view.jobId) on Controller \(controller.checksummed)")
        field("status", "\(job.jobStatus?.description ?? "status \(job.status)"), round \(job.currentRound) of \(job.rounds)")
        field("owner", job.owner.checksummed)
        field("storage", job.storage.checksummed)
        field("job CID", job.jobCid)
        if !job.description.isEmpty { field("description", job.description) }
        field("nodes", "\(job.nodeCount) joined, \(view.ring.count) live; trusted "
              + (job.trustedCount.isZero ? "chosen by the owner" : "= the \(job.trustedCount) largest data sizes"))

        let members = RingMember.members(of: view)
        out.append("")
        out.append("ring (by position, clockwise)")
        out.append(pad("#", 3) + pad("position", 15) + pad("node", 43) + pad("role", 10) + pad("data", 6) + "API")
        for m in members {
            let line = pad(m.ringIndex.map(String.init) ?? "-", 3) + pad(Format.short(m.position.word.hex, keep: 7), 15)
                + pad(m.address.checksummed, 43) + pad(m.role, 10) + pad(m.node.dataSize.description, 6) + m.node.apiUrl
            out.append(fit(line, maxWidth))
        }

        if let receipts { out += NodeReceipts.render(receipts.entries, contract: receipts.contract).map { fit($0, maxWidth) } }

        out.append("")
        out.append(pad("round", 7) + pad("subm.", 7) + pad("fwd p1/p2", 11) + pad("dist.", 7) + pad("aggregator (picks)", 24)
                   + pad("global model", 30) + "accuracy")
        for r in view.rounds {
            let p1 = r.forwards.filter { $0.phase == 1 }.count, p2 = r.forwards.filter { $0.phase == 2 }.count
            let agg = r.aggregator == .zero ? "-" : addr(r.aggregator) + " (\(r.selections.count))"
            let acc = accuracy.first { UInt256(UInt64($0.round)) == r.round }.map { String(format: "%.4f", $0.globalAccuracy) } ?? "-"
            out.append(fit(pad(r.round.description, 7) + pad(String(r.submissions.count), 7) + pad("\(p1) / \(p2)", 11)
                           + pad(String(r.distilled.count), 7) + pad(agg, 24)
                           + pad(r.globalModel.isEmpty ? "-" : fit(Format.ref(r.globalModel), 28), 30) + acc, maxWidth))
        }
        if accuracy.isEmpty { out.append("accuracy lives off chain (run reports); pass --reports DIR to show it") }

        for r in view.rounds {
            out.append("")
            out.append("round \(r.round)")
            if r.selections.isEmpty && r.submissions.isEmpty && r.forwards.isEmpty && r.distilled.isEmpty {
                out.append("  no activity yet")
            }
            for s in r.selections {
                out.append(fit("  select   attempt \(s.attempt): \(s.aggregator.checksummed) (block \(s.log.blockNumber ?? 0))", maxWidth))
            }
            for s in r.submissions {
                out.append(fit("  submit   \(addr(s.sender)) -> \(addr(s.to))  \(Format.ref(s.ref))", maxWidth))
            }
            for f in r.forwards.sorted(by: { ($0.phase, $0.step) < ($1.phase, $1.step) }) {
                out.append(fit("  forward  p\(f.phase) s\(f.step) \(addr(f.sender)) -> \(addr(f.to))  origin \(addr(f.origin))  "
                               + Format.ref(f.ref), maxWidth))
            }
            for d in r.distilled { out.append(fit("  distill  \(addr(d.sender))  \(Format.ref(d.ref))", maxWidth)) }
            if let g = r.globalModelEvent {
                out.append(fit("  global   \(addr(g.aggregator))  \(Format.ref(g.ref))", maxWidth))
            }
        }

        out.append("")
        out.append("events")
        for e in view.controllerEvents {
            let (name, details) = describe(e)
            out.append(fit("  " + pad(String(e.log.blockNumber ?? 0), 7) + pad(name, 20) + details, maxWidth))
        }
        return out.joined(separator: "\n")
    }

    /// The job as JSON: record, ring members, rounds with their events, Controller events.
    public static func json(_ view: JobView, controller: Address, accuracy: [AccuracyReports.Entry],
                            receipts: (contract: Address, entries: [NodeReceipts])? = nil) -> JSONValue {
        func s(_ a: Address) -> JSONValue { .string(a.checksummed) }
        func tx(_ l: ContractLog) -> JSONValue { l.transactionHash.map { .string($0.hex) } ?? .null }
        func ref(_ b: [UInt8]) -> JSONValue { .string(Format.ref(b)) }
        let job = view.job
        let ring: [JSONValue] = RingMember.members(of: view).map { m in
            .object(["node": s(m.address), "position": .string(m.position.word.hex), "role": .string(m.role),
                     "ringIndex": m.ringIndex.map { .number(Double($0)) } ?? .null, "trusted": .bool(m.trusted),
                     "alive": .bool(m.alive), "dataSize": .string(m.node.dataSize.description), "apiUrl": .string(m.node.apiUrl)])
        }
        let rounds: [JSONValue] = view.rounds.map { r in
            let acc = accuracy.first { UInt256(UInt64($0.round)) == r.round }
            return .object([
                "round": .string(r.round.description),
                "aggregator": r.aggregator == .zero ? .null : s(r.aggregator),
                "globalModel": r.globalModel.isEmpty ? .null : ref(r.globalModel),
                "accuracy": acc.map { .number($0.globalAccuracy) } ?? .null,
                "selections": .array(r.selections.map { .object(["aggregator": s($0.aggregator), "attempt": .string($0.attempt.description), "tx": tx($0.log)]) }),
                "submissions": .array(r.submissions.map { .object(["from": s($0.sender), "to": s($0.to), "ref": ref($0.ref), "tx": tx($0.log)]) }),
                "forwards": .array(r.forwards.map {
                    .object(["phase": .number(Double($0.phase)), "step": .string($0.step.description), "from": s($0.sender),
                             "to": s($0.to), "origin": s($0.origin), "ref": ref($0.ref), "tx": tx($0.log)])
                }),
                "distilled": .array(r.distilled.map { .object(["from": s($0.sender), "ref": ref($0.ref), "tx": tx($0.log)]) }),
            ])
        }
        let events: [JSONValue] = view.controllerEvents.map { e in
            let (name, details) = describe(e)
            return .object(["block": e.log.blockNumber.map { .number(Double($0)) } ?? .null, "event": .string(name),
                            "details": .string(details), "tx": tx(e.log)])
        }
        var object: [String: JSONValue] = [
            "jobId": .string(view.jobId.description), "controller": s(controller),
            "status": .string(job.jobStatus?.description ?? "status \(job.status)"),
            "currentRound": .string(job.currentRound.description), "rounds": .string(job.rounds.description),
            "owner": s(job.owner), "storage": s(job.storage), "jobCid": .string(job.jobCid),
            "description": .string(job.description), "nodeCount": .string(job.nodeCount.description),
            "ring": .array(ring), "roundDetails": .array(rounds), "events": .array(events),
        ]
        if let receipts { object["receipts"] = NodeReceipts.json(receipts.entries, contract: receipts.contract) }
        return .object(object)
    }
}
