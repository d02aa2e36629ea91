import CZlib

/// Top-k sparsification with error compensation, as BCFL (Cui et al.) compresses model updates: each round a node
/// adds its residual memory to the new update, sends only the k largest-magnitude coordinates and keeps the rest in
/// memory for later rounds, so nothing is lost, only delayed: Σ sent + memory = Σ raw updates.
public struct TopKCompressor: Sendable {
    /// Length of the updates this compressor accepts.
    public let dimension: Int
    /// Coordinates sent per update: max(1, ⌈fraction·d⌉), at most d.
    public let k: Int
    /// The residual m: what has been withheld so far.
    public private(set) var memory: [Float]
    // |g| per coordinate, partially reordered by the selection; kept so that `compress` allocates only its output.
    private var magnitudes: [Float]

    /// A compressor for updates of `dimension` values keeping `fraction` of them: k = max(1, ⌈fraction·d⌉), at most
    /// d (0 when d = 0). The ceiling allows 1e-9 of rounding slack so that 0.3·10 gives 3, not 4; a fraction that is
    /// NaN or ≤ 0 gives k = 1, one ≥ 1 gives k = d.
    public init(dimension: Int, fraction: Double) {
        let d = max(0, dimension)
        let f = fraction.isNaN ? 0 : min(1, max(0, fraction))
        self.dimension = d
        k = min(d, max(1, Int((f * Double(d) - 1e-9).rounded(.up))))
        memory = [Float](repeating: 0, count: d)
        magnitudes = [Float](repeating: 0, count: d)
    }

    /// g = update + m; keeps the k largest |g_i| (ties: lower index; NaN counts as the largest), sets m = g − sparse(g)
    /// (0 where sent, g elsewhere). Returns the sparse update, indices ascending.
    ///
    /// `update` should have `dimension` values; missing ones count as 0 and extra ones are ignored (use
    /// `compressChecked` to reject such input instead).
    public mutating func compress(_ update: [Float]) -> SparseUpdate {
        let d = dimension, k = self.k
        var indices = [UInt32](), values = [Float]()
        indices.reserveCapacity(k); values.reserveCapacity(k)
        guard k > 0 else { return SparseUpdate(unchecked: d, indices, values) }
        memory.withUnsafeMutableBufferPointer { m in
            magnitudes.withUnsafeMutableBufferPointer { a in
                update.withUnsafeBufferPointer { u in
                    let shared = min(d, u.count)
                    for i in 0..<shared { m[i] += u[i] }
                    for i in 0..<d { a[i] = Self.magnitude(m[i]) }
                }
                let threshold = Self.kthLargest(a, k)
                var above = 0
                for i in 0..<d where Self.magnitude(m[i]) > threshold { above += 1 }
                // Exactly k: everything above the threshold plus the lowest-indexed coordinates equal to it.
                var ties = k - above
                for i in 0..<d {
                    let x = Self.magnitude(m[i])
                    guard x > threshold || (x == threshold && ties > 0) else { continue }
                    if x == threshold { ties -= 1 }
                    indices.append(UInt32(i)); values.append(m[i])
                    m[i] = 0
                }
            }
        }
        return SparseUpdate(unchecked: d, indices, values)
    }

    /// `compress` that throws when the update's length is not `dimension`.
    public mutating func compressChecked(_ update: [Float]) throws -> SparseUpdate {
        guard update.count == dimension else {
            throw StrategyError.mismatchedLengths(index: 0, expected: dimension, got: update.count)
        }
        return compress(update)
    }

    /// Forgets the residual (a node that rejoins with a new global model).
    public mutating func reset() {
        for i in 0..<memory.count { memory[i] = 0 }
    }

    @inline(__always)
    private static func magnitude(_ x: Float) -> Float { x.isNaN ? .infinity : abs(x) }

    /// The k-th largest value (1-based) by quickselect with a three-way partition, so long runs of equal values
    /// (zeros, typically) stay linear. Reorders `a`. Requires 1 ≤ k ≤ a.count and no NaN.
    static func kthLargest(_ a: UnsafeMutableBufferPointer<Float>, _ k: Int) -> Float {
        var lo = 0, hi = a.count - 1
        let target = k - 1
        while lo < hi {
            let x = a[lo], y = a[lo + (hi - lo) / 2], z = a[hi]
            let pivot = max(min(x, y), min(max(x, y), z))
            // Descending: [lo, lt) > pivot, [lt, i) == pivot, (gt, hi] < pivot.
            var lt = lo, i = lo, gt = hi
            while i <= gt {
                let v = a[i]
                if v > pivot { a.swapAt(lt, i); lt += 1; i += 1 }
                else if v < pivot { a.swapAt(i, gt); gt -= 1 }
                else { i += 1 }
            }
            if target < lt { hi = lt - 1 } else if target > gt { lo = gt + 1 } else { return pivot }
        }
        return a[lo]
    }
}

