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
            required = list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            if !required.contains("input_ids") { required.insert("input_ids", at: 0) }
        }
        return BackendContract(
            requiredInputs: required, acceptsPaddingFree: !arguments.flag("--no-padding-free"),
            vocabSize: try arguments.positiveInt("--vocab-size"), maxLength: try arguments.positiveInt("--max-length"))
    }
}
