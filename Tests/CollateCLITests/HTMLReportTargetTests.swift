import Foundation
import Testing

/// `inspect --html PATH` wrote with an atomic rename, which replaced a symlink with a regular
/// file (leaving the linked file old) and a FIFO or device node with a regular file. It now
/// writes through links and refuses targets that are not regular files.
@Suite struct HTMLReportTargetTests {
    static let bad = CollateProcess.fixtures.appendingPathComponent("bad")

    static func inspect(html path: String) throws -> CollateProcess.Result {
        try CollateProcess.run(["inspect", "--spec", bad.appendingPathComponent("support/lm-spec.json").path,
                                "--input", bad.appendingPathComponent("support/examples.jsonl").path, "--html", path])
    }

    static func type(_ path: String) -> mode_t {
        var status = stat()
        return lstat(path, &status) == 0 ? status.st_mode & S_IFMT : 0
    }

    @Test func aSymlinkIsWrittenThroughAndStaysALink() throws {
        let directory = try CollateProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let target = directory.appendingPathComponent("reports/report.html")
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        try "old".write(to: target, atomically: true, encoding: .utf8)
        let link = directory.appendingPathComponent("latest.html")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: "reports/report.html")

        let result = try Self.inspect(html: link.path)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(Self.type(link.path) == S_IFLNK, "the link was replaced by a file")
        let written = try String(contentsOf: target, encoding: .utf8)
        #expect(written.hasPrefix("<!DOCTYPE html>") || written.contains("<html"), "the linked file was not written")

        // A link to a file not made yet creates it.
        let dangling = directory.appendingPathComponent("next.html")
        try FileManager.default.createSymbolicLink(atPath: dangling.path, withDestinationPath: "reports/next.html")
        #expect(try Self.inspect(html: dangling.path).status == 0)
        #expect(Self.type(dangling.path) == S_IFLNK)
        #expect(Self.type(directory.appendingPathComponent("reports/next.html").path) == S_IFREG)
    }

    @Test func aFIFOOrFolderIsRefusedAndLeftAlone() throws {
        let directory = try CollateProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let fifo = directory.appendingPathComponent("report.fifo").path
        try #require(mkfifo(fifo, 0o644) == 0)
        let result = try Self.inspect(html: fifo)
        #expect(result.status == 1)
        #expect(result.stderr.contains("cannot write \(fifo): it is a FIFO (named pipe), not a regular file"), "\(result.stderr)")
        #expect(Self.type(fifo) == S_IFIFO, "the FIFO was replaced")

        let folder = directory.appendingPathComponent("folder").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let link = directory.appendingPathComponent("to-folder.html").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: folder)
        let refused = try Self.inspect(html: link)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("cannot write \(folder): it is a folder, not a regular file"), "\(refused.stderr)")
        #expect(Self.type(link) == S_IFLNK)
    }
}
