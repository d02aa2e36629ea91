import Primitives

/// dag-pb (the protobuf block format under UnixFS) and the UnixFS `Data` message, encoded exactly as kubo
/// encodes them so that the block bytes, and so the CIDs, are the same.
///
/// ```
/// message PBLink { optional bytes Hash = 1; optional string Name = 2; optional uint64 Tsize = 3; }
/// message PBNode { repeated PBLink Links = 2; optional bytes Data = 1; }
/// message Data   { required DataType Type = 1; optional bytes Data = 2; optional uint64 filesize = 3;
///                  repeated uint64 blocksizes = 4; optional uint64 hashType = 5; optional uint64 fanout = 6; ... }
/// ```
/// dag-pb's canonical form writes Links before Data (field order 2 then 1), each link as Hash, Name, Tsize; kubo
/// writes an empty Name for file chunks, and blocksizes unpacked (one tag per value).

/// An error from decoding a dag-pb block or its UnixFS data.
public enum DagPBError: Error, Equatable, CustomStringConvertible {
    /// The block is not valid dag-pb / UnixFS; names the field or offset and what is wrong.
    case malformed(String)

    public var description: String {
        switch self {
        case .malformed(let why): return "malformed dag-pb block: \(why)"
        }
    }
}

/// One link of a dag-pb node.
public struct PBLink: Equatable, Sendable {
    /// The child's CID.
    public var cid: CID
    /// The link name (empty for file chunks).
    public var name: String
    /// Cumulative size of the child's DAG in bytes (block sizes, not file bytes), if present.
    public var tsize: UInt64?

    public init(cid: CID, name: String = "", tsize: UInt64?) {
        self.cid = cid; self.name = name; self.tsize = tsize
    }
}

/// A decoded dag-pb node. `data` is the byte range of the Data field inside the block, so file bytes can be
/// passed on without copying.
public struct PBNode: Sendable {
    public var links: [PBLink]
    /// Range of the Data field's bytes within the block, nil when the field is absent.
    public var data: Range<Int>?

    /// Strict decoding: fields in any order are accepted, but unknown fields, wrong wire types, duplicate Data
    /// and truncation are errors (dag-pb's spec forbids them, and a lenient reader would let two different byte
    /// strings mean one node).
    public init(decoding block: UnsafeRawBufferPointer) throws(DagPBError) {
        links = []
        data = nil
        var offset = 0
        while offset < block.count {
            guard let key = readVarint(block, &offset) else { throw .malformed("truncated field key at \(offset)") }
            switch key {
            case 0x0a:  // Data, length-delimited
                guard data == nil else { throw .malformed("duplicate Data field") }
                data = try PBNode.lengthDelimited(block, &offset, "Data")
            case 0x12:  // Links
                let range = try PBNode.lengthDelimited(block, &offset, "Links")
                links.append(try PBNode.decodeLink(UnsafeRawBufferPointer(rebasing: block[range])))
            default:
                throw .malformed("unexpected field key 0x\(String(key, radix: 16)) in PBNode at \(offset)")
            }
        }
    }

    /// Decodes a whole block held in an array.
    public init(decoding block: [UInt8]) throws(DagPBError) {
        self = try withBytes(block) { (b) throws(DagPBError) in try PBNode(decoding: b) }
    }

    static func lengthDelimited(_ b: UnsafeRawBufferPointer, _ offset: inout Int, _ field: String) throws(DagPBError) -> Range<Int> {
        guard let length = readVarint(b, &offset) else { throw .malformed("truncated length of \(field)") }
        guard length <= UInt64(b.count - offset) else {
            throw .malformed("\(field) length \(length) runs past the end (\(b.count - offset) bytes left)")
        }
        let range = offset..<(offset + Int(length))
        offset += Int(length)
        return range
    }

    static func decodeLink(_ b: UnsafeRawBufferPointer) throws(DagPBError) -> PBLink {
        var offset = 0
        var hash: [UInt8]? = nil
        var name: String? = nil
        var tsize: UInt64? = nil
        while offset < b.count {
            guard let key = readVarint(b, &offset) else { throw .malformed("truncated PBLink field key") }
            switch key {
            case 0x0a:
                guard hash == nil else { throw .malformed("duplicate PBLink Hash") }
                hash = [UInt8](UnsafeRawBufferPointer(rebasing: b[try lengthDelimited(b, &offset, "PBLink Hash")]))
            case 0x12:
                guard name == nil else { throw .malformed("duplicate PBLink Name") }
                let r = try lengthDelimited(b, &offset, "PBLink Name")
                guard let s = String(validating: UnsafeRawBufferPointer(rebasing: b[r]), as: UTF8.self) else {
                    throw .malformed("PBLink Name is not UTF-8")
                }
                name = s
            case 0x18:
                guard tsize == nil else { throw .malformed("duplicate PBLink Tsize") }
                guard let v = readVarint(b, &offset) else { throw .malformed("truncated PBLink Tsize") }
                tsize = v
            default:
                throw .malformed("unexpected field key 0x\(String(key, radix: 16)) in PBLink")
            }
        }
        guard let hash else { throw .malformed("PBLink without Hash") }
        let cid: CID
        do { cid = try CID(binary: hash) } catch { throw .malformed("PBLink Hash: \(error.description)") }
        return PBLink(cid: cid, name: name ?? "", tsize: tsize)
    }
}

/// UnixFS node types (the `Data.Type` enum).
public enum UnixFSType: UInt64, Sendable {
    case raw = 0, directory = 1, file = 2, metadata = 3, symlink = 4, hamtShard = 5
}

/// The parts of a UnixFS `Data` message that reading a file needs.
public struct UnixFSData: Sendable {
    public var type: UnixFSType
    /// Range of the inline file bytes within the buffer that was decoded, nil when absent.
    public var data: Range<Int>?
    public var fileSize: UInt64?
    public var blockSizes: [UInt64]

