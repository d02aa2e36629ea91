/// multipart/form-data (RFC 7578 / RFC 2046) as kubo's `add` takes it: a streaming parser for the server, so a
/// large upload goes to the block store without being held in memory, and the framing for the client.

/// An error in a multipart body.
public enum MultipartError: Error, Equatable, CustomStringConvertible {
    /// The Content-Type is not multipart/form-data or has no boundary.
    case missingBoundary(contentType: String)
    /// The body breaks the format; says how.
    case malformed(String)

    public var description: String {
        switch self {
        case .missingBoundary(let t): return "expected multipart/form-data with a boundary, got Content-Type '\(t)'"
        case .malformed(let why): return "malformed multipart body: \(why)"
        }
    }
}

/// One event from the parser. `.body` bytes are valid only during the handler call.
public enum MultipartEvent {
    /// A part begins; header names are lower-cased.
    case partStart(headers: [String: String])
    /// The next bytes of the current part.
    case body(UnsafeRawBufferPointer)
    /// The current part ended.
    case partEnd
}

/// Incremental multipart parser: feed it the body in pieces of any size and it reports parts as they arrive,
/// holding back only as many bytes as the delimiter is long.
public struct MultipartParser {
    private enum State { case preamble, afterDelimiter, headers, body, done }

    /// `CRLF--boundary`; the body is treated as if it began with CRLF so the first delimiter matches too.
    private let delimiter: [UInt8]
    private var buffer: [UInt8] = [13, 10]
    private var state: State = .preamble
    /// Largest header block accepted (kubo's clients send a few hundred bytes).
    static let maxHeaderBytes = 16 * 1024

    public init(boundary: String) {
        delimiter = [13, 10, 45, 45] + Array(boundary.utf8)
    }

    /// The boundary parameter of a `multipart/form-data` Content-Type (quoted or not).
    public static func boundary(contentType: String) throws(MultipartError) -> String {
        let parts = contentType.split(separator: ";").map { $0.trimmingSpaces }
        guard let first = parts.first, first.lowercased() == "multipart/form-data" else {
            throw .missingBoundary(contentType: contentType)
        }
        for p in parts.dropFirst() {
            let kv = p.split(separator: "=", maxSplits: 1)
            guard kv.count == 2, kv[0].trimmingSpaces.lowercased() == "boundary" else { continue }
            var v = kv[1].trimmingSpaces
            if v.hasPrefix("\"") && v.hasSuffix("\"") && v.count >= 2 { v = String(v.dropFirst().dropLast()) }
            guard !v.isEmpty, v.utf8.count <= 70 else { break }
            return v
        }
        throw .missingBoundary(contentType: contentType)
    }

    /// True once the closing delimiter has been seen.
    public var isComplete: Bool { state == .done }

