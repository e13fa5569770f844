import Collate

/// Renders the differences between a batch and an expectation into messages.
struct _MismatchRenderer {
    let batch: Batch
    let options: BatchComparison
    let decode: ((Int32) -> String)?

    /// `12 ("▁Paris")` when `tensor` holds token ids and a decoder is given, else `12`.
    func value(_ value: Int32, in tensor: String) -> String {
        guard let decode, value >= 0, options.tokenTensors.contains(tensor) else { return String(value) }
        return "\(value) (\(quoted(decode(value))))"
    }

    func quoted(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "\n": escaped += "\\n"
            case "\t": escaped += "\\t"
            case "\"": escaped += "\\\""
            default: escaped.append(character)
            }
        }
        return "\"\(escaped)\""
    }

    /// A window of `row` around `position`, the position bracketed: `… 5 6 [-100] 7 …`.
    func window(_ row: ArraySlice<Int32>, position: Int) -> String {
        let radius = options.contextRadius
        let start = max(row.startIndex, row.startIndex + position - radius)
        let end = min(row.endIndex, row.startIndex + position + radius + 1)
        var parts: [String] = start > row.startIndex ? ["…"] : []
        for index in start..<end {
            let text = String(row[index])
            parts.append(index == row.startIndex + position ? "[\(text)]" : text)
        }
        if end < row.endIndex { parts.append("…") }
        return parts.joined(separator: " ")
    }

    /// The decoded tokens of `input_ids` (or of the tensor itself) around a position.
    func context(tensor: String, actual: Tensor, row: Int, position: Int) -> String? {
        guard let decode else { return nil }
        var source: (name: String, row: ArraySlice<Int32>)?
        if let inputs = batch["input_ids"], inputs.rank == 2, row < inputs.shape[0], position < inputs.shape[1] {
            source = ("input_ids", inputs[row: row])
        } else if options.tokenTensors.contains(tensor), actual.rank == 2 {
            source = (tensor, actual[row: row])
        }
        guard let (name, tokens) = source else { return nil }
        let radius = options.contextRadius
        let start = max(tokens.startIndex, tokens.startIndex + position - radius)
        let end = min(tokens.endIndex, tokens.startIndex + position + radius + 1)
        var parts: [String] = start > tokens.startIndex ? ["…"] : []
        for index in start..<end {
            let id = tokens[index]
            let text = id >= 0 ? decode(id) : String(id)
            parts.append(index == tokens.startIndex + position ? "⟦\(text)⟧" : text)
        }
        if end < tokens.endIndex { parts.append("…") }
        return parts.joined(separator: " ") + "   (\(name) row \(row))"
    }

    func valueDifferences(_ name: String, expected: [Int32], actual: Tensor) -> [BatchMismatch.Difference] {
        var differences: [BatchMismatch.Difference] = []
        var omitted = 0
        var omittedRows: [Int] = []
        let width = actual.rank == 2 ? actual.shape[1] : max(actual.scalars.count, 1)
        for index in expected.indices where expected[index] != actual.scalars[index] {
            let row = actual.rank == 2 ? index / width : nil
            let position = actual.rank == 0 ? nil : index % width
            guard differences.count < options.maxValueDifferencesPerTensor else {
                omitted += 1
                if let row, omittedRows.last != row { omittedRows.append(row) }
                continue
            }
            let kind = BatchMismatch.Kind.value(tensor: name, row: row, position: position, expected: expected[index], actual: actual.scalars[index])
            var place = name
            if let row { place += " row \(row)" }
            if let position { place += "\(row == nil ? "" : ",") position \(position)" }
            var lines = ["\(place): expected \(value(expected[index], in: name)), got \(value(actual.scalars[index], in: name))"]
            if let position, actual.rank >= 1 {
                let base = (row ?? 0) * width
                let expectedRow = expected[base ..< base + width]
                let actualRow = actual.scalars[base ..< base + width]
                lines.append("  expected  " + window(expectedRow, position: position))
                lines.append("  got       " + window(actualRow, position: position))
                if let context = context(tensor: name, actual: actual, row: row ?? 0, position: position) {
                    lines.append("  context   " + context)
                }
            }
            differences.append(.init(kind: kind, message: lines.joined(separator: "\n")))
        }
        if omitted > 0 {
            let rows = omittedRows.isEmpty ? "" : " (row\(omittedRows.count == 1 ? "" : "s") \(omittedRows.map(String.init).joined(separator: ", ")))"
            differences.append(.init(
                kind: .moreValues(tensor: name, count: omitted, rows: omittedRows),
                message: "\(name): \(omitted) more differing element\(omitted == 1 ? "" : "s")\(rows)"))
        }
        return differences
    }

    func shapeDifference(_ name: String, expectedShape: [Int], expectedScalars: [Int32], actual: Tensor) -> BatchMismatch.Difference {
        let lines = [
            "\(name): expected shape \(expectedShape), got \(actual.shape)",
            "  expected  " + Self.render(shape: expectedShape, scalars: expectedScalars),
            "  got       " + Self.render(shape: actual.shape, scalars: actual.scalars),
        ]
        return .init(kind: .shape(tensor: name, expected: expectedShape, actual: actual.shape), message: lines.joined(separator: "\n"))
    }

    /// A tensor as nested brackets, shortened to 8 rows of 24 values.
    static func render(shape: [Int], scalars: [Int32]) -> String {
        func list(_ values: ArraySlice<Int32>) -> String {
            let shown = values.prefix(24).map(String.init).joined(separator: ", ")
            return "[" + shown + (values.count > 24 ? ", … (\(values.count) in all)" : "") + "]"
        }
        switch shape.count {
        case 0: return scalars.first.map(String.init) ?? "[]"
        case 1: return list(scalars[...])
        case 2:
            let width = shape[1]
            let rows = (0..<min(shape[0], 8)).map { list(scalars[$0 * width ..< ($0 + 1) * width]) }
            return "[" + rows.joined(separator: ", ") + (shape[0] > 8 ? ", … (\(shape[0]) rows)" : "") + "]"
        default: return list(scalars[...])
        }
    }
}
