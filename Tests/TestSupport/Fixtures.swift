import Foundation

/// Locates test fixtures: the project's own committed vectors and the read-only `../shared` folder.
public enum Fixtures {
    /// The repository root (three levels above this file).
    public static let repoRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `../shared/ethereum-tests` next to the repository, or `$GFL_ETHEREUM_TESTS` when set.
    public static var ethereumTests: URL {
        if let env = ProcessInfo.processInfo.environment["GFL_ETHEREUM_TESTS"] { return URL(fileURLWithPath: env) }
        return repoRoot.deletingLastPathComponent().appendingPathComponent("shared/ethereum-tests")
    }

    /// A file under `Tests/<target>/Vectors/`.
    public static func vector(_ target: String, _ name: String) -> URL {
        repoRoot.appendingPathComponent("Tests/\(target)/Vectors/\(name)")
    }

    /// Parses a JSON file into Foundation objects.
    public static func json(_ url: URL) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(contentsOf: url), options: [.fragmentsAllowed])
    }
}
