import Foundation
import GFLContracts
import Primitives
import RPCClient

extension ExplorerSite {
    /// The Controller for a job page: `?controller=` when given, else the site's.
    func controller(_ query: [String: String]) async throws -> ControllerContract {
        let address: Address
        if let text = query["controller"] {
            guard let a = try? Address(hex: text) else { throw ExplorerError.badRequest("'\(text)' is not a Controller address") }
            address = a
        } else if let a = controllerAddress {
            address = a
        } else {
            throw ExplorerError.notFound("no GFL Controller known: start the explorer with --controller ADDR, "
                                         + "or register it with the ABI registry under the name Controller")
        }
        if try await client.code(address).isEmpty {
            throw ExplorerError.notFound("no contract at the Controller address \(address.checksummed) on this chain")
        }
        return ControllerContract(address: address, chain: RPCChain(client: client))
    }

    func reports() -> AccuracyReports? { config.reportsDirectory.map { AccuracyReports.load(from: $0) } }

    /// `/jobs`: every job of the Controller, newest first.
    func jobsPage(_ query: [String: String]) async throws -> PageResponse {
        let c = try await controller(query)
        let count = try await c.jobCount()
        let suffix = query["controller"] == nil ? "" : "?controller=\(c.address.checksummed)"
        var rows: [[String]] = []
        var id = count
        while !id.isZero && rows.count < 500 {
            let job = try await c.jobs(id)
            rows.append([
                HTML.link("/job/\(id)\(suffix)", "job \(id)"),
                HTML.escape(job.jobStatus?.description ?? "status \(job.status)"),
                HTML.escape("\(job.currentRound) / \(job.rounds)"),
                HTML.escape(job.nodeCount.description),
                HTML.link("/address/\(job.owner.checksummed)", Format.short(job.owner.checksummed)),
                HTML.escape(String(job.description.prefix(80))),
            ])
            id = id &- .one
        }
        let body = "<p>Controller " + HTML.link("/address/\(c.address.checksummed)", c.address.checksummed)
            + " · \(count) jobs</p>" + HTML.table(["job", "status", "round", "nodes", "owner", "description"], rows)
        return .page("GFL jobs", body, jobs: true)
    }

    /// `/job/{id}`: the job record, its ring, its rounds and its Controller events.
    func jobPage(_ idText: String, _ query: [String: String]) async throws -> PageResponse {
        guard let id = UInt256(idText), !id.isZero else { throw ExplorerError.badRequest("'\(idText)' is not a job id (1, 2, …)") }
        let c = try await controller(query)
        let record = try await c.jobs(id)
        guard record.storage != .zero else {
            let count = try await c.jobCount()
            throw ExplorerError.notFound("no job \(id) on Controller \(c.address.checksummed) (it has \(count) jobs)")
        }
        let view = try await JobView.load(c, jobId: id)
        let accuracy = reports()
        let acc = accuracy?.accuracy(job: id.description) ?? []
        let job = view.job
        var body = HTML.fields([
            ("status", HTML.escape(job.jobStatus?.description ?? "status \(job.status)")),
            ("round", HTML.escape("\(job.currentRound) of \(job.rounds)")),
            ("owner", HTML.link("/address/\(job.owner.checksummed)", job.owner.checksummed)),
            ("controller", HTML.link("/address/\(c.address.checksummed)", c.address.checksummed)),
            ("storage", HTML.link("/address/\(job.storage.checksummed)", job.storage.checksummed)),
            ("job CID", HTML.mono(job.jobCid)),
            ("description", HTML.escape(job.description)),
            ("nodes", HTML.escape("\(job.nodeCount) joined (at most \(job.maxNodes)), \(view.ring.count) live")),
            ("trusted", HTML.escape(job.trustedCount.isZero ? "chosen by the owner" : "the \(job.trustedCount) largest data sizes")),
            ("timeouts (blocks)", HTML.escape("heartbeat \(job.heartbeatTimeout), round \(job.roundTimeout), aggregation \(job.aggregationTimeout)")),
            ("round started", job.roundStartBlock.isZero ? "—" : HTML.link("/block/\(job.roundStartBlock)", "block \(job.roundStartBlock)")),
        ])
        let members = RingMember.members(of: view)
        body += "<h2>Ring</h2>" + RingSVG.render(members) + RingSVG.legend
        body += HTML.table(["#", "position", "node", "role", "data size", "API", "joined", "last heartbeat"], members.map { m in
            [m.ringIndex.map(String.init) ?? "—",
             HTML.mono(Format.short(m.position.word.hex, keep: 8)) + String(format: " %.1f°", Format.ringFraction(m.position) * 360),
             HTML.link("/address/\(m.address.checksummed)", m.address.checksummed),
             "<span class=\"\(m.role)\">\(m.role)</span>",
             HTML.escape(m.node.dataSize.description),
             HTML.escape(m.node.apiUrl),
             HTML.link("/block/\(m.node.joinedBlock)", m.node.joinedBlock.description),
             HTML.escape(m.node.lastHeartbeat.description)]
        })
        body += try await receiptsSection(view, members)
        body += "<h2>Rounds</h2>"
        if acc.isEmpty {
            body += "<p class=\"muted\">Accuracy lives off chain: the trainers measure it and write it to run reports "
                + (config.reportsDirectory == nil ? "(start the explorer with --reports DIR to show them here)."
                    : "(no metrics.json under the reports folder names job \(id)).") + "</p>"
        }
        body += HTML.table(["round", "submissions", "forwards (phase 1 / 2)", "distilled", "aggregator", "global model", "accuracy"],
                           view.rounds.map { r in roundSummary(r, acc) })
        for r in view.rounds.reversed() { body += roundDetails(r) }
        body += "<h2>Controller events</h2>" + HTML.table(["block", "event", "details", "tx"], view.controllerEvents.map(eventRow))
        if let problems = accuracy?.problems, !problems.isEmpty {
            body += "<p class=\"bad\">unreadable reports: " + HTML.escape(problems.joined(separator: "; ")) + "</p>"
        }
        return .page("GFL job \(id)", body, jobs: true)
    }

