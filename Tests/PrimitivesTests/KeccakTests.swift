import Testing
import Primitives
import TestSupport

@Suite struct KeccakTests {
    @Test func knownDigests() {
        #expect(Keccak256.hash([]).hex == "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")
        #expect(Keccak256.hash("abc").hex == "0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45")
        // Function selector of transfer(address,uint256) is a9059cbb.
        #expect(Keccak256.hash("transfer(address,uint256)").bytes.prefix(4) == [0xa9, 0x05, 0x9c, 0xbb])
    }

    /// Digests from pycryptodome (tools/vectors/keccak_vectors.py) around the 136-byte block boundary.
    @Test func independentVectors() throws {
        let root = try Fixtures.json(Fixtures.vector("PrimitivesTests", "keccak.json")) as! [String: Any]
        let vectors = root["vectors"] as! [[String: Any]]
        #expect(vectors.count > 30)
        for v in vectors {
            let n = v["length"] as! Int
            let data = (0..<n).map { UInt8(truncatingIfNeeded: $0 * 7 + n) }
            let expected = "0x" + (v["digest"] as! String)
            #expect(Keccak256.hash(data).hex == expected, "length \(n)")
            // The streaming hasher must agree whatever the chunking.
            for chunk in [1, 7, 136, 200] {
                var h = Keccak256()
                var i = 0
                while i < n { h.update(data[i..<min(n, i + chunk)]); i += chunk }
                #expect(h.finalize().hex == expected, "length \(n) in chunks of \(chunk)")
            }
        }
    }
}
