import Collate

/// The flags that describe a model backend (`collate validate`, `collate inspect`).
enum BackendFlags {
    static let options: Set<String> = ["--requires", "--vocab-size", "--max-length"]
    static let flags: Set<String> = ["--no-padding-free"]

    /// The backend contract the flags describe.
    /// - Parameter defaultRequires: required inputs when `--requires` is absent.
    static func contract(from arguments: Arguments, defaultRequires: [String]) throws(UsageError) -> BackendContract {
        var required = defaultRequires
        if let list = arguments.value("--requires") {
            let listed = list.split(separator: ",").map { String($0).trimmingSpaces() }.filter { !$0.isEmpty }
            required = ["input_ids"] + listed.filter { $0 != "input_ids" }
        }
        return BackendContract(
            requiredInputs: required, acceptsPaddingFree: !arguments.flag("--no-padding-free"),
            vocabSize: try arguments.positiveInt("--vocab-size"), maxLength: try arguments.positiveInt("--max-length"))
    }
}
