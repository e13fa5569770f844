/// TRL 0.19 `DataCollatorForCompletionOnlyLM`'s template search and masking, on one row of
/// labels. The collator masks its batches with it and the validator predicts labels with it, so
/// the two can never disagree.
///
/// `templates[0]` is the response template; `templates[1]`, when present, the instruction
/// template (the order ``CollatorContract/requiredTemplates`` lists them in). The search runs
/// over `labels`, where pad-id positions are already the ignore index, exactly as TRL's does.
enum _TemplateSearch {
    /// The start of every occurrence of `template` in `row`, in order.
    /// - Complexity: O(*L* × *T*) worst case, O(*L*) typically.
    static func occurrences<Row: RandomAccessCollection<Int32>>(of template: [Int32], in row: Row) -> [Int] where Row.Index == Int {
        guard let head = template.first, template.count <= row.count else { return [] }
        var found: [Int] = []
        let base = row.startIndex
        for start in base...(base + row.count - template.count) where row[start] == head {
            var matches = true
            for offset in 1..<template.count where row[start + offset] != template[offset] {
                matches = false
                break
            }
            if matches { found.append(start - base) }
        }
        return found
    }

    /// Masks `row` as TRL does: without an instruction template, everything up to the end of the
    /// last response template; with one, every human turn; the whole row when a template is missing.
    /// - Complexity: O(*L* × *T*) worst case, O(*L*) typically.
    static func maskCompletion<Row: MutableCollection & RandomAccessCollection<Int32>>(
        _ row: inout Row, templates: [[Int32]], ignoreIndex: Int32
    ) where Row.Index == Int {
        guard let response = templates.first else { return }
        let base = row.startIndex, count = row.count
        func mask(_ range: Range<Int>) {
            for index in range.clamped(to: 0..<count) { row[base + index] = ignoreIndex }
        }
        // An empty template matches nowhere: the row is masked, never trained whole.
        guard !response.isEmpty else { return mask(0..<count) }
        let responseStarts = occurrences(of: response, in: row)
        guard templates.count > 1, !templates[1].isEmpty else {
            guard let last = responseStarts.last else { return mask(0..<count) }
            return mask(0..<(last + response.count))
        }
        let instruction = templates[1]
        let responseEnds = responseStarts.map { $0 + response.count }
        if responseEnds.isEmpty { mask(0..<count) }
        // TRL searches for the instruction template after the masking above.
        var humanStarts = occurrences(of: instruction, in: row)
        if humanStarts.isEmpty { mask(0..<count) }
        if let firstHuman = humanStarts.first, let firstResponse = responseEnds.first, firstHuman > firstResponse {
            humanStarts.insert(0, at: 0)
        }
        for (turn, (start, end)) in zip(humanStarts, responseEnds).enumerated() {
            mask(turn == 0 ? 0..<end : start..<max(start, end))
        }
        if responseEnds.count < humanStarts.count, let lastHuman = humanStarts.last {
            mask(lastHuman..<count)
        }
    }
}
