import Collate
import Foundation

/// Reads a JSON Lines file line by line without loading it whole.
///
/// Lines end with `\n`; a trailing `\r` (CRLF files) and a UTF-8 byte-order mark at the start
/// of the file are dropped; blank lines are skipped (as HF `datasets` does) but still counted,
/// so line numbers in errors match an editor's.
///
/// The file is read as a stream, so a pipe, a FIFO, `/dev/stdin` or a process substitution
/// (`--input <(zcat data.jsonl.gz)`) works like a regular file. One line may be at most
/// ``maximumLineLength`` bytes: a file without newlines (`/dev/zero`, a binary file, a 2 GB
/// JSON array) is an error naming the line instead of a buffer that grows until the process
/// is killed.
public struct JSONLinesReader: Sendable {
    /// The file's URL.
    public let url: URL
    /// Size of each read from disk.
    public var chunkSize = 1 << 20
    /// The longest line accepted, in bytes (newline excluded); see ``defaultMaximumLineLength``.
    public var maximumLineLength: Int

    /// The default line limit: 256 MiB, or the value of the environment variable
    /// `COLLATE_MAX_LINE_BYTES` when it is set to a positive integer (so every `collate`
    /// command can read longer lines without a flag).
    public static var defaultMaximumLineLength: Int {
        if let text = ProcessInfo.processInfo.environment["COLLATE_MAX_LINE_BYTES"], let value = Int(text), value > 0 { return value }
        return 256 << 20
    }

    /// Creates a reader for the file at `url`.
    /// - Parameters:
    ///   - url: The file (or FIFO, pipe, `/dev/stdin`).
    ///   - maximumLineLength: The longest line accepted, in bytes; ``defaultMaximumLineLength`` when `nil`.
    public init(url: URL, maximumLineLength: Int? = nil) {
        self.url = url
        self.maximumLineLength = maximumLineLength ?? Self.defaultMaximumLineLength
    }

