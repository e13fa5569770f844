/// Appends an end-of-sequence token to every example that does not already end with it.
///
/// The new position is trained: `labels` gets the EOS id (so the model learns to stop),
/// `attention_mask` gets 1, `position_ids` the next position, `special_tokens_mask` 1 (EOS is
/// special, so masked-LM never selects it), and any other sequence field aligned with
/// `input_ids` repeats its last value (`token_type_ids`, `assistant_masks`). Fields of another
/// length (a seq2seq target) are left alone.
///
/// Spec type `add-eos`; key `eos_token_id` (required).
public struct AddEOS: ExampleTransform, Hashable {
    /// The EOS token id.
    public var eosTokenID: Int32

    /// Creates the transform.
    public init(eosTokenID: Int32) {
        self.eosTokenID = eosTokenID
    }

    public var name: String { "add-eos" }

    public var description: String { "add-eos(eos_token_id: \(eosTokenID))" }

    /// Appends EOS unless `input_ids` is empty or already ends with it.
    /// - Complexity: O(*f* × *L*) in fields and length (one copy per aligned field).
    public func apply(to example: inout Example, index: Int) -> ExampleTransformOutcome {
        guard let tokens = example.sequence("input_ids"), let last = tokens.last, last != eosTokenID else { return .unchanged }
        for position in example.values.indices {
            guard case .sequence(var values) = example.values[position], values.count == tokens.count else { continue }
            switch example.names[position] {
            case "input_ids", "labels": values.append(eosTokenID)
            case "attention_mask", "special_tokens_mask": values.append(1)
            case "position_ids": values.append(values[values.count - 1] &+ 1)
            default: values.append(values[values.count - 1])
            }
            example.values[position] = .sequence(values)
        }
        return .modified
    }
}
