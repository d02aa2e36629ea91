import Chain
import Foundation
import Node
import Primitives
import RPC
import Storage
import Testing
import TestSupport

/// Malformed input never crashes the node: every method with every shape of bad parameters, and random or
/// truncated bodies, get a JSON-RPC error object back.
@Suite struct RPCRobustnessTests {
    static let methods = [
        "web3_clientVersion", "web3_sha3", "net_version", "net_listening", "eth_chainId", "eth_blockNumber", "eth_syncing",
        "eth_accounts", "eth_gasPrice", "eth_maxPriorityFeePerGas", "eth_feeHistory", "eth_getBalance",
        "eth_getTransactionCount", "eth_getCode", "eth_getStorageAt", "eth_call", "eth_estimateGas",
        "eth_sendRawTransaction", "eth_sendTransaction", "eth_getTransactionByHash", "eth_getTransactionReceipt",
        "eth_getBlockByNumber", "eth_getBlockByHash", "eth_getBlockTransactionCountByNumber",
        "eth_getBlockTransactionCountByHash", "eth_getTransactionByBlockNumberAndIndex",
        "eth_getTransactionByBlockHashAndIndex", "eth_getLogs", "eth_newFilter", "eth_newBlockFilter",
        "eth_getFilterChanges", "eth_getFilterLogs", "eth_uninstallFilter", "debug_traceTransaction", "evm_mine",
        "evm_snapshot", "evm_revert", "evm_increaseTime", "evm_setNextBlockTimestamp",
    ]
    static let badParams = [
        "[]", "[null]", #"["0xzz"]"#, "[{}]", "[1,2,3]", #"["latest","latest","latest","latest"]"#, "{}", "7",
        #"["0x"]"#, #"["0x0000"]"#, #"[{"to":"0x12"}]"#, #"[{"fromBlock":"0x5","toBlock":"0x1"}]"#,
        #"["0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"]"#, #"[-1]"#, #"[1e400]"#,
        #"[{"topics":[[1]]}]"#, #"["0x1", "0x1", [101]]"#, #"[{"from":"0x0000000000000000000000000000000000000001","data":"0x00"},"latest",{"0x01":{}}]"#,
    ]

    func handler() throws -> RPCHandler {
        let g = try Genesis(contentsOf: Fixtures.repoRoot.appendingPathComponent("genesis/dev.json"))
        return RPCHandler(chain: try Blockchain(store: MemoryStore(), genesis: g),
                          devKeys: try HDWallet.accounts(mnemonic: HDWallet.testMnemonic, count: 1))
    }

    @Test func everyMethodSurvivesBadParams() throws {
        let h = try handler()
        for m in Self.methods {
            for p in Self.badParams {
                let body = #"{"jsonrpc":"2.0","id":1,"method":"\#(m)","params":\#(p)}"#
                let out = try #require(h.handle(Array(body.utf8)), "\(m) \(p): no response")
                let r = try JSON.parse(out)
                #expect(r["result"] != nil || r["error"]?["code"] != nil, "\(m) \(p): \(r.text)")
            }
        }
    }

    @Test func randomAndTruncatedBodiesGetErrors() throws {
        let h = try handler()
        var rng = SystemRandomNumberGenerator()
        let valid = Array(#"[{"jsonrpc":"2.0","id":1,"method":"eth_getBalance","params":["0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266","latest"]}]"#.utf8)
        for i in 0..<2_000 {
            var body: [UInt8]
            switch i % 3 {
            case 0: body = (0..<Int.random(in: 0...64, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            case 1: body = Array(valid.prefix(Int.random(in: 0...valid.count, using: &rng)))
            default:
                body = valid
                for _ in 0..<3 { body[Int.random(in: 0..<body.count, using: &rng)] = UInt8.random(in: 0x20...0x7e, using: &rng) }
            }
            if let out = h.handle(body) { _ = try JSON.parse(out) }
        }
    }
}
