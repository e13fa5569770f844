import Collate

extension CollatorConformance {
    /// Sample batches that satisfy `contract`, built from what it declares: every required
    /// field, then (in the later batches) every optional field the suite knows how to fill.
    /// A field with a declared kind (``Collate/CollatorContract/fieldKinds``) gets a value of
    /// that kind: an `.integer` field one integer between 0 and the example's length, varied
    /// across examples.
    ///
    /// Token ids avoid the pad id, the label-masking id, the ignore index and the template ids,
    /// so masking can be told apart from copying. When the contract requires templates (a
    /// completion collator), each example is `instruction? + prompt + response + completion`
    /// with the first template as the response and the second, if any, as the instruction.
    /// Lengths never exceed ``Collate/CollatorContract/fixedLength``.
    ///
    /// Batches: three ragged examples and one single example with required fields only; three
    /// ragged and two equal-length examples with optional fields as well.
    /// - Complexity: O(*n*) in the tokens generated (a few dozen).
    public static func samples(for contract: CollatorContract) -> [[Example]] {
        var excluded: Set<Int32> = [contract.ignoreIndex, Collate.ignoreIndex]
        if case .padded(_, let padID, _) = contract.layout { excluded.insert(padID) }
        if let masked = contract.labelMaskingTokenID { excluded.insert(masked) }
        for template in contract.requiredTemplates { excluded.formUnion(template) }
        var next: Int32 = 11
        func filler(_ count: Int) -> [Int32] {
            (0..<count).map { _ in
                while excluded.contains(next) { next += 1 }
                defer { next += 1 }
                return next
            }
        }
        func tokens(_ length: Int, _ variant: Int) -> [Int32] {
            guard let response = contract.requiredTemplates.first else {
                return filler(min(length, contract.fixedLength ?? length))
            }
            let instruction = contract.requiredTemplates.count > 1 ? contract.requiredTemplates[1] : []
            let prompt = 1 + variant % 3
            let completion = 1 + (variant + 1) % 3
            return instruction + filler(prompt) + response + filler(completion)
        }
        func example(_ length: Int, _ variant: Int, full: Bool) -> Example {
            let ids = tokens(length, variant)
            var example = Example(inputIDs: ids)
            let wantsLabels = contract.labelSource == .examples || contract.labelSource == .examplesOrInputIDs
            for field in contract.requiredFields where field != "input_ids" {
                example[field] = value(of: field, for: ids, variant: variant, contract: contract)
            }
            guard full else { return example }
            for field in contract.optionalFields where example[field] == nil {
                if contract.fieldKinds[field] != nil {
                    example[field] = value(of: field, for: ids, variant: variant, contract: contract)
                    continue
                }
                switch field {
                case "labels" where wantsLabels, "attention_mask", "token_type_ids", "special_tokens_mask":
                    example[field] = value(of: field, for: ids, variant: variant, contract: contract)
                case "label" where contract.labelSource == .sequenceClassLabels:
                    example[field] = .scalar(Int32(variant % 2))
                default:
                    continue
                }
            }
            return example
        }
        return [
            [example(4, 0, full: false), example(7, 1, full: false), example(2, 2, full: false)],
            [example(5, 3, full: false)],
            [example(3, 4, full: true), example(6, 5, full: true), example(1, 6, full: true)],
            [example(3, 7, full: true), example(3, 7, full: true)],
        ]
    }

    /// A plausible value of `field` for an example whose `input_ids` are `ids`: of the kind the
    /// contract declares in ``Collate/CollatorContract/fieldKinds``, else by the field's name
    /// (a sequence aligned with `ids`).
    static func value(of field: String, for ids: [Int32], variant: Int, contract: CollatorContract) -> Example.Value {
        if let kind = contract.fieldKinds[field] {
            switch kind {
            case .alignedTokens: return .sequence(ids.map { 2_000 + $0 })
            case .alignedMask: return .sequence(ids.indices.map { Int32(($0 + variant) % 3 == 0 ? 0 : 1) })
            case .sequence: return .sequence((0..<(1 + (ids.count + variant) % 4)).map { Int32(3_000 + $0 + variant) })
            // 0 through the example's length, varied across samples: a count or an index into input_ids.
            case .integer: return .scalar(Int32(variant % (ids.count + 1)))
            case .float: return .float(Float(variant) / 4)
            case .bool: return .bool(variant % 2 == 0)
            }
        }
        switch field {
        case "labels":
            // Distinct from input_ids so a collator copying input_ids instead is caught; the
            // first position masked, as a prompt would be.
            return .sequence(ids.indices.map { $0 == 0 ? contract.ignoreIndex : 1_000 + ids[$0] })
        case "attention_mask":
            return .sequence(Array(repeating: 1, count: ids.count))
        case "token_type_ids", "special_tokens_mask":
            return .sequence(Array(repeating: 0, count: ids.count))
        default:
            return .sequence(Array(repeating: 1, count: ids.count))
        }
    }
}
