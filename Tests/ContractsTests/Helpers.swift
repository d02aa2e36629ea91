import Foundation
import GFLContracts
import Primitives
import RPCClient
import Testing

/// A small seeded generator (SplitMix64), so that a failing property run can be replayed.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func uint256() -> UInt256 { UInt256(l0: next(), l1: next(), l2: next(), l3: next()) }
    mutating func bytes(_ n: Int) -> [UInt8] { (0..<n).map { _ in UInt8.random(in: 0...255, using: &self) } }
}

/// Deterministic test keys: key i is keccak256("gfl-contracts-test/<i>").
enum TestKeys {
    static func key(_ i: Int) throws -> PrivateKey { try PrivateKey(secret: Keccak256.hash("gfl-contracts-test/\(i)")) }
    static func keys(_ range: Range<Int>) throws -> [PrivateKey] { try range.map(key) }
    /// The 64-byte public key (x‖y) a node registers for key exchange.
    static func publicKey(_ k: PrivateKey) -> [UInt8] { k.publicKey.uncompressed }
}

/// The chain the tests run on, with the deployed contracts: a fresh `gfl node` reached through JSON-RPC (the
/// bindings' `RPCChain`), deployed to by dev account 0 of the test mnemonic. `GFL_CONTRACTS_CHAIN=embedded` runs the
/// same tests on the in-process EVM instead (quicker while working on the contracts).
struct TestChain {
    let chain: any ChainAccess
    let deployer: PrivateKey
    let gfl: GFLDeployment
    /// Keeps the node process alive as long as the chain is in use.
    let node: NodeProcess?
    var controller: ControllerContract { gfl.controller }

    static func start() async throws -> TestChain {
        let deployer = try HDWallet.accounts(mnemonic: HDWallet.testMnemonic, count: 1)[0]
        let chain: any ChainAccess
        var node: NodeProcess?
        if ProcessInfo.processInfo.environment["GFL_CONTRACTS_CHAIN"] == "embedded" {
            chain = EmbeddedChain()
        } else {
            let process = try await NodeProcess.start()
            node = process
            chain = RPCChain(url: process.url)
        }
        let gfl = try await GFLDeployment.deploy(on: chain, from: deployer)
        return TestChain(chain: chain, deployer: deployer, gfl: gfl, node: node)
    }

    /// Gives each key 10 ETH from the deployer, so that it can pay for its transactions (a no-op in-process,
    /// where the base fee is zero).
    func fund(_ keys: [PrivateKey]) async throws {
        guard let rpc = chain as? RPCChain else { return }
        let sender = TransactionSender(client: rpc.client, key: deployer)
        let fees = try await rpc.client.suggestedFees()
        var nonce = try await rpc.client.nonce(deployer.address)
        var last: Hash32?
        // Signed locally with consecutive nonces and sent without waiting: one receipt wait for the batch.
        for k in keys {
            var options = SendOptions(gas: 21_000, nonce: nonce)
            options.maxFeePerGas = fees.maxFee
            options.maxPriorityFeePerGas = fees.priorityFee
            last = try await sender.send(to: k.address, value: UInt256(10_000_000_000_000_000_000 as UInt64),
                                         options: options)
            nonce += 1
        }
        if let last { _ = try await rpc.client.waitForReceipt(last) }
    }
}

/// Expects `body` to revert with exactly `reason`.
func expectRevert(_ reason: String, sourceLocation: SourceLocation = #_sourceLocation,
                  _ body: () async throws -> Void) async {
    do {
        try await body()
        Issue.record("expected a revert with '\(reason)', but the call succeeded", sourceLocation: sourceLocation)
    } catch let error as ContractError {
        #expect(error.revertReason == reason, "got \(error)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected a revert with '\(reason)', got \(error)", sourceLocation: sourceLocation)
    }
}

/// Plain Swift model of a job's ring: linear scans over the members, no sorting tricks, so it shares nothing with
/// the contract's sorted lists and binary search.
struct RingReference {
    struct Member { var address: Address; var position: UInt256; var trusted: Bool; var alive: Bool }
    var members: [Member] = []

    mutating func add(_ a: Address) {
        members.append(Member(address: a, position: ControllerContract.ringPosition(of: a), trusted: false, alive: true))
    }

    mutating func set(_ a: Address, trusted: Bool? = nil, alive: Bool? = nil) {
        for i in members.indices where members[i].address == a {
            if let trusted { members[i].trusted = trusted }
            if let alive { members[i].alive = alive }
        }
    }

    func position(_ a: Address) -> UInt256? { members.first { $0.address == a }?.position }

    /// The member that follows `position` clockwise among those passing `include`; nil when none does.
    func clockwise(from position: UInt256, _ include: (Member) -> Bool) -> Address? {
        var best: Member?, lowest: Member?
        for m in members where include(m) {
            if m.position > position, best == nil || m.position < best!.position { best = m }
            if lowest == nil || m.position < lowest!.position { lowest = m }
        }
        return (best ?? lowest)?.address
    }

    func firstTrustedClockwise(_ p: UInt256) -> Address? { clockwise(from: p) { $0.alive && $0.trusted } }
    func successor(_ a: Address) -> Address? { position(a).flatMap { p in clockwise(from: p) { $0.alive } } }
    func nextTrusted(_ a: Address) -> Address? { position(a).flatMap(firstTrustedClockwise) }

    /// Live members in ring order.
    var ring: [Member] { members.filter(\.alive).sorted { $0.position < $1.position } }
}
