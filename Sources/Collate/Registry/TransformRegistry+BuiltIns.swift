extension TransformRegistry {
    /// The built-in transform types and their factories.
    static let builtIns: [String: Registration] = [
        "truncate": Registration(keys: ["max_length", "side"]) { spec in
            guard let maxLength = try spec.positiveInt("max_length") else {
                throw SpecError.invalidValue(key: "max_length", value: "null", reason: "truncate needs the longest length to keep, a positive integer")
            }
            let side: Truncate.Side
            switch try spec.string("side") {
            case nil: side = .keepStart
            case let text?:
                guard let parsed = Truncate.Side(rawValue: text) else {
                    throw SpecError.invalidValue(key: "side", value: "\"\(text)\"", reason: "must be \"keep_start\" or \"keep_end\"")
                }
                side = parsed
            }
            return .example(Truncate(maxLength: maxLength, side: side))
        },
        "add-eos": Registration(keys: ["eos_token_id"]) { spec in
            guard let eos = try spec.int32("eos_token_id") else {
                throw SpecError.invalidValue(key: "eos_token_id", value: "null", reason: "add-eos needs the tokenizer's EOS id")
            }
            return .example(AddEOS(eosTokenID: eos))
        },
        "drop-empty": Registration(keys: []) { _ in .example(DropEmpty()) },
        "drop-untrainable": Registration(keys: ["ignore_index"]) { spec in
            .example(DropUntrainable(ignoreIndex: try spec.int32("ignore_index", default: ignoreIndex) ?? ignoreIndex))
        },
        "pad-to-multiple": Registration(keys: ["multiple", "pad_token_id", "label_pad_token_id", "padding_side"]) { spec in
            guard let multiple = try spec.positiveInt("multiple") else {
                throw SpecError.invalidValue(key: "multiple", value: "null", reason: "pad-to-multiple needs a positive multiple, e.g. 8")
            }
            return .batch(PadToMultiple(
                multiple: multiple,
                padTokenID: try spec.int32("pad_token_id", default: 0) ?? 0,
                labelPadTokenID: try spec.int32("label_pad_token_id", default: ignoreIndex) ?? ignoreIndex,
                side: try spec.paddingSide()))
        },
        "position-ids": Registration(keys: ["overwrite"]) { spec in
            .batch(PositionIDs(overwrite: try spec.bool("overwrite", default: false)))
        },
        "num-items-in-batch": Registration(keys: ["ignore_index"]) { spec in
            .batch(NumItemsInBatch(ignoreIndex: try spec.int32("ignore_index", default: ignoreIndex) ?? ignoreIndex))
        },
    ]
}
