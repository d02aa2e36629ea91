import ExplorerWeb
import Foundation
import Primitives
import Testing

/// The parts of the web explorer that need no chain: escaping, error pages for bad input and an unreachable node,
/// the ring drawing and the accuracy reports.
@Suite struct ExplorerPageTests {
    @Test func escapingNeutralisesMarkup() {
        #expect(HTML.escape(#"<script>alert("x")</script> & 'q'"#)
                == "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;")
        let link = HTML.link("/job/1\"><b>", "a<b>")
        #expect(link == "<a href=\"/job/1&quot;&gt;&lt;b&gt;\">a&lt;b&gt;</a>")
        #expect(HTML.urlComponent("job 1/ü") == "job%201%2F%C3%BC")
        let page = HTML.page(title: "<t>", body: "", showJobs: false)
        #expect(page.contains("<h1>&lt;t&gt;</h1>") && !page.contains("<t>"))
    }

    @Test func formQueriesDecodeLikeBrowsersSendThem() {
        #expect(ExplorerSite.parseQuery("q=job+1&x=%2Fa%20b&q=second&empty") == ["q": "job 1", "x": "/a b", "empty": ""])
        #expect(ExplorerSite.parseQuery("").isEmpty)
    }

    /// Nothing listens on the port of a socket that was bound and closed, so every call is refused quickly.
    func deadNodeURL() throws -> URL {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        close(fd)
        return URL(string: "http://127.0.0.1:\(UInt16(bigEndian: addr.sin_port))")!
    }

    @Test func badInputAndDeadNodeGiveErrorPagesWithTheirStatus() async throws {
        let site = ExplorerSite(config: ExplorerConfig(rpcURL: try deadNodeURL()))
        // Malformed input is refused before the node is asked.
        #expect(await site.respond(path: "/tx/0x1234").status == 400)
        #expect(await site.respond(path: "/block/0xnothex").status == 400)
        #expect(await site.respond(path: "/block/12abc").status == 400)
        #expect(await site.respond(path: "/address/0x12").status == 400)
        #expect(await site.respond(path: "/job/zero").status == 400)
        #expect(await site.respond(path: "/search", query: ["q": "  "]).status == 400)
        let unknown = await site.respond(path: "/no/such/page")
        #expect(unknown.status == 404)
        #expect(unknown.html.contains("no page at /no/such/page"))
        // Well-formed requests reach the node, which is down: 502 with the reason, never a crash.
        let down = await site.respond(path: "/")
        #expect(down.status == 502)
        #expect(down.html.contains("Node unavailable"))
        #expect(await site.respond(path: "/tx/0x" + String(repeating: "ab", count: 32)).status == 502)
        // Without a Controller there are no job pages.
        let jobs = await site.respond(path: "/jobs")
        #expect(jobs.status == 404)
        #expect(jobs.html.contains("--controller"))
        // Text from the request is escaped on the error page.
        let evil = await site.respond(path: "/search", query: ["q": "<img src=x>"])
        #expect(evil.status == 404)
        #expect(evil.html.contains("&lt;img src=x&gt;") && !evil.html.contains("<img src=x>"))
    }

    @Test func accuracyReportsAreReadFromMetricsFiles() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gfl-reports-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("run-a"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("run-b"), withIntermediateDirectories: true)
        try #"{"job_id": 7, "rounds": [{"round": 2, "global_accuracy": 0.75}, {"round": 1, "global_accuracy": 0.5, "loss": 1.2}]}"#
            .write(to: dir.appendingPathComponent("run-a/metrics.json"), atomically: true, encoding: .utf8)
        try "not json".write(to: dir.appendingPathComponent("run-b/metrics.json"), atomically: true, encoding: .utf8)
        let reports = AccuracyReports.load(from: dir)
        #expect(reports.accuracy(job: "7").map(\.round) == [1, 2])
        #expect(reports.accuracy(job: "7").map(\.globalAccuracy) == [0.5, 0.75])
        #expect(reports.accuracy(job: "8").isEmpty)
        #expect(reports.problems.count == 1 && reports.problems[0].contains("run-b"))
    }
}
