// TrainLoop: your own model behind the backend protocol. A unigram model (one logit per
// vocabulary id, softmax, cross-entropy on the shifted labels) is trained through the same
// Pipeline and Trainer as the reference LM, with validation before step 1 and HF's
// num_items_in_batch normalisation across gradient accumulation.
//
//     swift run TrainLoop
import Collate
import Foundation

/// The smallest model that still computes a real loss: `p(next token) = softmax(logits)`.
struct UnigramModel: TrainableBackend {
    var logits: [Double]
    var gradient: [Double]

    init(vocabSize: Int) {
        logits = Array(repeating: 0, count: vocabSize)
        gradient = Array(repeating: 0, count: vocabSize)
    }

    var contract: BackendContract {
        BackendContract(requiredInputs: ["input_ids", "labels"], acceptsPaddingFree: true, vocabSize: logits.count)
    }

    func forward(_ batch: Batch) throws -> ModelOutput {
        var copy = self
        return try copy.accumulateGradients(batch, numItemsInBatch: nil)
    }

    mutating func accumulateGradients(_ batch: Batch, numItemsInBatch: Int?) throws -> ModelOutput {
        guard batch.contains("labels") else { return ModelOutput() }  // like HF: no labels, no loss
        let targets = batch.trainingTargets().filter { $0 != ignoreIndex }
        let scale = Double(numItemsInBatch ?? targets.count)
        let peak = logits.max() ?? 0
        let exponentials = logits.map { exp($0 - peak) }
        let total = exponentials.reduce(0, +)
        var loss = 0.0
        for target in targets {
            let index = Int(target)
            loss -= (logits[index] - peak) - log(total)
            // d(-log softmax)/d logits = softmax - one_hot
            for id in logits.indices { gradient[id] += exponentials[id] / total / scale }
            gradient[index] -= 1 / scale
        }
        return ModelOutput(loss: loss / scale)
    }

    mutating func step(learningRate: Double) {
        for id in logits.indices { logits[id] -= learningRate * gradient[id] }
        gradient = Array(repeating: 0, count: gradient.count)
    }
}

// Prompt tokens (1...4) are masked; completions draw mostly from ids 10 and 11.
let examples = (0..<32).map { index -> Example in
    let completion: [Int32] = [10, 11, 10, Int32(12 + index % 3)]
    let prompt: [Int32] = [1, 2, 3, 4]
    return Example(inputIDs: prompt + completion, labels: [Int32](repeating: ignoreIndex, count: prompt.count) + completion)
}

let pipeline = Pipeline(collator: Seq2SeqCollator(padding: PaddingOptions(padTokenID: 0)))
var model = UnigramModel(vocabSize: 16)
do {
    let records = try pipeline.train(examples, batchSize: 4, backend: &model,
                                     configuration: .init(steps: 8, gradientAccumulation: 2, learningRate: 2.0))
    for record in records { print(record.jsonText) }
    let first = records.first?.loss ?? 0, last = records.last?.loss ?? 0
    print("loss \(first) -> \(last)")
} catch {
    print("rejected: \(error)")
}

// The seed failure, caught before the first step: a padding collator makes no labels.
do {
    _ = try Pipeline(collator: PaddingCollator(padding: PaddingOptions(padTokenID: 0)))
        .train(examples.map { Example(inputIDs: $0.inputIDs) }, batchSize: 4, backend: &model, configuration: .init(steps: 1))
} catch {
    print("rejected before step 1: \(error)")
}