    /// Calls `body` with each non-blank line's 1-based number and bytes (valid only during the call).
    /// - Throws: ``InputError`` when the file cannot be opened or read (naming the cause: no
    ///   such file, a directory, permission denied, an I/O error) or a line exceeds
    ///   ``maximumLineLength``; whatever `body` throws.
    public func forEachLine(_ body: (Int, UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        let descriptor = try Self.openForReading(url.path)
        defer { _ = close(descriptor) }
        var pending: [UInt8] = []
        var lineNumber = 0
        var atFileStart = true
        let limit = maximumLineLength

        func emit(_ line: UnsafeBufferPointer<UInt8>) throws {
            lineNumber += 1
            var slice = line[...]
            if atFileStart {
                atFileStart = false
                if slice.starts(with: [0xEF, 0xBB, 0xBF]) { slice = slice.dropFirst(3) }
            }
            if slice.last == 0x0D { slice = slice.dropLast() }
            if slice.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return }
            try body(lineNumber, UnsafeBufferPointer(rebasing: slice))
        }
        func tooLong() -> InputError {
            InputError(file: url.path, line: lineNumber + 1, reason: Self.lineTooLongReason(limit))
        }

        var chunk = [UInt8](repeating: 0, count: max(chunkSize, 1))
        while true {
            let count = chunk.withUnsafeMutableBytes { buffer -> Int in
                while true {
                    let result = read(descriptor, buffer.baseAddress, buffer.count)
                    if result < 0, errno == EINTR { continue }
                    return result
                }
            }
            if count < 0 {
                throw InputError(file: url.path, line: lineNumber + 1, reason: "reading failed: \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            try chunk.withUnsafeBufferPointer { whole in
                let bytes = UnsafeBufferPointer(rebasing: whole[..<count])
                var start = 0
                /// The next newline at or after `start` (`memchr`: a byte loop is slow in debug builds).
                func nextNewline() -> Int? {
                    guard start < bytes.count, let base = bytes.baseAddress,
                          let found = memchr(base + start, 0x0A, bytes.count - start) else { return nil }
                    return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
                }
                while let newline = nextNewline() {
                    if pending.isEmpty {
                        guard newline - start <= limit else { throw tooLong() }
                        try emit(UnsafeBufferPointer(rebasing: bytes[start..<newline]))
                    } else {
                        guard pending.count + (newline - start) <= limit else { throw tooLong() }
                        pending.append(contentsOf: bytes[start..<newline])
                        try pending.withUnsafeBufferPointer { try emit($0) }
                        pending.removeAll(keepingCapacity: true)
                    }
                    start = newline + 1
                }
                guard pending.count + (bytes.count - start) <= limit else { throw tooLong() }
                pending.append(contentsOf: bytes[start...])
            }
        }
        if !pending.isEmpty {
            try pending.withUnsafeBufferPointer { try emit($0) }
        }
    }

    /// Calls `transform` on every non-blank line on up to `concurrency` threads at once, and
    /// `body` with each line's number and result in file order.
    ///
    /// Lines are gathered in blocks (up to `blockLines` lines or 16 MiB); each block's lines are
    /// transformed in parallel (strided over the workers, so long and short lines spread
    /// evenly), then handed to `body` one by one, in order, on the calling thread. While `body`
    /// takes one block's results, the next block is already being transformed, so the calling
    /// thread's work (reading, gathering, `body`) overlaps the workers'. `body` sees exactly
    /// what ``forEachLine(_:)`` followed by `transform` would give it; an error thrown by `body`
    /// stops the read at that line (the rest of its block, and the next block, were transformed
    /// for nothing; the call returns only after that work ended). With `concurrency` 1 no
    /// thread is started.
    /// - Parameters:
    ///   - concurrency: The most lines transformed at once (the cores to use).
    ///   - blockLines: The most lines gathered before a block is transformed.
    ///   - transform: The per-line work (parsing, tokenizing); it must not depend on other lines.
    ///   - body: Called with each line number and result, in file order.
    /// - Throws: What ``forEachLine(_:)`` throws; whatever `body` throws.
    /// - Complexity: O(file) time; memory up to three blocks.
    public func forEachLine<Output: Sendable>(
        concurrency: Int, blockLines: Int = 1024,
        transform: @escaping @Sendable (Int, UnsafeBufferPointer<UInt8>) -> Output,
        body: (Int, Output) throws -> Void
    ) throws {
        guard concurrency > 1 else {
            try forEachLine { line, bytes in try body(line, transform(line, bytes)) }
            return
        }
        try forEachLineOverlapped(concurrency: concurrency, blockLines: blockLines, transform: transform, body: body)
    }

    private func forEachLineOverlapped<Output: Sendable>(
        concurrency: Int, blockLines: Int,
        transform: @escaping @Sendable (Int, UnsafeBufferPointer<UInt8>) -> Output,
        body: (Int, Output) throws -> Void
    ) throws {
        var storage: [UInt8] = []
        var bounds: [_LineBounds] = []
        let limit = max(blockLines, 1)
        var inFlight: (block: _Block<Output>, done: DispatchGroup)?
        // Whatever is thrown, no block is still being transformed when this returns.
        defer { inFlight?.done.wait() }
        func deliver(_ block: _Block<Output>) throws {
            for index in block.bounds.indices {
                guard let output = block.results.take(index) else { continue }
                try body(block.bounds[index].line, output)
            }
        }
        func flush() throws {
            guard !bounds.isEmpty else { return }
            let block = _Block<Output>(storage: storage, bounds: bounds)
            let done = DispatchGroup()
            done.enter()
            DispatchQueue.global().async {
                block.transform(concurrency: concurrency, transform)
                done.leave()
            }
            let capacity = storage.count
            storage = []
            storage.reserveCapacity(capacity)
            bounds = []
            bounds.reserveCapacity(limit)
            let previous = inFlight
            inFlight = (block, done)
            if let previous {
                previous.done.wait()
                try deliver(previous.block)
            }
        }
        try forEachLine { line, bytes in
            let start = storage.count
            storage.append(contentsOf: bytes)
            bounds.append(_LineBounds(line: line, start: start, end: storage.count))
            if bounds.count >= limit || storage.count >= 16 << 20 { try flush() }
        }
        try flush()
        if let last = inFlight {
            last.done.wait()
            inFlight = nil
            try deliver(last.block)
        }
    }

    /// The reason of the error for a line over `limit` bytes.
    static func lineTooLongReason(_ limit: Int) -> String {
        "the line is longer than \(limit) bytes without a newline (a binary file, /dev/zero, or one JSON document "
            + "spread over the whole file?); each line must be one JSON object — split the data into lines, or raise "
            + "the limit with COLLATE_MAX_LINE_BYTES=N"
    }

    /// Opens `path` for reading, close-on-exec; FIFOs and character devices are fine, a
    /// directory is not.
    /// - Throws: ``InputError`` naming the path and the cause.
    static func openForReading(_ path: String) throws(InputError) -> Int32 {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let code = errno
            let hint: String = switch code {
            case ENOENT: "; check the path"
            case EACCES: "; check the file's permissions"
            default: ""
            }
            throw InputError(file: path, line: nil, reason: "cannot open the file: \(String(cString: strerror(code)))\(hint)")
        }
        var status = stat()
        if fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFDIR {
            _ = close(descriptor)
            throw InputError(file: path, line: nil, reason: "is a directory, not a JSON Lines file; give the path of the .jsonl file inside it")
        }
        return descriptor
    }
}

