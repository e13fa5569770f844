/// Where a non-throwing check reports a failure: a closure that hands the message to the test
/// framework in use. CollateTesting itself depends on no test framework.
///
/// ```swift
/// // XCTest:
/// let sink = FailureSink { message, location in XCTFail(message, file: location.filePath, line: location.line) }
/// // swift-testing (built in when the Testing module is available):
/// let sink = FailureSink.swiftTesting
/// ```
public struct FailureSink: Sendable {
    /// Records one failure.
    public var record: @Sendable (_ message: String, _ location: FailureLocation) -> Void

    /// Creates a sink from a closure that records a failure.
    public init(_ record: @escaping @Sendable (_ message: String, _ location: FailureLocation) -> Void) {
        self.record = record
    }
}

/// The source location a failure is reported at: the caller of the check.
public struct FailureLocation: Sendable {
    /// `#fileID` of the caller (`Module/File.swift`).
    public var fileID: String
    /// `#filePath` of the caller, as XCTest's `file:` parameter wants it.
    public var filePath: StaticString
    /// The caller's line.
    public var line: UInt
    /// The caller's column.
    public var column: UInt

    /// Creates a location; the defaults are the caller's.
    public init(fileID: String = #fileID, filePath: StaticString = #filePath, line: UInt = #line, column: UInt = #column) {
        self.fileID = fileID
        self.filePath = filePath
        self.line = line
        self.column = column
    }
}
