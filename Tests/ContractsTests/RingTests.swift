import GFLContracts
import Primitives
import RPCClient
import Testing

/// The ring lookups of the Controller against a plain Swift reference (`RingReference`).
@Suite struct RingTests {
    /// Random rings of 1–256 nodes with random trusted flags and down nodes; every lookup equals the reference.
    @Test func randomRingsMatchTheReference() async throws {
        let t = try await TestChain.start()
        var rng = SeededRandom(seed: 0x6F1_2026)
        let pool = try TestKeys.keys(0..<256)
        try await t.fund(pool)
        // (ring size, probability that a node is trusted, probability that it is reported down). The cases include
        // a ring without trusted nodes and one where every node is down, so the reverts are exercised too.
        var cases: [(Int, Double, Double)] = [(1, 0, 0), (1, 1, 0), (2, 0.5, 0.5), (3, 1, 0.34), (256, 0.15, 0.1)]
        cases.append((Int.random(in: 4...32, using: &rng), 0.5, 0.3))
        cases.append((Int.random(in: 4...32, using: &rng), 0.3, 1))
        // Explicit gas limits skip eth_estimateGas, which would execute every transaction twice on the node.
        let gas: UInt64 = 3_000_000
        var checked = 0, reverts = 0
        for (ringIndex, (size, pTrusted, pDown)) in cases.enumerated() {
            let (jobId, _) = try await t.gfl.createJob(
                .init(jobCid: "ring-\(ringIndex)", rounds: 1, maxNodes: 256, heartbeatTimeout: 1), from: t.deployer)
            var reference = RingReference()
            let nodes = Array(pool.shuffled(using: &rng).prefix(size))
            for k in nodes {
                try await t.controller.join(jobId: jobId, publicKey: TestKeys.publicKey(k),
                                            dataSize: UInt256(UInt64.random(in: 1...1000, using: &rng)), apiUrl: "",
                                            from: k, gas: gas)
                reference.add(k.address)
            }
            for k in nodes where Double.random(in: 0..<1, using: &rng) < pTrusted {
                try await t.controller.setTrusted(jobId: jobId, node: k.address, trusted: true, from: t.deployer, gas: gas)
                reference.set(k.address, trusted: true)
            }
            // Down nodes: heartbeats go stale after one block, then a live member reports each victim (the last
            // live node reports itself).
            try await t.chain.mine(blocks: 2)
            for k in nodes where Double.random(in: 0..<1, using: &rng) < pDown {
                guard let reporter = reference.ring.first?.address, let reporterKey = nodes.first(where: { $0.address == reporter }) else { break }
                try await t.controller.reportDown(jobId: jobId, node: k.address, from: reporterKey, gas: gas)
                reference.set(k.address, alive: false)
            }

            let ring = try await t.controller.ring(jobId: jobId)
            #expect(ring.map(\.node) == reference.ring.map(\.address), "ring \(ringIndex) order")
            #expect(ring.map(\.position) == reference.ring.map(\.position))
            #expect(ring.map(\.trusted) == reference.ring.map(\.trusted))

            // Lookup positions: random words, the ends of the range, and the members' own positions (strictly
            // clockwise means a node's own position maps to the next one).
            var positions: [UInt256] = [.zero, UInt256(l0: .max, l1: .max, l2: .max, l3: .max)]
            for _ in 0..<8 { positions.append(rng.uint256()) }
            for m in reference.members.shuffled(using: &rng).prefix(4) { positions.append(m.position) }
            for p in positions {
                if let expected = reference.firstTrustedClockwise(p) {
                    #expect(try await t.controller.firstTrustedClockwise(jobId: jobId, position: p) == expected)
                } else {
                    await expectRevert("no live trusted node") { _ = try await t.controller.firstTrustedClockwise(jobId: jobId, position: p) }
                    reverts += 1
                }
                checked += 1
            }
            for k in nodes.shuffled(using: &rng).prefix(16) {
                if let expected = reference.nextTrusted(k.address) {
                    #expect(try await t.controller.nextTrusted(jobId: jobId, node: k.address) == expected)
                } else {
                    await expectRevert("no live trusted node") { _ = try await t.controller.nextTrusted(jobId: jobId, node: k.address) }
                }
                if let expected = reference.successor(k.address) {
                    #expect(try await t.controller.successor(jobId: jobId, node: k.address) == expected)
                } else {
                    await expectRevert("ring is empty") { _ = try await t.controller.successor(jobId: jobId, node: k.address) }
                    reverts += 1
                }
                checked += 2
            }
        }
        #expect(checked > 150 && reverts > 0)
    }

    /// The paper's example: ring A..F with A, D, F trusted. B and C hand their models to D, E to F; with D down,
    /// B and C go to F. The trusted ring steps A → D → F → A.
    @Test func paperExampleRing() async throws {
        let t = try await TestChain.start()
        let (jobId, _) = try await t.gfl.createJob(.init(jobCid: "paper", rounds: 1, heartbeatTimeout: 3), from: t.deployer)
        // Six keys named A..F in ring order (ascending position).
        let keys = try TestKeys.keys(1000..<1006).sorted {
            ControllerContract.ringPosition(of: $0.address) < ControllerContract.ringPosition(of: $1.address)
        }
        let (a, b, c, d, e, f) = (keys[0], keys[1], keys[2], keys[3], keys[4], keys[5])
        try await t.fund(keys)
        for k in keys {
            try await t.controller.join(jobId: jobId, publicKey: TestKeys.publicKey(k), dataSize: 10, apiUrl: "http://node", from: k)
            #expect(try await t.controller.positionOf(node: k.address) == ControllerContract.ringPosition(of: k.address))
        }
        for k in [a, d, f] { try await t.controller.setTrusted(jobId: jobId, node: k.address, trusted: true, from: t.deployer) }

        func trustedFor(_ k: PrivateKey) async throws -> Address {
            try await t.controller.firstTrustedClockwise(jobId: jobId, position: ControllerContract.ringPosition(of: k.address))
        }
        #expect(try await trustedFor(b) == d.address)
        #expect(try await trustedFor(c) == d.address)
        #expect(try await trustedFor(e) == f.address)
        #expect(try await t.controller.nextTrusted(jobId: jobId, node: a.address) == d.address)
        #expect(try await t.controller.nextTrusted(jobId: jobId, node: d.address) == f.address)
        #expect(try await t.controller.nextTrusted(jobId: jobId, node: f.address) == a.address)
        #expect(try await t.controller.successor(jobId: jobId, node: c.address) == d.address)

        // D stops sending heartbeats; C, who watches it, reports it once the timeout has passed.
        try await t.chain.mine(blocks: 4)
        try await t.controller.heartbeat(jobId: jobId, from: c)
        try await t.controller.reportDown(jobId: jobId, node: d.address, from: c)
        #expect(try await trustedFor(b) == f.address)
        #expect(try await trustedFor(c) == f.address)
        #expect(try await trustedFor(e) == f.address)
        #expect(try await t.controller.nextTrusted(jobId: jobId, node: a.address) == f.address)
        #expect(try await t.controller.successor(jobId: jobId, node: c.address) == e.address)
        #expect(try await t.controller.isMember(jobId: jobId, node: d.address) == false)
        #expect(try await t.controller.ring(jobId: jobId).map(\.node) == [a, b, c, e, f].map(\.address))
        let downs = try await t.controller.nodeDownEvents(jobId: jobId)
        #expect(downs.map(\.node) == [d.address] && downs.map(\.reporter) == [c.address])
    }
}
