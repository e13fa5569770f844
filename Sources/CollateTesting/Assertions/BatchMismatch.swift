import Collate
import Foundation

/// How a batch differs from an ``ExpectedBatch``: every difference found, each with a message
/// that names the tensor, row and position, the expected and actual values and — when a
/// token decoder was given — the decoded tokens around it.
///
/// Thrown by ``assertBatch(_:equals:options:decode:)``, returned by
/// ``checkBatch(_:equals:options:decode:)``; its ``description`` is the failure message
/// under swift-testing and XCTest alike:
///
/// ```
/// batch differs from the expectation in 1 place:
///   labels row 1, position 10: expected -100, got 17 ("▁Paris")
///     expected  … -100 -100 -100 -100 -100 -100 [-100] 18 2
///     got       … -100 -100 -100 -100 -100 -100 [17] 18 2
///     context   … ▁the ▁capital ▁of ▁France ? [/INST] ⟦▁Paris⟧ . </s>   (input_ids row 1)
/// ```
///
/// Adjacent differing positions of a row are one difference (``Kind/values(tensor:row:positions:expected:actual:)``);
/// ``BatchComparison/maxValueDifferencesPerTensor`` of them are spelled out and the rest counted.
public struct BatchMismatch: Error, Sendable, Hashable {
    /// What differs.
    public enum Kind: Sendable, Hashable {
        /// The batch has no tensor with this name.
        case missingTensor(String, available: [String])
        /// The batch has a tensor the expectation does not name.
        case unexpectedTensor(String, shape: [Int])
        /// The tensors common to both come in a different order.
        case order(expected: [String], actual: [String])
        /// The tensor's shape differs.
        case shape(tensor: String, expected: [Int], actual: [Int])
        /// The tensor's element type differs.
        case dtype(tensor: String, expected: Tensor.DType, actual: Tensor.DType)
        /// One element differs. `row` is `nil` for tensors of rank 0 or 1; `position` is the
        /// column (rank 2), the index (rank 1) or `nil` (rank 0).
        case value(tensor: String, row: Int?, position: Int?, expected: Int32, actual: Int32)
        /// Adjacent elements of one row differ (`positions` is the run of columns, or indices for rank 1).
        case values(tensor: String, row: Int?, positions: Range<Int>, expected: [Int32], actual: [Int32])
        /// One float or bool element differs, each value written with its dtype
        /// (`0.5 (float32)`, `true (bool)`). `row` and `position` as for ``value(tensor:row:position:expected:actual:)``.
        case typedValue(tensor: String, row: Int?, position: Int?, expected: String, actual: String)
        /// More elements of the tensor differ than are spelled out.
        case moreValues(tensor: String, count: Int, rows: [Int])
        /// The backend received no batch `index` (it received `received`).
        case noBatch(index: Int, received: Int)
        /// The expectation is malformed (a ragged literal, rows naming different fields).
        case invalidExpectation(tensor: String, reason: String)
    }

    /// One difference and its rendered message.
    public struct Difference: Sendable, Hashable, CustomStringConvertible {
        /// What differs, as values a test can match on.
        public var kind: Kind
        /// The human-readable message (several lines for value differences).
        public var message: String

        /// Creates a difference.
        public init(kind: Kind, message: String) {
            self.kind = kind
            self.message = message
        }

        /// The message.
        public var description: String { message }
    }

    /// The differences, in the order of the expected tensors.
    public var differences: [Difference]

    /// Creates a mismatch.
    public init(differences: [Difference]) {
        self.differences = differences
    }

    /// The kinds of the differences, for matching in tests.
    public var kinds: [Kind] { differences.map(\.kind) }
}

extension BatchMismatch: CustomStringConvertible {
    /// Every difference, one block each, under a one-line summary.
    public var description: String {
        let places = differences.reduce(0) { total, difference in
            switch difference.kind {
            case .moreValues(_, let count, _): total + count
            case .values(_, _, let positions, _, _): total + positions.count
            default: total + 1
            }
        }
        let header = "batch differs from the expectation in \(places) place\(places == 1 ? "" : "s"):"
        let body = differences.map { difference in
            difference.message.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n")
        }
        return ([header] + body).joined(separator: "\n")
    }
}

extension BatchMismatch: LocalizedError {
    /// The same text as ``description``.
    public var errorDescription: String? { description }
}