/// A sparse model update: `values[i]` at coordinate `indices[i]` of a `dimension`-long vector, indices strictly
/// ascending.
public struct SparseUpdate: Sendable, Equatable {
    /// Length of the dense vector.
    public var dimension: Int
    /// Coordinates carried, strictly ascending.
    public var indices: [UInt32]
    /// Their values, one per index.
    public var values: [Float]

    /// A validated sparse update: equal counts, indices strictly ascending and below `dimension` (≤ 2³²).
    public init(dimension: Int, indices: [UInt32], values: [Float]) throws {
        self.init(unchecked: dimension, indices, values)
        try validate()
    }

    init(unchecked dimension: Int, _ indices: [UInt32], _ values: [Float]) {
        self.dimension = dimension; self.indices = indices; self.values = values
    }

    /// Throws unless counts match and indices are strictly ascending and inside the dimension.
    public func validate() throws {
        guard dimension >= 0 && dimension <= Self.maxDimension else {
            throw StrategyError.invalidParameter("dimension \(dimension) outside 0...\(Self.maxDimension)")
        }
        guard indices.count == values.count else {
            throw StrategyError.invalidParameter("\(indices.count) indices but \(values.count) values")
        }
        var previous = -1
        for ix in indices {
            let i = Int(ix)
            guard i > previous && i < dimension else {
                throw StrategyError.invalidParameter("index \(i) after \(previous) in dimension \(dimension)")
            }
            previous = i
        }
    }

    static let maxDimension = 1 << 32

    /// Bits per index: ⌈log₂ d⌉ (0 for d ≤ 1).
    public var indexBits: Int { dimension <= 1 ? 0 : Int.bitWidth - (dimension - 1).leadingZeroBitCount }

    /// Bytes as the paper counts them: k·(4 + ⌈log₂ d⌉/8), i.e. a 32-bit value and a ⌈log₂ d⌉-bit index per
    /// coordinate, rounded up to whole bytes once for the update.
    public var paperBytes: Int { (values.count * (32 + indexBits) + 7) / 8 }

    /// The wire form: "TK", version 1, LEB128 dimension and count, the values as little-endian float32, the indices
    /// bit-packed at `indexBits` each (least significant bit first), then the CRC-32 of everything before it.
    /// Its size is `paperBytes` plus a header of 5–15 bytes. Encodes a valid update (see `validate`).
    public func encode() -> [UInt8] {
        var out: [UInt8] = [0x54, 0x4B, 1]
        out.reserveCapacity(paperBytes + 20)
        Self.appendVarint(UInt64(dimension), to: &out)
        Self.appendVarint(UInt64(values.count), to: &out)
        for v in values {
            let b = v.bitPattern
            out.append(UInt8(truncatingIfNeeded: b)); out.append(UInt8(truncatingIfNeeded: b >> 8))
            out.append(UInt8(truncatingIfNeeded: b >> 16)); out.append(UInt8(truncatingIfNeeded: b >> 24))
        }
        let bits = indexBits
        var acc: UInt64 = 0, filled = 0
        for ix in indices {
            acc |= (UInt64(ix) & ((1 << bits) - 1)) << filled
            filled += bits
            while filled >= 8 { out.append(UInt8(truncatingIfNeeded: acc)); acc >>= 8; filled -= 8 }
        }
        if filled > 0 { out.append(UInt8(truncatingIfNeeded: acc)) }
        let crc = Self.crc32(out[...])
        for s in stride(from: 0, to: 32, by: 8) { out.append(UInt8(truncatingIfNeeded: crc >> UInt32(s))) }
        return out
    }