/// One gathered line of a block: its number and its byte range in the block's storage.
struct _LineBounds: Sendable {
    var line: Int
    var start: Int
    var end: Int
}

/// A block's bytes, read (never written) by every worker while the block is transformed.
struct _SharedBytes: @unchecked Sendable {
    let base: UnsafePointer<UInt8>?

    func slice(_ start: Int, _ end: Int) -> UnsafeBufferPointer<UInt8> {
        guard let base else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(start: base + start, count: end - start)
    }
}

/// One gathered block of lines: its bytes and line bounds (never written once gathered) and
/// the results its workers write.
final class _Block<Output>: @unchecked Sendable {
    let storage: [UInt8]
    let bounds: [_LineBounds]
    let results: _BlockResults<Output>

    init(storage: [UInt8], bounds: [_LineBounds]) {
        self.storage = storage
        self.bounds = bounds
        results = _BlockResults(count: bounds.count)
    }

    /// Transforms every line on up to `concurrency` workers (strided, so long and short lines
    /// spread evenly); returns when all are done.
    func transform(concurrency: Int, _ transform: @Sendable (Int, UnsafeBufferPointer<UInt8>) -> Output) {
        let count = bounds.count
        let workers = min(concurrency, count)
        storage.withUnsafeBufferPointer { all in
            let bytes = _SharedBytes(base: all.baseAddress)
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                var index = worker
                while index < count {
                    let bound = bounds[index]
                    results.set(index, transform(bound.line, bytes.slice(bound.start, bound.end)))
                    index += workers
                }
            }
        }
    }
}

/// The results of one block: each slot is written by exactly one worker, then read in order
/// on the calling thread after every worker finished (the block's group is left only then).
final class _BlockResults<Output>: @unchecked Sendable {
    private let slots: UnsafeMutablePointer<Output?>
    private let count: Int

    init(count: Int) {
        self.count = count
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil, count: count)
    }

    func set(_ index: Int, _ value: Output) { slots[index] = value }

    func take(_ index: Int) -> Output? {
        let value = slots[index]
        slots[index] = nil
        return value
    }

    deinit {
        slots.deinitialize(count: count)
        slots.deallocate()
    }
}
