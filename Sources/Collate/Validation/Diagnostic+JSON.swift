extension Diagnostic {
    /// The diagnostic as one JSON object `{"code", "severity", "message", "example"}`, with
    /// `example` a 0-based index or `null` (the `collate validate --format json` element).
    public var jsonValue: JSONValue {
        .object(JSONObject([
            ("code", .string(code.rawValue)),
            ("severity", .string(severity.rawValue)),
            ("message", .string(message)),
            ("example", example.map { .integer(Int64($0)) } ?? .null),
        ]))
    }

    /// Diagnostics as one JSON array, the output of `collate validate --format json`.
    /// - Complexity: O(*n*) in the total message length.
    public static func jsonText<S: Sequence>(_ diagnostics: S) -> String where S.Element == Diagnostic {
        var out = ""
        JSONWriter.write(.array(diagnostics.map(\.jsonValue)), into: &out)
        return out
    }
}
