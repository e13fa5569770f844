/// Turns a list of examples into one batch.
///
/// A collator is a value: configure it, then call ``collate(_:)`` from any thread. It also
/// declares a ``CollatorContract`` (what it needs and makes), which the validator reads.
///
/// ```swift
/// let collator = LanguageModelingCollator(padTokenID: 0)
/// let batch = try collator.collate([Example(inputIDs: [5, 6, 7]), Example(inputIDs: [8])])
/// // batch["labels"] == [[5, 6, 7], [8, -100, -100]]
/// ```
///
/// `collate` throws ``CollateError`` and nothing else (`throws(CollateError)`), so a caller's
/// `catch` sees a `CollateError` without a cast.
public protocol Collator<Output>: Sendable {
    /// What the collator produces; ``Batch`` for every built-in collator.
    associatedtype Output: Sendable = Batch

    /// What the collator requires of examples and produces.
    var contract: CollatorContract { get }

    /// Builds one batch.
    ///
    /// The error type is fixed, so callers handle one type without casting. A collator with a
    /// failure of its own that no other case describes throws
    /// ``CollateError/collatorFailed(collator:example:reason:)``, naming the example when it can.
    /// - Parameter examples: The examples of one batch, in order.
    /// - Returns: The batch.
    /// - Throws: ``CollateError`` naming the example and field when the examples do not fit.
    func collate(_ examples: [Example]) throws(CollateError) -> Output
}
