import Foundation
import GFLContracts
import Primitives
import TestSupport
import Testing

/// The generated bindings and the compiled artifacts stay in step with the sources.
@Suite struct BindingsTests {
    static let root = Fixtures.repoRoot

    static func run(_ tool: String, _ args: [String]) throws -> (Int32, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = args
        p.currentDirectoryURL = root
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let out = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: out, as: UTF8.self))
    }

    /// Each artifact records the SHA-256 of the source it was compiled from; the bindings embed the same.
    @Test func artifactsMatchTheirSources() throws {
        for (name, artifact) in [("Controller", ControllerContract.artifact), ("Storage", StorageContract.artifact),
                                 ("Receipts", ReceiptsContract.artifact), ("Distillation", DistillationContract.artifact)] {
            let source = try Data(contentsOf: Self.root.appendingPathComponent("Contracts/\(name).vy"))
            let digest = Hex.encode(SHA256.hash([UInt8](source)).bytes, prefix: false)
            let json = try Fixtures.json(Self.root.appendingPathComponent("Contracts/build/\(name).json")) as? [String: Any]
            #expect(json?["sourceSha256"] as? String == digest, "Contracts/build/\(name).json is stale: run tools/compile-contracts")
            #expect(artifact.sourceSha256 == digest, "generated bindings of \(name) are stale: run tools/gen/bindings.py")
            #expect(json?["bytecode"] as? String == artifact.bytecodeHex)
            #expect(try artifact.abi().functions.count == (json?["abi"] as? [[String: Any]])?.filter { $0["type"] as? String == "function" }.count)
        }
    }

    /// Regenerates the bindings into a temporary directory and compares them byte for byte (needs python3).
    @Test func generatedBindingsAreFresh() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") else { return }
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("gfl-bindings-\(UInt64.random(in: 0...UInt64.max))")
        defer { try? FileManager.default.removeItem(at: tmp) }
        let (status, output) = try Self.run("/usr/bin/python3", ["tools/gen/bindings.py", "--out", tmp.path])
        try #require(status == 0, "bindings.py failed: \(output)")
        let generated = Self.root.appendingPathComponent("Sources/GFLContracts/Generated")
        let names = try FileManager.default.contentsOfDirectory(atPath: tmp.path).sorted()
        #expect(names == (try FileManager.default.contentsOfDirectory(atPath: generated.path).sorted()))
        for name in names {
            let fresh = try Data(contentsOf: tmp.appendingPathComponent(name))
            let committed = try Data(contentsOf: generated.appendingPathComponent(name))
            #expect(fresh == committed, "Sources/GFLContracts/Generated/\(name) is stale: run tools/gen/bindings.py")
        }
    }

    /// Recompiles with the pinned Vyper when it is installed and compares the artifacts byte for byte.
    @Test func compiledArtifactsAreFresh() throws {
        let vyper = Self.root.appendingPathComponent("tools/.venv/bin/vyper").path
        guard FileManager.default.isExecutableFile(atPath: vyper) else { return }
        let (status, output) = try Self.run("/bin/bash", ["tools/compile-contracts", "--check"])
        #expect(status == 0, "\(output)")
    }

    /// The generated calldata is what the ABI says: selector of the canonical signature, then the arguments.
    @Test func callDataFollowsTheSignature() throws {
        let f = ControllerContract.Functions.firstTrustedClockwise
        #expect(f.signature == "firstTrustedClockwise(uint256,uint256)")
        let data = try ABIRead.calldata(f, [.uint(7), .uint(UInt256(l0: 1, l1: 2, l2: 3, l3: 4))])
        #expect(Array(data.prefix(4)) == Array(Keccak256.hash("firstTrustedClockwise(uint256,uint256)").bytes.prefix(4)))
        #expect(data.count == 4 + 64 && data[35] == 7)
        #expect(StorageContract.Forwarded.event.signature == "Forwarded(uint256,address,address,uint8,uint256,address,bytes)")
    }
}

/// Bad data from a node surfaces as typed errors that name the field, never as a crash.
@Suite struct BindingDecodingTests {
    @Test func malformedValuesAndLogsAreTypedErrors() throws {
        #expect(throws: ContractError.badValue(path: "jobs", expected: "a tuple of 14", got: "1")) {
            _ = try ControllerContract.Job(abi: .uint(1), path: "jobs")
        }
        let entry = ABIValue.tuple([.uint(5), .address(.zero), .uint(1)])
        #expect(throws: ContractError.badValue(path: "ring[0].trusted", expected: "a bool", got: "1")) {
            _ = try ControllerContract.RingEntry(abi: entry, path: "ring[0]")
        }
        let status = ABIValue.uint(UInt256(300))
        #expect(throws: ContractError.self) { _ = try ABIRead.uint8(status, "jobs.status") }

        // A NodeDown log with a missing topic, and a log of an event the contract does not declare.
        let topics = try ControllerContract.NodeDown.event.topics([.uint(1), .address(.zero), .address(.zero)])
        let data = try ABIRead.encode([.address], [.address(.zero)])
        let good = ContractLog(address: .zero, topics: topics, data: data)
        #expect(try ControllerContract.NodeDown(log: good).jobId == 1)
        #expect(throws: ContractError.self) { _ = try ControllerContract.NodeDown(log: ContractLog(address: .zero, topics: Array(topics.prefix(2)), data: data)) }
        #expect(throws: ContractError.self) { _ = try ControllerContract.NodeDown(log: ContractLog(address: .zero, topics: topics, data: [1, 2])) }
        #expect(try ControllerContract.Event(log: ContractLog(address: .zero, topics: [Keccak256.hash("Other()")], data: [])) == nil)
    }
}
