import Foundation
import Learning
import Testing

/// Runs `script` with python3 (the system one; plain Python, no packages) on `input` as standard input and returns
/// its standard output, or nil after recording an issue when python3 cannot run.
func runPython(_ script: String, input: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> String? {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gfl-py-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let scriptURL = dir.appendingPathComponent("ref.py"), inURL = dir.appendingPathComponent("in.json")
    try script.write(to: scriptURL, atomically: true, encoding: .utf8)
    try input.write(to: inURL, atomically: true, encoding: .utf8)
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["python3", scriptURL.path]
    p.standardInput = try FileHandle(forReadingFrom: inURL)
    let out = Pipe()
    p.standardOutput = out
    do { try p.run() } catch {
        Issue.record("python3 did not start: \(error)", sourceLocation: sourceLocation)
        return nil
    }
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    guard p.terminationStatus == 0 else {
        Issue.record("python3 exited with \(p.terminationStatus)", sourceLocation: sourceLocation)
        return nil
    }
    return String(decoding: data, as: UTF8.self)
}

/// Models as a JSON array of arrays of the Floats' exact Double values.
func jsonModels(_ models: [[Float]]) -> String {
    "[" + models.map { "[" + $0.map { Double($0).description }.joined(separator: ",") + "]" }.joined(separator: ",") + "]"
}

/// Coordinate-wise rules and Krum written independently in plain Python: sorted columns, an explicit left-to-right
/// Double sum, and brute-force pairwise distances.
private let pythonReference = #"""
import json, sys
cases = json.load(sys.stdin)
for c in cases:
    ms = c["models"]; n = len(ms); d = len(ms[0])
    cols = [sorted(m[j] for m in ms) for j in range(d)]
    med = [col[n // 2] if n % 2 else (col[n // 2 - 1] + col[n // 2]) / 2 for col in cols]
    print("median", " ".join(repr(v) for v in med))
    for t in c["trims"]:
        out = []
        for col in cols:
            s = 0.0
            for v in col[t:n - t]:
                s += v
            out.append(s / (n - 2 * t))
        print("trim", t, " ".join(repr(v) for v in out))
    dist = [[sum((a - b) ** 2 for a, b in zip(ms[i], ms[j])) for j in range(n)] for i in range(n)]
    for f in c["fs"]:
        scores = [sum(sorted(dist[i][j] for j in range(n) if j != i)[:n - f - 2]) for i in range(n)]
        best = min(range(n), key=lambda i: (scores[i], i))
        print("krum", f, best, " ".join(repr(v) for v in scores))
"""#

@Suite struct RobustAggregationTests {
    @Test func handCheckedMedianAndTrimmedMean() throws {
        #expect(try RobustAggregation.median([[1, 5], [3, 1], [2, 9]]) == [2, 5])
        #expect(try RobustAggregation.median([[1], [2], [10], [4]]) == [3])
        #expect(try RobustAggregation.median([[7, -1]]) == [7, -1])
        #expect(try RobustAggregation.trimmedMean([[1], [2], [3], [100]], trim: 1) == [2.5])
        #expect(try RobustAggregation.trimmedMean([[1, 4], [2, 4], [6, 4]], trim: 0) == [3, 4])
        // A NaN sorts above everything, so it is trimmed or passed over like a huge outlier.
        #expect(try RobustAggregation.median([[1], [.nan], [2]]) == [2])
        #expect(try RobustAggregation.trimmedMean([[1], [2], [3], [.nan]], trim: 1) == [2.5])
    }

    @Test func badInputIsRejected() throws {
        #expect(throws: StrategyError.noModels) { try RobustAggregation.median([]) }
        #expect(throws: StrategyError.mismatchedLengths(index: 2, expected: 2, got: 1)) {
            try RobustAggregation.median([[1, 2], [3, 4], [5]])
        }
        #expect(throws: StrategyError.self) { try RobustAggregation.trimmedMean([[1], [2], [3], [4]], trim: 2) }
        #expect(throws: StrategyError.self) { try RobustAggregation.trimmedMean([[1], [2], [3]], trim: -1) }
        let five: [[Float]] = [[0], [1], [2], [3], [100]]
        #expect(throws: StrategyError.tooFewModels(count: 5, byzantine: 2, needed: 7)) {
            try RobustAggregation.krumIndex(five, byzantine: 2)
        }
        #expect(throws: StrategyError.self) { try RobustAggregation.krumIndex(five, byzantine: -1) }
        #expect(throws: StrategyError.self) { try RobustAggregation.multiKrum(five, byzantine: 1, select: 0) }
        #expect(throws: StrategyError.self) { try RobustAggregation.multiKrum(five, byzantine: 1, select: 6) }
    }

    @Test func handCheckedKrum() throws {
        // 1-D models 0, 1, 2, 3, 100 with f = 1: each score sums the 2 nearest squared distances.
        // 0: 1 + 4 = 5; 1: 1 + 1 = 2; 2: 1 + 1 = 2; 3: 1 + 4 = 5; 100: 97² + 98² = 19013.
        let models: [[Float]] = [[0], [1], [2], [3], [100]]
        #expect(try RobustAggregation.krumScores(models, byzantine: 1) == [5, 2, 2, 5, 19013])
        #expect(try RobustAggregation.krumIndex(models, byzantine: 1) == 1)  // tie 1/2: lower index
        #expect(try RobustAggregation.multiKrumIndices(models, byzantine: 1, select: 4) == [1, 2, 0, 3])
        #expect(try RobustAggregation.multiKrum(models, byzantine: 1, select: 2) == [1.5])
        #expect(try RobustAggregation.multiKrum(models, byzantine: 1, select: 4) == [1.5])
        #expect(try RobustAggregation.multiKrum(models, byzantine: 1, select: 1) == [1])
        // A model full of NaN is infinitely far from everyone and never chosen.
        var withNaN = models
        withNaN[0] = [.nan]
        #expect(try RobustAggregation.krumIndex(withNaN, byzantine: 1) == 2)
    }

    @Test func krumRejectsAnOutlierThatFedAvgFollows() throws {
        var rng = Xoshiro256(seed: 11)
        var models = (0..<9).map { _ in randomArray(200, &rng, scale: 0.1) }
        models.append([Float](repeating: 50, count: 200))  // one Byzantine model far away
        let chosen = try RobustAggregation.krumIndex(models, byzantine: 1)
        #expect(chosen != 9)
        let krum = try RobustAggregation.multiKrum(models, byzantine: 1, select: 5)
        let avg = try Federated.fedAvg(models, weights: [Double](repeating: 1, count: 10))
        #expect(try Federated.distance(krum, [Float](repeating: 0, count: 200)) < 2)
        #expect(try Federated.distance(avg, [Float](repeating: 0, count: 200)) > 50)
        let med = try RobustAggregation.median(models)
        #expect(med.allSatisfy { abs($0) < 0.5 })
    }

    /// Random models, compared with an independent plain-Python implementation: the coordinate-wise rules bit for
    /// bit (same sort, same Double sum order), Krum's choice exactly and its scores to 1e-5.
    @Test func matchesPythonReference() throws {
        var rng = Xoshiro256(seed: 2024)
        struct Case { var models: [[Float]]; var trims: [Int]; var fs: [Int] }
        var cases: [Case] = []
        // d = 600 spans several of the 256-coordinate tiles the coordinate-wise rules work through.
        for (n, d) in [(5, 40), (6, 33), (7, 600), (10, 50), (11, 17)] {
            var models = (0..<n).map { _ in randomArray(d, &rng) }
            // Some repeated values exercise ties in the sorts.
            models[1][0] = models[0][0]; models[2][0] = models[0][0]
            let trims = Array(0...((n - 1) / 2))
            let fs = Array(0...((n - 3) / 2))
            cases.append(Case(models: models, trims: trims, fs: fs))
        }
        let input = "[" + cases.map {
            "{\"models\":\(jsonModels($0.models)),\"trims\":\($0.trims),\"fs\":\($0.fs)}"
        }.joined(separator: ",") + "]"
        guard let output = try runPython(pythonReference, input: input) else { return }
        var lines = output.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }[...]
        var checked = 0
        for c in cases {
            let med = try RobustAggregation.median(c.models)
            let ref = lines.removeFirst()
            #expect(ref.first == "median")
            #expect(med == ref.dropFirst().map { Float(Double($0)!) }, "median n=\(c.models.count)")
            for t in c.trims {
                let ref = lines.removeFirst()
                #expect(ref.prefix(2) == ["trim", "\(t)"])
                let tm = try RobustAggregation.trimmedMean(c.models, trim: t)
                #expect(tm == ref.dropFirst(2).map { Float(Double($0)!) }, "trimmed mean n=\(c.models.count) trim=\(t)")
                checked += 1
            }
            for f in c.fs {
                let ref = lines.removeFirst()
                #expect(ref.prefix(2) == ["krum", "\(f)"])
                #expect(try RobustAggregation.krumIndex(c.models, byzantine: f) == Int(ref[2]), "krum n=\(c.models.count) f=\(f)")
                let scores = try RobustAggregation.krumScores(c.models, byzantine: f)
                let refScores = ref.dropFirst(3).map { Double($0)! }
                #expect(scores.count == refScores.count)
                for (a, b) in zip(scores, refScores) { #expect(abs(a - b) <= 1e-5 * b, "score \(a) vs \(b)") }
                checked += 1
            }
        }
        #expect(lines.isEmpty && checked > 20)
    }
}