    /// Parses `encode()`'s form; throws `StrategyError.corruptEncoding` on any inconsistency (wrong magic or version,
    /// bad varint, wrong length, checksum mismatch, indices not strictly ascending or out of range).
    public init(decoding bytes: [UInt8]) throws {
        func bad(_ s: String) -> StrategyError { .corruptEncoding(s) }
        guard bytes.count >= 9 else { throw bad("\(bytes.count) bytes is shorter than any update") }
        guard bytes[0] == 0x54 && bytes[1] == 0x4B else { throw bad("not a sparse update (magic)") }
        guard bytes[2] == 1 else { throw bad("unknown version \(bytes[2])") }
        let body = bytes.count - 4
        var stored: UInt32 = 0
        for s in 0..<4 { stored |= UInt32(bytes[body + s]) << UInt32(8 * s) }
        guard Self.crc32(bytes[..<body]) == stored else { throw bad("checksum mismatch") }
        var at = 3
        let d = try Self.readVarint(bytes, &at, limit: body)
        let k = try Self.readVarint(bytes, &at, limit: body)
        guard d <= UInt64(Self.maxDimension) else { throw bad("dimension \(d) too large") }
        guard k <= d else { throw bad("\(k) coordinates in dimension \(d)") }
        let dimension = Int(d), count = Int(k)
        let probe = SparseUpdate(unchecked: dimension, [], [])
        let bits = probe.indexBits
        let expected = at + 4 * count + (count * bits + 7) / 8
        guard expected == body else { throw bad("\(body) bytes before the checksum, expected \(expected)") }
        var values = [Float](), indices = [UInt32]()
        values.reserveCapacity(count); indices.reserveCapacity(count)
        for _ in 0..<count {
            let b = UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
            values.append(Float(bitPattern: b)); at += 4
        }
        var acc: UInt64 = 0, filled = 0
        for _ in 0..<count {
            while filled < bits { acc |= UInt64(bytes[at]) << filled; at += 1; filled += 8 }
            indices.append(UInt32(truncatingIfNeeded: acc & ((1 << bits) - 1)))
            acc >>= bits; filled -= bits
        }
        guard acc == 0 else { throw bad("non-zero padding bits") }
        self.init(unchecked: dimension, indices, values)
        do { try validate() } catch let e as StrategyError {
            if case .invalidParameter(let what) = e { throw bad(what) }
            throw e
        }
    }

    /// The dense vector: zeros except at the indices (out-of-range indices of an invalid update are skipped).
    public func dense() -> [Float] {
        var out = [Float](repeating: 0, count: max(0, dimension))
        for (i, v) in zip(indices, values) where Int(i) < out.count { out[Int(i)] = v }
        return out
    }

    /// Weighted average Σ wᵢ·sparseᵢ / Σ wᵢ of sparse updates into a dense vector (coordinates an update does not
    /// carry count as 0 for it). Throws on no updates, differing dimensions, invalid updates, or weights that are
    /// negative, not finite, of the wrong count or all zero.
    public static func average(_ updates: [SparseUpdate], weights: [Double]) throws -> [Float] {
        guard let first = updates.first else { throw StrategyError.noModels }
        guard weights.count == updates.count else {
            throw StrategyError.invalidParameter("\(updates.count) updates but \(weights.count) weights")
        }
        guard weights.allSatisfy({ $0 >= 0 && $0.isFinite }) else {
            throw StrategyError.invalidParameter("weights must be finite and non-negative")
        }
        let total = weights.reduce(0, +)
        guard total > 0 else { throw StrategyError.invalidParameter("weights sum to zero") }
        for (n, u) in updates.enumerated() {
            guard u.dimension == first.dimension else {
                throw StrategyError.mismatchedLengths(index: n, expected: first.dimension, got: u.dimension)
            }
            try u.validate()
        }
        var acc = [Double](repeating: 0, count: first.dimension)
        for (u, w) in zip(updates, weights) {
            let s = w / total
            for (i, v) in zip(u.indices, u.values) { acc[Int(i)] += s * Double(v) }
        }
        return acc.map { Float($0) }
    }

    static func appendVarint(_ value: UInt64, to out: inout [UInt8]) {
        var v = value
        while v >= 0x80 { out.append(UInt8(v & 0x7F) | 0x80); v >>= 7 }
        out.append(UInt8(v))
    }

    /// A LEB128 value of at most 5 bytes (enough for 2³²) ending before `limit`; rejects non-minimal forms.
    static func readVarint(_ b: [UInt8], _ at: inout Int, limit: Int) throws -> UInt64 {
        var v: UInt64 = 0, shift: UInt64 = 0
        for n in 0..<5 {
            guard at < limit else { throw StrategyError.corruptEncoding("truncated varint") }
            let byte = b[at]; at += 1
            v |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 {
                guard byte != 0 || n == 0 else { throw StrategyError.corruptEncoding("non-minimal varint") }
                return v
            }
            shift += 7
        }
        throw StrategyError.corruptEncoding("varint longer than 5 bytes")
    }

    /// zlib's CRC-32 (the one of gzip and PNG).
    static func crc32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        bytes.withUnsafeBufferPointer { UInt32(CZlib.crc32(0, $0.baseAddress, UInt32($0.count))) }
    }
}
