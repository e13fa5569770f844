import Testing
@testable import CollateTokenizers

/// HF's char-to-token assistant mask, its quirks, and the masking options.
@Suite struct AssistantMaskTests {
    struct MaskCase: Sendable, CustomTestStringConvertible {
        var name: String
        var offsets: [Range<Int>]
        var scalarCount: Int
        var spans: [Range<Int>]
        var mask: [Int32]
        var testDescription: String { name }
    }

    static let maskCases: [MaskCase] = [
        // "[/INST](3" : "](" covers 6..<8, the span starts at 7 — the merged token is trained.
        MaskCase(name: "start merged into a prompt token", offsets: [0..<6, 6..<8, 8..<9, 9..<13],
                 scalarCount: 13, spans: [7..<13], mask: [0, 1, 1, 1]),
        MaskCase(name: "exact token boundaries", offsets: [0..<3, 3..<5, 5..<9, 9..<10],
                 scalarCount: 10, spans: [3..<9], mask: [0, 1, 1, 0]),
        // No token covers scalar 4 (a gap): HF stops at the first such span, later spans too.
        MaskCase(name: "uncovered start stops all later spans", offsets: [0..<3, 5..<8, 8..<10, 10..<12],
                 scalarCount: 12, spans: [4..<8, 10..<12], mask: [0, 0, 0, 0]),
        MaskCase(name: "uncovered end runs to the end", offsets: [0..<3, 3..<5, 5..<6, 8..<10],
                 scalarCount: 10, spans: [3..<7], mask: [0, 1, 1, 1]),
        MaskCase(name: "end on token 0 runs to the end", offsets: [0..<5, 5..<6, 6..<7],
                 scalarCount: 7, spans: [0..<2], mask: [1, 1, 1]),
        // Byte-fallback: three tokens share one character; the first one counts.
        MaskCase(name: "shared offsets pick the first token", offsets: [0..<2, 2..<3, 2..<3, 2..<3, 3..<5],
                 scalarCount: 5, spans: [0..<3], mask: [1, 1, 0, 0, 0]),
        MaskCase(name: "empty span marks nothing", offsets: [0..<2, 2..<4, 4..<6],
                 scalarCount: 6, spans: [4..<4], mask: [0, 0, 0]),
        // Post-processor tokens (0..<0) cover nothing.
        MaskCase(name: "added special tokens cover nothing", offsets: [0..<0, 0..<2, 2..<4, 0..<0],
                 scalarCount: 4, spans: [2..<4], mask: [0, 0, 1, 0]),
        MaskCase(name: "two turns", offsets: [0..<1, 1..<2, 2..<3, 3..<4, 4..<5],
                 scalarCount: 5, spans: [1..<2, 3..<5], mask: [0, 1, 0, 1, 1]),
    ]

    @Test(arguments: maskCases)
    func matchesTransformersCharToToken(_ testCase: MaskCase) {
        let encoding = Encoding(ids: testCase.offsets.indices.map { Int32($0 + 10) }, offsets: testCase.offsets)
        #expect(encoding.assistantMask(for: testCase.spans, scalarCount: testCase.scalarCount) == testCase.mask)
        for position in 0..<testCase.scalarCount {
            let table = encoding.scalarToTokenTable(scalarCount: testCase.scalarCount)
            #expect(encoding.tokenIndex(coveringScalarAt: position) == (table[position] < 0 ? nil : Int(table[position])))
        }
    }

