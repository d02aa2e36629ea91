import Foundation

/// Per-round accuracy of jobs, read from run reports: `metrics.json` files (anywhere below a folder) holding
/// `{"job_id": N, "rounds": [{"round": 1, "global_accuracy": 0.71, …}, …]}`. Accuracy is measured off chain
/// by the trainers; the chain only holds model references.
public struct AccuracyReports: Sendable {
    /// One round's figure and the file it came from.
    public struct Entry: Sendable, Equatable {
        public var round: Int
        public var globalAccuracy: Double
        /// The report the figure was read from.
        public var file: String
    }

    /// Job id (decimal text) → entries sorted by round.
    public private(set) var byJob: [String: [Entry]] = [:]
    /// Files that could not be read, with why: shown on the page rather than silently dropped.
    public private(set) var problems: [String] = []

    /// No reports.
    public init() {}

    /// Reads every `metrics.json` below `directory` (at most 4 levels deep).
    public static func load(from directory: URL) -> AccuracyReports {
        var reports = AccuracyReports()
        let fm = FileManager.default
        guard let walker = fm.enumerator(at: directory, includingPropertiesForKeys: nil) else {
            reports.problems.append("cannot read \(directory.path)")
            return reports
        }
        for case let url as URL in walker {
            if walker.level > 4 { walker.skipDescendants(); continue }
            guard url.lastPathComponent == "metrics.json" else { continue }
            reports.read(url)
        }
        for k in reports.byJob.keys { reports.byJob[k]?.sort { $0.round < $1.round } }
        return reports
    }

    mutating func read(_ url: URL) {
        guard let data = FileManager.default.contents(atPath: url.path),
              let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            problems.append("\(url.path): not a JSON object"); return
        }
        let job: String
        if let n = obj["job_id"] as? NSNumber { job = n.stringValue } else if let s = obj["job_id"] as? String { job = s } else {
            problems.append("\(url.path): no job_id"); return
        }
        guard let rounds = obj["rounds"] as? [[String: Any]] else { problems.append("\(url.path): no rounds array"); return }
        for r in rounds {
            guard let round = (r["round"] as? NSNumber)?.intValue, let acc = (r["global_accuracy"] as? NSNumber)?.doubleValue else {
                continue
            }
            byJob[job, default: []].append(Entry(round: round, globalAccuracy: acc, file: url.path))
        }
    }

    /// The entries of one job (empty when no report names it).
    public func accuracy(job: String) -> [Entry] { byJob[job] ?? [] }
}
