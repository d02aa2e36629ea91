import Foundation
import GFLContracts
import Primitives

/// The members of a job around the hash ring, as the Controller orders them (by `keccak256(address)`).
public struct RingMember: Sendable, Equatable {
    public var address: Address
    public var position: UInt256
    public var trusted: Bool
    /// False once the node was reported down (it has left the ring).
    public var alive: Bool
    /// 1-based place in the live ring (nil for down nodes).
    public var ringIndex: Int?
    /// The Controller's record of the node (data size, API URL, heartbeat, join block).
    public var node: ControllerContract.Node

    /// "trusted", "untrusted" or "down".
    public var role: String { !alive ? "down" : trusted ? "trusted" : "untrusted" }

    /// Every member of a job sorted by ring position; live nodes numbered in ring order.
    public static func members(of view: JobView) -> [RingMember] {
        var index: [Address: Int] = [:]
        for (i, e) in view.ring.enumerated() { index[e.node] = i + 1 }
        let trusted = Set(view.ring.filter(\.trusted).map(\.node))
        return view.members.map { m in
            RingMember(address: m.address, position: m.node.position, trusted: trusted.contains(m.address) || m.node.trusted,
                       alive: m.node.alive, ringIndex: index[m.address], node: m.node)
        }.sorted { $0.position < $1.position }
    }
}

/// Draws the ring as an inline SVG: nodes in ring order, clockwise from position 0 at the top, evenly spaced
/// (hash positions of a few nodes often bunch together, which would hide marks; the exact positions are in the
/// table). Trusted nodes are filled green and joined in ring order (the path models travel between trusted
/// nodes), untrusted nodes hollow blue, down nodes red crosses. Each mark has a `<title>` with the address.
public enum RingSVG {
    /// The `<svg id="ring">` element for `members`, `size` pixels high.
    public static func render(_ members: [RingMember], size: Int = 440) -> String {
        // Labels sit outside the circle: extra width on both sides keeps the left ones inside the drawing.
        let margin = 100.0
        let c = Double(size) / 2, cx = c + margin, r = Double(size) / 2 - 60, width = size + 2 * Int(margin)
        let sorted = members.sorted { $0.position < $1.position }
        var slot: [Address: Int] = [:]
        for (i, m) in sorted.enumerated() { slot[m.address] = i }
        let count = Double(max(1, sorted.count))
        func point(_ m: RingMember, radius: Double) -> (Double, Double) {
            // Half a slot past the top, so that position 0's mark never hides the first node.
            let a = (Double(slot[m.address] ?? 0) + 0.5) / count * 2 * Double.pi - Double.pi / 2
            return (cx + radius * cos(a), c + radius * sin(a))
        }
        func f(_ x: Double) -> String { String(format: "%.1f", x) }
        var s = "<svg id=\"ring\" xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(size)\" "
            + "viewBox=\"0 0 \(width) \(size)\" role=\"img\" aria-label=\"hash ring with \(members.count) nodes\">"
        s += "<circle cx=\"\(f(cx))\" cy=\"\(f(c))\" r=\"\(f(r))\" fill=\"none\" stroke=\"#9aa5b5\" stroke-width=\"2\"/>"
        s += "<line x1=\"\(f(cx))\" y1=\"\(f(c - r - 6))\" x2=\"\(f(cx))\" y2=\"\(f(c - r + 6))\" stroke=\"#1d2430\" stroke-width=\"2\"/>"
            + "<text x=\"\(f(cx))\" y=\"\(f(c - r - 10))\" text-anchor=\"middle\">0</text>"
        let trusted = sorted.filter { $0.alive && $0.trusted }
        if trusted.count > 1 {
            let pts = trusted.map { point($0, radius: r) }.map { "\(f($0.0)),\(f($0.1))" }.joined(separator: " ")
            s += "<polygon class=\"trusted-ring\" points=\"\(pts)\" fill=\"none\" stroke=\"#17803d\" stroke-width=\"1.2\" stroke-dasharray=\"4 3\"/>"
        }
        for m in sorted {
            let (x, y) = point(m, radius: r)
            let title = "<title>\(HTML.escape(m.address.checksummed)) · \(m.role)</title>"
            s += "<g class=\"node \(m.role)\" data-address=\"\(HTML.escape(m.address.checksummed))\">" + title
            switch m.role {
            case "down":
                s += "<line x1=\"\(f(x - 7))\" y1=\"\(f(y - 7))\" x2=\"\(f(x + 7))\" y2=\"\(f(y + 7))\" stroke=\"#b42318\" stroke-width=\"3\"/>"
                    + "<line x1=\"\(f(x - 7))\" y1=\"\(f(y + 7))\" x2=\"\(f(x + 7))\" y2=\"\(f(y - 7))\" stroke=\"#b42318\" stroke-width=\"3\"/>"
            case "trusted":
                s += "<circle cx=\"\(f(x))\" cy=\"\(f(y))\" r=\"9\" fill=\"#17803d\" stroke=\"#0d4d24\" stroke-width=\"1.5\"/>"
            default:
                s += "<circle cx=\"\(f(x))\" cy=\"\(f(y))\" r=\"8\" fill=\"#fff\" stroke=\"#35598f\" stroke-width=\"3\"/>"
            }
            let (lx, ly) = point(m, radius: r + 16)
            let anchor = lx > cx + 8 ? "start" : lx < cx - 8 ? "end" : "middle"
            let label = (m.ringIndex.map { "\($0). " } ?? "") + Format.short(m.address.checksummed, keep: 6)
            s += "<text x=\"\(f(lx))\" y=\"\(f(ly + 4))\" text-anchor=\"\(anchor)\">\(HTML.escape(label))</text></g>"
        }
        s += "<text x=\"\(f(cx))\" y=\"\(f(c))\" text-anchor=\"middle\">\(members.filter(\.alive).count) live / \(members.count) joined</text>"
        return s + "</svg>"
    }

    /// The legend under the drawing.
    public static let legend = "<p><span class=\"trusted\">● trusted</span> · <span class=\"untrusted\">○ untrusted</span> · "
        + "<span class=\"down\">✕ down</span> · clockwise from position 0 (top), evenly spaced; "
        + "dashed: the trusted ring models travel around</p>"
}
