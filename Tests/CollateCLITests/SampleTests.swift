import Collate
import Foundation
import Testing

/// Every sample builds (it is a target) and runs; these check what each one prints.
@Suite("Samples run end to end")
struct SampleTests {
    static func runSample(_ name: String) throws -> CollateProcess.Result {
        try CollateProcess.run(executable: CollateProcess.productsDirectory.appendingPathComponent(name), [], in: CollateProcess.repositoryRoot)
    }

    @Test func quickStartCollatesTheBundledData() throws {
        let result = try Self.runSample("QuickStart")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdoutLines.first == "16 examples, collator seq2seq (transformers DataCollatorForSeq2Seq)")
        let batchLines = result.stdoutLines.filter { $0.hasPrefix("batch ") }
        #expect(batchLines.count == 4)
        // pad_to_multiple_of 8 in the sample spec: every padded width is a multiple of 8.
        for line in batchLines {
            let width = line.split(separator: "[")[1].split(separator: "]")[0].split(separator: ", ")[1]
            #expect(Int(width).map { $0 % 8 == 0 } == true, "\(line)")
        }
    }

    @Test func customCollatorIsAThirdPartyPrefixLMThatCollateChecks() throws {
        let result = try Self.runSample("CustomCollator")
        #expect(result.status == 0, "\(result.stderr)")
        let batch = try JSONParser.parse(try #require(result.stdoutLines.first))
        #expect(batch == (try JSONParser.parse(#"{"input_ids": [[11, 12, 13, 14], [21, 22, 23, 0]], "attention_mask": [[1, 1, 1, 1], [1, 1, 1, 0]], "labels": [[-100, -100, 13, 14], [-100, 22, 23, -100]]}"#)))
        #expect(result.stdoutLines.contains("conformance: passes"))
        // The validator evaluates the collator's label rule, its own code prints like a built-in one, and field kinds are checked.
        #expect(result.stdoutLines.contains { $0.hasPrefix("error[no-trainable-tokens]: example 0 has no trainable token") })
        #expect(result.stdoutLines.contains { $0.hasPrefix("error[prefix-lm/prefix-too-long]: example 1 has prefix_length 9 but only 3 tokens") })
        #expect(result.stdoutLines.contains { $0.hasPrefix("error[missing-field]: example 2 holds a sequence of 1 in 'prefix_length'") })
        #expect(!result.stdout.contains("completion template"))
        #expect(result.stdout.contains(#"did you mean "pad_token_id"?"#))
        #expect(result.stdout.contains(#"rejected: collator type "prefix-lm" is already registered"#))
    }

    @Test func seq2seqShowsLabelsPaddedSeparatelyAndMissingLabels() throws {
        let result = try Self.runSample("Seq2Seq")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains(#""labels": [[7, 8, -100, -100, -100, -100, -100, -100]"#))
        #expect(result.stdout.contains("unlabelled batch has labels: false"))
    }

    @Test func trainLoopLossFallsAndTheSeedFailureIsRejected() throws {
        let result = try Self.runSample("TrainLoop")
        #expect(result.status == 0, "\(result.stderr)")
        let losses = result.stdoutLines.compactMap { line -> Double? in
            guard case .object(let record)? = try? JSONParser.parse(line), case .number(let text)? = record["loss"] else { return nil }
            return Double(text)
        }
        #expect(losses.count == 8)
        #expect(zip(losses, losses.dropFirst()).allSatisfy { $0 > $1 }, "loss falls every step: \(losses)")
        #expect(result.stdout.contains("rejected before step 1"))
        #expect(result.stdout.contains("error[missing-labels]"))
    }

    @Test func chatSFTPacksValidatesAndTrains() throws {
        let result = try Self.runSample("ChatSFT")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("read 16 examples"))
        #expect(result.stdout.contains("validation: no problems"))
        let losses = result.stdoutLines.compactMap { line -> Double? in
            guard case .object(let record)? = try? JSONParser.parse(line), case .number(let text)? = record["loss"] else { return nil }
            return Double(text)
        }
        #expect(losses.count == 3)
        #expect(losses.allSatisfy { $0.isFinite })
        #expect((losses.last ?? .infinity) < (losses.first ?? 0), "loss falls: \(losses)")
    }
}
