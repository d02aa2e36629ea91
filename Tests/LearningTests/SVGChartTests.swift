import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Learning
import Testing

/// Parses an SVG with Foundation's XMLParser, collecting element counts, attributes and text.
private final class SVGReader: NSObject, XMLParserDelegate {
    var counts: [String: Int] = [:]
    var texts: [String] = []
    var polylines: [[String: String]] = []
    var error: Error?
    private var text = ""

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        counts[name, default: 0] += 1
        if name == "polyline" { polylines.append(attributes) }
        text = ""
    }
    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }
    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "text" || name == "title" { texts.append(text) }
        text = ""
    }
    func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) { error = parseError }

    static func read(_ svg: String) -> (SVGReader, Bool) {
        let r = SVGReader()
        let p = XMLParser(data: Data(svg.utf8))
        p.delegate = r
        let ok = p.parse()
        return (r, ok && r.error == nil)
    }
}

@Suite struct SVGChartTests {
    @Test func validXMLWithSeriesLegendAndTicks() {
        let chart = LineChart(
            title: "Accuracy <FedAvg & Krum>", xLabel: "round", yLabel: "test accuracy",
            series: [
                .init(name: "FedAvg \"iid\"", points: (0...20).map { (Double($0), 0.5 + 0.02 * Double($0)) }),
                .init(name: "Krum & f=1", points: (0...20).map { (Double($0), 0.4 + 0.025 * Double($0)) }, dashed: true),
                .init(name: "median <noise>", points: [(0, 0.1), (5, .nan), (10, 0.6), (20, 0.7)]),
            ],
            yRange: 0...1)
        let svg = chart.svg()
        let (r, ok) = SVGReader.read(svg)
        #expect(ok, "XMLParser: \(String(describing: r.error))")
        #expect(r.counts["svg"] == 1)
        // Names and title come back unescaped from the parser, so they were escaped correctly.
        for name in ["FedAvg \"iid\"", "Krum & f=1", "median <noise>", "round", "test accuracy"] {
            #expect(r.texts.contains(name), "\(name) missing")
        }
        #expect(r.texts.filter { $0 == "Accuracy <FedAvg & Krum>" }.count == 2)  // <title> and the heading
        #expect(svg.contains("Krum &amp; f=1") && !svg.contains("Krum & f"))
        // The NaN splits the third series into two polylines.
        #expect(r.polylines.count == 4)
        let colours = Set(r.polylines.map { $0["stroke"] ?? "" })
        #expect(colours.count == 3)
        #expect(r.polylines.filter { $0["stroke-dasharray"] != nil }.count == 1)
        // Fixed y range 0…1: ticks at 0.0, 0.2, … 1.0; x ticks cover 0…20.
        for tick in ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0", "0", "5", "10", "15", "20"] {
            #expect(r.texts.contains(tick), "tick \(tick) missing")
        }
        #expect(svg.hasPrefix("<?xml") && svg.contains("width=\"720\" height=\"420\""))
    }

    @Test func pointsMapInsideThePlot() {
        let chart = LineChart(title: "t", xLabel: "x", yLabel: "y",
                              series: [.init(name: "s", points: [(1, 100), (2, 300), (3, 200)])])
        let (r, ok) = SVGReader.read(chart.svg(width: 600, height: 400))
        #expect(ok)
        let pts = (r.polylines.first?["points"] ?? "").split(separator: " ").map {
            $0.split(separator: ",").map { Double($0)! }
        }
        #expect(pts.count == 3)
        // Higher y is drawn higher up (smaller SVG y); x increases to the right; all inside the canvas.
        #expect(pts[1][1] < pts[2][1] && pts[2][1] < pts[0][1])
        #expect(pts[0][0] < pts[1][0] && pts[1][0] < pts[2][0])
        #expect(pts.allSatisfy { $0[0] > 0 && $0[0] < 600 && $0[1] > 0 && $0[1] < 400 })
    }

    @Test func degenerateInputStillRenders() {
        let cases: [LineChart] = [
            LineChart(title: "empty", xLabel: "", yLabel: "", series: []),
            LineChart(title: "nan", xLabel: "x", yLabel: "y", series: [.init(name: "n", points: [(.nan, 1), (1, .infinity)])]),
            LineChart(title: "one point", xLabel: "x", yLabel: "y", series: [.init(name: "p", points: [(3, 0.5)])]),
            LineChart(title: "flat", xLabel: "x", yLabel: "y", series: [.init(name: "f", points: [(0, 0), (1, 0)])]),
            LineChart(title: "tiny", xLabel: "x", yLabel: "y", series: [.init(name: "t", points: [(0, 1e-9), (1, 3e-9)])]),
            LineChart(title: "huge", xLabel: "x", yLabel: "y", series: [.init(name: "h", points: [(0, -1e300), (1, 1e300)])]),
            LineChart(title: "ctrl \u{1}\u{7}", xLabel: "x", yLabel: "y", series: [], yRange: 1...1),
        ]
        for c in cases {
            let svg = c.svg(width: 10, height: 10)
            let (r, ok) = SVGReader.read(svg)
            #expect(ok, "\(c.title): \(String(describing: r.error))")
            #expect(svg.contains("width=\"240\" height=\"180\""))
        }
        #expect(LineChart(title: "e", xLabel: "", yLabel: "", series: []).svg().contains("no data"))
    }
}
