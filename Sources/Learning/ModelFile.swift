/// The deterministic binary model format, so that equal parameters give equal bytes (and equal content IDs):
///
///     offset  size  field
///     0       4     magic "GFLM"
///     4       4     format version, little-endian UInt32 (= 1)
///     8       4     spec length L in bytes, little-endian UInt32
///     12      L     model spec, canonical text form (UTF-8)
///     12+L    8     parameter count N, little-endian UInt64 (must equal the spec's count)
///     20+L    4·N   parameters, IEEE-754 float32 little-endian, in the model's flat order
///
/// Nothing else (no timestamps, no padding); a file with bytes after the parameters is rejected.
public enum ModelFile {
    public static let magic: [UInt8] = Array("GFLM".utf8)
    public static let version: UInt32 = 1

    /// Why bytes are not a valid model file.
    public enum Failure: Error, CustomStringConvertible, Equatable {
        case truncated(expected: Int, got: Int)
        case badMagic([UInt8])
        case unsupportedVersion(UInt32)
        case badSpec(String)
        case countMismatch(spec: Int, file: UInt64)
        case trailingBytes(Int)

        public var description: String {
            switch self {
            case let .truncated(e, g): return "model file truncated: \(g) bytes, at least \(e) needed"
            case .badMagic(let m): return "not a GFL model file: magic \(m.map { String($0, radix: 16) }) is not 'GFLM'"
            case .unsupportedVersion(let v): return "model file version \(v) is not supported (expected \(ModelFile.version))"
            case .badSpec(let s): return "model file has an invalid spec: \(s)"
            case let .countMismatch(s, f): return "model file says \(f) parameters but its spec has \(s)"
            case .trailingBytes(let n): return "model file has \(n) unexpected bytes after the parameters"
            }
        }
    }

    /// Serialises a model.
    public static func encode(_ model: Model) -> [UInt8] {
        let spec = Array(model.spec.description.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(20 + spec.count + 4 * model.parameters.count)
        out += magic
        append32(&out, version)
        append32(&out, UInt32(spec.count))
        out += spec
        let n = UInt64(model.parameters.count)
        for i in 0..<8 { out.append(UInt8(truncatingIfNeeded: n >> (8 * UInt64(i)))) }
        for v in model.parameters { append32(&out, v.bitPattern) }
        return out
    }

    /// Parses a model file, rejecting anything malformed.
    public static func decode(_ bytes: [UInt8]) throws(Failure) -> Model {
        guard bytes.count >= 12 else { throw .truncated(expected: 12, got: bytes.count) }
        guard Array(bytes[0..<4]) == magic else { throw .badMagic(Array(bytes[0..<4])) }
        let v = read32(bytes, 4)
        guard v == version else { throw .unsupportedVersion(v) }
        let len = Int(read32(bytes, 8))
        guard bytes.count >= 20 + len else { throw .truncated(expected: 20 + len, got: bytes.count) }
        guard let text = String(validating: bytes[12..<(12 + len)], as: UTF8.self) else {
            throw .badSpec("not UTF-8")
        }
        let spec: ModelSpec
        do { spec = try ModelSpec(parsing: text) } catch { throw .badSpec(error.description) }
        var n: UInt64 = 0
        for i in 0..<8 { n |= UInt64(bytes[12 + len + i]) << (8 * UInt64(i)) }
        let expected = spec.parameterCount
        guard n == UInt64(expected) else { throw .countMismatch(spec: expected, file: n) }
        let start = 20 + len, end = start + 4 * expected
        guard bytes.count >= end else { throw .truncated(expected: end, got: bytes.count) }
        guard bytes.count == end else { throw .trailingBytes(bytes.count - end) }
        var params = [Float](repeating: 0, count: expected)
        for i in 0..<expected { params[i] = Float(bitPattern: read32(bytes, start + 4 * i)) }
        // The spec was validated just above and the count matches it.
        do { return try Model(spec: spec, parameters: params) } catch { throw .badSpec("\(error)") }
    }

    @inline(__always)
    static func append32(_ out: inout [UInt8], _ v: UInt32) {
        out.append(UInt8(truncatingIfNeeded: v)); out.append(UInt8(truncatingIfNeeded: v >> 8))
        out.append(UInt8(truncatingIfNeeded: v >> 16)); out.append(UInt8(truncatingIfNeeded: v >> 24))
    }

    @inline(__always)
    static func read32(_ b: [UInt8], _ at: Int) -> UInt32 {
        UInt32(b[at]) | UInt32(b[at + 1]) << 8 | UInt32(b[at + 2]) << 16 | UInt32(b[at + 3]) << 24
    }
}
