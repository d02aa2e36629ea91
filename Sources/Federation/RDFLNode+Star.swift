import ContentStore
import Foundation
import GFLContracts
import Learning
import Primitives

/// What a node of a non-RDFL strategy keeps from one round to the next.
struct StrategyState {
    /// BCFL: the Top-k compressor and its error-compensation memory.
    var compressor: TopKCompressor?
    /// DFL: reputations and the buffer of received models.
    var reputation: ReputationAggregator?
}

extension RDFLNode {
    /// The fixed aggregator of a star strategy, or the round keeper of DFL and 1-bit FD: the job's one trusted node.
    func keeper() throws -> Address {
        guard let k = liveTrustedRing().first else {
            throw FederationError.protocolViolation("the job's aggregator is down (star strategies have no failover)")
        }
        return k
    }

    /// One round of a star strategy (`fedavg`, `median`, `trimmed-mean`, `krum`, `bcfl`): every node sends its
    /// model — or, for BCFL, its Top-k compressed update — to the one fixed aggregator through its own store and the
    /// job's Storage contract; the aggregator combines them with the strategy's rule and posts the next global model
    /// (BCFL: the aggregated sparse update, which every node adds to its copy of the global model).
    func starRound(_ r: Int, global: [Float], local: [Float], record: inout NodeRoundRecord) async throws -> [Float] {
        let aggregator = try keeper()
        let contribution: [UInt8]
        if strategy == .bcfl {
            if carried.compressor == nil { carried.compressor = TopKCompressor(dimension: global.count, fraction: setup.job.topkFraction) }
            var update = [Float](repeating: 0, count: global.count)
            for i in 0..<update.count { update[i] = local[i] - global[i] }
            contribution = try carried.compressor!.compressChecked(update).encode()
        } else {
            contribution = ModelFile.encode(try Model(spec: spec, parameters: local))
        }
        let own = try publishFile(contribution, round: r, record: &record)
        if aggregator != me {
            set("submitting")
            _ = try await storage.submit(round: UInt256(r), to: aggregator, ref: own.ref, from: setup.key)
            record.submittedTo = aggregator.checksummed
            set("waiting for global")
            try await waitForRoundEnd(r)
        } else {
            record.role = "aggregator"
            try await aggregateStar(r, global: global, own: contribution, record: &record)
        }
        if strategy == .bcfl {
            return try await fetchGlobal(r, record: &record) { plain, author in
                try Self.applySparse(plain, to: global, author: author)
            }
        }
        return try await fetchGlobal(r, record: &record)
    }

    /// The aggregator's part: gather every live member's contribution (or what came within the phase timeout),
    /// combine, publish and close the round.
    func aggregateStar(_ r: Int, global: [Float], own: [UInt8], record: inout NodeRoundRecord) async throws {
        set("gathering")
        let senders = try await waitForSubmissions(r, record: &record)
        var contributions: [(author: Address, plain: [UInt8])] = [(me, own)]
        for s in senders where s != me {
            guard let sub = ledger.submissions[r]?[s] else { continue }
            do {
                let (plain, _) = try await fetchFile(author: s, ref: sub.ref, round: r, from: s, phase: "submission",
                                                     step: 0, record: &record)
                contributions.append((s, plain))
            } catch {
                record.rejected.append("\(s.checksummed): \(error)")
            }
        }
        contributions.sort { $0.author < $1.author }
        set("aggregating")
        let ta = now()
        func weight(_ a: Address) -> Double { Double(max(1, dataSizes[a] ?? 1)) }
        let file: [UInt8], next: [Float]
        if strategy == .bcfl {
            var updates: [SparseUpdate] = []
            for c in contributions {
                do { updates.append(try SparseUpdate(decoding: c.plain)) } catch {
                    throw FederationError.tampered("update of \(c.author): \(error)")
                }
            }
            let dense = try SparseUpdate.average(updates, weights: contributions.map { weight($0.author) })
            // Only the coordinates some node sent move: the download is the union of the sparse updates.
            var indices: [UInt32] = [], values: [Float] = []
            for (i, v) in dense.enumerated() where v != 0 { indices.append(UInt32(i)); values.append(v) }
            let aggregated = try SparseUpdate(dimension: dense.count, indices: indices, values: values)
            file = aggregated.encode()
            next = try Self.applySparse(file, to: global, author: me)
        } else {
            // A file that is not a model of this job is left out, with its weight.
            var models: [[Float]] = [], weights: [Double] = []
            for c in contributions {
                do {
                    models.append(try decodeModel(c.plain, author: c.author))
                    weights.append(weight(c.author))
                } catch {
                    record.rejected.append("\(c.author.checksummed): \(error)")
                }
            }
            let byzantine = setup.job.byzantine
            switch strategy {
            case .median: next = try RobustAggregation.median(models)
            case .trimmedMean: next = try RobustAggregation.trimmedMean(models, trim: min(byzantine, max(0, (models.count - 1) / 2)))
            case .krum: next = try RobustAggregation.multiKrum(models, byzantine: byzantine, select: 1)
            default: next = try Federated.fedAvg(models, weights: weights)
            }
            file = ModelFile.encode(try Model(spec: spec, parameters: next))
        }
        record.seconds.distillation += now() - ta
        record.aggregated = contributions.map { $0.author.checksummed }
        let posted = try publishFile(file, round: r, record: &record)
        ownGlobal[r] = next
        try await closeRound(r, ref: posted.ref)
    }

