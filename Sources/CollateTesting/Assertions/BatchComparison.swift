import Collate

/// What ``checkBatch(_:equals:options:decode:)`` compares beyond the values of the expected tensors.
public struct BatchComparison: Sendable, Hashable {
    /// Whether tensors the expectation does not name are allowed (default: they are reported).
    public var allowsExtraTensors: Bool
    /// Whether the tensors must come in the expectation's order (HF key order; default: no).
    public var checksOrder: Bool
    /// How many differing elements of one tensor are spelled out; the rest are counted.
    public var maxValueDifferencesPerTensor: Int
    /// Tokens shown on each side of a differing position in the decoded context.
    public var contextRadius: Int
    /// Tensors whose values are token ids, decoded in messages when a decoder is given.
    public var tokenTensors: Set<String>

    /// Creates comparison options.
    public init(
        allowsExtraTensors: Bool = false, checksOrder: Bool = false, maxValueDifferencesPerTensor: Int = 3,
        contextRadius: Int = 6, tokenTensors: Set<String> = ["input_ids", "labels", "decoder_input_ids"]
    ) {
        self.allowsExtraTensors = allowsExtraTensors
        self.checksOrder = checksOrder
        self.maxValueDifferencesPerTensor = maxValueDifferencesPerTensor
        self.contextRadius = contextRadius
        self.tokenTensors = tokenTensors
    }

    /// The default: every tensor named, any order, three differences per tensor spelled out.
    public static var standard: BatchComparison { BatchComparison() }
}

/// Compares `batch` with `expected` and returns how they differ, or `nil` when they match.
///
/// - Parameters:
///   - batch: The batch a collator, transform or pipeline produced.
///   - expected: The expected tensors.
///   - options: What to compare beyond the expected values.
///   - decode: Turns a token id into its text (e.g. a tokenizer's `id_to_token`); when given,
///     messages show the differing tokens and the decoded `input_ids` around them.
/// - Returns: The differences, or `nil`.
/// - Complexity: O(*n*) in the number of elements compared.
public func checkBatch(
    _ batch: Batch, equals expected: ExpectedBatch, options: BatchComparison = .standard, decode: ((Int32) -> String)? = nil
) -> BatchMismatch? {
    var differences: [BatchMismatch.Difference] = []
    let renderer = _MismatchRenderer(batch: batch, options: options, decode: decode)
    for entry in expected.entries {
        if let problem = entry.problem {
            differences.append(.init(kind: .invalidExpectation(tensor: entry.name, reason: problem), message: "\(entry.name): invalid expectation: \(problem)"))
            continue
        }
        guard let actual = batch[entry.name] else {
            differences.append(.init(
                kind: .missingTensor(entry.name, available: batch.names),
                message: "\(entry.name): missing; the batch has \(batch.names.isEmpty ? "no tensors" : batch.names.joined(separator: ", "))"))
            continue
        }
        let expectedShape: [Int]
        let expectedScalars: [Int32]
        do {
            (expectedShape, expectedScalars) = try entry.literal.shapeAndScalars()
        } catch {
            differences.append(.init(kind: .invalidExpectation(tensor: entry.name, reason: error.description), message: "\(entry.name): invalid expectation: \(error)"))
            continue
        }
        if let dtype = entry.dtype ?? entry.literal.impliedDType, dtype != actual.dtype {
            differences.append(.init(
                kind: .dtype(tensor: entry.name, expected: dtype, actual: actual.dtype),
                message: "\(entry.name): expected dtype \(dtype.rawValue), got \(actual.dtype.rawValue)"))
        }
        guard expectedShape == actual.shape else {
            differences.append(renderer.shapeDifference(entry.name, expectedShape: expectedShape, expectedScalars: expectedScalars, actual: actual))
            continue
        }
        if actual.dtype == .float32 || entry.literal.impliedDType == .float32 {
            differences += renderer.typedValueDifferences(entry.name, expected: entry.literal, actual: actual)
        } else if actual.dtype == .bool || entry.literal.impliedDType == .bool {
            differences += renderer.typedValueDifferences(entry.name, expected: entry.literal, actual: actual)
        } else {
            differences += renderer.valueDifferences(entry.name, expected: expectedScalars, actual: actual)
        }
    }
    if !options.allowsExtraTensors {
        for (name, tensor) in zip(batch.names, batch.tensors) where expected[name] == nil {
            differences.append(.init(
                kind: .unexpectedTensor(name, shape: tensor.shape),
                message: "\(name): not expected, but the batch has it (shape \(tensor.shape)); add it to the expectation or compare with allowsExtraTensors"))
        }
    }
    if options.checksOrder {
        let expectedOrder = expected.names.filter(batch.contains)
        let actualOrder = batch.names.filter { expected[$0] != nil }
        if expectedOrder != actualOrder {
            differences.append(.init(
                kind: .order(expected: expectedOrder, actual: actualOrder),
                message: "tensor order: expected \(expectedOrder.joined(separator: ", ")), got \(actualOrder.joined(separator: ", "))"))
        }
    }
    return differences.isEmpty ? nil : BatchMismatch(differences: differences)
}

/// Compares `batch` with `expected` and throws how they differ.
///
/// Works under any test framework: in a swift-testing `@Test func ... throws` or an XCTest
/// `func test...() throws`, a mismatch fails the test with ``BatchMismatch/description`` as
/// the message.
///
/// ```swift
/// try assertBatch(batch, equals: ["input_ids": [[5, 6], [7, 0]], "labels": [[5, 6], [7, -100]]],
///                 options: .init(allowsExtraTensors: true), decode: { tokenizer.token(for: $0) })
/// ```
/// - Throws: ``BatchMismatch`` with every difference.
public func assertBatch(
    _ batch: Batch, equals expected: ExpectedBatch, options: BatchComparison = .standard, decode: ((Int32) -> String)? = nil
) throws(BatchMismatch) {
    if let mismatch = checkBatch(batch, equals: expected, options: options, decode: decode) { throw mismatch }
}

/// Compares `batch` with `expected` and reports a mismatch to `sink` at the caller's location,
/// without throwing: the form for `#expect`-style soft checks.
///
/// ```swift
/// expectBatch(batch, equals: expected, sink: .swiftTesting)                  // swift-testing
/// expectBatch(batch, equals: expected, sink: FailureSink { message, location in
///     XCTFail(message, file: location.filePath, line: location.line)         // XCTest
/// })
/// ```
/// - Returns: Whether the batch matched.
@discardableResult
public func expectBatch(
    _ batch: Batch, equals expected: ExpectedBatch, options: BatchComparison = .standard, decode: ((Int32) -> String)? = nil,
    sink: FailureSink, fileID: String = #fileID, filePath: StaticString = #filePath, line: UInt = #line, column: UInt = #column
) -> Bool {
    guard let mismatch = checkBatch(batch, equals: expected, options: options, decode: decode) else { return true }
    sink.record(mismatch.description, FailureLocation(fileID: fileID, filePath: filePath, line: line, column: column))
    return false
}
