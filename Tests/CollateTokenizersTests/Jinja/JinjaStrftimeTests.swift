import Collate
import Foundation
import Testing
@testable import CollateTokenizers

/// `strftime_now(format)` as transformers 5.23 computes it — `datetime.now().strftime(format)`, a
/// naive local time CPython hands to glibc's strftime in the C locale — for every directive letter
/// with and without the `-` flag and the formats real chat templates use, at two pinned times.
/// Parity with `Tests/Fixtures/jinja/strftime.jsonl`, written by
/// `Tests/Fixtures/scripts/make_jinja_strftime_goldens.py`.
@Suite("strftime_now (transformers 5.23: Python datetime.strftime, glibc C locale)")
struct JinjaStrftimeTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var now: String
        var format: String
        var expected: String
        var testDescription: String { "\(format.debugDescription) at \(now)" }
    }

    static let cases: [Case] = {
        let url = Fixtures.root.appendingPathComponent("jinja").appendingPathComponent("strftime.jsonl")
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            guard case .object(let object)? = try? JSONParser.parse(String(line)), case .string(let now)? = object["now"],
                  case .string(let format)? = object["format"], case .string(let expected)? = object["expected"] else { return nil }
            return Case(now: now, format: format, expected: expected)
        }
    }()

    /// `YYYY-MM-DDTHH:MM:SS` as a local time, as Python's naive `datetime.now()` is.
    static func date(_ text: String) -> Date? {
        let numbers = text.split(whereSeparator: { $0 == "-" || $0 == "T" || $0 == ":" }).compactMap { Int($0) }
        guard numbers.count == 6 else { return nil }
        var components = DateComponents()
        (components.year, components.month, components.day) = (numbers[0], numbers[1], numbers[2])
        (components.hour, components.minute, components.second) = (numbers[3], numbers[4], numbers[5])
        return Calendar.current.date(from: components)
    }

    @Test func goldensLoad() {
        #expect(Self.cases.count == 240)
    }

    @Test(arguments: cases)
    func formatsAsPython(_ golden: Case) throws {
        let now = try #require(Self.date(golden.now))
        #expect(_pythonStrftime(golden.format, now, line: 1) == golden.expected)
    }

    /// Through a template, as a chat template calls it.
    @Test func throughATemplate() throws {
        let template = try JinjaTemplate(source: "{{ strftime_now('%-d %B %Y') }}|{{ strftime_now('%A %F') }}", name: "date")
        let now = try #require(Self.date("2026-12-05T21:07:03"))
        #expect(try template.render(variables: [], now: now).text == "5 December 2026|Saturday 2026-12-05")
    }
}
