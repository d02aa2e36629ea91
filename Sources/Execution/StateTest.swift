import EVM
import Foundation
import Primitives

/// A malformed state-test file.
public struct StateTestError: Error, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// One `post.Cancun` expectation: run transaction (data, gas, value) on `pre`, compare root and logs.
public struct StateTestCase: Sendable {
    public var file: String
    public var name: String
    public var index: Int
    public var dataIndex: Int, gasIndex: Int, valueIndex: Int
    public var expectedRoot: Hash32
    public var expectedLogs: Hash32
    public var expectException: String?
}

/// The outcome of one case.
public struct StateTestResult: Sendable {
    public var testCase: StateTestCase
    public var passed: Bool
    public var root: Hash32
    public var logs: Hash32
    public var error: String?
    public var gasUsed: UInt64
}

/// A parsed state test (one named test of a file): environment, pre-state, transaction template, cases.
public struct StateTest {
    public var name: String
    public var file: String
    public var block: BlockEnv
    public var pre: [Address: Account]
    public var cases: [StateTestCase]
    var tx: [String: Any]

    /// Parses every test of a state-test JSON file.
    public static func load(_ url: URL) throws -> [StateTest] {
        let data = try Data(contentsOf: url)
        guard let top = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw StateTestError("\(url.path): not a JSON object")
        }
        return try top.keys.sorted().map { name in
            guard let t = top[name] as? [String: Any] else { throw StateTestError("\(name): not an object") }
            return try StateTest(name: name, file: url.path, json: t)
        }
    }

    init(name: String, file: String, json: [String: Any]) throws {
        self.name = name; self.file = file
        guard let env = json["env"] as? [String: Any], let pre = json["pre"] as? [String: Any],
              let tx = json["transaction"] as? [String: Any], let post = json["post"] as? [String: Any] else {
            throw StateTestError("\(name): missing env/pre/transaction/post")
        }
        block = BlockEnv(
            coinbase: try Address(hex: J.str(env["currentCoinbase"])),
            number: try J.u256(env["currentNumber"]).l0,
            timestamp: try J.u256(env["currentTimestamp"]),
            gasLimit: try J.u64(env["currentGasLimit"]),
            baseFee: try J.u256(env["currentBaseFee"] ?? "0x0"),
            prevRandao: try J.u256(env["currentRandom"] ?? env["currentDifficulty"] ?? "0x0"),
            chainId: .one,
            blobBaseFee: TransactionExecutor.blobBaseFee(excessBlobGas: try J.u256(env["currentExcessBlobGas"] ?? "0x0")))
        var accounts: [Address: Account] = [:]
        for (addrText, v) in pre {
            guard let a = v as? [String: Any] else { throw StateTestError("\(name): bad pre account") }
            var storage: [UInt256: UInt256] = [:]
            for (k, sv) in (a["storage"] as? [String: Any]) ?? [:] { storage[try J.u256(k)] = try J.u256(sv) }
            accounts[try Address(hex: addrText)] = Account(
                nonce: try J.u64(a["nonce"]), balance: try J.u256(a["balance"]),
                code: try J.bytes(a["code"]), storage: storage)
        }
        self.pre = accounts
        self.tx = tx
        var cases: [StateTestCase] = []
        for (i, e) in ((post["Cancun"] as? [Any]) ?? []).enumerated() {
            guard let e = e as? [String: Any], let idx = e["indexes"] as? [String: Any] else {
                throw StateTestError("\(name): bad post entry \(i)")
            }
            cases.append(StateTestCase(
                file: file, name: name, index: i,
                dataIndex: (idx["data"] as? Int) ?? 0, gasIndex: (idx["gas"] as? Int) ?? 0,
                valueIndex: (idx["value"] as? Int) ?? 0,
                expectedRoot: try Bytes32(hex: J.str(e["hash"])), expectedLogs: try Bytes32(hex: J.str(e["logs"])),
                expectException: e["expectException"] as? String))
        }
        self.cases = cases
    }

    /// The transaction for a case.
    public func transaction(_ c: StateTestCase) throws -> Transaction {
        let data = (tx["data"] as? [Any]) ?? [], gas = (tx["gasLimit"] as? [Any]) ?? [], value = (tx["value"] as? [Any]) ?? []
        guard c.dataIndex < data.count, c.gasIndex < gas.count, c.valueIndex < value.count else {
            throw StateTestError("\(name): index out of range")
        }
        let toText = try J.str(tx["to"] ?? "")
        var t = Transaction(
            sender: try Address(hex: J.str(tx["sender"])),
            to: toText.isEmpty ? nil : try Address(hex: toText),
            nonce: try J.u64(tx["nonce"]), gasLimit: try J.u64(gas[c.gasIndex]),
            value: try J.u256(value[c.valueIndex]), data: try J.bytes(data[c.dataIndex]))
        if let lists = tx["accessLists"] as? [Any], c.dataIndex < lists.count, let list = lists[c.dataIndex] as? [Any] {
            t.type = 1
            for e in list {
                guard let e = e as? [String: Any] else { continue }
                t.accessList.append(AccessListEntry(
                    address: try Address(hex: J.str(e["address"])),
                    storageKeys: try ((e["storageKeys"] as? [Any]) ?? []).map { try J.u256($0) }))
            }
        }
        if let gp = tx["gasPrice"] { t.gasPrice = try J.u256(gp) }
        if let mf = tx["maxFeePerGas"] {
            t.type = 2
            t.maxFeePerGas = try J.u256(mf)
            t.maxPriorityFeePerGas = try J.u256(tx["maxPriorityFeePerGas"] ?? "0x0")
        }
        if let bh = tx["blobVersionedHashes"] as? [Any] {
            t.type = 3
            t.blobVersionedHashes = try bh.map { try Bytes32(hex: J.str($0)) }
            t.maxFeePerBlobGas = try J.u256(tx["maxFeePerBlobGas"] ?? "0x0")
        }
        return t
    }

    /// Runs one case on a fresh copy of `pre`.
    public func run(_ c: StateTestCase, tracer: ((Int, UInt8, Int, [UInt256], Int) -> Void)? = nil) -> StateTestResult {
        let state = JournaledState(accounts: pre)
        var error: String? = nil
        var logs: [Log] = []
        var gasUsed: UInt64 = 0
        let t: Transaction
        do {
            t = try transaction(c)
        } catch {
            // A field that cannot form a transaction (e.g. a value over 2^256) makes it invalid.
            let rejected = c.expectException != nil
            let root = StateRoot.root(pre)
            return StateTestResult(testCase: c, passed: rejected && root == c.expectedRoot, root: root,
                                   logs: StateRoot.logsHash([]), error: "rejected: \(error)", gasUsed: 0)
        }
        do {
            let out = try TransactionExecutor.apply(t, state: state, block: block, tracer: tracer)
            logs = out.logs
            gasUsed = out.gasUsed
            if !out.result.isSuccess { error = out.result.halt.description }
        } catch let e {
            // Validation runs before any change, so the state is still `pre`.
            error = "rejected: \(e)"
        }
        let root = StateRoot.root(state.accounts)
        let lh = StateRoot.logsHash(logs)
        let rejected = error?.hasPrefix("rejected") ?? false
        var passed = root == c.expectedRoot && lh == c.expectedLogs
        if (c.expectException != nil) != rejected { passed = false }
        if c.expectException != nil && !rejected { error = "expected exception \(c.expectException!), got none" }
        return StateTestResult(testCase: c, passed: passed, root: root, logs: lh, error: error, gasUsed: gasUsed)
    }
}

/// JSON field helpers with typed errors.
enum J {
    static func str(_ v: Any?) throws -> String {
        guard let s = v as? String else { throw StateTestError("expected a string, got \(String(describing: v))") }
        return s
    }
    static func u256(_ v: Any?) throws -> UInt256 {
        let s = try str(v)
        do { return try UInt256(parsing: s) } catch { throw StateTestError("bad quantity \(s): \(error)") }
    }
    static func u64(_ v: Any?) throws -> UInt64 {
        let x = try u256(v)
        guard x.fitsUInt64 else { throw StateTestError("quantity \(x) does not fit in 64 bits") }
        return x.l0
    }
    static func bytes(_ v: Any?) throws -> [UInt8] {
        var s = try str(v)
        // Some fillers write code with a ":raw " prefix or similar; the filled form is plain hex.
        if s.hasPrefix(":raw ") { s = String(s.dropFirst(5)) }
        do { return try Hex.decode(s) } catch { throw StateTestError("bad hex \(s.prefix(40)): \(error)") }
    }
}
