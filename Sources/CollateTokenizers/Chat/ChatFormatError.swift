import Foundation

/// Why a conversation could not be rendered with a chat format.
///
/// Each case carries the offending value and its ``description`` says how to fix it.
public enum ChatFormatError: Error, Sendable, Hashable {
    /// Message `messageIndex` has a role the format does not render (unknown, or e.g. `system`
    /// for `mistral-inst`, whose template has no system turn).
    case unsupportedRole(messageIndex: Int, role: String, format: String, supportedRoles: [String])
    /// The format needs a special token (`"bos_token"` or `"eos_token"`) that was not given.
    case missingSpecialToken(format: String, token: String)
    /// The format requires user/assistant alternation (as Gemma's template does) and message
    /// `messageIndex` breaks it.
    case rolesMustAlternate(messageIndex: Int, role: String, format: String, expected: String)
    /// ``ChatFormat/named(_:)`` was asked for a format it does not know.
    case unknownFormat(name: String, known: [String])
    /// Message `messageIndex` carries `field` (`tool_calls`, `reasoning_content`, list-of-parts
    /// `content`, ...) that the built-in format cannot render; rendering it would drop it silently.
    case unsupportedField(messageIndex: Int, field: String, format: String)
}

extension ChatFormatError: CustomStringConvertible {
    /// A message naming the bad value and the fix.
    public var description: String {
        switch self {
        case let .unsupportedRole(index, role, format, supported):
            return "message \(index) has role \"\(role)\", which chat format '\(format)' does not render; "
                + "use one of \(supported.map { "\"\($0)\"" }.joined(separator: ", ")) "
                + (role == "system"
                    // Never a format by name: ChatML on a tokenizer without <|im_end|> trains the marker as text pieces.
                    ? "(to keep the system prompt, fold it into the first user message, or pick a format that renders system turns "
                        + "and whose markers are single tokens of your tokenizer; collate validate --template NAME --tokenizer PATH "
                        + "reports template-tokens-missing for one that is not)"
                    : "(or pick a format that supports it)")
        case let .missingSpecialToken(format, token):
            return "chat format '\(format)' writes \(token) into the text but none was given; "
                + "put the tokenizer's tokenizer_config.json (which names \(token)) next to its tokenizer.json, "
                + "or, from code, pass ChatSpecialTokens with \(token == "bos_token" ? "bos" : "eos") set"
        case let .rolesMustAlternate(index, role, format, expected):
            return "message \(index) has role \"\(role)\" but chat format '\(format)' requires "
                + "user/assistant turns to alternate, so \"\(expected)\" was expected here; "
                + "merge consecutive turns of the same role"
        case let .unknownFormat(name, known):
            return "unknown chat format '\(name)'; known formats: \(known.joined(separator: ", ")), "
                + "or a model folder, its tokenizer_config.json or a .jinja chat template"
        case let .unsupportedField(index, field, format):
            let what = field == "content" ? "a non-string 'content' (list of parts)" : "field '\(field)'"
            return "message \(index) has \(what), which the built-in chat format '\(format)' cannot render "
                + "(it renders plain-text role/content turns only and would drop it); use the model's own chat "
                + "template instead: --template MODEL_FOLDER, its tokenizer_config.json or a .jinja file "
                + "(ChatTemplate from code)"
        }
    }
}

extension ChatFormatError: LocalizedError {
    /// Same as ``description``.
    public var errorDescription: String? { description }
}
