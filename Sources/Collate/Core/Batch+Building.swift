extension Batch {
    /// Appends a tensor under a name the batch does not have yet, without searching the names.
    ///
    /// The collators build batches field by field; the subscript setter searches the names to
    /// replace in place, which made a batch of *f* fields cost O(*f*²) — 50,000 fields took
    /// seconds. The caller guarantees `name` is new (not checked: the check is the O(*f*) search).
    /// - Complexity: O(1) amortized.
    package mutating func _appendNew(_ name: String, _ tensor: Tensor) {
        names.append(name)
        tensors.append(tensor)
    }
}
