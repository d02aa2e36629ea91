/// A line chart rendered as a standalone SVG document, for reports (accuracy per round, bytes per round…).
///
/// Axes carry "nice" ticks (1, 2 or 5 × 10ⁿ) with labels and light grid lines, the legend sits right of the plot,
/// series get distinct colours (the ten of matplotlib's "tab10", then repeated) and may be dashed. Points with a
/// non-finite coordinate break the line. All text is XML-escaped.
public struct LineChart: Sendable {
    /// One line: its legend name, its points in order, solid or dashed.
    public struct Series: Sendable {
        /// Legend text.
        public var name: String
        /// Points joined in this order (not sorted by x).
        public var points: [(x: Double, y: Double)]
        /// Drawn dashed (e.g. a baseline or an attacked run).
        public var dashed: Bool
        public init(name: String, points: [(x: Double, y: Double)], dashed: Bool = false) {
            self.name = name; self.points = points; self.dashed = dashed
        }
    }

    /// Heading above the plot (also the SVG's <title>).
    public var title: String
    /// Caption under the x axis.
    public var xLabel: String
    /// Caption along the y axis.
    public var yLabel: String
    /// The lines, in legend order; series i gets `LineChart.colour(i)`.
    public var series: [Series]
    /// Fixed y range (e.g. 0...1 for accuracy); nil fits the data. Points outside it are clipped.
    public var yRange: ClosedRange<Double>?

    public init(title: String, xLabel: String, yLabel: String, series: [Series], yRange: ClosedRange<Double>? = nil) {
        self.title = title; self.xLabel = xLabel; self.yLabel = yLabel; self.series = series; self.yRange = yRange
    }

    static let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                          "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]

    /// The colour of series `i`.
    public static func colour(_ i: Int) -> String { palette[i % palette.count] }

