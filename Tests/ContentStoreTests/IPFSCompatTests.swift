import ContentStore
import Foundation
import Testing

/// CIDs compared with Debian's `ipfs_cid` (rust-cid-npm: rust ipfs-unixfs with `ipfs add`'s defaults), an
/// implementation independent of ours. It prints `{"CIDv0":"Qm…","CIDv1":"bafy…"}` on stdout.
@Suite struct IPFSCompatTests {
    static let tool = "/usr/bin/ipfs_cid"

    /// Runs ipfs_cid on a file and returns (v0, v1).
    static func reference(_ path: String) throws -> (String, String) {
        guard FileManager.default.isExecutableFile(atPath: tool) else {
            throw ToolMissing(description: "\(tool) not found: run tools/setup (Debian package ipfs-cid)")
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = [path]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0,
              let obj = try JSONSerialization.jsonObject(with: data) as? [String: String],
              let v0 = obj["CIDv0"], let v1 = obj["CIDv1"] else {
            throw ToolMissing(description: "ipfs_cid failed on \(path): \(String(decoding: data, as: UTF8.self))")
        }
        return (v0, v1)
    }

    struct ToolMissing: Error, CustomStringConvertible { let description: String }

    static let chunk = 262_144
    static let full = 174 * chunk  // one full level-1 node

    /// The sizes the issue names, plus the edges of the second tree level, plus seeded random sizes.
    static let sizes: [Int] = {
        var s = [0, 1, chunk - 1, chunk, chunk + 1, 2 * chunk, full - 1, full, full + 1, full + chunk]
        var x: UInt64 = 0x5eed
        for _ in 0..<3 {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17
            s.append(Int(x % UInt64(8 << 20)))
        }
        s.append(64 << 20)
        return s
    }()

    @Test(arguments: sizes)
    func cidMatchesIpfsCid(size: Int) throws {
        let dir = try TestFiles.tempDir("cid")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = try TestFiles.write(size, seed: UInt64(size) &+ 0x1234, in: dir, name: "f")
        let (v0, v1) = try Self.reference(path)
        let ours = try computeCID(path: path)
        #expect(ours.cid.string == v0, "size \(size)")
        #expect(ours.cid.v1.string == v1, "size \(size)")
        #expect(ours.fileSize == UInt64(size))
        // Parsing either text form gives back the same block.
        #expect(try CID(v0) == ours.cid)
        #expect(try CID(v1).digest == ours.cid.digest)
        #expect(try CID(v1).string == v1)
    }

    /// A file of repeated bytes (many identical leaves) still matches: deduplication must not change the DAG.
    @Test func repeatedContentMatches() throws {
        let dir = try TestFiles.tempDir("rep")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("zeros")
        try Data(count: 3 * Self.chunk + 5).write(to: url)
        let (v0, _) = try Self.reference(url.path)
        #expect(try computeCID(path: url.path).cid.string == v0)
        let store = try TestFiles.leveldbStore()
        let added = try store.add(path: url.path)
        #expect(added.cid.string == v0)
        // Three identical full leaves are one block: root, full leaf, short leaf.
        #expect(try store.stats().blocks == 3)
        #expect(try store.cat(added.cid) == [UInt8](repeating: 0, count: 3 * Self.chunk + 5))
    }
}
