import ContentStore
import Foundation
import GFLContracts
import Learning
import Primitives

/// A model this node holds in a round: whose it is, its on-chain reference and where it was fetched from.
struct HeldModel {
    var author: Address
    var ref: [UInt8]
    var cid: CID
    var parameters: [Float]
}

extension RDFLNode {
    /// One round (DESIGN.md, "A GFL round"); returns the round's global model.
    func runRound(_ r: Int, global: [Float]) async throws -> [Float] {
        let t0 = now(), chain0 = chain.totals
        var record = NodeRoundRecord(node: me.checksummed, name: setup.name, round: r,
                                     role: isTrusted ? "trusted" : "untrusted", adversary: adversary.rawValue)
        // 1. local training (E epochs from the global model), then what a malicious node does instead.
        set("training")
        let job = setup.job, spec = self.spec, data = setup.data
        let seed = job.seed &+ UInt64(setup.index) &* 1_000_003 &+ UInt64(r)
        var local = try await setup.compute.run { try LocalLearning.train(spec: spec, start: global, data: data, job: job, round: r, seed: seed) }
        if setup.delaySeconds > 0 { try await Task.sleep(nanoseconds: UInt64(setup.delaySeconds * 1e9)) }
        if adversary == .noise || adversary == .signFlip {
            local = Adversary.poison(model: local, global: global, kind: adversary, seed: seed)
        }
        record.seconds.training = now() - t0
        let te = now(), test = setup.test, localCopy = local
        let localEval = try await setup.compute.run { try LocalLearning.evaluate(spec: spec, parameters: localCopy, data: test) }
        record.localAccuracy = localEval.accuracy
        record.localLoss = localEval.loss
        record.seconds.evaluation += now() - te

        let gm: [Float]
        switch strategy {
        case .rdfl:
            // The encrypted parameter file goes into this node's store; its sealed CID is the reference.
            let own = try publish(local, round: r, record: &record)
            gm = isTrusted ? try await trustedRound(r, own: own, record: &record)
                           : try await untrustedRound(r, own: own, record: &record)
        case .dfl: gm = try await dflRound(r, local: local, record: &record)
        case .fd1bit: gm = try await fdRound(r, local: local, record: &record)
        default: gm = try await starRound(r, global: global, local: local, record: &record)
        }
        // 7. everyone scores the global model it fetched.
        let tg = now()
        let g = try await setup.compute.run { try LocalLearning.evaluate(spec: spec, parameters: gm, data: test) }
        record.globalAccuracy = g.accuracy
        record.globalLoss = g.loss
        if let full = setup.globalTest {
            let e = try await setup.compute.run { try LocalLearning.evaluate(spec: spec, parameters: gm, data: full) }
            record.globalTestAccuracy = e.accuracy
            record.globalTestLoss = e.loss
        }
        record.seconds.evaluation += now() - tg
        let chain1 = chain.totals
        record.seconds.chain = chain1.seconds - chain0.seconds
        record.chainBytes = chain1.bytes - chain0.bytes
        record.gasUsed = chain1.gas - chain0.gas
        record.transactions = chain1.transactions - chain0.transactions
        record.seconds.wall = now() - t0
        setup.sink(record)
        return gm
    }

    /// Encodes, seals and stores parameters as this node's model for round `r`.
    func publish(_ parameters: [Float], round r: Int, record: inout NodeRoundRecord) throws -> HeldModel {
        let model = try Model(spec: spec, parameters: parameters)
        let (ref, cid) = try publishFile(ModelFile.encode(model), round: r, record: &record)
        return HeldModel(author: me, ref: ref, cid: cid, parameters: parameters)
    }

    /// Seals a file (a model, a sparse update) with the job key, adds it to this node's store and returns its
    /// sealed on-chain reference and CID.
    func publishFile(_ plain: [UInt8], round r: Int, record: inout NodeRoundRecord) throws -> (ref: [UInt8], cid: CID) {
        let ts = now()
        let file = try sealer.sealFile(plain, round: r, author: me)
        let cid = try setup.store.add(file)
        let ref = try sealer.sealReference(cid, round: r, author: me)
        record.seconds.store += now() - ts
        record.referenceBytes = ref.count
        return (ref, cid)
    }

    /// Fetches `author`'s model for round `r` from the store at `peer`'s URL, checks and opens it.
    func fetchModel(author: Address, ref: [UInt8], round r: Int, from peer: Address, phase: String, step: Int,
                    record: inout NodeRoundRecord) async throws -> HeldModel {
        let (plain, cid) = try await fetchFile(author: author, ref: ref, round: r, from: peer, phase: phase, step: step,
                                               record: &record)
        return HeldModel(author: author, ref: ref, cid: cid, parameters: try decodeModel(plain, author: author))
    }

    /// A model file's parameters, refused unless it has this job's architecture and finite weights.
    func decodeModel(_ plain: [UInt8], author: Address) throws -> [Float] {
        let model: Model
        do { model = try ModelFile.decode(plain) } catch {
            throw FederationError.tampered("model of \(author): \(error)")
        }
        guard model.spec == spec else { throw FederationError.tampered("model of \(author) has another architecture") }
        guard model.parameters.allSatisfy(\.isFinite) else { throw FederationError.tampered("model of \(author) has non-finite weights") }
        return model.parameters
    }

