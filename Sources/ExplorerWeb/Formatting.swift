import Foundation
import Primitives
import RPCClient

/// Text forms of chain values shared by the pages and the terminal job view.
public enum Format {
    /// A quantity field of a JSON-RPC object (0 when absent or malformed).
    public static func quantity(_ v: JSONValue?) -> UInt256 { v.flatMap { try? Decode.u256($0) } ?? .zero }

    /// "2026-11-21 20:15:03 UTC" for a unix timestamp.
    public static func time(_ seconds: UInt256) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return f.string(from: Date(timeIntervalSince1970: Double(seconds.fitsUInt64 ? seconds.l0 : 0))) + " UTC"
    }

    /// "42 s ago", "3 min ago", "5 h ago", "2 d ago" (or "in the future" for clock skew).
    public static func age(_ seconds: UInt256, now: Date = Date()) -> String {
        let t = Double(seconds.fitsUInt64 ? seconds.l0 : 0)
        let d = Int(now.timeIntervalSince1970 - t)
        if d < 0 { return "in the future" }
        if d < 120 { return "\(d) s ago" }
        if d < 7200 { return "\(d / 60) min ago" }
        if d < 172_800 { return "\(d / 3600) h ago" }
        return "\(d / 86_400) d ago"
    }

    /// `0x1234…abcd` for long hex.
    public static func short(_ hex: String, keep: Int = 10) -> String {
        hex.count <= 2 * keep + 1 ? hex : String(hex.prefix(keep)) + "…" + String(hex.suffix(keep - 2))
    }

    /// Wei as ether, e.g. "10.5".
    public static func ether(_ wei: UInt256) -> String { Units.format(wei, unit: .ether) }

    /// Wei as gwei.
    public static func gwei(_ wei: UInt256) -> String { Units.format(wei, unit: .gwei) }

    /// A model reference posted on chain: its text when it is printable ASCII (a CID), else hex.
    public static func ref(_ bytes: [UInt8]) -> String {
        if bytes.isEmpty { return "—" }
        if bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7f }) { return String(decoding: bytes, as: UTF8.self) }
        return "0x" + Hex.encode(bytes, prefix: false)
    }

    /// The top 64 bits of a ring position as a fraction of the circle, in [0, 1).
    public static func ringFraction(_ position: UInt256) -> Double { Double(position.l3) / 18_446_744_073_709_551_616.0 }
}
