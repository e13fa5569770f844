import CollateData
import CollateTokenizers
import Foundation
import Synchronization

/// Reading the files a command names — specs, tokenizers, conversation files — as streams, with
/// errors that name the path and the cause.
///
/// A spec or tokenizer may come from a pipe: `--spec <(jq . lm.json)`, `--spec /dev/stdin`, a
/// FIFO. `FileManager.contents(atPath:)` and `Data(contentsOf:)` read those as empty or fail,
/// and they report a directory, a missing file and an I/O error alike ("check the path") or as
/// a raw `NSError` domain and code. These helpers read with `read(2)` until end of file and say
/// which it was: no such file, permission denied, a directory, an I/O error.
enum FileReading {
    /// The largest file read whole: 1 GiB (a large tokenizer.json is about 20 MB).
    static let maximumSize = 1 << 30

    /// Reads the whole file at `path` (a regular file, FIFO, pipe or character device).
    /// - Parameters:
    ///   - path: The path as the user gave it; `-` reads standard input.
    ///   - kind: What the file is, for messages: `spec file`, `tokenizer file`.
    /// - Returns: The file's bytes.
    /// - Throws: ``InputError`` naming `path` and the cause.
    static func bytes(atPath path: String, kind: String) throws(InputError) -> [UInt8] {
        let descriptor: Int32
        if path == "-" {
            descriptor = dup(STDIN_FILENO)
        } else {
            descriptor = open(path, O_RDONLY | O_CLOEXEC)
        }
        guard descriptor >= 0 else { throw failure(path, kind: kind, code: errno) }
        defer { _ = close(descriptor) }
        if isDirectory(descriptor) {
            throw InputError(file: path, line: nil, reason: "is a directory, not a \(kind); give the path of the file itself")
        }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { buffer -> Int in
                while true {
                    let count = read(descriptor, buffer.baseAddress, buffer.count)
                    if count < 0, errno == EINTR { continue }
                    return count
                }
            }
            if count < 0 { throw failure(path, kind: kind, code: errno) }
            if count == 0 { return result }
            guard result.count + count <= maximumSize else {
                throw InputError(file: path, line: nil, reason: "the \(kind) is larger than \(maximumSize) bytes; is it the right file?")
            }
            result.append(contentsOf: chunk[..<count])
        }
    }

    /// Reads the whole file at `path` as `Data` (`-` is standard input).
    /// - Throws: ``InputError`` naming `path` and the cause.
    static func data(atPath path: String, kind: String) throws(InputError) -> Data {
        Data(try bytes(atPath: path, kind: kind))
    }

    /// Loads a tokenizer: a `tokenizer.json` file or a folder holding one, as
    /// `PretrainedTokenizer(contentsOf:)` does, and also a stream (`<(cat tokenizer.json)`, a
    /// FIFO, `/dev/stdin`), read whole and parsed.
    /// - Throws: ``InputError`` when a stream cannot be read; `TokenizerJSONError` otherwise.
    static func tokenizer(path: String) throws -> PretrainedTokenizer {
        var status = stat()
        if path == "-" || (stat(path, &status) == 0 && !isRegularFileOrDirectory(status)) {
            return try PretrainedTokenizer(data: data(atPath: path, kind: "tokenizer file"), file: path)
        }
        return try PretrainedTokenizer(contentsOf: URL(fileURLWithPath: path))
    }

    /// A path the pipeline can open more than once: `path` itself for a regular file or a
    /// folder or device, else (a FIFO, a piped `/dev/stdin`, `<(...)`) a temporary file holding the
    /// stream's bytes.
    ///
    /// The pipeline reads some files twice (the data file's first line decides its format), and
    /// a stream gives its bytes only once. A spec is checked here too, so a folder or a missing
    /// spec is named with its cause.
    /// - Parameters:
    ///   - path: The path as the user gave it.
    ///   - kind: What the file is, for messages: `spec file`, `pipeline file`, `JSON Lines file`.
    /// - Throws: ``InputError`` naming `path` and the cause.
    static func reopenablePath(_ path: String, kind: String) throws(InputError) -> String {
        var status = stat()
        // Missing, a regular file, a folder or a device (`/dev/zero`, a terminal): the reader
        // opens it itself and names what is wrong. Only pipes and sockets give their bytes once.
        guard stat(path, &status) == 0 else { return path }
        let type = status.st_mode & S_IFMT
        guard type == S_IFIFO || type == S_IFSOCK else { return path }
        let bytes = try bytes(atPath: path, kind: kind)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("collate-stream-\(UUID().uuidString)")
        let copy = directory.appendingPathComponent((path as NSString).lastPathComponent)
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try Data(bytes).write(to: copy)
        } catch {
            throw InputError(file: path, line: nil, reason: "cannot copy the stream into a temporary file: \(error.localizedDescription)")
        }
        streamCopies.withLock { $0.append(directory.path) }
        return copy.path
    }

    /// Checks that a spec path names a readable file (not a folder), with the cause when not.
    /// - Throws: ``InputError`` naming `path` and the cause.
    static func checkSpec(_ path: String) throws(InputError) {
        var status = stat()
        guard stat(path, &status) == 0 else { throw failure(path, kind: "spec file", code: errno) }
        if (status.st_mode & S_IFMT) == S_IFDIR {
            throw InputError(file: path, line: nil, reason: "is a directory, not a spec file; give the path of the file itself")
        }
    }

    /// Temporary copies of streams, removed when the process exits.
    private static let streamCopies: Mutex<[String]> = {
        atexit {
            FileReading.streamCopies.withLock { copies in
                for path in copies { try? FileManager.default.removeItem(atPath: path) }
            }
        }
        return Mutex([])
    }()

    // MARK: - Internals

    static func failure(_ path: String, kind: String, code: Int32) -> InputError {
        let hint: String = switch code {
        case ENOENT: "; check the path"
        case EACCES: "; check the file's permissions"
        case EISDIR: "; give the path of the file itself"
        default: ""
        }
        return InputError(file: path, line: nil, reason: "cannot read the \(kind): \(String(cString: strerror(code)))\(hint)")
    }

    static func isDirectory(_ descriptor: Int32) -> Bool {
        var status = stat()
        return fstat(descriptor, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR
    }

    static func isRegularFileOrDirectory(_ status: stat) -> Bool {
        let type = status.st_mode & S_IFMT
        return type == S_IFREG || type == S_IFDIR
    }
}
