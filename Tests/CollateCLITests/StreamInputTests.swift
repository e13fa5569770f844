import Foundation
import Testing

/// Specs, tokenizers and inputs read as streams (process substitution, `/dev/stdin`, a FIFO),
/// and a folder where a file is expected named as one. Each used to be "cannot read the spec
/// file; check the path" or a raw error code.
@Suite struct StreamInputTests {
    static let bad = CollateProcess.fixtures.appendingPathComponent("bad")
    static let spec = bad.appendingPathComponent("support/lm-spec.json").path
    static let examples = bad.appendingPathComponent("support/examples.jsonl").path
    static let texts = bad.appendingPathComponent("support/texts.jsonl").path
    static let conversation = bad.appendingPathComponent("support/conversation.jsonl").path
    static let tokenizer = CollateProcess.fixtures.appendingPathComponent("tokenizers/mistral-v1/tokenizer.json").path
    static let chatTokenizer = CollateProcess.fixtures.appendingPathComponent("tokenizers/mistral-v1-chatml/tokenizer.json").path

    /// Runs a `sh` script with `$C` set to the built `collate`, in a fresh directory.
    static func sh(_ script: String) throws -> CollateProcess.Result {
        let directory = try CollateProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let collate = CollateProcess.productsDirectory.appendingPathComponent("collate").path
        return try CollateProcess.run(executable: URL(fileURLWithPath: "/bin/sh"), ["-c", "C='\(collate)'; " + script], in: directory)
    }

    /// The output of the same command with plain files, to compare with.
    static func expected(_ arguments: [String]) throws -> String {
        let result = try CollateProcess.run(arguments)
        try #require(result.status == 0, "\(result.stderr)")
        return result.stdout
    }

    @Test func aSpecFromStandardInput() throws {
        let result = try Self.sh("cat '\(Self.spec)' | \"$C\" batch --spec /dev/stdin --input '\(Self.examples)'")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == (try Self.expected(["batch", "--spec", Self.spec, "--input", Self.examples])))
    }

    @Test func aSpecAndAnInputFromFIFOs() throws {
        let result = try Self.sh("""
            mkfifo spec.fifo input.fifo && { cat '\(Self.spec)' > spec.fifo & cat '\(Self.examples)' > input.fifo & \
            "$C" batch --spec spec.fifo --input input.fifo; }
            """)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == (try Self.expected(["batch", "--spec", Self.spec, "--input", Self.examples])))
    }

    @Test func aTokenizerFromAFIFO() throws {
        let result = try Self.sh("""
            mkfifo tokenizer.fifo && { cat '\(Self.tokenizer)' > tokenizer.fifo & "$C" tokenize --tokenizer tokenizer.fifo --input '\(Self.texts)'; }
            """)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == (try Self.expected(["tokenize", "--tokenizer", Self.tokenizer, "--input", Self.texts])))
    }

    @Test func chatReadsItsTokenizerAndConversationsFromStreams() throws {
        let result = try Self.sh("""
            mkfifo tokenizer.fifo && { cat '\(Self.chatTokenizer)' > tokenizer.fifo & \
            cat '\(Self.conversation)' | "$C" chat --template chatml --tokenizer tokenizer.fifo --input -; }
            """)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == (try Self.expected(["chat", "--template", "chatml", "--tokenizer", Self.chatTokenizer, "--input", Self.conversation])))
    }

    @Test func foldersAndMissingFilesAreNamedWithTheCause() throws {
        let folder = CollateProcess.fixtures.path
        let cases: [(arguments: [String], message: String)] = [
            (["batch", "--spec", folder, "--input", Self.examples], "collate batch: \(folder): is a directory, not a spec file; give the path of the file itself"),
            (["batch", "--spec", Self.spec, "--input", folder],
             "collate batch: \(folder): is a directory, not a JSON Lines file; give the path of the .jsonl file inside it"),
            (["batch", "--spec", "/nonexistent/spec.json", "--input", Self.examples],
             "collate batch: /nonexistent/spec.json: cannot read the spec file: No such file or directory; check the path"),
            (["batch", "--spec", Self.spec, "--input", "/nonexistent/data.jsonl"],
             "collate batch: /nonexistent/data.jsonl: cannot open the file: No such file or directory; check the path"),
            (["chat", "--template", "chatml", "--tokenizer", Self.chatTokenizer, "--input", folder],
             "collate chat: --input \(folder): cannot read the file (\(folder): is a directory, not a conversations file; give the path of the file itself)"),
        ]
        for (arguments, message) in cases {
            let result = try CollateProcess.run(arguments)
            #expect(result.status == 1, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
            #expect(!result.stderr.contains("Domain="), "a raw NSError: \(result.stderr)")
            #expect(result.stdout.isEmpty)
        }
    }
}