    /// Fetches and opens the file behind `author`'s sealed reference from `peer`'s store (verified block by block
    /// against the CID, then authenticated by the job key for this round and author); records the transfer.
    func fetchFile(author: Address, ref: [UInt8], round r: Int, from peer: Address, phase: String, step: Int,
                   record: inout NodeRoundRecord) async throws -> (plain: [UInt8], cid: CID) {
        let ts = now()
        let cid = try sealer.openReference(ref, round: r, author: author)
        guard let url = stores[peer] else { throw FederationError.protocolViolation("\(peer) has no store URL") }
        let sealed = try await setup.store.fetch(cid, from: url)
        let plain = try sealer.openFile(sealed, round: r, author: author)
        record.seconds.store += now() - ts
        record.transfers.append(TransferRecord(round: r, phase: phase, step: step, from: peer.checksummed,
                                               to: me.checksummed, origin: author.checksummed, bytes: sealed.count))
        return (plain, cid)
    }

    /// Sends a round transaction that a race can make revert — the round ended, or its target went down, between
    /// this node reading the chain and sending. A revert is recorded and answers false, so the caller reads the
    /// chain again and decides anew; any other error is thrown. A revert repeated on every poll is recorded once.
    func raceable(_ what: String, record: inout NodeRoundRecord, _ send: () async throws -> Void) async throws -> Bool {
        do {
            try await send()
            return true
        } catch let error as ContractError {
            guard case .reverted = error else { throw error }
            let line = "\(what): \(error)"
            if record.reverted?.last != line { record.reverted = (record.reverted ?? []) + [line] }
            return false
        }
    }

    // MARK: untrusted

    /// 2. hand the model to the first live trusted node clockwise, then wait for the global model; if that trusted
    /// node goes down before the distillation, hand it to the next one.
    func untrustedRound(_ r: Int, own: HeldModel, record: inout NodeRoundRecord) async throws -> [Float] {
        set("submitting")
        var target = try await controller.firstTrustedClockwise(jobId: setup.jobId, position: ControllerContract.ringPosition(of: me))
        var submitted = try await raceable("submit to \(target.checksummed)", record: &record) {
            _ = try await storage.submit(round: UInt256(r), to: target, ref: own.ref, from: setup.key)
        }
        if submitted { record.submittedTo = target.checksummed }
        set("waiting for global")
        let deadline = now() + setup.job.phaseTimeoutSeconds * 4
        while ledger.global[r] == nil {
            try checkAlive()
            try await refresh()
            if ledger.global[r] != nil { break }
            if !submitted || (ledger.down.contains(target) && ledger.distilled[r]?[target] == nil) {
                let resubmission = submitted
                target = try await controller.firstTrustedClockwise(jobId: setup.jobId, position: ControllerContract.ringPosition(of: me))
                if target != .zero {
                    submitted = try await raceable("submit to \(target.checksummed)", record: &record) {
                        _ = try await storage.submit(round: UInt256(r), to: target, ref: own.ref, from: setup.key)
                    }
                    if submitted {
                        record.submittedTo = target.checksummed
                        record.resubmitted = record.resubmitted || resubmission
                    }
                }
            }
            if now() > deadline { throw FederationError.timeout("round \(r): no global model") }
            try await Task.sleep(nanoseconds: UInt64(setup.pollInterval * 1e9))
        }
        return try await fetchGlobal(r, record: &record)
    }

    /// Fetches the round's global model, after checking that it came from the aggregator the Controller selected.
    /// `decode` turns the opened file into the next model (a model file by default; BCFL's aggregated sparse update
    /// is applied to the previous global instead).
    func fetchGlobal(_ r: Int, record: inout NodeRoundRecord,
                     decode: (([UInt8], Address) throws -> [Float])? = nil) async throws -> [Float] {
        set("fetching global")
        guard let g = ledger.global[r] else { throw FederationError.protocolViolation("no global model for round \(r)") }
        let selected = try await controller.aggregatorOf(jobId: setup.jobId, round: UInt256(r))
        guard g.aggregator == selected, ledger.selected[r]?.aggregator == selected else {
            throw FederationError.tampered("round \(r): global model from \(g.aggregator), but the Controller selected \(selected)")
        }
        record.aggregator = g.aggregator.checksummed
        if g.aggregator == me, let p = ownGlobal[r] { return p }
        // From the aggregator's store first; any member that already fetched it holds a verified copy too.
        var sources = [g.aggregator] + liveRing().filter { $0 != g.aggregator && $0 != me }
        sources = sources.filter { stores[$0] != nil }
        var lastError: Error?
        for peer in sources {
            do {
                let (plain, _) = try await fetchFile(author: g.aggregator, ref: g.ref, round: r, from: peer, phase: "global",
                                                     step: 0, record: &record)
                return try decode?(plain, g.aggregator) ?? decodeModel(plain, author: g.aggregator)
            } catch { lastError = error }
        }
        throw lastError ?? FederationError.store("round \(r): global model unreachable")
    }
}