    /// Feeds the next bytes of the body. Errors from `handler` stop parsing and propagate unchanged (so a store
    /// error from a part's bytes reaches the caller as itself); format errors are `MultipartError`.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer, _ handler: (MultipartEvent) throws -> Void) throws {
        buffer.append(contentsOf: bytes)
        try process(handler)
    }

    /// Call after the last piece: an unterminated body is an error.
    public func finish() throws(MultipartError) {
        guard state == .done else { throw .malformed("body ended before the closing boundary") }
    }

    /// Runs the state machine over the buffered bytes.
    private mutating func process(_ handler: (MultipartEvent) throws -> Void) throws {
        var start = 0
        defer { if start > 0 { buffer.removeSubrange(0..<start) } }
        while true {
            switch state {
            case .preamble:
                guard let at = find(delimiter, from: start) else {
                    // Keep only what could still be the start of a delimiter.
                    start = max(start, buffer.count - delimiter.count + 1)
                    return
                }
                start = at + delimiter.count
                state = .afterDelimiter
            case .afterDelimiter:
                guard buffer.count - start >= 2 else { return }
                if buffer[start] == 45 && buffer[start + 1] == 45 {  // "--": the closing delimiter
                    state = .done
                    start = buffer.count  // the epilogue is ignored
                    return
                }
                // Transport padding (spaces, tabs) may follow a delimiter before its CRLF.
                var i = start
                while i < buffer.count && (buffer[i] == 32 || buffer[i] == 9) { i += 1 }
                guard buffer.count - i >= 2 else { return }
                guard buffer[i] == 13 && buffer[i + 1] == 10 else { throw MultipartError.malformed("delimiter not followed by CRLF") }
                start = i + 2
                state = .headers
            case .headers:
                guard buffer.count - start >= 2 else { return }
                let headers: [String: String]
                if buffer[start] == 13 && buffer[start + 1] == 10 {  // a part with no headers
                    headers = [:]
                    start += 2
                } else if let end = find([13, 10, 13, 10], from: start) {
                    headers = try MultipartParser.parseHeaders(Array(buffer[start..<end]))
                    start = end + 4
                } else {
                    if buffer.count - start > MultipartParser.maxHeaderBytes {
                        throw MultipartError.malformed("part headers too long")
                    }
                    return
                }
                state = .body
                try handler(.partStart(headers: headers))
            case .body:
                if let at = find(delimiter, from: start) {
                    if at > start {
                        try buffer.withUnsafeBytes { b in try handler(.body(UnsafeRawBufferPointer(rebasing: b[start..<at]))) }
                    }
                    try handler(.partEnd)
                    start = at + delimiter.count
                    state = .afterDelimiter
                } else {
                    // Everything except a possible delimiter prefix at the end is part data.
                    let safe = buffer.count - (delimiter.count - 1)
                    if safe > start {
                        try buffer.withUnsafeBytes { b in try handler(.body(UnsafeRawBufferPointer(rebasing: b[start..<safe]))) }
                        start = safe
                    }
                    return
                }
            case .done:
                start = buffer.count
                return
            }
        }
    }

    /// Index of the first occurrence of `needle` in the buffer at or after `from`.
    private func find(_ needle: [UInt8], from: Int) -> Int? {
        let n = needle.count
        guard buffer.count - from >= n else { return nil }
        let first = needle[0]
        return buffer.withUnsafeBytes { b -> Int? in
            var i = from
            let last = b.count - n
            while i <= last {
                // memchr finds candidate first bytes quickly; then compare the rest.
                guard let p = memchrRaw(b.baseAddress! + i, first, last - i + 1) else { return nil }
                i = p - b.baseAddress!
                if memcmpRaw(b.baseAddress! + i, needle, n) { return i }
                i += 1
            }
            return nil
        }
    }

    static func parseHeaders(_ bytes: [UInt8]) throws(MultipartError) -> [String: String] {
        var headers: [String: String] = [:]
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .malformed("part headers are not UTF-8") }
        for line in text.split(separator: "\r\n", omittingEmptySubsequences: true) {
            guard let colon = line.firstIndex(of: ":") else { throw .malformed("part header line without ':'") }
            headers[line[..<colon].trimmingSpaces.lowercased()] = line[line.index(after: colon)...].trimmingSpaces
        }
        return headers
    }

    /// The `filename` (or else `name`) parameter of a Content-Disposition header; percent-escapes are decoded,
    /// as kubo's clients escape file names.
    public static func fileName(disposition: String) -> String? {
        var name: String? = nil, filename: String? = nil
        for p in disposition.split(separator: ";").dropFirst() {
            let kv = p.split(separator: "=", maxSplits: 1)
            guard kv.count == 2 else { continue }
            var v = kv[1].trimmingSpaces
            if v.hasPrefix("\"") && v.hasSuffix("\"") && v.count >= 2 { v = String(v.dropFirst().dropLast()) }
            switch kv[0].trimmingSpaces.lowercased() {
            case "filename": filename = v.removingPercentEscapes
            case "name": name = v
            default: break
            }
        }
        return filename ?? name
    }

    /// The bytes a client sends before a file's content in a one-file `add` request.
    public static func fileHeader(boundary: String, fileName: String) -> [UInt8] {
        var escaped = ""
        for u in fileName.utf8 {
            let c = Character(Unicode.Scalar(u))
            if (c.isLetter || c.isNumber || "-._~".contains(c)) && u < 128 { escaped.append(c) }
            else { escaped += "%" + (u < 16 ? "0" : "") + String(u, radix: 16, uppercase: true) }
        }
        return Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(escaped)\"\r\nContent-Type: application/octet-stream\r\n\r\n".utf8)
    }

    /// The bytes a client sends after the file's content.
    public static func footer(boundary: String) -> [UInt8] { Array("\r\n--\(boundary)--\r\n".utf8) }
}

extension StringProtocol {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }

    /// `%XX` escapes decoded; text that is not valid escaping is returned unchanged.
    var removingPercentEscapes: String {
        var out: [UInt8] = []
        var it = Array(utf8)[...]
        while let c = it.popFirst() {
            if c == 37, it.count >= 2, let h = hexNibble(it[it.startIndex]), let l = hexNibble(it[it.startIndex + 1]) {
                out.append(h << 4 | l)
                it = it.dropFirst(2)
            } else {
                out.append(c)
            }
        }
        return String(validating: out, as: UTF8.self) ?? String(self)
    }
}

@inline(__always)
private func hexNibble(_ c: UInt8) -> UInt8? {
    switch c {
    case 48...57: return c - 48
    case 97...102: return c - 87
    case 65...70: return c - 55
    default: return nil
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@inline(__always)
private func memchrRaw(_ p: UnsafeRawPointer, _ byte: UInt8, _ count: Int) -> UnsafeRawPointer? {
    UnsafeRawPointer(memchr(p, Int32(byte), count))
}

@inline(__always)
private func memcmpRaw(_ p: UnsafeRawPointer, _ needle: [UInt8], _ n: Int) -> Bool {
    needle.withUnsafeBytes { memcmp(p, $0.baseAddress!, n) == 0 }
}
