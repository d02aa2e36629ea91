import Chain
import Foundation
import Node
import Primitives
import RPC
import Storage
import Testing
import TestSupport

/// JSON-RPC dispatch in-process: geth's error codes, batches, notifications, revert mapping, response shapes.
@Suite struct RPCHandlerTests {
    let keys = try! HDWallet.accounts(mnemonic: HDWallet.testMnemonic, count: 2)

    func handler(automine: Bool = true) throws -> RPCHandler {
        var o = ChainOptions()
        o.instantMining = automine
        let g = try Genesis(contentsOf: Fixtures.repoRoot.appendingPathComponent("genesis/dev.json"))
        return RPCHandler(chain: try Blockchain(store: MemoryStore(), genesis: g, options: o), devKeys: keys)
    }

    func send(_ h: RPCHandler, _ text: String) throws -> JSON {
        let out = try #require(h.handle(Array(text.utf8)))
        return try JSON.parse(out)
    }

    func call(_ h: RPCHandler, _ method: String, _ params: String = "[]") throws -> JSON {
        try send(h, #"{"jsonrpc":"2.0","id":7,"method":"\#(method)","params":\#(params)}"#)
    }

    func code(_ r: JSON) -> String? { if case .number(let n)? = r["error"]?["code"] { return n }; return nil }

    @Test func gethErrorCodes() throws {
        let h = try handler()
        #expect(code(try send(h, "{not json")) == "-32700")
        #expect(code(try send(h, #"{"jsonrpc":"2.0","id":1}"#)) == "-32600")
        #expect(code(try send(h, "[]")) == "-32600")
        let batchOfJunk = try send(h, "[1]")
        if case .array(let items) = batchOfJunk { #expect(code(items[0]) == "-32600") } else { Issue.record("expected an array") }
        let nf = try call(h, "eth_nope")
        #expect(code(nf) == "-32601")
        #expect(nf["error"]?["message"]?.stringValue == "the method eth_nope does not exist/is not available")
        #expect(code(try call(h, "eth_getBalance", #"["0x12","latest"]"#)) == "-32602")
        #expect(code(try call(h, "eth_getBalance", #"["f39fd6e51aad88f6f4ce6ab8827279cfffb92266","latest"]"#)) == "-32602")
        #expect(code(try call(h, "eth_getBlockByNumber", #"["0x01",false]"#)) == "-32602")
        #expect(code(try call(h, "eth_getBlockByNumber", #"{"a":1}"#)) == "-32602")
        #expect(code(try call(h, "eth_sendRawTransaction", #"["0x02c0"]"#)) == "-32000")
        #expect(h.handle(Array(#"{"jsonrpc":"2.0","method":"eth_blockNumber"}"#.utf8)) == nil)  // notification
    }

    @Test func batchKeepsOrderAndIds() throws {
        let h = try handler()
        let r = try send(h, #"[{"jsonrpc":"2.0","id":"a","method":"eth_chainId"},{"jsonrpc":"2.0","id":2,"method":"net_version"},{"jsonrpc":"2.0","method":"eth_chainId"},{"jsonrpc":"2.0","id":3,"method":"x"}]"#)
        guard case .array(let items) = r else { Issue.record("not an array"); return }
        #expect(items.count == 3)
        #expect(items[0]["id"] == .string("a") && items[0]["result"] == .string("0x7a69"))
        #expect(items[1]["id"] == .number("2") && items[1]["result"] == .string("31337"))
        #expect(code(items[2]) == "-32601")
    }

    @Test func revertIsCode3WithReasonAndData() throws {
        let h = try handler()
        // Runtime code that reverts with Error("nope"): CODECOPY its 100-byte tail to memory, REVERT with it.
        let payload = Array(Keccak256.hash(Array("Error(string)".utf8)).bytes[0..<4]) + UInt256(32).bytes + UInt256(4).bytes
            + Array("nope".utf8) + [UInt8](repeating: 0, count: 28)
        let code = [0x60, 0x64, 0x60, 0x0c, 0x60, 0x00, 0x39, 0x60, 0x64, 0x60, 0x00, 0xfd] + payload
        let target = "0x00000000000000000000000000000000000000aa"
        let r = try call(h, "eth_call", #"[{"to":"\#(target)","data":"0x"},"latest",{"\#(target)":{"code":"\#(Hex.encode(code))"}}]"#)
        #expect(self.code(r) == "3")
        #expect(r["error"]?["message"]?.stringValue == "execution reverted: nope")
        #expect(r["error"]?["data"]?.stringValue == Hex.encode(payload))
    }

    @Test func receiptIsNullUntilMinedAndShapesAreMinimalHex() throws {
        let h = try handler(automine: false)
        #expect(try call(h, "eth_blockNumber")["result"] == .string("0x0"))
        let a1 = keys[1].publicKey.address
        let est = try call(h, "eth_estimateGas", #"[{"from":"\#(keys[0].publicKey.address)","to":"\#(a1)","value":"0x1"}]"#)
        #expect(est["result"] == .string("0x5208"))
        let sent = try call(h, "eth_sendTransaction", #"[{"from":"\#(keys[0].publicKey.address)","to":"\#(a1)","value":"0x10"}]"#)
        let txHash = try #require(sent["result"]?.stringValue)
        #expect(try call(h, "eth_getTransactionReceipt", #"["\#(txHash)"]"#)["result"] == .null)
        #expect(try call(h, "eth_getTransactionByHash", #"["\#(txHash)"]"#)["result"]?["blockHash"] == .null)
        #expect(try call(h, "eth_getTransactionCount", #"["\#(keys[0].publicKey.address)","pending"]"#)["result"] == .string("0x1"))
        #expect(try call(h, "eth_getTransactionCount", #"["\#(keys[0].publicKey.address)","latest"]"#)["result"] == .string("0x0"))
        #expect(try call(h, "evm_mine")["result"] == .string("0x0"))
        let receipt = try call(h, "eth_getTransactionReceipt", #"["\#(txHash)"]"#)["result"]
        #expect(receipt?["status"] == .string("0x1"))
        #expect(receipt?["blockNumber"] == .string("0x1"))
        #expect(receipt?["gasUsed"] == .string("0x5208"))
        #expect(receipt?["transactionIndex"] == .string("0x0"))
        let block = try call(h, "eth_getBlockByNumber", #"["0x1",true]"#)["result"]
        if case .array(let txs)? = block?["transactions"] {
            #expect(txs.count == 1)
            #expect(txs.first?["hash"] == .string(txHash))
            #expect(txs.first?["from"] == .string(Hex.encode(keys[0].publicKey.address.bytes)))
        } else { Issue.record("block without transactions array") }
        #expect(try call(h, "eth_getBlockTransactionCountByNumber", #"["latest"]"#)["result"] == .string("0x1"))
        #expect(try call(h, "eth_getBalance", #"["\#(a1)","0x1"]"#)["result"]?.stringValue?.hasSuffix("10") == true)
        #expect(try call(h, "eth_getStorageAt", #"["\#(a1)","0x0","latest"]"#)["result"] == .string("0x" + String(repeating: "0", count: 64)))
    }

    @Test func snapshotRevertOverRPC() throws {
        let h = try handler()
        let snap = try #require(try call(h, "evm_snapshot")["result"]?.stringValue)
        _ = try call(h, "eth_sendTransaction", #"[{"from":"\#(keys[0].publicKey.address)","to":"\#(keys[1].publicKey.address)","value":"0x1"}]"#)
        #expect(try call(h, "eth_blockNumber")["result"] == .string("0x1"))
        #expect(try call(h, "evm_revert", #"["\#(snap)"]"#)["result"] == .bool(true))
        #expect(try call(h, "eth_blockNumber")["result"] == .string("0x0"))
        #expect(try call(h, "evm_revert", #"["\#(snap)"]"#)["result"] == .bool(false))
    }

    @Test func traceTransactionStructLogsAndCallTracer() throws {
        let h = try handler()
        let from = keys[0].publicKey.address
        // Init code returning the runtime PUSH1 1 PUSH1 0 SSTORE STOP.
        let runtime: [UInt8] = [0x60, 0x01, 0x60, 0x00, 0x55, 0x00]
        let initCode: [UInt8] = [0x60, 0x06, 0x60, 0x0c, 0x60, 0x00, 0x39, 0x60, 0x06, 0x60, 0x00, 0xf3] + runtime
        let d = try #require(try call(h, "eth_sendTransaction", #"[{"from":"\#(from)","data":"\#(Hex.encode(initCode))"}]"#)["result"]?.stringValue)
        let contract = try #require(try call(h, "eth_getTransactionReceipt", #"["\#(d)"]"#)["result"]?["contractAddress"]?.stringValue)
        #expect(try call(h, "eth_getCode", #"["\#(contract)","latest"]"#)["result"] == .string(Hex.encode(runtime)))
        let tx = try #require(try call(h, "eth_sendTransaction", #"[{"from":"\#(from)","to":"\#(contract)","gas":"0x186a0"}]"#)["result"]?.stringValue)
        let trace = try call(h, "debug_traceTransaction", #"["\#(tx)"]"#)["result"]
        guard case .array(let logs)? = trace?["structLogs"] else { Issue.record("no structLogs: \(String(describing: trace))"); return }
        #expect(logs.map { $0["op"]?.stringValue ?? "" } == ["PUSH1", "PUSH1", "SSTORE", "STOP"])
        // EIP-2929/2200: a cold SSTORE from zero to non-zero costs 2,100 + 20,000.
        #expect(logs[2]["gasCost"] == .number("22100"))
        #expect(trace?["failed"] == .bool(false))
        // 21,000 intrinsic + 3 + 3 + 22,100.
        #expect(trace?["gas"] == .number("43106"))
        let calls = try call(h, "debug_traceTransaction", #"["\#(tx)",{"tracer":"callTracer"}]"#)["result"]
        #expect(calls?["type"] == .string("CALL"))
        #expect(calls?["to"] == .string(contract))
        #expect(calls?["gasUsed"] == .string("0xa862"))
    }
}
