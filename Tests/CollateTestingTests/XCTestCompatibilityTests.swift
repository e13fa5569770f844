import Collate
import CollateTesting
import XCTest

/// CollateTesting under XCTest: the throwing assertions and a sink over `XCTFail`.
final class XCTestCompatibilityTests: XCTestCase {
    let batch = Batch(["input_ids": Tensor(shape: [1, 2], scalars: [5, 6])])

    func testThrowingAssertionPassesAndFails() throws {
        try assertBatch(batch, equals: ["input_ids": [[5, 6]]])
        XCTAssertThrowsError(try assertBatch(batch, equals: ["input_ids": [[5, 7]]])) { error in
            XCTAssertTrue(String(describing: error).contains("input_ids row 0, position 1: expected 7, got 6"))
        }
    }

    func testSinkOverXCTFail() {
        let sink = FailureSink { message, location in XCTFail(message, file: location.filePath, line: location.line) }
        XCTAssertTrue(expectBatch(batch, equals: ["input_ids": [[5, 6]]], sink: sink))
    }

    func testConformanceUnderXCTest() throws {
        try CollatorConformance.verify(LanguageModelingCollator(padTokenID: 0))
        XCTAssertThrowsError(try CollatorConformance.verify(LenientCollator()))
    }
}
