import Collate

extension ExternalBackend {
    /// Reads the handshake reply.
    static func workerInfo(_ object: JSONObject) throws(ExternalBackendError) -> WorkerInfo {
        guard case .integer(let version)? = object["protocol"] else {
            throw .malformedReply(operation: "hello", reply: JSONValue.object(object).preview(limit: 200), reason: "no integer \"protocol\"")
        }
        let name: String = if case .string(let text)? = object["worker"] { text } else { "worker" }
        var vocabSize: Int?, maxLength: Int?
        if case .object(let model)? = object["model"] {
            if case .integer(let size)? = model["vocab_size"] { vocabSize = Int(size) }
            if case .integer(let length)? = model["max_length"] { maxLength = Int(length) }
        }
        let paddingFree: Bool? = if case .bool(let flag)? = object["accepts_padding_free"] { flag } else { nil }
        return WorkerInfo(protocolVersion: Int(version), name: name, vocabSize: vocabSize, maxLength: maxLength,
                          acceptsPaddingFree: paddingFree, raw: object)
    }

    /// Reads a `forward` / `accumulate` reply; a malformed one stops the worker.
    static func reply(from object: JSONObject, operation: String) throws(ExternalBackendError) -> WorkerReply {
        func malformed(_ reason: String) -> ExternalBackendError {
            .malformedReply(operation: operation, reply: JSONValue.object(object).preview(limit: 200), reason: reason)
        }
        let loss: Double?
        switch object["loss"] {
        case nil, .null?:
            // JSON has no NaN: a worker sends a non-finite loss as null plus "loss_nonfinite"
            // ("nan", "inf", "-inf"), so that it is reported as a NaN loss, not as no loss.
            if case .string(let text)? = object["loss_nonfinite"] {
                guard let value = Double(text), !value.isFinite else {
                    throw malformed("\"loss_nonfinite\" is \"\(text)\", not \"nan\", \"inf\" or \"-inf\"")
                }
                loss = value
            } else {
                loss = nil
            }
        case let value?:
            guard let number = double(value) else { throw malformed("\"loss\" is a \(value.typeName), not a number or null") }
            loss = number
        }
        var numItems: Int?
        if case .integer(let count)? = object["num_items"] { numItems = Int(count) }
        var outputs: [(name: String, shape: [Int])] = []
        if case .array(let entries)? = object["outputs"] {
            for entry in entries {
                guard case .object(let fields) = entry, case .string(let name)? = fields["name"], case .array(let dims)? = fields["shape"] else {
                    throw malformed("an \"outputs\" entry is not {\"name\", \"shape\"}")
                }
                var shape: [Int] = []
                for dim in dims {
                    guard case .integer(let extent) = dim, extent >= 0 else { throw malformed("output '\(name)' has a bad shape") }
                    shape.append(Int(extent))
                }
                guard elementCount(shape) != nil else { throw malformed("output '\(name)' has shape \(shape), too large to hold") }
                outputs.append((name, shape))
            }
        }
        var values: [(name: String, tensor: OutputTensor)] = []
        if case .object(let sent)? = object["values"] {
            for (name, value) in sent.members {
                guard let shape = outputs.first(where: { $0.name == name })?.shape else {
                    throw malformed("values of '\(name)' are sent but \"outputs\" gives no shape for it")
                }
                let count = elementCount(shape) ?? 0
                guard case .array(let items) = value, items.count == count else {
                    throw malformed("values of '\(name)' are not an array of \(count) numbers (shape \(shape))")
                }
                var floats: [Float] = []
                floats.reserveCapacity(items.count)
                for item in items {
                    if case .null = item { floats.append(.nan); continue }
                    guard let number = double(item) else { throw malformed("values of '\(name)' hold a \(item.typeName)") }
                    floats.append(Float(number))
                }
                values.append((name, OutputTensor(shape: shape, values: floats)))
            }
        }
        return WorkerReply(loss: loss, numItems: numItems, outputs: outputs, values: values)
    }

    /// The number of elements of `shape`, or `nil` when it overflows `Int` (a worker's shape is
    /// untrusted input).
    private static func elementCount(_ shape: [Int]) -> Int? {
        var count = 1
        for extent in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: extent)
            if overflow { return nil }
            count = product
        }
        return count
    }

    private static func double(_ value: JSONValue) -> Double? {
        switch value {
        case .integer(let number): Double(number)
        case .number(let text): Double(text)
        default: nil
        }
    }
}
