@testable import CollateData
import Foundation
import Testing

/// What `collate export --out` may be given that is not a folder: each refused with the path
/// and what to do, before any shard is written.
@Suite("Export output paths")
struct ExportOutputPathTests {
    /// Found by attack: a dangling symbolic link as `--out` (or as a folder above it) made
    /// `mkdir` fail with EEXIST, which was taken for "the folder exists", and the export then
    /// failed to take its lock with "No such file or directory; check the folder's
    /// permissions", naming neither the link nor the fix.
    @Test(arguments: ["", "/inner"])
    func aDanglingLinkIsNamed(_ below: String) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("collate-outpath-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let link = directory.appendingPathComponent("out")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: directory.path + "/missing")
        let target = URL(fileURLWithPath: link.path + below)
        let error = #expect(throws: AtomicFile.WriteError.self) { try ShardExporter.makeFolder(target) }
        #expect(error?.description.contains("\(link.path): it is a symbolic link to a missing path") == true, "\(String(describing: error))")
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/missing"))
    }

    /// A link to an existing folder is followed, as before.
    @Test func aLinkToAFolderIsFollowed() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("collate-outpath-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("real"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let link = directory.appendingPathComponent("out")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: directory.path + "/real")
        try ShardExporter.makeFolder(URL(fileURLWithPath: link.path + "/sub"))
        #expect(FileManager.default.fileExists(atPath: directory.path + "/real/sub"))
    }

    /// A file where the folder should be is refused, naming it.
    @Test func aFileIsRefused() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("collate-outpath-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("file")
        try Data("x".utf8).write(to: file)
        let error = #expect(throws: AtomicFile.WriteError.self) { try ShardExporter.makeFolder(file.appendingPathComponent("sub")) }
        #expect(error?.description.contains("it exists and is not a folder") == true, "\(String(describing: error))")
    }
}
