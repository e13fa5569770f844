/// `left-padding-in-training`: the collator pads on the left while the backend requires
/// `labels` (the pipeline trains).
public struct LeftPaddingInTrainingRule: ValidationRule {
    /// Creates the rule.
    public init() {}

    public var code: Diagnostic.Code { .leftPaddingInTraining }

    public func check(_ context: ValidationContext) -> [Diagnostic] {
        guard context.backend.requiresLabels, case .padded(.left, _, _) = context.collator.layout else { return [] }
        return [.leftPadding(context.collator)]
    }
}

extension Diagnostic {
    fileprivate static func leftPadding(_ collator: CollatorContract) -> Diagnostic {
        Diagnostic(.leftPaddingInTraining, message:
            "\(collator.phrase) pads on the left while the backend trains (it requires labels): left padding is for batched "
            + "generation; in training, models that number positions 0..L-1 start every left-padded row at the wrong position, "
            + "and fused attention kernels assume right padding, so the loss differs from the same examples unpadded. "
            + "Fix: set padding_side \"right\" for training (keep \"left\" for generation).")
    }
}
