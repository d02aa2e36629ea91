import ContentStore
import Foundation
import GFLContracts
import Learning
import Primitives

extension RDFLNode {
    /// A trusted node's round: gather its untrusted nodes' models, ring pass 1, distillation, ring pass 2,
    /// aggregator selection and — when selected — FedAvg.
    func trustedRound(_ r: Int, own: HeldModel, record: inout NodeRoundRecord) async throws -> [Float] {
        // 3. the models of this round: own, submitted to this node, and forwarded around the trusted ring.
        set("ring pass 1")
        let models = try await ringPass(r, phase: 1, own: own, record: &record) { node in
            // Expected: every live member of the ring.
            node.liveRing()
        }
        if ledger.global[r] != nil { return try await fetchGlobal(r, record: &record) }
        // 4. distillation: the nearest fraction of the other models by Euclidean distance teach this node.
        set("distilling")
        let td = now()
        let others = models.values.filter { $0.author != me }
        let fraction = setup.job.teacherFraction(round: r)
        let chosen = try LocalLearning.chooseTeachers(
            own: own.parameters, others: others.map { ($0.author.checksummed, $0.parameters) }, fraction: fraction)
        record.teachers = chosen.map { TeacherChoice(node: $0.id, distance: $0.distance) }
        record.modelsSeen = models.count
        let byID = Dictionary(uniqueKeysWithValues: others.map { ($0.author.checksummed, $0.parameters) })
        let teacherParams = chosen.compactMap { byID[$0.id] }
        let job = setup.job, spec = self.spec, data = setup.data, student = own.parameters
        let seed = job.seed &+ UInt64(setup.index) &* 7_919 &+ UInt64(r) &* 31
        var distilled = try await setup.compute.run {
            try LocalLearning.distill(spec: spec, student: student, teachers: teacherParams, data: data, job: job, round: r, seed: seed)
        }
        if !distilled.allSatisfy(\.isFinite) {
            // Diverged (λ or the learning rate too large): peers would refuse the file, so keep the start.
            record.rejected.append("own distillation diverged (non-finite weights); kept the undistilled model")
            distilled = student
        }
        record.seconds.distillation = now() - td
        let mine = try publish(distilled, round: r, record: &record)
        let posted = try await raceable("postDistilled", record: &record) {
            _ = try await storage.postDistilled(round: UInt256(r), ref: mine.ref, from: setup.key)
        }
        if !posted {
            // Only a round that ended meanwhile explains the revert; anything else leaves this node out of the job.
            try await refresh()
            guard ledger.global[r] != nil else {
                throw FederationError.protocolViolation("round \(r): postDistilled reverted: \(record.reverted?.last ?? "?")")
            }
            return try await fetchGlobal(r, record: &record)
        }

        // 5. second ring pass: the distilled models of the trusted nodes.
        set("ring pass 2")
        let distilledModels = try await ringPass(r, phase: 2, own: mine, record: &record) { node in
            node.liveTrustedRing()
        }
        // 6. a random live trusted node aggregates; every trusted node can trigger the selection (nothing to do
        // when the round's global model is already posted).
        set("aggregation")
        try await aggregate(r, distilled: distilledModels, record: &record)
        return try await fetchGlobal(r, record: &record)
    }

    /// A ring pass: in each step this node forwards to its clockwise trusted successor the references that
    /// successor lacks, and fetches what its predecessor forwards from the predecessor's store. It ends when the
    /// node holds a model from every node `expected` names (re-evaluated as nodes go down), the phase times out, or
    /// the round's global model is posted without this node's help (its predecessor may be gone with the files).
    func ringPass(_ r: Int, phase: UInt8, own: HeldModel, record: inout NodeRoundRecord,
                  expected: (RDFLNode) -> [Address]) async throws -> [Address: HeldModel] {
        var have: [Address: HeldModel] = [me: own]
        var sentTo: [Address: Set<Address>] = [:]
        var failed: Set<String> = []
        var step = 0
        let phaseName = "ring\(phase)"
        let deadline = now() + setup.job.phaseTimeoutSeconds
        while true {
            try checkAlive()
            try await refresh()
            if ledger.global[r] != nil {
                record.timeouts.append("\(phaseName): the round's global model was posted before this pass completed")
                break
            }
            // Incoming: submissions to this node (phase 1) and references forwarded to it.
            var incoming: [(author: Address, ref: [UInt8], peer: Address, step: Int, phase: String)] = []
            if phase == 1 {
                for s in (ledger.submissions[r] ?? [:]).values where s.to == me {
                    incoming.append((s.sender, s.ref, s.sender, 0, "submission"))
                }
            }
            for f in ledger.forwards[r] ?? [] where f.to == me && f.phase == phase {
                incoming.append((f.origin, f.ref, f.sender, f.step.asInt ?? 0, phaseName))
            }
            for item in incoming where have[item.author] == nil {
                let tag = "\(item.author)/\(item.ref)"
                if failed.contains(tag) { continue }
                do {
                    have[item.author] = try await fetchModel(author: item.author, ref: item.ref, round: r, from: item.peer,
                                                             phase: item.phase, step: item.step, record: &record)
                } catch {
                    // A peer that serves corrupt data or a reference that does not open is skipped, not fatal.
                    failed.insert(tag)
                    record.rejected.append("\(item.author.checksummed): \(error)")
                }
            }
            // Outgoing: what the successor lacks (it holds its own group and what this node already sent it).
            let ring = liveTrustedRing()
            var pendingCount = 0
            if ring.count > 1, let i = ring.firstIndex(of: me) {
                let next = ring[(i + 1) % ring.count]
                let theirs = group(of: next, round: r, phase: phase)
                let pending = have.values.filter { !theirs.contains($0.author) && !(sentTo[next]?.contains($0.author) ?? false) }
                    .sorted { $0.author < $1.author }
                pendingCount = pending.count
                if !pending.isEmpty {
                    // A successor reported down meanwhile makes the forward revert: the next pass picks a new one.
                    let sent = try await raceable("forward to \(next.checksummed)", record: &record) {
                        _ = try await storage.forward(round: UInt256(r), phase: phase, step: UInt256(step + 1), to: next,
                                                      origins: pending.map(\.author), refs: pending.map(\.ref), from: setup.key)
                    }
                    if sent {
                        step += 1
                        sentTo[next, default: []].formUnion(pending.map(\.author))
                        pendingCount = 0
                    }
                }
            }
            let want = Set(expected(self))
            if want.isSubset(of: Set(have.keys)) && pendingCount == 0 { break }
            if now() > deadline {
                record.timeouts.append("\(phaseName): missing \(want.subtracting(have.keys).map(\.checksummed).sorted())")
                break
            }
            try await Task.sleep(nanoseconds: UInt64(setup.pollInterval * 1e9))
        }
        return have
    }

