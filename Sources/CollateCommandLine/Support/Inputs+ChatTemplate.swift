import Collate
import CollateData
import CollateTokenizers
import Foundation

/// What `--template NAME|PATH` names: a built-in format, or a model's own Jinja template.
enum ChatRenderer {
    /// A built-in format (`chatml`, `llama-3`, ...).
    case format(ChatFormat)
    /// A model folder, its `tokenizer_config.json` or a `.jinja` file.
    case template(ChatTemplate)

    /// The same renderer as a ``ChatFormat``, for APIs that take one (datasets).
    var chatFormat: ChatFormat {
        switch self {
        case .format(let format): format
        case .template(let template): ChatFormat(template: template)
        }
    }
}

extension Inputs {
    /// Resolves `--template NAME|PATH`: a built-in name first, else a path to a model folder,
    /// a `tokenizer_config.json` or a `.jinja` file.
    ///
    /// Special tokens the template's own folder does not name (a bare `.jinja` file) come from
    /// the `tokenizer_config.json` beside `--tokenizer`, when given.
    /// - Parameters:
    ///   - value: The option's value.
    ///   - tokenizerPath: `--tokenizer`'s value (a tokenizer.json file or a folder), if any.
    /// - Returns: The renderer.
    /// - Throws: ``UsageError`` for a value that is neither a name nor an existing path;
    ///   ``InputError`` naming the path when the template cannot be loaded.
    static func chatRenderer(nameOrPath value: String, tokenizerPath: String?) throws -> ChatRenderer {
        if ChatFormat.builtInNames.contains(value) {
            do {
                return .format(try ChatFormat.named(value))
            } catch {
                throw UsageError("\(error)")
            }
        }
        guard FileManager.default.fileExists(atPath: value) else {
            throw UsageError(ChatFormatError.unknownFormat(name: value, known: ChatFormat.builtInNames).description
                + " (no such file or folder: '\(value)')")
        }
        var template: ChatTemplate
        do {
            template = try ChatTemplate.load(from: URL(fileURLWithPath: value))
        } catch {
            throw InputError(file: value, line: nil, reason: error.description)
        }
        if let tokenizerPath {
            for (name, token) in try tokenizerSpecialTokens(tokenizerPath) where template.specialTokens[name] == nil {
                template.specialTokens[name] = token
            }
        }
        return .template(template)
    }

    /// The named special tokens of the `tokenizer_config.json` beside a tokenizer (none when
    /// there is no such file).
    static func tokenizerSpecialTokens(_ tokenizerPath: String) throws -> [String: String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: tokenizerPath, isDirectory: &isDirectory) else { return [:] }
        let url = URL(fileURLWithPath: tokenizerPath)
        let folder = isDirectory.boolValue ? url : url.deletingLastPathComponent()
        let config = folder.appendingPathComponent("tokenizer_config.json")
        guard let data = FileManager.default.contents(atPath: config.path) else { return [:] }
        do {
            guard case .object(let object) = try JSONParser.parse(String(decoding: data, as: UTF8.self)) else { return [:] }
            return try ChatTemplate.specialTokens(in: object, path: config.path)
        } catch {
            throw InputError(file: config.path, line: nil, reason: "\(error)")
        }
    }
}