    /// The chart as an SVG document of `width` × `height` pixels (at least 240 × 180).
    public func svg(width: Int = 720, height: Int = 420) -> String {
        let w = Double(max(240, width)), h = Double(max(180, height))
        let longest = series.map { $0.name.count }.max() ?? 0
        let legendWidth = series.isEmpty ? 0 : min(w * 0.35, Double(min(longest, 28)) * 7 + 44)
        let left = 64.0, right = 16 + legendWidth, top = 40.0, bottom = 52.0
        let pw = max(40, w - left - right), ph = max(40, h - top - bottom)

        let finite = series.flatMap { $0.points }.filter { $0.x.isFinite && $0.y.isFinite }
        let xs = Self.fit(finite.map(\.x)), fittedY = Self.fit(finite.map(\.y))
        let yr = yRange.flatMap { $0.lowerBound.isFinite && $0.upperBound.isFinite && $0.upperBound > $0.lowerBound ? $0 : nil }
        let xTicks = Self.ticks(xs.lowerBound, xs.upperBound)
        let yTicks = Self.ticks(yr?.lowerBound ?? fittedY.lowerBound, yr?.upperBound ?? fittedY.upperBound)
        // A fitted axis widens to its outer ticks so the data never touches the frame; a fixed one stays as given.
        let x0 = xTicks.values.first!, x1 = xTicks.values.last!
        let y0 = yr?.lowerBound ?? yTicks.values.first!, y1 = yr?.upperBound ?? yTicks.values.last!
        func px(_ x: Double) -> Double { left + (x - x0) / (x1 - x0) * pw }
        func py(_ y: Double) -> Double { top + ph - (y - y0) / (y1 - y0) * ph }

        let clip = "clip\(Self.stableHash(title + series.map(\.name).joined(separator: "\u{1}")))"
        var s = """
        <?xml version="1.0" encoding="UTF-8"?>
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(w))" height="\(Int(h))" viewBox="0 0 \(Int(w)) \(Int(h))" \
        font-family="Helvetica, Arial, sans-serif" font-size="12">
        <title>\(Self.escape(title))</title>
        <rect width="100%" height="100%" fill="#ffffff"/>
        <defs><clipPath id="\(clip)"><rect x="\(f(left))" y="\(f(top))" width="\(f(pw))" height="\(f(ph))"/></clipPath></defs>
        <text x="\(f(left + pw / 2))" y="24" text-anchor="middle" font-size="16" font-weight="bold">\(Self.escape(title))</text>

        """
        // Grid and ticks.
        s += "<g stroke=\"#e0e0e0\" stroke-width=\"1\">\n"
        for y in yTicks.values where y >= y0 && y <= y1 {
            s += "<line x1=\"\(f(left))\" y1=\"\(f(py(y)))\" x2=\"\(f(left + pw))\" y2=\"\(f(py(y)))\"/>\n"
        }
        for x in xTicks.values {
            s += "<line x1=\"\(f(px(x)))\" y1=\"\(f(top))\" x2=\"\(f(px(x)))\" y2=\"\(f(top + ph))\"/>\n"
        }
        s += "</g>\n<g fill=\"#333333\">\n"
        for y in yTicks.values where y >= y0 && y <= y1 {
            s += "<line x1=\"\(f(left - 5))\" y1=\"\(f(py(y)))\" x2=\"\(f(left))\" y2=\"\(f(py(y)))\" stroke=\"#333333\"/>"
            s += "<text x=\"\(f(left - 8))\" y=\"\(f(py(y) + 4))\" text-anchor=\"end\">\(Self.format(y, yTicks.decimals))</text>\n"
        }
        for x in xTicks.values {
            s += "<line x1=\"\(f(px(x)))\" y1=\"\(f(top + ph))\" x2=\"\(f(px(x)))\" y2=\"\(f(top + ph + 5))\" stroke=\"#333333\"/>"
            s += "<text x=\"\(f(px(x)))\" y=\"\(f(top + ph + 18))\" text-anchor=\"middle\">\(Self.format(x, xTicks.decimals))</text>\n"
        }
        s += "</g>\n"
        s += "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(pw))\" height=\"\(f(ph))\" fill=\"none\" stroke=\"#333333\"/>\n"
        s += "<text x=\"\(f(left + pw / 2))\" y=\"\(f(h - 12))\" text-anchor=\"middle\">\(Self.escape(xLabel))</text>\n"
        s += "<text transform=\"translate(16 \(f(top + ph / 2))) rotate(-90)\" text-anchor=\"middle\">\(Self.escape(yLabel))</text>\n"
        if finite.isEmpty {
            s += "<text x=\"\(f(left + pw / 2))\" y=\"\(f(top + ph / 2))\" text-anchor=\"middle\" fill=\"#777777\">no data</text>\n"
        }

        // Lines, clipped to the plot; a non-finite point ends one polyline and the next finite one starts another.
        s += "<g clip-path=\"url(#\(clip))\" fill=\"none\" stroke-width=\"2\" stroke-linejoin=\"round\">\n"
        for (i, line) in series.enumerated() {
            let dash = line.dashed ? " stroke-dasharray=\"7 4\"" : ""
            var runs: [[(Double, Double)]] = [[]]
            for p in line.points {
                if p.x.isFinite && p.y.isFinite { runs[runs.count - 1].append((px(p.x), py(p.y))) }
                else if !runs[runs.count - 1].isEmpty { runs.append([]) }
            }
            for run in runs where !run.isEmpty {
                let pts = run.map { "\(f($0.0)),\(f($0.1))" }.joined(separator: " ")
                s += "<polyline points=\"\(pts)\" stroke=\"\(Self.colour(i))\"\(dash)/>\n"
                if line.points.count <= 40 || run.count == 1 {
                    for (x, y) in run { s += "<circle cx=\"\(f(x))\" cy=\"\(f(y))\" r=\"2.5\" fill=\"\(Self.colour(i))\"/>\n" }
                }
            }
        }
        s += "</g>\n"

        // Legend, right of the plot.
        if !series.isEmpty {
            let lx = left + pw + 16
            s += "<g>\n"
            for (i, line) in series.enumerated() {
                let ly = top + 8 + Double(i) * 20
                let dash = line.dashed ? " stroke-dasharray=\"7 4\"" : ""
                var name = line.name
                if name.count > 28 { name = String(name.prefix(27)) + "…" }
                s += "<line x1=\"\(f(lx))\" y1=\"\(f(ly))\" x2=\"\(f(lx + 26))\" y2=\"\(f(ly))\" stroke=\"\(Self.colour(i))\" stroke-width=\"2\"\(dash)/>"
                s += "<text x=\"\(f(lx + 32))\" y=\"\(f(ly + 4))\">\(Self.escape(name))</text>\n"
            }
            s += "</g>\n"
        }
        s += "</svg>\n"
        return s
    }

