import ContentStore
import Foundation
import Primitives
import Testing

/// `gfl store …` end to end: the built binary (next to the test bundle), a store in a temporary directory.
@Suite struct CLITests {
    static var binary: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("gfl")
    }

    struct Failed: Error, CustomStringConvertible { let description: String }

    /// Runs gfl with `args`; returns (exit status, stdout, stderr).
    static func gfl(_ args: [String], repo: URL) throws -> (Int32, [UInt8], String) {
        let p = Process()
        p.executableURL = binary
        p.arguments = args
        p.environment = ["GFL_STORE": repo.path, "PATH": "/usr/bin:/bin"]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, [UInt8](o), String(decoding: e, as: UTF8.self))
    }

    static func text(_ b: [UInt8]) -> String { String(decoding: b, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) }

    @Test func addCatGetPinGCAndOutputs() throws {
        guard FileManager.default.isExecutableFile(atPath: Self.binary.path) else {
            throw Failed(description: "gfl binary not found at \(Self.binary.path): build with `swift build --build-tests`")
        }
        let dir = try TestFiles.tempDir("cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        let repo = dir.appendingPathComponent("repo")
        let path = try TestFiles.write(600_000, seed: 99, in: dir, name: "model.bin")
        let (v0, v1) = try IPFSCompatTests.reference(path)

        var r = try Self.gfl(["store", "add", "-q", path], repo: repo)
        #expect(r.0 == 0, "\(r.2)")
        #expect(Self.text(r.1) == v0)
        r = try Self.gfl(["store", "add", "-q", "--cid-version", "1", "--only-hash", path], repo: repo)
        #expect(Self.text(r.1) == v1)
        r = try Self.gfl(["store", "add", "--json", path], repo: repo)
        #expect(Self.text(r.1).hasPrefix(#"{"Name":"model.bin","Hash":"\#(v0)","Size":""#))
        let obj = try JSONSerialization.jsonObject(with: Data(r.1)) as? [String: String]
        #expect(obj?["Name"] == "model.bin")
        #expect(obj?["Hash"] == v0)
        #expect(obj?["Size"] == String((try computeCID(path: path)).cumulativeSize))

        r = try Self.gfl(["store", "cat", v1], repo: repo)
        #expect(r.1 == TestFiles.bytes(600_000, seed: 99))
        let out = dir.appendingPathComponent("out.bin").path
        r = try Self.gfl(["store", "get", v0, "-o", out], repo: repo)
        #expect(r.0 == 0)
        #expect(FileManager.default.contentsEqual(atPath: out, andPath: path))

        r = try Self.gfl(["store", "stat", "--json"], repo: repo)
        #expect(Self.text(r.1).contains(#""pins":1"#))
        r = try Self.gfl(["store", "unpin", v0], repo: repo)
        #expect(r.0 == 0)
        r = try Self.gfl(["store", "gc"], repo: repo)
        #expect(Self.text(r.1) == "removed 4 blocks")
        r = try Self.gfl(["store", "cat", v0], repo: repo)
        #expect(r.0 != 0)
        #expect(r.2.contains(v0), "\(r.2)")
        r = try Self.gfl(["store", "cat", "not-a-cid"], repo: repo)
        #expect(r.0 != 0)
        #expect(r.2.contains("not-a-cid"))
    }

    @Test func encryptForAndDecryptWith() throws {
        guard FileManager.default.isExecutableFile(atPath: Self.binary.path) else {
            throw Failed(description: "gfl binary not found at \(Self.binary.path)")
        }
        let dir = try TestFiles.tempDir("cli-enc")
        defer { try? FileManager.default.removeItem(at: dir) }
        let repo = dir.appendingPathComponent("repo")
        let path = try TestFiles.write(70_000, seed: 5, in: dir, name: "weights")
        let secret = [UInt8](repeating: 0x42, count: 32)
        let keyFile = dir.appendingPathComponent("node.key")
        try (Hex.encode(secret) + "\n").write(to: keyFile, atomically: true, encoding: .utf8)
        let pub = Hex.encode(try PrivateKey(bytes: secret).publicKey.uncompressed, prefix: false)

        var r = try Self.gfl(["store", "add", "-q", "--encrypt-for", pub, path], repo: repo)
        #expect(r.0 == 0, "\(r.2)")
        let cid = Self.text(r.1)
        // Stored bytes are ciphertext, not the file.
        r = try Self.gfl(["store", "cat", cid], repo: repo)
        #expect(r.1.count == 70_000 + ECIES.overhead)
        #expect(r.1 != TestFiles.bytes(70_000, seed: 5))
        r = try Self.gfl(["store", "cat", cid, "--decrypt-with", keyFile.path], repo: repo)
        #expect(r.0 == 0, "\(r.2)")
        #expect(r.1 == TestFiles.bytes(70_000, seed: 5))
        // The wrong key fails with a clear message and prints nothing.
        try (Hex.encode([UInt8](repeating: 0x43, count: 32))).write(to: keyFile, atomically: true, encoding: .utf8)
        r = try Self.gfl(["store", "cat", cid, "--decrypt-with", keyFile.path], repo: repo)
        #expect(r.0 != 0)
        #expect(r.1.isEmpty)
        #expect(r.2.contains("failed authentication"), "\(r.2)")
    }
}