    /// The models a trusted node holds without this node's help: its own, and in phase 1 its submissions.
    func group(of node: Address, round r: Int, phase: UInt8) -> Set<Address> {
        var g: Set<Address> = [node]
        if phase == 1 {
            for s in (ledger.submissions[r] ?? [:]).values where s.to == node { g.insert(s.sender) }
        }
        return g
    }

    /// Triggers the aggregator selection (or a reselection when the chosen one is down or late) and, when this node
    /// is chosen, runs weighted FedAvg over the distilled trusted models and posts the global model.
    func aggregate(_ r: Int, distilled: [Address: HeldModel], record: inout NodeRoundRecord) async throws {
        let deadline = now() + setup.job.phaseTimeoutSeconds * 2
        var posted = false
        var lastSelectTry = -Double.infinity
        while ledger.global[r] == nil {
            try checkAlive()
            if let s = ledger.selected[r] {
                if s.aggregator == me && !posted {
                    if let c = setup.crashWhenAggregating, c.round == r, c.token.claim() { try crash() }
                    let models = distilled.values.sorted { $0.author < $1.author }
                    let weights = models.map { Double(max(1, dataSizes[$0.author] ?? 1)) }
                    let params = try Federated.fedAvg(models.map(\.parameters), weights: weights)
                    let held = try publish(params, round: r, record: &record)
                    ownGlobal[r] = params
                    await replicate(held.cid, record: &record)
                    _ = try await storage.postGlobal(round: UInt256(r), ref: held.ref, from: setup.key)
                    record.aggregated = models.map { $0.author.checksummed }
                    posted = true
                } else if s.aggregator != me {
                    let head = try await chain.blockNumber()
                    let late = Int(head) > (s.log.blockNumber.map(Int.init) ?? 0) + setup.job.aggregationTimeoutBlocks
                    if ledger.down.contains(s.aggregator) || late {
                        _ = try? await controller.reselectAggregator(jobId: setup.jobId, round: UInt256(r), from: setup.key)
                    }
                }
            } else {
                // The Controller accepts the selection once every live trusted node's distilled model is in (or
                // the round timed out); asking before that only buys a revert, so ask then, or every few seconds.
                let ready = (ledger.distilled[r]?.count ?? 0) >= liveTrustedRing().count
                if ready || now() - lastSelectTry > 5 {
                    lastSelectTry = now()
                    // A revert after another trusted node won the race is expected here.
                    _ = try? await controller.selectAggregator(jobId: setup.jobId, round: UInt256(r), from: setup.key)
                }
            }
            try await refresh()
            if ledger.global[r] != nil { break }
            if now() > deadline { throw FederationError.timeout("round \(r): no global model was posted") }
            try await Task.sleep(nanoseconds: UInt64(setup.pollInterval * 1e9))
        }
    }

    /// Copies a file this node is about to announce into the store of its clockwise trusted successor (kubo's
    /// `add`, checked to give the same CID), so the global model stays reachable if this node dies right after
    /// posting it. Best effort: a failure is recorded, and peers still try every member's store.
    func replicate(_ cid: CID, record: inout NodeRoundRecord) async {
        let ring = liveTrustedRing()
        guard ring.count > 1, let i = ring.firstIndex(of: me), let url = stores[ring[(i + 1) % ring.count]] else { return }
        let ts = now()
        do {
            let bytes = try setup.store.store.cat(cid)
            let added = try await StoreClient(url: url).add(bytes: bytes, name: "global-\(cid)")
            if added.Hash != cid.string { record.rejected.append("replica of \(cid) at \(url) came back as \(added.Hash)") }
        } catch {
            record.rejected.append("replicating \(cid) to \(url): \(error)")
        }
        record.seconds.store += now() - ts
    }
}
