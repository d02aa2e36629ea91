import Primitives
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Adding and reading whole files: the streaming adder, the verifying reader and local-file helpers.

/// Adds one file to a store while its bytes arrive (from disk, an HTTP upload or a peer). Blocks are written
/// in batches of up to `batchBytes` (fewer, larger LevelDB writes) and protected from GC until `finish` pins
/// the root; an adder dropped before `finish` releases its protection.
public final class FileAdder {
    private let store: BlockStore
    private let pin: Bool
    private var written: [Bytes32] = []
    private var pending: [(digest: Bytes32, block: [UInt8])] = []
    private var pendingBytes = 0
    private var builder: DAGBuilder!
    /// Bytes of blocks held before a batch is written: bounds memory while amortising LevelDB's per-write cost.
    static let batchBytes = 8 << 20

    /// - Parameters:
    ///   - pin: pin the root recursively when done (kubo's `add` default).
    public init(store: BlockStore, pin: Bool = true) {
        self.store = store
        self.pin = pin
        builder = DAGBuilder { [unowned self] (digest, block) throws(StoreError) in
            self.pending.append((digest, block))
            self.pendingBytes += block.count
            if self.pendingBytes >= FileAdder.batchBytes { try self.flush() }
        }
    }

    deinit { store.unprotect(written) }

    private func flush() throws(StoreError) {
        guard !pending.isEmpty else { return }
        try store.put(blocks: pending, protect: true)
        written.append(contentsOf: pending.map(\.digest))
        pending.removeAll(keepingCapacity: true)
        pendingBytes = 0
    }

    /// Feeds the next bytes of the file.
    public func append(_ bytes: UnsafeRawBufferPointer) throws(StoreError) { try builder.append(bytes) }

    /// Feeds bytes held in an array.
    public func append(_ bytes: [UInt8]) throws(StoreError) { try builder.append(bytes) }

    /// Stores the last blocks, pins the root if asked, and returns it.
    public func finish() throws(StoreError) -> AddedFile {
        let added = try builder.finish()
        try flush()
        if pin {
            // The DAG was just written and verified by construction; record the pin without re-walking it.
            try store.recordPin(added.cid)
        }
        store.unprotect(written)
        written = []
        return added
    }
}

extension BlockStore {
    /// Records a pin for a DAG known to be complete (used right after building it).
    func recordPin(_ cid: CID) throws(StoreError) {
        do { try kv.put(BlockStore.key(BlockStore.pinPrefix, cid.digest), cid.bytes) } catch { throw .storage(error) }
    }

    /// Adds the file at `path`, streaming it in 1 MiB reads.
    public func add(path: String, pin: Bool = true) throws(StoreError) -> AddedFile {
        let adder = FileAdder(store: self, pin: pin)
        try readFile(path) { (piece) throws(StoreError) in try adder.append(piece) }
        return try adder.finish()
    }

    /// Adds bytes held in memory.
    public func add(bytes: [UInt8], pin: Bool = true) throws(StoreError) -> AddedFile {
        let adder = FileAdder(store: self, pin: pin)
        try adder.append(bytes)
        return try adder.finish()
    }

    /// A reader over the file named by `cid`, verifying every block.
    public func reader(_ cid: CID) -> FileReader { FileReader(store: self, root: cid) }

    /// The whole file named by `cid`, every block verified.
    public func cat(_ cid: CID) throws(StoreError) -> [UInt8] {
        var out: [UInt8] = []
        let r = reader(cid)
        while let piece = try r.next() { out.append(contentsOf: piece) }
        return out
    }

    /// Writes the file named by `cid` to `path` (through a temporary file renamed at the end, so a corrupt
    /// block never leaves a partial file under the final name).
    public func get(_ cid: CID, to path: String) throws(StoreError) {
        let temp = path + ".partial"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw .io(path: temp, reason: String(cString: strerror(errno))) }
        var closed = false
        defer { if !closed { close(fd); unlink(temp) } }
        let r = reader(cid)
        while let piece = try r.next() {
            try withBytes(piece) { (b) throws(StoreError) in try writeAll(fd, b, path: temp) }
        }
        closed = true
        guard close(fd) == 0 else { unlink(temp); throw .io(path: temp, reason: String(cString: strerror(errno))) }
        guard rename(temp, path) == 0 else {
            unlink(temp)
            throw .io(path: path, reason: String(cString: strerror(errno)))
        }
    }
}

