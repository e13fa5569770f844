import Collate
import Foundation
import Testing

/// Locates `Tests/Fixtures` and the package root from this source file, so tests run from any
/// working directory and in any clone: the one fixture locator every test target shares.
public enum Fixtures {
    /// `Tests/Fixtures`.
    public static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // CollateTestSupport
        .deletingLastPathComponent()  // Tests
        .appendingPathComponent("Fixtures")

    /// `Tests/Fixtures` (the same as ``root``).
    public static var directory: URL { root }

    /// The package's root folder (holding `Package.swift`).
    public static let repositoryRoot = root.deletingLastPathComponent().deletingLastPathComponent()

    /// The URL of `relativePath` under `Tests/Fixtures`.
    /// - Parameter relativePath: A path such as `"golden/collators.jsonl"`.
    /// - Returns: Its URL.
    public static func url(_ relativePath: String) -> URL {
        root.appendingPathComponent(relativePath)
    }

    /// The JSON objects of a JSONL fixture, one per non-empty line; an unreadable file or line
    /// is recorded as a test issue naming it.
    /// - Parameter relativePath: The fixture's path under `Tests/Fixtures`.
    /// - Returns: The parsed lines.
    public static func jsonLines(_ relativePath: String) -> [JSONValue] {
        let url = url(relativePath)
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            Issue.recordFixture("cannot read \(url.path)")
            return []
        }
        return text.split(separator: "\n").compactMap { line in
            do {
                return try JSONParser.parse(String(line))
            } catch {
                Issue.recordFixture("\(relativePath): \(error)")
                return nil
            }
        }
    }
}

extension Issue {
    /// Records a test issue about a fixture file.
    /// - Parameter message: What is wrong with it.
    public static func recordFixture(_ message: String) {
        Issue.record(Comment(rawValue: "fixture: \(message)"))
    }
}
