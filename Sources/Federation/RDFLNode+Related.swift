import ContentStore
import Foundation
import GFLContracts
import Learning
import Primitives

extension RDFLNode {
    // MARK: DFL (Tian et al.)

    /// One DFL round: every node trains from its own model, posts it (through its store and the job's Storage),
    /// fetches every other node's model, tests each on its own data, publishes the accuracies as signed receipts on
    /// the Receipts contract, and mixes the models into its own by reputation × accuracy (`ReputationAggregator`).
    /// The job's one trusted node closes the round on the Controller once every live member posted its receipts.
    func dflRound(_ r: Int, local: [Float], record: inout NodeRoundRecord) async throws -> [Float] {
        let keeper = try keeper()
        let receipts = ReceiptsContract(address: try Address(hex: setup.job.receiptsContract), chain: chain)
        let fromBlock = try await chain.blockNumber()
        let own = try publish(local, round: r, record: &record)
        set("submitting")
        _ = try await storage.submit(round: UInt256(r), to: keeper, ref: own.ref, from: setup.key)
        record.submittedTo = keeper.checksummed

        set("gathering")
        let senders = try await waitForSubmissions(r, record: &record).filter { $0 != me }
        var received: [(author: Address, ref: [UInt8], parameters: [Float])] = []
        for s in senders {
            guard let sub = ledger.submissions[r]?[s] else { continue }
            do {
                let m = try await fetchModel(author: s, ref: sub.ref, round: r, from: s, phase: "submission", step: 0,
                                             record: &record)
                received.append((s, sub.ref, m.parameters))
            } catch {
                record.rejected.append("\(s.checksummed): \(error)")
            }
        }
        // Models arrive in some order; the buffer keeps the last B, so the order is drawn per node and round.
        var rng = Xoshiro256(seed: setup.job.seed &+ UInt64(setup.index) &* 0x9E37 &+ UInt64(r), stream: 0x4446_4C00)  // "DFL"
        rng.shuffle(&received)

        set("testing")
        let te = now()
        let validation = setup.data.prefix(setup.job.dflValidationSamples), spec = self.spec
        var accuracies: [Double] = []
        for m in received {
            let p = m.parameters
            accuracies.append(try await setup.compute.run { try LocalLearning.evaluate(spec: spec, parameters: p, data: validation).accuracy })
        }
        record.seconds.evaluation += now() - te
        if !received.isEmpty {
            _ = try await receipts.post(jobId: setup.jobId, round: UInt256(r), senders: received.map(\.author),
                                        refHashes: received.map { Keccak256.hash($0.ref).bytes },
                                        accuracies: accuracies.map { UInt16(max(0, min(10_000, ($0 * 10_000).rounded()))) },
                                        from: setup.key)
        }

        set("aggregating")
        let ta = now()
        if carried.reputation == nil {
            carried.reputation = ReputationAggregator(delta: setup.job.dflDelta, bufferSize: setup.job.dflBuffer)
        }
        for (m, a) in zip(received, accuracies) { carried.reputation!.receive(sender: m.author.checksummed, model: m.parameters, accuracy: a) }
        let next = received.isEmpty ? local : try carried.reputation!.aggregate(previous: local)
        record.seconds.distillation += now() - ta
        record.reputation = Dictionary(uniqueKeysWithValues: received.map { ($0.author.checksummed, carried.reputation!.reputation(of: $0.author.checksummed)) })
        record.modelsSeen = received.count + 1

        if keeper == me {
            record.role = "keeper"
            try await waitForReceipts(r, receipts: receipts, fromBlock: fromBlock, record: &record)
            try await closeRound(r, ref: own.ref)
        } else {
            set("waiting for round end")
            try await waitForRoundEnd(r)
        }
        return next
    }