    /// Decodes the UnixFS message occupying `range` of `buffer` (the PBNode's Data field). Ranges in the result
    /// are relative to `buffer`. Fields this store does not use (hashType, fanout, mode, mtime) are skipped.
    public init(decoding buffer: UnsafeRawBufferPointer, range: Range<Int>) throws(DagPBError) {
        let b = UnsafeRawBufferPointer(rebasing: buffer[range])
        var offset = 0
        var type: UnixFSType? = nil
        data = nil
        fileSize = nil
        blockSizes = []
        while offset < b.count {
            guard let key = readVarint(b, &offset) else { throw .malformed("truncated UnixFS field key") }
            let field = key >> 3, wire = key & 7
            switch (field, wire) {
            case (1, 0):
                guard let v = readVarint(b, &offset), let t = UnixFSType(rawValue: v) else {
                    throw .malformed("bad UnixFS Type")
                }
                type = t
            case (2, 2):
                let r = try PBNode.lengthDelimited(b, &offset, "UnixFS Data")
                data = (r.lowerBound + range.lowerBound)..<(r.upperBound + range.lowerBound)
            case (3, 0):
                guard let v = readVarint(b, &offset) else { throw .malformed("truncated UnixFS filesize") }
                fileSize = v
            case (4, 0):
                guard let v = readVarint(b, &offset) else { throw .malformed("truncated UnixFS blocksizes") }
                blockSizes.append(v)
            case (4, 2):  // packed blocksizes, which some writers use
                let r = try PBNode.lengthDelimited(b, &offset, "UnixFS blocksizes")
                var o = r.lowerBound
                while o < r.upperBound {
                    guard let v = readVarint(UnsafeRawBufferPointer(rebasing: b[..<r.upperBound]), &o) else {
                        throw .malformed("truncated packed blocksizes")
                    }
                    blockSizes.append(v)
                }
            case (_, 0):
                guard readVarint(b, &offset) != nil else { throw .malformed("truncated UnixFS field \(field)") }
            case (_, 2):
                _ = try PBNode.lengthDelimited(b, &offset, "UnixFS field \(field)")
            case (_, 5):
                guard b.count - offset >= 4 else { throw .malformed("truncated UnixFS field \(field)") }
                offset += 4
            case (_, 1):
                guard b.count - offset >= 8 else { throw .malformed("truncated UnixFS field \(field)") }
                offset += 8
            default:
                throw .malformed("UnixFS field \(field) has invalid wire type \(wire)")
            }
        }
        guard let type else { throw .malformed("UnixFS Data without Type") }
        self.type = type
    }
}

/// Encoders for the two kinds of block a file DAG has. They write into a caller-owned array so the builder can
/// reuse capacity.
enum UnixFSEncoder {
    /// A leaf: PBNode{Data: UnixFS{Type: File, Data: chunk, filesize: n}}. An empty chunk (the empty file) has no
    /// Data field, only `filesize: 0`, as kubo writes it.
    static func leaf(_ chunk: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        let n = UInt64(chunk.count)
        var inner = 2 + 1 + varintSize(n)  // Type field, filesize field
        if n > 0 { inner += 1 + varintSize(n) + chunk.count }
        out.removeAll(keepingCapacity: true)
        out.reserveCapacity(1 + varintSize(UInt64(inner)) + inner)
        out.append(0x0a)
        appendVarint(UInt64(inner), to: &out)
        out.append(0x08); out.append(0x02)
        if n > 0 {
            out.append(0x12)
            appendVarint(n, to: &out)
            out.append(contentsOf: chunk)
        }
        out.append(0x18)
        appendVarint(n, to: &out)
    }

    /// An internal node: links (Hash, empty Name, Tsize) then PBNode Data = UnixFS{Type: File, filesize,
    /// blocksizes…}.
    static func node(_ children: [PendingLink], into out: inout [UInt8]) {
        out.removeAll(keepingCapacity: true)
        var fileSize: UInt64 = 0
        for c in children {
            // PBLink: 0x0a 0x22 <34-byte multihash> 0x12 0x00 0x18 varint(tsize)
            let linkLength = 2 + 34 + 2 + 1 + varintSize(c.tsize)
            out.append(0x12)
            appendVarint(UInt64(linkLength), to: &out)
            out.append(0x0a); out.append(34)
            out.append(CID.sha256Code); out.append(32)
            appendDigest(c.digest, to: &out)
            out.append(0x12); out.append(0x00)
            out.append(0x18)
            appendVarint(c.tsize, to: &out)
            fileSize += c.fileSize
        }
        var inner = 2 + 1 + varintSize(fileSize)
        for c in children { inner += 1 + varintSize(c.fileSize) }
        out.append(0x0a)
        appendVarint(UInt64(inner), to: &out)
        out.append(0x08); out.append(0x02)
        out.append(0x18)
        appendVarint(fileSize, to: &out)
        for c in children {
            out.append(0x20)
            appendVarint(c.fileSize, to: &out)
        }
    }
}

/// Appends the 32 bytes of a digest without an intermediate array.
@inline(__always)
func appendDigest(_ d: Bytes32, to out: inout [UInt8]) {
    withUnsafeTemporaryAllocation(byteCount: 32, alignment: 8) { tmp in
        d.store(to: tmp.baseAddress!)
        out.append(contentsOf: UnsafeRawBufferPointer(tmp))
    }
}

/// A finished child waiting for its parent node: its digest, cumulative DAG size and file bytes under it.
struct PendingLink: Sendable {
    var digest: Bytes32
    var tsize: UInt64
    var fileSize: UInt64
}