    /// Adds an aggregated sparse update to the previous global model.
    static func applySparse(_ plain: [UInt8], to global: [Float], author: Address) throws -> [Float] {
        let update: SparseUpdate
        do { update = try SparseUpdate(decoding: plain) } catch {
            throw FederationError.tampered("aggregated update of \(author): \(error)")
        }
        guard update.dimension == global.count, update.values.allSatisfy(\.isFinite) else {
            throw FederationError.tampered("aggregated update of \(author) does not fit the model")
        }
        var next = global
        for (i, v) in zip(update.indices, update.values) { next[Int(i)] += v }
        return next
    }

    /// Waits until every live member other than this node has submitted for round `r`, or the phase timeout
    /// passes (then goes on with what came, and records the timeout); returns who submitted.
    func waitForSubmissions(_ r: Int, record: inout NodeRoundRecord) async throws -> [Address] {
        let deadline = now() + setup.job.phaseTimeoutSeconds
        while true {
            try await refresh()
            let expected = Set(liveRing()).subtracting([me])
            let have = Set(ledger.submissions[r]?.keys.map { $0 } ?? [])
            if expected.isSubset(of: have) { break }
            if now() > deadline {
                record.timeouts.append("round \(r): \(expected.subtracting(have).count) submissions missing")
                break
            }
            try await Task.sleep(nanoseconds: UInt64(setup.pollInterval * 1e9))
        }
        return (ledger.submissions[r]?.keys.map { $0 } ?? []).filter { !ledger.down.contains($0) }.sorted()
    }

    /// Waits for the round's global reference (the round's end on chain).
    func waitForRoundEnd(_ r: Int) async throws {
        try await waitUntil("the end of round \(r)", timeout: setup.job.phaseTimeoutSeconds * 4) { $0.global[r] != nil }
    }

    /// The one trusted node ends the round on the Controller: it records its result as its "distilled" model (the
    /// Controller's selection waits for every live trusted node's), is selected as the only live trusted node, and
    /// posts the reference as the round's global model.
    func closeRound(_ r: Int, ref: [UInt8]) async throws {
        set("closing round")
        if ledger.distilled[r]?[me] == nil {
            _ = try await storage.postDistilled(round: UInt256(r), ref: ref, from: setup.key)
        }
        try await refresh()
        if ledger.selected[r] == nil {
            _ = try await controller.selectAggregator(jobId: setup.jobId, round: UInt256(r), from: setup.key)
        }
        _ = try await storage.postGlobal(round: UInt256(r), ref: ref, from: setup.key)
        try await refresh()
    }
}