    /// The DFL accuracy receipts each member received, when the site knows a Receipts contract ("" otherwise). A
    /// wrong or unreachable Receipts address is reported in the section rather than failing the whole page.
    func receiptsSection(_ view: JobView, _ members: [RingMember]) async throws -> String {
        guard let address = config.receipts else { return "" }
        var s = "<h2 id=\"receipts\">Accuracy receipts</h2><p class=\"muted\">DFL proof of contribution: testers post the "
            + "accuracy they measured on each received model to Receipts "
            + HTML.link("/address/\(address.checksummed)", address.checksummed) + ".</p>"
        if try await client.code(address).isEmpty {
            return s + "<p class=\"bad\">no contract at the Receipts address \(address.checksummed) on this chain</p>"
        }
        let entries: [NodeReceipts]
        do { entries = try await NodeReceipts.load(ReceiptsContract(address: address, chain: RPCChain(client: client)), view: view) } catch {
            return s + "<p class=\"bad\">" + HTML.escape("reading Receipts \(address.checksummed) failed: \(error)") + "</p>"
        }
        let roles = Dictionary(members.map { ($0.address, $0.role) }, uniquingKeysWith: { a, _ in a })
        s += HTML.table(["node", "role", "receipts", "mean accuracy", "last round"], entries.map { e in
            let role = roles[e.node] ?? "—"
            return [HTML.link("/address/\(e.node.checksummed)", e.node.checksummed), "<span class=\"\(role)\">\(role)</span>",
                    HTML.escape(e.count.description), HTML.escape(e.meanText),
                    e.count.isZero ? "—" : HTML.escape(e.lastRound.description)]
        })
        return s
    }

    func roundSummary(_ r: JobView.Round, _ acc: [AccuracyReports.Entry]) -> [String] {
        let p1 = r.forwards.filter { $0.phase == 1 }.count, p2 = r.forwards.filter { $0.phase == 2 }.count
        let aggregator = r.aggregator == .zero ? "—"
            : HTML.link("/address/\(r.aggregator.checksummed)", Format.short(r.aggregator.checksummed))
                + (r.selections.count > 1 ? " (\(r.selections.count) selections)" : "")
        let accuracy = acc.first { UInt256(UInt64($0.round)) == r.round }.map { String(format: "%.4f", $0.globalAccuracy) } ?? "—"
        return [HTML.link("#round-\(r.round)", r.round.description), String(r.submissions.count), "\(p1) / \(p2)",
                String(r.distilled.count), aggregator, HTML.mono(Format.ref(r.globalModel)), HTML.escape(accuracy)]
    }

    func roundDetails(_ r: JobView.Round) -> String {
        func addr(_ a: Address) -> String { HTML.link("/address/\(a.checksummed)", Format.short(a.checksummed)) }
        func tx(_ log: ContractLog) -> String {
            guard let h = log.transactionHash else { return "—" }
            return HTML.link("/tx/\(h.hex)", "block \(log.blockNumber ?? 0)")
        }
        var s = "<h3 id=\"round-\(r.round)\">Round \(r.round)</h3>"
        s += "<p>Global model: " + HTML.mono(Format.ref(r.globalModel))
            + (r.globalModelEvent.map { " posted by " + addr($0.aggregator) + " in " + tx($0.log) } ?? "") + "</p>"
        // A section per kind of event; empty ones are one muted line, not an empty table.
        func section(_ title: String, _ headers: [String], _ rows: [[String]]) -> String {
            rows.isEmpty ? "<p class=\"muted\">\(HTML.escape(title)): none yet</p>"
                : "<p>\(HTML.escape(title))</p>" + HTML.table(headers, rows)
        }
        s += section("Aggregator selections", ["attempt", "aggregator", "selected in"], r.selections.map {
            [HTML.escape($0.attempt.description), addr($0.aggregator), tx($0.log)]
        })
        s += section("Submissions (untrusted → trusted)", ["from", "to", "model", "in"], r.submissions.map {
            [addr($0.sender), addr($0.to), HTML.mono(Format.short(Format.ref($0.ref), keep: 16)), tx($0.log)]
        })
        let forwards = r.forwards.sorted { ($0.phase, $0.step) < ($1.phase, $1.step) }
        s += section("Forwards around the trusted ring", ["phase", "step", "from", "to", "origin", "model", "in"], forwards.map {
            [String($0.phase), HTML.escape($0.step.description), addr($0.sender), addr($0.to), addr($0.origin),
             HTML.mono(Format.short(Format.ref($0.ref), keep: 16)), tx($0.log)]
        })
        s += section("Distilled models", ["trusted node", "model", "in"], r.distilled.map {
            [addr($0.sender), HTML.mono(Format.short(Format.ref($0.ref), keep: 16)), tx($0.log)]
        })
        return s
    }

    func eventRow(_ e: ControllerContract.Event) -> [String] {
        let log = e.log
        let block = log.blockNumber.map { HTML.link("/block/\($0)", String($0)) } ?? "—"
        let tx = log.transactionHash.map { HTML.link("/tx/\($0.hex)", Format.short($0.hex)) } ?? "—"
        let (name, details) = JobText.describe(e)
        return [block, HTML.escape(name), HTML.escape(details), tx]
    }
}
