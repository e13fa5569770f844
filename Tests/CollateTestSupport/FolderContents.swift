import Foundation

/// What a folder holds, for tests that compare exports and other written trees.
public enum FolderContents {
    /// The paths, relative to `directory`, of every regular file under it (hidden ones included),
    /// sorted.
    /// - Parameters:
    ///   - directory: The folder to walk.
    ///   - excluding: File names left out wherever they are (e.g. a lock file).
    /// - Throws: When a file's type cannot be read.
    public static func paths(in directory: URL, excluding: Set<String> = []) throws -> [String] {
        var paths: [String] = []
        let enumerator = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: [.isRegularFileKey])
        while let url = enumerator?.nextObject() as? URL {
            guard try url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile == true,
                  !excluding.contains(url.lastPathComponent) else { continue }
            paths.append(String(url.path.dropFirst(directory.path.count + 1)))
        }
        return paths.sorted()
    }

    /// Every regular file under `directory` (hidden ones included): relative path to bytes.
    /// - Parameters:
    ///   - directory: The folder to walk.
    ///   - excluding: File names left out wherever they are (e.g. a lock file).
    /// - Throws: When a file cannot be read.
    public static func files(in directory: URL, excluding: Set<String> = []) throws -> [String: Data] {
        var files: [String: Data] = [:]
        for path in try paths(in: directory, excluding: excluding) {
            files[path] = try Data(contentsOf: directory.appendingPathComponent(path))
        }
        return files
    }
}
