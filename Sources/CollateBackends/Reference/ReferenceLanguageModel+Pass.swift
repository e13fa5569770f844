import Collate

extension ReferenceLanguageModel {
    /// One forward pass, and the backward pass into `gradients` when given.
    ///
    /// - Returns: The loss (`nil` without `labels`) and, when `wantsLogits`, logits `[B, L, V]`.
    /// - Complexity: O(*B* × *L* × *V* × *d*) time, O(*B* × *L* × *d*) memory besides the logits.
    func pass(_ batch: Batch, numItemsInBatch: Int?, wantsLogits: Bool,
              gradients: UnsafeMutableBufferPointer<Double>?) throws(ReferenceModelError) -> (loss: Double?, logits: OutputTensor?) {
        guard let inputs = batch["input_ids"] else { throw .missingInputIDs(keys: batch.names) }
        let vocab = configuration.vocabSize, width = configuration.dimension
        let rows = inputs.rank == 2 ? inputs.shape[0] : 1
        let length = inputs.rank == 2 ? inputs.shape[1] : inputs.scalars.count
        let ids = inputs.scalars
        for (position, id) in ids.enumerated() where id < 0 || Int(id) >= vocab {
            throw .tokenOutOfRange(id, position: position, vocabSize: vocab)
        }
        for name in ["attention_mask", "labels", "position_ids"] {
            if let tensor = batch[name], tensor.scalars.count != ids.count {
                throw .shapeMismatch(name, shape: tensor.shape, expected: inputs.shape)
            }
        }
        let mask = batch["attention_mask"]?.scalars
        let starts = batch.sequenceStarts(rows: rows, width: length)
        let hasLabels = batch.contains("labels")
        let targets = hasLabels ? batch.trainingTargets(ignoreIndex: Collate.ignoreIndex, shifted: true) : []
        for (position, target) in targets.enumerated() where target != Collate.ignoreIndex && (target < 0 || Int(target) >= vocab) {
            throw .labelOutOfRange(target, position: position, vocabSize: vocab)
        }
        let ownCount = targets.reduce(0) { $0 + ($1 == Collate.ignoreIndex ? 0 : 1) }
        let normaliser = Double(numItemsInBatch ?? ownCount)

        let positions = ids.count
        let embedding = 0, context = vocab * width, output = 2 * vocab * width, bias = 3 * vocab * width
        var hidden = [Double](repeating: 0, count: positions * width)
        var inverseCount = [Double](repeating: 0, count: positions)
        var logits = wantsLogits ? [Float](repeating: 0, count: positions * vocab) : []
        var hiddenGradient = gradients == nil ? [] : [Double](repeating: 0, count: positions * width)
        var lossSum = 0.0
        var scores = [Double](repeating: 0, count: vocab)

        weights.withUnsafeBufferPointer { w in
            // Forward: h_t = E[x_t] + running mean of C over the sequence's real tokens so far.
            var sum = [Double](repeating: 0, count: width)
            for row in 0..<rows {
                var count = 0
                for t in 0..<length {
                    let index = row * length + t
                    if t == 0 || starts[index] {
                        for k in 0..<width { sum[k] = 0 }
                        count = 0
                    }
                    let token = Int(ids[index])
                    if mask.map({ $0[index] != 0 }) ?? true {
                        for k in 0..<width { sum[k] += w[context + token * width + k] }
                        count += 1
                    }
                    let scale = count > 0 ? 1 / Double(count) : 0
                    inverseCount[index] = scale
                    for k in 0..<width { hidden[index * width + k] = w[embedding + token * width + k] + sum[k] * scale }
                }
            }
            // Logits, loss and dL/dh at every position that needs them.
            for index in 0..<positions {
                let target = targets.isEmpty ? Collate.ignoreIndex : targets[index]
                guard wantsLogits || target != Collate.ignoreIndex else { continue }
                var largest = -Double.infinity
                for v in 0..<vocab {
                    var score = w[bias + v]
                    for k in 0..<width { score += w[output + v * width + k] * hidden[index * width + k] }
                    scores[v] = score
                    largest = max(largest, score)
                    if wantsLogits { logits[index * vocab + v] = Float(score) }
                }
                guard target != Collate.ignoreIndex else { continue }
                var total = 0.0
                for v in 0..<vocab { total += _exp(scores[v] - largest) }
                let logPartition = largest + _log(total)
                lossSum += logPartition - scores[Int(target)]
                guard let gradients, normaliser > 0 else { continue }
                for v in 0..<vocab {
                    var delta = _exp(scores[v] - logPartition)
                    if v == Int(target) { delta -= 1 }
                    delta /= normaliser
                    gradients[bias + v] += delta
                    for k in 0..<width {
                        gradients[output + v * width + k] += delta * hidden[index * width + k]
                        hiddenGradient[index * width + k] += delta * w[output + v * width + k]
                    }
                }
            }
        }
        // Backward into E and C: C[x_s] receives the sum over later positions t of dh_t / n_t.
        if let gradients, normaliser > 0, ownCount > 0 {
            var carried = [Double](repeating: 0, count: width)
            for row in 0..<rows {
                for k in 0..<width { carried[k] = 0 }
                for t in stride(from: length - 1, through: 0, by: -1) {
                    let index = row * length + t
                    let token = Int(ids[index])
                    for k in 0..<width {
                        let dh = hiddenGradient[index * width + k]
                        gradients[embedding + token * width + k] += dh
                        carried[k] += dh * inverseCount[index]
                    }
                    if mask.map({ $0[index] != 0 }) ?? true {
                        for k in 0..<width { gradients[context + token * width + k] += carried[k] }
                    }
                    if starts[index] { for k in 0..<width { carried[k] = 0 } }
                }
            }
        }
        let loss: Double? = hasLabels ? lossSum / normaliser : nil
        let logitsTensor = wantsLogits ? OutputTensor(shape: inputs.rank == 2 ? [rows, length, vocab] : [length, vocab], values: logits) : nil
        return (loss, logitsTensor)
    }
}
