import Collate
import CollateData
import Foundation
import Testing

/// A model folder whose `architectures` name no kind Collate knows is checked as a causal LM,
/// and says so (it used to be silent).
@Suite struct ModelDescriptionNoteTests {
    static let collator = LanguageModelingCollator(padTokenID: 0).contract

    static func description(_ config: String) throws -> ModelDescription {
        let url = try PipelineConfigurationTests.folder(["m/config.json": config]).appendingPathComponent("m")
        return ModelDescription(model: nil, folder: try ModelFolder(contentsOf: url), tokenizer: nil)
    }

    @Test func anUnknownArchitectureIsNamed() throws {
        let model = try Self.description(#"{"architectures": ["FooBarModel"], "vocab_size": 10}"#)
        #expect(model.kind == nil)
        let notes = model.contradictions(with: Self.collator)
        #expect(notes.contains { $0.contains("[\"FooBarModel\"] name no model kind") && $0.contains("--model-kind") })
    }

    @Test func noArchitecturesIsNamed() throws {
        let notes = try Self.description(#"{"vocab_size": 10}"#).contradictions(with: Self.collator)
        #expect(notes.contains { $0.contains("config.json names no architectures") })
    }

    @Test func aKnownArchitectureIsQuiet() throws {
        let model = try Self.description(#"{"architectures": ["LlamaForCausalLM"], "vocab_size": 10}"#)
        #expect(model.kind == "causal-lm")
        #expect(model.contradictions(with: Self.collator).isEmpty)
    }
}
