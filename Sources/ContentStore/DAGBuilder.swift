import Primitives

/// The result of adding a file: its root CID, the DAG's cumulative size (what kubo reports as `Size`) and the
/// number of file bytes.
public struct AddedFile: Equatable, Sendable {
    public var cid: CID
    /// Sum of all block sizes in the DAG (kubo's `Size` field, and the root link's Tsize).
    public var cumulativeSize: UInt64
    /// Length of the file.
    public var fileSize: UInt64

    public init(cid: CID, cumulativeSize: UInt64, fileSize: UInt64) {
        self.cid = cid; self.cumulativeSize = cumulativeSize; self.fileSize = fileSize
    }
}

/// Receives each finished block of a DAG, children before parents.
public typealias BlockSink = (_ digest: Bytes32, _ block: [UInt8]) throws(StoreError) -> Void

/// Builds the UnixFS DAG of a file from bytes fed in pieces, exactly as `ipfs add` does by default: a
/// fixed-size chunker (262,144 bytes), dag-pb leaves (no raw leaves), and the balanced layout with at most 174
/// links per node.
///
/// Memory is bounded: one chunk buffer plus at most `maxLinks` pending links per tree level. Blocks go to the
/// sink as soon as they are complete, leaves first, the root last.
///
/// Balanced layout, as kubo builds it: one chunk makes a single leaf that is the root; otherwise the tree has
/// the smallest depth d with 174^d ≥ chunks, and every level is filled left to right, so only the rightmost
/// node of each level may be partial (even with a single child). Building bottom-up, a level's pending list
/// becomes a node only when one more child arrives for a full list, or at `finish`; that keeps a list of
/// exactly 174 leaves from gaining a needless parent.
public final class DAGBuilder {
    public let chunkSize: Int
    public let maxLinks: Int
    private let sink: BlockSink
    private var chunk: [UInt8]
    private var block: [UInt8] = []
    private var levels: [[PendingLink]] = [[]]
    private var fileSize: UInt64 = 0
    private var finished = false

    /// - Parameters:
    ///   - chunkSize: bytes per leaf (kubo's default `size-262144`).
    ///   - maxLinks: links per internal node (kubo's default 174).
    ///   - sink: called with each finished block; use `{ _, _ in }` to compute the CID only.
    public init(chunkSize: Int = 262_144, maxLinks: Int = 174, sink: @escaping BlockSink) {
        precondition(chunkSize > 0 && maxLinks > 1, "chunkSize and maxLinks are chosen by code, not input")
        self.chunkSize = chunkSize
        self.maxLinks = maxLinks
        self.sink = sink
        chunk = []
        chunk.reserveCapacity(chunkSize)
        block.reserveCapacity(chunkSize + 32)
    }

    /// Feeds the next bytes of the file.
    public func append(_ bytes: UnsafeRawBufferPointer) throws(StoreError) {
        var rest = bytes
        while !rest.isEmpty {
            let take = min(chunkSize - chunk.count, rest.count)
            chunk.append(contentsOf: UnsafeRawBufferPointer(rebasing: rest[..<take]))
            rest = UnsafeRawBufferPointer(rebasing: rest[take...])
            if chunk.count == chunkSize {
                try emitLeaf()
            }
        }
    }

    /// Feeds bytes held in an array.
    public func append(_ bytes: [UInt8]) throws(StoreError) {
        try withBytes(bytes) { (b) throws(StoreError) in try append(b) }
    }

    /// Flushes the last chunk and the partial nodes; returns the root. The builder cannot be used afterwards.
    public func finish() throws(StoreError) -> AddedFile {
        precondition(!finished, "DAGBuilder.finish called twice")
        finished = true
        // The empty file is one empty leaf; otherwise a partial last chunk becomes a leaf (a full one was
        // emitted already, so no empty trailing leaf is made).
        if !chunk.isEmpty || (fileSize == 0 && levels[0].isEmpty) { try emitLeaf() }
        var level = 0
        while true {
            let pending = levels[level]
            if level == levels.count - 1 && pending.count == 1 {
                let root = pending[0]
                return AddedFile(cid: CID(v0: root.digest), cumulativeSize: root.tsize, fileSize: root.fileSize)
            }
            let node = try emitNode(pending)
            levels[level] = []
            try push(node, level: level + 1)
            level += 1
        }
    }

    private func emitLeaf() throws(StoreError) {
        let n = chunk.count
        chunk.withUnsafeBytes { UnixFSEncoder.leaf($0, into: &block) }
        chunk.removeAll(keepingCapacity: true)
        let digest = block.withUnsafeBytes { SHA256.hash($0) }
        let link = PendingLink(digest: digest, tsize: UInt64(block.count), fileSize: UInt64(n))
        fileSize += UInt64(n)
        try sink(digest, block)
        try push(link, level: 0)
    }

    private func emitNode(_ children: [PendingLink]) throws(StoreError) -> PendingLink {
        UnixFSEncoder.node(children, into: &block)
        let digest = block.withUnsafeBytes { SHA256.hash($0) }
        var tsize = UInt64(block.count)
        var size: UInt64 = 0
        for c in children { tsize += c.tsize; size += c.fileSize }
        try sink(digest, block)
        return PendingLink(digest: digest, tsize: tsize, fileSize: size)
    }

    /// Adds a finished child to the pending list of `level`, first turning a full list into its parent node.
    private func push(_ link: PendingLink, level: Int) throws(StoreError) {
        if level == levels.count { levels.append([]) }
        if levels[level].count == maxLinks {
            let node = try emitNode(levels[level])
            levels[level].removeAll(keepingCapacity: true)
            try push(node, level: level + 1)
        }
        levels[level].append(link)
    }
}