/// Only the root CID of a file, as `ipfs add --only-hash` computes it; nothing is stored.
public func computeCID(path: String) throws(StoreError) -> AddedFile {
    let builder = DAGBuilder { (_, _) throws(StoreError) in }
    try readFile(path) { (piece) throws(StoreError) in try builder.append(piece) }
    return try builder.finish()
}

/// Only the root CID of bytes in memory.
public func computeCID(bytes: [UInt8]) throws(StoreError) -> AddedFile {
    let builder = DAGBuilder { (_, _) throws(StoreError) in }
    try builder.append(bytes)
    return try builder.finish()
}

/// Streams a file's bytes out of its DAG, depth first, left to right. Each block is fetched, checked against
/// its CID's digest, decoded, and its file bytes returned by `next()`; a missing, corrupt or malformed block
/// is an error naming that block's CID, raised before any of its bytes are returned.
///
/// Reads dag-pb UnixFS files (leaves with inline data, internal nodes optionally with data before their
/// children) and raw leaves (CIDv1 codec raw, as kubo writes with `--raw-leaves`). At the end, the byte count
/// is checked against the root's declared file size.
public final class FileReader {
    private let store: BlockStore
    public let root: CID
    private var stack: [CID]
    private var produced: UInt64 = 0
    private var declared: UInt64? = nil
    private var done = false
    private var atRoot = true

    init(store: BlockStore, root: CID) {
        self.store = store
        self.root = root
        stack = [root]
    }

    /// The next piece of the file (one block's data), or nil at the end. Empty pieces are skipped.
    public func next() throws(StoreError) -> [UInt8]? {
        while let cid = stack.popLast() {
            let block = try store.block(cid)
            let isRoot = atRoot
            atRoot = false
            if let piece = try FileReader.expand(cid, block, isRoot: isRoot, declared: &declared, stack: &stack),
               !piece.isEmpty {
                produced += UInt64(piece.count)
                return piece
            }
        }
        if !done {
            done = true
            if let d = declared, d != produced { throw .sizeMismatch(root, expected: d, got: produced) }
        }
        return nil
    }

    /// Decodes one verified block: pushes its children (reversed, so the leftmost is read next) and returns its
    /// own file bytes. Shared with the peer fetcher, which walks DAGs the same way.
    static func expand(_ cid: CID, _ block: [UInt8], isRoot: Bool, declared: inout UInt64?,
                       stack: inout [CID]) throws(StoreError) -> [UInt8]? {
        if cid.codec == .raw {
            if isRoot { declared = UInt64(block.count) }
            return block
        }
        return try withBytes(block) { (b) throws(StoreError) -> [UInt8]? in
            let node: PBNode
            let fs: UnixFSData
            do throws(DagPBError) {
                node = try PBNode(decoding: b)
                guard let data = node.data else { throw DagPBError.malformed("no UnixFS Data field") }
                fs = try UnixFSData(decoding: b, range: data)
            } catch {
                throw .malformedBlock(cid, reason: error.description)
            }
            guard fs.type == .file || fs.type == .raw else { throw .notAFile(cid, type: "\(fs.type)") }
            if !node.links.isEmpty && fs.blockSizes.count != node.links.count {
                throw .malformedBlock(cid, reason: "\(node.links.count) links but \(fs.blockSizes.count) blocksizes")
            }
            if isRoot { declared = fs.fileSize }
            for link in node.links.reversed() { stack.append(link.cid) }
            guard let r = fs.data else { return nil }
            return [UInt8](UnsafeRawBufferPointer(rebasing: b[r]))
        }
    }
}

/// Calls `body` with successive pieces (up to 1 MiB) of the file at `path`.
func readFile(_ path: String, _ body: (UnsafeRawBufferPointer) throws(StoreError) -> Void) throws(StoreError) {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { throw .io(path: path, reason: String(cString: strerror(errno))) }
    defer { close(fd) }
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
    defer { buffer.deallocate() }
    while true {
        let n = read(fd, buffer.baseAddress, buffer.count)
        if n < 0 {
            if errno == EINTR { continue }
            throw .io(path: path, reason: String(cString: strerror(errno)))
        }
        if n == 0 { return }
        try body(UnsafeRawBufferPointer(rebasing: buffer[..<n]))
    }
}

/// Writes all of `bytes` to `fd`.
func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws(StoreError) {
    var done = 0
    while done < bytes.count {
        let n = write(fd, bytes.baseAddress! + done, bytes.count - done)
        if n < 0 {
            if errno == EINTR { continue }
            throw .io(path: path, reason: String(cString: strerror(errno)))
        }
        done += n
    }
}
