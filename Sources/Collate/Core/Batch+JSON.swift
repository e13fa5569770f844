extension Tensor {
    /// Appends the tensor as nested JSON arrays following its shape (a plain integer for a scalar).
    public func writeJSON(into out: inout String) {
        guard !shape.isEmpty else {
            out += String(scalars[0])
            return
        }
        scalars.withUnsafeBufferPointer { buffer in
            Tensor.writeNested(buffer, shape: shape[...], into: &out)
        }
    }

    private static func writeNested(_ buffer: UnsafeBufferPointer<Int32>, shape: ArraySlice<Int>, into out: inout String) {
        if shape.count == 1 {
            JSONWriter.writeIntegers(buffer, into: &out)
            return
        }
        let outer = shape[shape.startIndex]
        let inner = shape.dropFirst()
        let stride = inner.reduce(1, *)
        out += "["
        for index in 0..<outer {
            if index > 0 { out += ", " }
            writeNested(UnsafeBufferPointer(rebasing: buffer[index * stride ..< (index + 1) * stride]), shape: inner, into: &out)
        }
        out += "]"
    }
}

extension Batch {
    /// The batch as one JSON object: each tensor as nested arrays, scalars as plain integers.
    public var jsonText: String {
        var out = "{"
        for (index, name) in names.enumerated() {
            if index > 0 { out += ", " }
            JSONWriter.writeString(name, into: &out)
            out += ": "
            tensors[index].writeJSON(into: &out)
        }
        out += "}"
        return out
    }
}

extension Tensor {
    /// The tensor as a JSON value: nested arrays following the shape, a plain integer for a scalar.
    public var jsonValue: JSONValue {
        func nested(_ offset: Int, _ dims: ArraySlice<Int>) -> JSONValue {
            guard let outer = dims.first else { return .integer(Int64(scalars[offset])) }
            let inner = dims.dropFirst()
            let stride = inner.reduce(1, *)
            return .array((0..<outer).map { nested(offset + $0 * stride, inner) })
        }
        return nested(0, shape[...])
    }
}

extension Batch {
    /// The batch as a JSON object value, tensors in order.
    public var jsonValue: JSONValue {
        .object(JSONObject(zip(names, tensors).map { (key: $0, value: $1.jsonValue) }))
    }
}
