#if canImport(Testing)
import Testing

extension FailureSink {
    /// Records failures as swift-testing issues at the caller's location.
    ///
    /// Available when the toolchain ships the Testing module (Swift 6 and later).
    public static var swiftTesting: FailureSink {
        FailureSink { message, location in
            Issue.record(
                Comment(rawValue: message),
                sourceLocation: SourceLocation(
                    fileID: location.fileID, filePath: String(describing: location.filePath),
                    line: Int(location.line), column: Int(location.column)))
        }
    }
}
#endif
