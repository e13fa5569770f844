import Collate

/// The flags that describe a model backend (`collate validate`, `collate inspect`):
/// `--model-kind KIND`, `--requires FIELD,...|none`, `--vocab-size N`, `--max-length N`,
/// `--no-padding-free`.
enum BackendFlags {
    static let options: Set<String> = ["--model-kind", "--requires", "--vocab-size", "--max-length"]
    static let flags: Set<String> = ["--no-padding-free"]

    /// The backend contract the flags describe.
    ///
    /// Without `--requires` the backend is being trained (``BackendContract/training(_:vocabSize:maxLength:acceptsPaddingFree:)``
    /// of the kind: `labels` are required); `--requires none` describes inference; `--requires F,...`
    /// names the required fields exactly.
    /// - Parameter defaultRequires: required inputs when `--requires` is absent; `nil` (the
    ///   default) means a training backend of the kind.
    static func contract(from arguments: Arguments, defaultRequires: [String]? = nil) throws(UsageError) -> BackendContract {
        let kind = try modelKind(arguments.value("--model-kind"))
        var required = defaultRequires ?? BackendContract.training(kind).requiredInputs
        if let list = arguments.value("--requires") {
            let listed = list.split(separator: ",").map { String($0).trimmingSpaces() }.filter { !$0.isEmpty }
            guard !listed.isEmpty else { throw UsageError("--requires needs field names (e.g. labels) or 'none'") }
            if listed == ["none"] {
                required = []
            } else if listed.contains("none") {
                throw UsageError("--requires: 'none' stands alone (inference); got '\(list)'")
            } else {
                var seen = Set<String>()
                required = listed.filter { seen.insert($0).inserted }
            }
        }
        return BackendContract(
            kind: kind, requiredInputs: required, acceptsPaddingFree: !arguments.flag("--no-padding-free"),
            vocabSize: try arguments.positiveInt("--vocab-size"), maxLength: try arguments.positiveInt("--max-length"))
    }

    /// Parses `--model-kind`; absent means a causal LM.
    static func modelKind(_ text: String?) throws(UsageError) -> BackendContract.ModelKind {
        guard let text else { return .causalLM }
        if let kind = BackendContract.ModelKind(rawValue: text) { return kind }
        let names = BackendContract.ModelKind.allCases.map(\.rawValue)
        let hint = Suggestion.closest(to: text, among: names).map { " Did you mean '\($0)'?" } ?? ""
        throw UsageError("--model-kind must be one of \(names.joined(separator: ", ")), got '\(text)'.\(hint)")
    }
}
