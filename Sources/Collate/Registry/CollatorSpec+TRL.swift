extension CollatorSpec {
    /// The largest `pad_to_multiple_of` the TRL 1.x collators accept: 65,536 (real values are
    /// 8, 64 or 128). A bigger one times the batch size would allocate gigabytes per tensor.
    static let maximumPadMultiple = 1 << 16

    /// `pad_to_multiple_of` for `sft`, `reward` and `unpaired-preference`: a positive integer up
    /// to ``maximumPadMultiple``, or `nil` when absent or null.
    /// - Throws: ``SpecError`` naming the key for a wrong type or an unusable value.
    mutating func trlPadToMultipleOf() throws(SpecError) -> Int? {
        guard let multiple = try positiveInt("pad_to_multiple_of") else { return nil }
        guard multiple <= Self.maximumPadMultiple else {
            throw .invalidValue(key: "pad_to_multiple_of", value: String(multiple),
                                reason: "must be at most \(Self.maximumPadMultiple) (tensor cores want 8, 64 or 128); a larger multiple pads every row to it")
        }
        return multiple
    }
}
