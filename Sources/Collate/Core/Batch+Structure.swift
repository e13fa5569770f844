// What every batch must look like whatever collator made it: the checks behind MalformedBatchError.

extension Batch {
    /// Token tensors that must hold integers: ids, positions and token types.
    static func holdsTokenIDs(_ name: String) -> Bool {
        name == "input_ids" || name.hasSuffix("_input_ids") || name == "position_ids" || name == "token_type_ids"
    }

    /// Tensors that HF aligns position for position with `input_ids`.
    static let alignedWithInputIDs: Set<String> = ["attention_mask", "token_type_ids", "position_ids", "special_tokens_mask"]

    /// The ways this batch breaks what every model-ready batch must be, first found first
    /// (empty when it is well formed).
    ///
    /// Checked: the batch holds a tensor; `input_ids` is present when the contract produces it;
    /// no float tensor holds NaN or an infinity; ids, positions and token types (`input_ids`,
    /// `*_input_ids`, `position_ids`, `token_type_ids`) and token `labels` (rank 2 or more) are
    /// `int64` or `int32`; `attention_mask` is not `float32`; `input_ids` is `[rows, L]` — one row
    /// per example (``CollatorContract/rowsPerExample`` rows) in a padded layout, one row in a
    /// padding-free one; `attention_mask`, `token_type_ids`, `position_ids` and
    /// `special_tokens_mask` have `input_ids`' shape; `labels` has `input_ids`' first dimension;
    /// `input_ids` has at least one position.
    ///
    /// Token tensors of rank 3 (HF's multiple-choice `[B, C, L]`) are refused: the validator,
    /// the inspector and the exporters read `[rows, L]`; a multiple-choice collator flattens the
    /// choices into rows (`[B × C, L]`, `rowsPerExample: C`) and the model reshapes them.
    /// - Parameters:
    ///   - contract: The contract of the collator that made the batch.
    ///   - exampleCount: How many examples (or packed rows) it was given.
    /// - Returns: One error per problem, each naming the collator and the tensor.
    /// - Complexity: O(*n*) in the float elements, O(*t*) in the tensors otherwise.
    public func structuralProblems(contract: CollatorContract, exampleCount: Int) -> [MalformedBatchError] {
        var found: [MalformedBatchError] = []
        func report(_ tensor: String?, _ problem: String) {
            found.append(MalformedBatchError(collator: contract.name, tensor: tensor, problem: problem))
        }
        guard !names.isEmpty else {
            report(nil, "it holds no tensor at all (the contract produces \(contract.producedFields.joined(separator: ", ")))")
            return found
        }
        if contract.producedFields.contains("input_ids"), !contains("input_ids") {
            report("input_ids", "is missing, although the contract lists it in producedFields (the batch holds \(names.joined(separator: ", ")))")
        }
        for (name, tensor) in zip(names, tensors) {
            if tensor.dtype == .float32, let flat = tensor.floats.firstIndex(where: { !$0.isFinite }) {
                report(name, "holds \(tensor.floats[flat]) at \(Self.position(of: flat, in: tensor.shape)); every float a model reads must be finite")
            }
            let integer = tensor.dtype == .int64 || tensor.dtype == .int32
            let tokenLabels = name == "labels" && tensor.rank >= 2 && contract.labelSource != .sequenceClassLabels   // multi-label classes may be floats
            if Self.holdsTokenIDs(name) || tokenLabels, !integer {
                report(name, "is \(tensor.dtype.rawValue); token ids, positions and token labels must be int64 (or int32): "
                       + "build it with Tensor(shape:scalars:) or PaddingOptions.pad / padLabels")
            }
            if name.hasSuffix("attention_mask"), tensor.dtype == .float32 {
                report(name, "is float32; an attention mask holds 0 and 1 as int64")
            }
        }
        guard let inputs = self["input_ids"] else { return found }
        let rows: Int? = switch contract.layout {
        case .padded: exampleCount * max(contract.rowsPerExample, 1)
        case .paddingFree: 1
        }
        let layout = contract.layout == .paddingFree ? "a padding-free batch's input_ids is [1, total tokens]"
            : contract.rowsPerExample > 1 ? "a padded batch's input_ids is [rows, L] with \(contract.rowsPerExample) rows per example"
            : "a padded batch's input_ids is [rows, L], one row per example"
        if inputs.rank != 2 {
            let hint = inputs.rank == 3 ? " (for multiple choice, flatten the choices into rows — [B × C, L] with rowsPerExample: C — and reshape in the model)" : ""
            report("input_ids", "has shape \(inputs.shape) but \(layout)\(hint)")
            return found
        }
        if inputs.shape[1] == 0, exampleCount > 0 {
            report("input_ids", "has shape \(inputs.shape): no position at all for \(exampleCount) example\(exampleCount == 1 ? "" : "s")")
        }
        if let rows, inputs.shape[0] != rows {
            report("input_ids", "has \(inputs.shape[0]) rows for \(exampleCount) example\(exampleCount == 1 ? "" : "s"); \(layout)")
        }
        for name in names where Self.alignedWithInputIDs.contains(name) {
            guard let tensor = self[name], tensor.shape != inputs.shape else { continue }
            report(name, "has shape \(tensor.shape) but input_ids has \(inputs.shape); it must be aligned with input_ids position for position")
        }
        if let labels = self["labels"], labels.rank >= 1, labels.shape[0] != inputs.shape[0] {
            report("labels", "has shape \(labels.shape) but input_ids has \(inputs.shape); labels need one row (or one class label) per input_ids row")
        }
        return found
    }

    /// Throws the first structural problem of the batch (``structuralProblems(contract:exampleCount:)``).
    /// - Parameters:
    ///   - contract: The contract of the collator that made the batch.
    ///   - exampleCount: How many examples (or packed rows) it was given.
    /// - Throws: ``MalformedBatchError`` naming the collator, the tensor and the problem.
    /// - Complexity: O(*n*) in the float elements.
    public func checkStructure(contract: CollatorContract, exampleCount: Int) throws(MalformedBatchError) {
        if let first = structuralProblems(contract: contract, exampleCount: exampleCount).first { throw first }
    }

    /// `[i, j, ...]` of a flat index in a tensor of `shape`.
    static func position(of flat: Int, in shape: [Int]) -> String {
        var rest = flat
        var indices = [Int](repeating: 0, count: shape.count)
        for axis in shape.indices.reversed() where shape[axis] > 0 {
            indices[axis] = rest % shape[axis]
            rest /= shape[axis]
        }
        return "[" + indices.map(String.init).joined(separator: ", ") + "]"
    }
}
