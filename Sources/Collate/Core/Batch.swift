/// A model-ready batch: named tensors in order, with HF's field names.
///
/// Scalars such as `max_length_q` are 0-dimensional tensors. The order of the names is the
/// order HF's collator returns its keys in, so a printed batch reads like the reference.
public struct Batch: Sendable, Hashable {
    /// Tensor names in order.
    public internal(set) var names: [String] = []
    /// Tensors, parallel to ``names``.
    public internal(set) var tensors: [Tensor] = []

    /// Creates an empty batch.
    public init() {}

    /// Creates a batch from named tensors in order.
    public init(_ entries: KeyValuePairs<String, Tensor>) {
        for (name, tensor) in entries { self[name] = tensor }
    }

    /// The tensor named `name`, or `nil`. Setting replaces in place, appends a new name at the
    /// end, or removes with `nil`.
    public subscript(name: String) -> Tensor? {
        get {
            guard let index = names.firstIndex(of: name) else { return nil }
            return tensors[index]
        }
        set {
            if let index = names.firstIndex(of: name) {
                if let newValue {
                    tensors[index] = newValue
                } else {
                    names.remove(at: index)
                    tensors.remove(at: index)
                }
            } else if let newValue {
                names.append(name)
                tensors.append(newValue)
            }
        }
    }

    /// Whether the batch has a tensor named `name`.
    public func contains(_ name: String) -> Bool { names.contains(name) }

    /// The number of tokens in `input_ids` (all positions, padding included).
    public var tokenCount: Int { self["input_ids"]?.scalars.count ?? 0 }
}
