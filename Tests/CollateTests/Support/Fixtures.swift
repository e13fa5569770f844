import Collate
import Foundation

/// Locates files under `Tests/Fixtures`, relative to this source file so it works in any clone.
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // Support
        .deletingLastPathComponent()  // CollateTests
        .deletingLastPathComponent()  // Tests
        .appendingPathComponent("Fixtures")

    /// The JSON objects of a JSONL fixture, one per non-empty line.
    static func jsonLines(_ relativePath: String) -> [JSONValue] {
        let url = directory.appendingPathComponent(relativePath)
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

import Testing

extension Issue {
    static func recordFixture(_ message: String) {
        Issue.record(Comment(rawValue: "fixture: \(message)"))
    }
}
