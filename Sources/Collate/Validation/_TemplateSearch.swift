/// TRL 0.19 `DataCollatorForCompletionOnlyLM`'s template search and masking, on one row of labels.
///
/// `templates[0]` is the response template; `templates[1]`, when present, the instruction
/// template (the order ``CollatorContract/requiredTemplates`` lists them in). The search runs
/// over `labels`, where pad-id positions are already the ignore index, exactly as TRL's does.
enum _TemplateSearch {
    /// The start of every occurrence of `template` in `row`, in order.
    /// - Complexity: O(*L* × *T*) worst case, O(*L*) typically.
    static func occurrences(of template: [Int32], in row: [Int32]) -> [Int] {
        guard let head = template.first, template.count <= row.count else { return [] }
        var found: [Int] = []
        for start in 0...(row.count - template.count) where row[start] == head {
            var matches = true
            for offset in 1..<template.count where row[start + offset] != template[offset] {
                matches = false
                break
            }
            if matches { found.append(start) }
        }
        return found
    }

    /// Masks `row` as TRL does: without an instruction template, everything up to the end of the
    /// last response template; with one, every human turn; the whole row when a template is missing.
    static func maskCompletion(_ row: inout [Int32], templates: [[Int32]], ignoreIndex: Int32) {
        guard let response = templates.first, !response.isEmpty else { return }
        func mask(_ range: Range<Int>) {
            for index in range.clamped(to: 0..<row.count) { row[index] = ignoreIndex }
        }
        let responseStarts = occurrences(of: response, in: row)
        guard templates.count > 1, !templates[1].isEmpty else {
            guard let last = responseStarts.last else { return mask(0..<row.count) }
            return mask(0..<(last + response.count))
        }
        let instruction = templates[1]
        let responseEnds = responseStarts.map { $0 + response.count }
        if responseEnds.isEmpty { mask(0..<row.count) }
        var humanStarts = occurrences(of: instruction, in: row)
        if humanStarts.isEmpty { mask(0..<row.count) }
        if let firstHuman = humanStarts.first, let firstResponse = responseEnds.first, firstHuman > firstResponse {
            humanStarts.insert(0, at: 0)
        }
        for (turn, (start, end)) in zip(humanStarts, responseEnds).enumerated() {
            mask(turn == 0 ? 0..<end : start..<max(start, end))
        }
        if responseEnds.count < humanStarts.count, let lastHuman = humanStarts.last {
            mask(lastHuman..<row.count)
        }
    }
}
