import Foundation

/// Runs state-test files on a few worker threads with large stacks (deep call recursion needs them)
/// and reports each case's result in file order.
public enum StateTestRunner {
    /// Every `.json` file under the given files or directories, sorted.
    public static func collectFiles(_ paths: [String]) -> [(path: String, relative: String)] {
        var out: [(String, String)] = []
        let fm = FileManager.default
        for p in paths {
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: p, isDirectory: &isDir) else { continue }
            if !isDir.boolValue { out.append((p, (p as NSString).lastPathComponent)); continue }
            let base = URL(fileURLWithPath: p).standardizedFileURL.path
            guard let e = fm.enumerator(atPath: p) else { continue }
            var found: [String] = []
            for case let rel as String in e where rel.hasSuffix(".json") { found.append(rel) }
            for rel in found.sorted() { out.append((base + "/" + rel, rel)) }
        }
        return out
    }

    /// Runs `work(i)` for i in 0..<count on `threads` threads with 256 MiB stacks.
    public static func parallel(count: Int, threads: Int, _ work: @escaping @Sendable (Int) -> Void) {
        let next = Counter()
        let group = DispatchGroup()
        for _ in 0..<max(1, threads) {
            group.enter()
            let t = Thread {
                while true {
                    let i = next.take()
                    if i >= count { break }
                    work(i)
                }
                group.leave()
            }
            t.stackSize = 256 << 20
            t.start()
        }
        group.wait()
    }
}

/// A shared work index.
final class Counter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()
    func take() -> Int { lock.lock(); defer { lock.unlock() }; value += 1; return value - 1 }
}
