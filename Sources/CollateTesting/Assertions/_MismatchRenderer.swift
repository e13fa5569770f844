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

    /// A window of `row` around the positions `run`, the run bracketed: `… 5 6 [-100 -100] 7 …`.
    /// A long run shows its first and last values only.
    func window(_ row: ArraySlice<Int32>, run: Range<Int>, open: String = "[", close: String = "]", text: (Int32) -> String = { String($0) }) -> String {
        let radius = options.contextRadius
        let base = row.startIndex
        let start = max(0, run.lowerBound - radius)
        let end = min(row.count, run.upperBound + radius)
        var parts: [String] = start > 0 ? ["…"] : []
        for offset in start..<end {
            if run.count > 10, offset >= run.lowerBound + 4, offset < run.upperBound - 4 {
                if offset == run.lowerBound + 4 { parts.append("… (\(run.count) in all) …") }
                continue
            }
            var item = text(row[base + offset])
            if offset == run.lowerBound { item = open + item }
            if offset == run.upperBound - 1 { item += close }
            parts.append(item)
        }
        if end < row.count { parts.append("…") }
        return parts.joined(separator: " ")
    }

    /// The decoded tokens of `input_ids` (or of the tensor itself) around a run of positions.
    func context(tensor: String, actual: Tensor, row: Int, run: Range<Int>) -> String? {
        guard let decode else { return nil }
        var source: (name: String, row: ArraySlice<Int32>)?
        if let inputs = batch["input_ids"], inputs.rank == 2, row < inputs.shape[0], run.upperBound <= inputs.shape[1] {
            source = ("input_ids", inputs[row: row])
        } else if options.tokenTensors.contains(tensor), actual.rank == 2 {
            source = (tensor, actual[row: row])
        }
        guard let (name, tokens) = source else { return nil }
        let text = window(tokens, run: run, open: "⟦", close: "⟧") { $0 >= 0 ? decode($0) : String($0) }
        return text + "   (\(name) row \(row))"
    }

    /// `-100`, `-100 ×7`, or `[5, 6, -100]` for the values of a run; decoded when they are one token id.
    func values(_ values: ArraySlice<Int32>, in tensor: String) -> String {
        guard let first = values.first else { return "[]" }
        if values.count == 1 { return value(first, in: tensor) }
        if values.allSatisfy({ $0 == first }) { return "\(value(first, in: tensor)) ×\(values.count)" }
        let shown = values.count > 8 ? values.prefix(4).map(String.init) + ["…"] + values.suffix(4).map(String.init) : values.map(String.init)
        return "[" + shown.joined(separator: ", ") + "]"
    }

    func valueDifferences(_ name: String, expected: [Int32], actual: Tensor) -> [BatchMismatch.Difference] {
        var differences: [BatchMismatch.Difference] = []
        var omitted = 0
        var omittedRows: [Int] = []
        guard actual.rank >= 1 else {
            guard let want = expected.first, let got = actual.scalars.first, want != got else { return [] }
            return [.init(
                kind: .value(tensor: name, row: nil, position: nil, expected: want, actual: got),
                message: "\(name): expected \(value(want, in: name)), got \(value(got, in: name))")]
        }
        let width = actual.rank == 2 ? actual.shape[1] : actual.scalars.count
        let rows = actual.rank == 2 ? actual.shape[0] : 1
        for row in 0..<rows {
            let base = row * width
            var column = 0
            while column < width {
                guard expected[base + column] != actual.scalars[base + column] else { column += 1; continue }
                var end = column + 1
                while end < width, expected[base + end] != actual.scalars[base + end] { end += 1 }
                let run = column..<end
                column = end
                guard differences.count < options.maxValueDifferencesPerTensor else {
                    omitted += run.count
                    if omittedRows.last != row { omittedRows.append(row) }
                    continue
                }
                let rowLabel: Int? = actual.rank == 2 ? row : nil
                let wanted = expected[(base + run.lowerBound)..<(base + run.upperBound)]
                let got = actual.scalars[(base + run.lowerBound)..<(base + run.upperBound)]
                let kind: BatchMismatch.Kind = run.count == 1
                    ? .value(tensor: name, row: rowLabel, position: run.lowerBound, expected: wanted[wanted.startIndex], actual: got[got.startIndex])
                    : .values(tensor: name, row: rowLabel, positions: run, expected: Array(wanted), actual: Array(got))
                let place = name + (rowLabel.map { " row \($0)," } ?? "")
                    + (run.count == 1 ? " position \(run.lowerBound)" : " positions \(run.lowerBound)–\(run.upperBound - 1)")
                var lines = ["\(place): expected \(values(wanted, in: name)), got \(values(got, in: name))"]
                lines.append("  expected  " + window(expected[base..<(base + width)], run: run))
                lines.append("  got       " + window(actual.scalars[base..<(base + width)], run: run))
                if let context = context(tensor: name, actual: actual, row: row, run: run) {
                    lines.append("  context   " + context)
                }
                differences.append(.init(kind: kind, message: lines.joined(separator: "\n")))
            }
        }
        if omitted > 0 {
            let rows = " (row\(omittedRows.count == 1 ? "" : "s") \(omittedRows.map(String.init).joined(separator: ", ")))"
            differences.append(.init(
                kind: .moreValues(tensor: name, count: omitted, rows: omittedRows),
                message: "\(name): \(omitted) more differing element\(omitted == 1 ? "" : "s")\(rows)"))
        }
        return differences
    }

    /// An element of a float or bool tensor with its dtype: `0.5 (float32)`, `true (bool)`.
    static func typed(_ value: Double, _ dtype: Tensor.DType?) -> String {
        switch dtype {
        case .bool?: return "\(value != 0) (bool)"
        case .float32?:
            var text = ""
            JSONWriter.writeFloat32(Float(value), into: &text)
            return text + " (float32)"
        case .int64?, .int32?, nil: return "\(Int64(value)) (\(dtype?.rawValue ?? "integer"))"
        }
    }

    /// Element-by-element differences of a float or bool tensor (floats compared as `Float`).
    func typedValueDifferences(_ name: String, expected: TensorLiteral, actual: Tensor) -> [BatchMismatch.Difference] {
        guard let (_, wanted) = try? expected.shapeAndDoubles() else { return [] }
        let got = actual.doubles
        let width = actual.rank == 2 ? actual.shape[1] : max(got.count, 1)
        let expectedType = expected.impliedDType ?? (actual.dtype == .float32 ? .float32 : nil)
        var differences: [BatchMismatch.Difference] = []
        var omitted = 0
        var omittedRows: [Int] = []
        for index in 0..<min(wanted.count, got.count) {
            let same = actual.dtype == .float32 || expectedType == .float32
                ? Float(wanted[index]).bitPattern == Float(got[index]).bitPattern || (Float(wanted[index]) == Float(got[index]))
                : wanted[index] == got[index]
            guard !same else { continue }
            let row: Int? = actual.rank == 2 ? index / width : nil
            let position: Int? = actual.rank == 0 ? nil : index % width
            guard differences.count < options.maxValueDifferencesPerTensor else {
                omitted += 1
                if let row, omittedRows.last != row { omittedRows.append(row) }
                continue
            }
            let want = Self.typed(wanted[index], expectedType), have = Self.typed(got[index], actual.dtype)
            let place = name + (row.map { " row \($0)," } ?? "") + (position.map { " position \($0)" } ?? "")
            differences.append(.init(
                kind: .typedValue(tensor: name, row: row, position: position, expected: want, actual: have),
                message: "\(place): expected \(want), got \(have)"))
        }
        if omitted > 0 {
            differences.append(.init(
                kind: .moreValues(tensor: name, count: omitted, rows: omittedRows),
                message: "\(name): \(omitted) more differing element\(omitted == 1 ? "" : "s")"))
        }
        return differences
    }

    func shapeDifference(_ name: String, expectedShape: [Int], expectedScalars: [Int32], actual: Tensor) -> BatchMismatch.Difference {
        if actual.dtype == .float32 {
            let lines = [
                "\(name): expected shape \(expectedShape), got \(actual.shape) (float32)",
                "  got       " + actual.floats.prefix(24).map { String(describing: $0) }.joined(separator: ", "),
            ]
            return .init(kind: .shape(tensor: name, expected: expectedShape, actual: actual.shape), message: lines.joined(separator: "\n"))
        }
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
