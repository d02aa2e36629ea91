import Chain
import Federation
import Foundation
import GFLContracts
import Primitives
import RPCClient
import Testing

/// Transactions whose gas depends on state, sent at the same moment by two keys (as trainers joining a job do):
/// both are estimated on the same state, mined in one block, and the one that lands second costs far more than
/// its estimate. `RPCChain` sends with 30 % headroom and re-sends a transaction that ran out of gas.
@Suite struct GasHeadroomTests {
    /// Runtime: the first call stores slot 0 (≈ 43k gas); every later call writes 20 fresh slots (≈ 470k gas).
    ///   0: PUSH1 0 SLOAD PUSH1 12 JUMPI        if slot 0 ≠ 0, go to the expensive path
    ///   6: PUSH1 1 PUSH1 0 SSTORE STOP         slot 0 := 1
    ///  12: JUMPDEST PUSH1 20                   i := 20
    ///  15: JUMPDEST DUP1 DUP1 SSTORE           slot i := i
    ///      PUSH1 1 SWAP1 SUB DUP1 PUSH1 15 JUMPI STOP   i -= 1; loop while i ≠ 0
    static let runtime: [UInt8] = [0x60, 0x00, 0x54, 0x60, 0x0c, 0x57,
                                   0x60, 0x01, 0x60, 0x00, 0x55, 0x00,
                                   0x5b, 0x60, 0x14,
                                   0x5b, 0x80, 0x80, 0x55,
                                   0x60, 0x01, 0x90, 0x03, 0x80, 0x60, 0x0f, 0x57, 0x00]
    /// Init code: copy the runtime after these 12 bytes into memory and return it.
    static var initCode: [UInt8] {
        [0x60, UInt8(runtime.count), 0x60, 0x0c, 0x60, 0x00, 0x39, 0x60, UInt8(runtime.count), 0x60, 0x00, 0xf3] + runtime
    }

    /// Mines one block once `count` transactions from `keys` are pending beyond `nonces`.
    func mineWhen(_ client: EthClient, pending keys: [PrivateKey], above nonces: [UInt64], count: Int) async throws {
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            var n = 0
            for (k, base) in zip(keys, nonces) { n += Int(try await client.nonce(k.address, at: .pending) - base) }
            if n >= count { _ = try await client.rpc.call("evm_mine"); return }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        throw NodeStartError(description: "\(count) transactions never reached the pool")
    }

    func latestNonces(_ client: EthClient, _ keys: [PrivateKey]) async throws -> [UInt64] {
        var out: [UInt64] = []
        for k in keys { out.append(try await client.nonce(k.address, at: .latest)) }
        return out
    }

    /// Deploys the contract above from `key`, mining the block by hand.
    func deploy(_ chain: RPCChain, from key: PrivateKey) async throws -> Address {
        let before = try await latestNonces(chain.client, [key])
        let sent = Task { try await chain.transact(from: key, to: nil, data: Self.initCode, gas: nil) }
        try await mineWhen(chain.client, pending: [key], above: before, count: 1)
        return try #require(try await sent.value.contractAddress)
    }

    /// Sends the first call from both keys at once and mines both into one block; later blocks (for a re-sent
    /// transaction) are mined as soon as something is pending. Returns each key's outcome.
    func race(_ chain: RPCChain, contract: Address, keys: [PrivateKey]) async throws -> [Result<ContractReceipt, ContractError>] {
        let nonces = try await latestNonces(chain.client, keys)
        async let a = outcome { try await chain.transact(from: keys[0], to: contract, data: [], gas: nil) }
        async let b = outcome { try await chain.transact(from: keys[1], to: contract, data: [], gas: nil) }
        try await mineWhen(chain.client, pending: keys, above: nonces, count: 2)
        // Stopped by a flag, not by cancellation (see StopFlag): the miner is usually inside a URLSession request.
        let stop = StopFlag()
        let miner = Task {
            while !stop.isStopped {
                let mined = try await latestNonces(chain.client, keys)
                var pending = false
                for (k, n) in zip(keys, mined) where try await chain.client.nonce(k.address, at: .pending) > n { pending = true }
                if pending { _ = try await chain.client.rpc.call("evm_mine") }
                try await Task.sleep(nanoseconds: 20_000_000)
            }
        }
        let results = await [a, b]
        stop.stop()
        _ = await miner.result
        return results
    }

    func outcome(_ body: () async throws -> ContractReceipt) async -> Result<ContractReceipt, ContractError> {
        do { return .success(try await body()) } catch let e as ContractError { return .failure(e) } catch {
            return .failure(.rejected("\(error)"))
        }
    }

    @Test func outOfGasFromARaceIsSentAgain() async throws {
        let node = try await NodeProcess.start(extra: ["--no-automine"])
        let keys = try HDWallet.accounts(mnemonic: HDWallet.testMnemonic, count: 3)
        var chain = RPCChain(url: node.url)
        let contract = try await deploy(chain, from: keys[0])

        // The headroom: a lone call's gas limit is 130 % of the estimate.
        let estimate = try await chain.client.estimateGas(CallRequest(from: keys[1].address, to: contract, data: []))
        let signed = try await TransactionSender(client: chain.client, key: keys[1])
            .sign(to: contract, options: SendOptions(gasEstimatePercent: 130))
        #expect(signed.transaction.gasLimit == estimate * 130 / 100)

        // Both keys estimate the cheap first call; whichever is mined second runs out of gas and is sent again.
        let before = try await latestNonces(chain.client, [keys[1], keys[2]])
        let results = try await race(chain, contract: contract, keys: [keys[1], keys[2]])
        for r in results { if case .failure(let e) = r { Issue.record("a raced transaction failed: \(e)") } }
        let after = try await latestNonces(chain.client, [keys[1], keys[2]])
        let sent = zip(after, before).map { $0 - $1 }.sorted()
        #expect(sent == [1, 2], "one key needed a second transaction: \(sent)")

        // Without re-sending, the same race on a fresh contract leaves one caller with an out-of-gas failure.
        chain.outOfGasRetries = 0
        let second = try await deploy(chain, from: keys[0])
        let lone = try await race(chain, contract: second, keys: [keys[1], keys[2]])
        let failures = lone.compactMap { r -> ContractError? in if case .failure(let e) = r { e } else { nil } }
        #expect(failures.count == 1, "exactly one raced call fails without a retry: \(lone)")
        if let f = failures.first { #expect("\(f)".contains("out of gas"), "the failure says why: \(f)") }
        _ = node
    }
}