    /// The keeper waits until every live member posted its round-`r` receipts (or the phase timeout passes), since
    /// receipts are only accepted while the round runs.
    func waitForReceipts(_ r: Int, receipts: ReceiptsContract, fromBlock: UInt64, record: inout NodeRoundRecord) async throws {
        set("waiting for receipts")
        let deadline = now() + setup.job.phaseTimeoutSeconds
        while now() < deadline {
            try await refresh()
            let events = try await receipts.accuracyReceiptEvents(jobId: setup.jobId, fromBlock: .number(fromBlock))
            let testers = Set(events.filter { $0.round == UInt256(r) }.map(\.tester))
            // A member whose submission this node saw posts receipts; one alone in the job has nothing to test.
            let expected = Set(liveRing()).subtracting([me])
            if expected.count < 1 || expected.isSubset(of: testers) { return }
            try await Task.sleep(nanoseconds: UInt64(setup.pollInterval * 1e9))
        }
        record.timeouts.append("round \(r): receipts missing at the phase timeout")
    }

    // MARK: 1-bit federated distillation (Witt et al.)

    /// One 1-bit FD round: every node trains on its own data, predicts the public reference set, and submits the
    /// one-hot of each prediction (1 bit per class) to the Distillation contract, which counts the votes per sample on
    /// chain. After the round is finalized (PTSC rewards paid), every node distils from the voted hard labels. No
    /// model leaves a node; the keeper posts its own model's reference only to close the round on the Controller.
    func fdRound(_ r: Int, local: [Float], record: inout NodeRoundRecord) async throws -> [Float] {
        guard let reference = setup.reference else { throw FederationError.config("fd-1bit needs the reference set") }
        let keeper = try keeper()
        let distillation = DistillationContract(address: try Address(hex: setup.job.distillationContract), chain: chain)
        set("predicting")
        let spec = self.spec
        let predictions = try await setup.compute.run { () throws -> [Int] in
            let model = try Model(spec: spec, parameters: local)
            let logits = try Federated.logits(model: model, inputs: reference.images, count: reference.count)
            return try OneBitVotes.argmaxLabels(scores: logits, classes: reference.classes)
        }
        let votes = try OneBitVotes.pack(labels: predictions, classes: reference.classes)
        set("voting")
        _ = try await distillation.submit(jobId: setup.jobId, round: UInt256(r), votes: votes, from: setup.key)
        if keeper == me {
            record.role = "keeper"
            set("finalizing")
            let deadline = now() + setup.job.phaseTimeoutSeconds * 2
            while !(try await distillation.rounds(setup.jobId, UInt256(r)).finalized) {
                try checkAlive()
                // Reverts while live members still have to vote are expected.
                _ = try? await distillation.finalizeRound(jobId: setup.jobId, round: UInt256(r), from: setup.key)
                if now() > deadline { throw FederationError.timeout("round \(r): votes never complete") }
                try await Task.sleep(nanoseconds: UInt64(setup.pollInterval * 1e9))
            }
            let own = try publish(local, round: r, record: &record)
            try await closeRound(r, ref: own.ref)
        } else {
            set("waiting for round end")
            try await waitForRoundEnd(r)
        }
        let labels = try await distillation.hardLabels(jobId: setup.jobId, round: UInt256(r))
        guard labels.count == reference.count else {
            throw FederationError.protocolViolation("round \(r): \(labels.count) hard labels for \(reference.count) reference samples")
        }
        if let paid = try? await distillation.rewardedEvents(jobId: setup.jobId, round: UInt256(r), node: me).first {
            record.rewardWei = paid.amount.description
        }
        set("distilling")
        let td = now()
        let job = setup.job
        let seed = job.seed &+ UInt64(setup.index) &* 7_919 &+ UInt64(r) &* 31
        let distilled = try await setup.compute.run { () throws -> [Float] in
            let voted = try Dataset(images: reference.images, labels: labels.map { Int32($0) }, shape: reference.shape,
                                    classes: reference.classes)
            return try LocalLearning.train(spec: spec, start: local, data: voted, job: job, round: r, seed: seed, epochs: job.referenceEpochs)
        }
        record.seconds.distillation = now() - td
        return distilled
    }
}
