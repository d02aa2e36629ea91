import Chain
import Foundation
import GFLContracts
import Primitives
import RPCClient
import Testing

/// JSON-RPC batches against a real `gfl node`: answers come back per call, in the order asked, errors included;
/// a transaction signed from one batch carries the same chain id, nonce, gas and fees as one built call by call.
@Suite struct RPCBatchTests {
    @Test func batchAnswersEachCallInOrder() async throws {
        let node = try await NodeProcess.start()
        let rpc = JSONRPCClient(url: node.url)
        let answers = try await rpc.batch([
            ("eth_chainId", []), ("eth_noSuchMethod", []), ("eth_blockNumber", []),
            ("eth_getBalance", [.string("0xnot-an-address"), .string("latest")]),
        ])
        #expect(answers.count == 4)
        #expect(try Decode.u64(answers[0].get()) == 31337)
        guard case .failure(.server(let code, _, _)) = answers[1] else {
            Issue.record("unknown method answered \(answers[1])"); return
        }
        #expect(code == -32601)
        #expect(try Decode.u64(answers[2].get()) == (try await EthClient(rpc: rpc).blockNumber()))
        guard case .failure(.server(let badCode, _, _)) = answers[3] else {
            Issue.record("bad address answered \(answers[3])"); return
        }
        #expect(badCode == -32602)
        #expect(try await rpc.batch([]).isEmpty)
    }

    @Test func batchedSigningMatchesCallByCall() async throws {
        let t = try await TestChain.start()
        let rpc = try #require(t.chain as? RPCChain).client
        let sender = TransactionSender(client: rpc, key: t.deployer)
        let call = CallRequest(from: t.deployer.address, to: t.controller.address,
                               data: ABISelector(signature: "jobCount()").bytes)
        let signed = try await sender.sign(to: call.to, data: call.data)
        let decoded = signed.transaction
        #expect(decoded.chainId == (try await rpc.chainId()))
        #expect(decoded.nonce == (try await rpc.nonce(t.deployer.address)))
        #expect(decoded.gasLimit == (try await rpc.estimateGas(call)))
        #expect(decoded.maxFeePerGas == (try await rpc.suggestedFees()).maxFee)

        // A call that reverts fails in the batched estimate with the node's revert error, and nothing is sent.
        let before = try await rpc.nonce(t.deployer.address)
        do {
            _ = try await sender.send(to: t.controller.address, data: [0xde, 0xad, 0xbe, 0xef])
            Issue.record("a reverting transaction was signed and sent")
        } catch {
            guard case .server(let code, _, _) = error else { Issue.record("unexpected \(error)"); return }
            #expect(code == 3 || code == -32000)
        }
        #expect(try await rpc.nonce(t.deployer.address) == before)
    }
}