    /// Monotonic offsets (what an encoder gives a plain text) take the binary search; it must
    /// find the token the per-scalar table finds, for every position, with gaps, shared
    /// byte-fallback offsets and empty (special-token) offsets at the edges.
    @Test(arguments: 0..<40)
    func monotonicOffsetsSearchAgreesWithTheTable(_ seed: Int) {
        var state = UInt64(seed) &* 0x9E37_79B9_7F4A_7C15 &+ 1
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        var offsets: [Range<Int>] = next(2) == 0 ? [0..<0] : []
        var position = 0
        for _ in 0..<(1 + next(30)) {
            position += next(3) == 0 ? next(3) : 0  // a gap no token covers
            let length = next(4)  // 0: an empty offset
            let copies = next(5) == 0 ? 1 + next(3) : 1  // byte-fallback tokens sharing a character
            for _ in 0..<copies { offsets.append(position..<(position + length)) }
            position += length
        }
        let scalarCount = position + next(3)
        let encoding = Encoding(ids: offsets.indices.map { Int32($0) }, offsets: offsets)
        #expect(encoding.offsetsAreMonotonic)
        let table = encoding.scalarToTokenTable(scalarCount: scalarCount)
        for position in 0..<scalarCount {
            #expect(encoding.firstMonotonicToken(covering: position) == (table[position] < 0 ? nil : Int(table[position])))
        }
        let spans = [0..<next(scalarCount + 1), next(scalarCount + 1)..<scalarCount]
        var expected = [Int32](repeating: 0, count: offsets.count)
        for span in spans {
            guard span.lowerBound < scalarCount, table[span.lowerBound] >= 0 else { break }
            let start = Int(table[span.lowerBound])
            let endToken = span.upperBound >= 1 && span.upperBound - 1 < scalarCount ? Int(table[span.upperBound - 1]) : -1
            let last = endToken > 0 ? endToken : offsets.count - 1
            if start <= last { for index in start...last { expected[index] = 1 } }
        }
        #expect(encoding.assistantMask(for: spans, scalarCount: scalarCount) == expected)
    }

    // MARK: - Options

    static let conversation: [ChatMessage] = [
        .user("Hi there"), .assistant("Hello you"), .user("Again"), .assistant("Bye now"),
    ]

    struct OptionCase: Sendable, CustomTestStringConvertible {
        var masking: AssistantMasking
        /// The trained text: concatenation of trained tokens' text.
        var trained: String
        var testDescription: String { "\(masking.turns) eot=\(masking.includeEndOfTurn)" }
    }

    static let optionCases: [OptionCase] = [
        OptionCase(masking: AssistantMasking(), trained: "Hello you<|im_end|>Bye now<|im_end|>"),
        OptionCase(masking: AssistantMasking(turns: .last), trained: "Bye now<|im_end|>"),
        OptionCase(masking: AssistantMasking(includeEndOfTurn: false), trained: "Hello youBye now"),
        OptionCase(masking: AssistantMasking(turns: .last, includeEndOfTurn: false), trained: "Bye now"),
    ]

    @Test(arguments: optionCases)
    func optionsChooseTurnsAndEndOfTurn(_ testCase: OptionCase) throws {
        let chat = try ChatFormat.chatml.tokenize(Self.conversation, with: WordTokenizer(), masking: testCase.masking)
        let scalars = Array(chat.text.unicodeScalars)
        var trained = ""
        for (index, range) in chat.encoding.offsets.enumerated() where chat.assistantMasks[index] == 1 {
            trained += String(String.UnicodeScalarView(scalars[range]))
        }
        #expect(trained == testCase.trained)
        #expect(chat.labels.count == chat.inputIDs.count)
        for index in chat.inputIDs.indices {
            #expect(chat.labels[index] == (chat.assistantMasks[index] == 1 ? chat.inputIDs[index] : -100))
        }
    }

    @Test func defaultMaskingIsHFMask() throws {
        let chat = try ChatFormat.alpaca.tokenize(Self.conversation, with: WordTokenizer())
        let hf = chat.encoding.assistantMask(for: chat.rendered.generations.map(\.range), scalarCount: chat.rendered.scalarCount)
        #expect(chat.assistantMasks == hf)
        #expect(chat.masked.trainedTokenCount == hf.filter { $0 == 1 }.count)
        // addSpecialTokens: false — no BOS from the post-processor.
        #expect(chat.encoding.offsets.allSatisfy { !$0.isEmpty })
    }

    @Test func emptyAssistantContentWithoutEndOfTurnTrainsNothing() throws {
        let messages: [ChatMessage] = [.user("a"), .assistant("")]
        let masking = AssistantMasking(includeEndOfTurn: false)
        let chat = try ChatFormat.chatml.tokenize(messages, with: WordTokenizer(), masking: masking)
        #expect(chat.masked.trainedTokenCount == 0)
        let withEnd = try ChatFormat.chatml.tokenize(messages, with: WordTokenizer())
        #expect(withEnd.masked.trainedTokenCount == 1)  // just <|im_end|>
    }

    @Test func customIgnoreIndex() {
        let masked = MaskedConversation(inputIDs: [5, 6, 7], assistantMasks: [0, 1], ignoreIndex: -1)
        #expect(masked.labels == [-1, 6, -1])
        #expect(masked.assistantMasks == [0, 1, 0])
    }
}
