extension Tensor {
    /// Appends the tensor as nested JSON arrays following its shape (a plain value for a
    /// scalar): integers as integers, bools as `true`/`false`, floats as Python's `json`
    /// prints the `float` a `float32` element converts to (`0.5`, `0.10000000149011612`).
    public func writeJSON(into out: inout String) {
        switch dtype {
        case .int64, .int32:
            guard !shape.isEmpty else {
                out += String(scalars[0])
                return
            }
            scalars.withUnsafeBufferPointer { buffer in
                Tensor.writeNested(buffer, shape: shape[...], into: &out)
            }
        case .bool:
            writeNested(count: scalars.count, shape: shape[...], into: &out) { index, out in
                out += scalars[index] != 0 ? "true" : "false"
            }
        case .float32:
            writeNested(count: floats.count, shape: shape[...], into: &out) { index, out in
                JSONWriter.writeFloat32(floats[index], into: &out)
            }
        }
    }

    /// Nested arrays over any element writer (the bool and float paths).
    private func writeNested(count: Int, shape: ArraySlice<Int>, into out: inout String, element: (Int, inout String) -> Void) {
        func nested(_ offset: Int, _ dims: ArraySlice<Int>) {
            guard let outer = dims.first else {
                element(offset, &out)
                return
            }
            let inner = dims.dropFirst()
            let stride = inner.reduce(1, *)
            out += "["
            for index in 0..<outer {
                if index > 0 { out += ", " }
                nested(offset + index * stride, inner)
            }
            out += "]"
        }
        nested(0, shape)
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
    /// The tensor as a JSON value: nested arrays following the shape, a plain value for a
    /// scalar (integers, `true`/`false` for bools, numbers for floats).
    public var jsonValue: JSONValue {
        func element(_ offset: Int) -> JSONValue {
            switch dtype {
            case .int64, .int32: return .integer(Int64(scalars[offset]))
            case .bool: return .bool(scalars[offset] != 0)
            case .float32:
                var text = ""
                JSONWriter.writeFloat32(floats[offset], into: &text)
                return .number(text)
            }
        }
        func nested(_ offset: Int, _ dims: ArraySlice<Int>) -> JSONValue {
            guard let outer = dims.first else { return element(offset) }
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