    /// The data's range, widened when it is a single value (or empty) so the axis has a length.
    static func fit(_ v: [Double]) -> ClosedRange<Double> {
        guard let lo = v.min(), let hi = v.max() else { return 0...1 }
        if hi > lo { return lo...hi }
        let pad = lo == 0 ? 1 : abs(lo) * 0.1
        return (lo - pad)...(hi + pad)
    }

    /// Tick values covering lo...hi at a step of 1, 2 or 5 × 10ⁿ (about 5–10 ticks), and the decimals they need.
    static func ticks(_ lo: Double, _ hi: Double) -> (values: [Double], decimals: Int) {
        let span = hi > lo ? hi - lo : 1
        let raw = span / 6
        // Spans beyond Double's range (or below its precision) get just their two ends.
        guard raw.isFinite, raw > 1e-300, lo.isFinite, hi.isFinite else { return ([lo, hi > lo ? hi : lo + 1], 0) }
        let mag = pow10(Int((log10(raw)).rounded(.down)))
        let unit = raw / mag
        let step = (unit <= 1 ? 1 : unit <= 2 ? 2 : unit <= 5 ? 5 : 10) * mag
        let first = (lo / step).rounded(.down), last = (hi / step).rounded(.up)
        var values: [Double] = []
        var k = first
        while k <= last && values.count < 50 { values.append(k * step); k += 1 }
        if values.count < 2 { values.append(values[0] + step) }
        let decimals = max(0, -Int((log10(step)).rounded(.down)))
        return (values, decimals)
    }

    /// `v` with exactly `decimals` digits after the point (no Foundation formatter in this module).
    static func format(_ v: Double, _ decimals: Int) -> String {
        let scale = pow10(decimals)
        let n = (abs(v) * scale).rounded()
        guard decimals <= 15, n < 1e15 else { return "\(v)" }
        let whole = Int64(n) / Int64(scale), frac = Int64(n) % Int64(scale)
        var s = (v < 0 && n != 0 ? "-" : "") + String(whole)
        if decimals > 0 {
            let digits = String(frac)
            s += "." + String(repeating: "0", count: decimals - digits.count) + digits
        }
        return s
    }

    /// A coordinate with two decimals, enough for pixels.
    private func f(_ v: Double) -> String { Self.format(v, 2) }

    /// Text with the five XML special characters escaped.
    public static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.count)
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default:
                // Control characters other than tab and newline are not allowed in XML 1.0 at all.
                if let a = c.asciiValue, a < 0x20, a != 0x09, a != 0x0A, a != 0x0D { out += " " } else { out.append(c) }
            }
        }
        return out
    }

    /// FNV-1a of the text, so a chart's clip-path id is the same on every run and differs between charts.
    static func stableHash(_ s: String) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return String(h, radix: 16)
    }

    static func pow10(_ n: Int) -> Double {
        var r = 1.0
        for _ in 0..<abs(n) { r *= 10 }
        return n >= 0 ? r : 1 / r
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
