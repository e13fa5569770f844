import Collate
import CollateBackends
import Testing

/// A batch for the gradient check, with what it exercises.
struct GradientCase: Sendable, CustomTestStringConvertible {
    var id: String
    var batch: Batch
    var numItemsInBatch: Int?
    var testDescription: String { id }
}

private let gradientCases: [GradientCase] = [
    GradientCase(id: "right padding with attention_mask and -100", batch: Batch([
        "input_ids": Tensor(shape: [2, 4], scalars: [1, 2, 3, 4, 5, 6, 0, 0]),
        "attention_mask": Tensor(shape: [2, 4], scalars: [1, 1, 1, 1, 1, 1, 0, 0]),
        "labels": Tensor(shape: [2, 4], scalars: [-100, 2, 3, 4, 5, 6, -100, -100]),
    ])),
    GradientCase(id: "left padding", batch: Batch([
        "input_ids": Tensor(shape: [2, 3], scalars: [0, 1, 2, 3, 4, 5]),
        "attention_mask": Tensor(shape: [2, 3], scalars: [0, 1, 1, 1, 1, 1]),
        "labels": Tensor(shape: [2, 3], scalars: [-100, 1, 2, 3, 4, 5]),
    ])),
    GradientCase(id: "padding-free with position_ids resets, window normaliser", batch: Batch([
        "input_ids": Tensor(shape: [1, 6], scalars: [1, 2, 3, 4, 5, 6]),
        "labels": Tensor(shape: [1, 6], scalars: [-100, 2, 3, -100, 5, 6]),
        "position_ids": Tensor(shape: [1, 6], scalars: [0, 1, 2, 0, 1, 2]),
    ]), numItemsInBatch: 7),
]

@Suite("Reference model gradients")
struct GradientCheckTests {
    @Test("analytic gradients match central finite differences", arguments: gradientCases)
    func gradientsMatchFiniteDifferences(_ scenario: GradientCase) throws {
        var model = ReferenceLanguageModel(configuration: .init(vocabSize: 7, dimension: 3, seed: 11))
        _ = try model.accumulateGradients(scenario.batch, numItemsInBatch: scenario.numItemsInBatch)
        let analytic = model.gradients
        #expect(analytic.contains { $0 != 0 })
        let epsilon = 1e-5
        var worst = 0.0
        for index in model.weights.indices {
            var plus = model, minus = model
            plus.weights[index] += epsilon
            minus.weights[index] -= epsilon
            let up = try #require(try plus.loss(scenario.batch, numItemsInBatch: scenario.numItemsInBatch))
            let down = try #require(try minus.loss(scenario.batch, numItemsInBatch: scenario.numItemsInBatch))
            let numeric = (up - down) / (2 * epsilon)
            worst = max(worst, abs(numeric - analytic[index]) / max(1, abs(numeric) + abs(analytic[index])))
        }
        #expect(worst < 1e-6, "largest relative gradient error \(worst)")
    }

    @Test func stepClearsGradientsAndLowersTheLoss() throws {
        var model = ReferenceLanguageModel(configuration: .init(vocabSize: 7, dimension: 3, seed: 11))
        let batch = gradientCases[0].batch
        let before = try #require(try model.loss(batch))
        for _ in 0..<20 {
            _ = try model.accumulateGradients(batch, numItemsInBatch: nil)
            model.step(learningRate: 0.05)
        }
        #expect(model.gradients.allSatisfy { $0 == 0 })
        #expect(try #require(try model.loss(batch)) < before)
    }
}
