import Foundation
import Testing
import Primitives
import TestSupport
@testable import Chain

/// Runs every file of ethereum/tests `TransactionTests` (Cancun results, chain id 1): a valid vector must decode,
/// pass the static rules, and give the expected hash, sender and intrinsic gas; an invalid one must be rejected.
/// Each failure names the file, the test and the expectation it concerns.
@Suite struct EthereumTransactionTests {
    struct Case: Sendable, CustomStringConvertible {
        let file: String
        let name: String
        let txbytes: String
        let exception: String?
        let hash: String?
        let sender: String?
        let intrinsicGas: String
        var description: String { "\(file) \(name)" }
    }

    static func loadCases() throws -> [Case] {
        let root = Fixtures.ethereumTests.appendingPathComponent("TransactionTests")
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else { return [] }
        var out: [Case] = []
        for case let url as URL in walker where url.pathExtension == "json" {
            guard let tests = try Fixtures.json(url) as? [String: Any] else { continue }
            let rel = url.path.replacingOccurrences(of: root.path + "/", with: "")
            for (name, value) in tests {
                guard let t = value as? [String: Any], let result = t["result"] as? [String: Any],
                      let cancun = result["Cancun"] as? [String: Any], let tx = t["txbytes"] as? String else {
                    out.append(Case(file: rel, name: name, txbytes: "", exception: "MALFORMED VECTOR", hash: nil,
                                    sender: nil, intrinsicGas: "0x0"))
                    continue
                }
                out.append(Case(file: rel, name: name, txbytes: tx, exception: cancun["exception"] as? String,
                                hash: cancun["hash"] as? String, sender: cancun["sender"] as? String,
                                intrinsicGas: cancun["intrinsicGas"] as? String ?? "0x0"))
            }
        }
        return out.sorted { $0.description < $1.description }
    }

    @Test func allFilesAreRun() throws {
        let cases = try Self.loadCases()
        // 149 files with one test each (README: 99 expect an exception, 50 are valid).
        #expect(cases.count == 149)
        #expect(cases.filter { $0.exception == nil }.count == 50)
        #expect(cases.filter { $0.exception != nil }.count == 99)
    }

    @Test(arguments: try loadCases())
    func vector(_ c: Case) throws {
        let raw = try V.bytes(c.txbytes)
        let wantIntrinsic = try V.u64(c.intrinsicGas)
        let decodedResult = Result { () throws(TransactionError) in try SignedTransaction(decoding: raw) }
        let decoded = try? decodedResult.get()
        let outcome: Result<Address, TransactionError>
        switch decodedResult {
        case .failure(let e): outcome = .failure(e)
        case .success(let tx): outcome = Result { () throws(TransactionError) in try tx.validate(chainId: 1) }
        }
        if let expected = c.exception {
            if case .success(let sender) = outcome {
                Issue.record("\(c): expected rejection (\(expected)) but it was accepted with sender \(sender)")
            }
            // Where the vector knows the intrinsic gas and the transaction decoded, it must agree.
            if let tx = decoded, wantIntrinsic != 0 {
                #expect(tx.transaction.intrinsicGas == wantIntrinsic, "\(c): intrinsic gas (rejected vector \(expected))")
            }
            return
        }
        switch outcome {
        case .failure(let e):
            Issue.record("\(c): expected valid (sender \(c.sender ?? "?")) but rejected: \(e)")
        case .success(let sender):
            let tx = try #require(decoded)
            #expect(sender == (try V.address(c.sender ?? "")), "\(c): sender")
            #expect(tx.hash == (try V.word(c.hash ?? "")), "\(c): hash")
            #expect(tx.hash == Keccak256.hash(raw), "\(c): hash is keccak of the bytes")
            #expect(tx.transaction.intrinsicGas == wantIntrinsic, "\(c): intrinsic gas")
            // Re-encoding the decoded parts must give the same canonical bytes.
            let rebuilt = SignedTransaction(transaction: tx.transaction, yParity: tx.yParity, r: tx.r, s: tx.s)
            #expect(rebuilt.encoded == raw, "\(c): re-encoding")
        }
    }
}
