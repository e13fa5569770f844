/// The scalars `name` of every example as one [B] tensor, typed as `torch.tensor([...])` types
/// a Python list: any float makes it `float32`, else any integer `int64`, else `bool`.
///
/// - Parameters:
///   - forceFloat: type it `float32` whatever the values (`torch.tensor(..., dtype=torch.float)`).
///   - lookup: reads the field of one example; the padding engine passes a by-position reader so
///     that a line of many fields stays linear. By name when `nil`.
/// - Throws: ``CollateError/missingField(_:example:collator:)`` when an example lacks the field
///   or holds null, ``CollateError/wrongFieldKind(_:example:expected:)`` when it holds a sequence.
func _scalarVector(_ examples: [Example], _ name: String, collator: String, forceFloat: Bool = false, lookup: ((Example) -> Example.Value?)? = nil) throws(CollateError) -> Tensor {
    let field: (Example) -> Example.Value? = lookup ?? { $0[name] }
    var sawFloat = forceFloat, sawInteger = false
    for (index, example) in examples.enumerated() {
        switch field(example) {
        case .float: sawFloat = true
        case .scalar: sawInteger = true
        case .bool: break
        case .sequence: throw .wrongFieldKind(name, example: index, expected: "a number or a boolean")
        case .null, nil: throw .missingField(name, example: index, collator: collator)
        }
    }
    if sawFloat {
        var floats = [Float]()
        floats.reserveCapacity(examples.count)
        for example in examples {
            switch field(example) {
            case .float(let value): floats.append(value)
            case .scalar(let value): floats.append(Float(value))
            case .bool(let flag): floats.append(flag ? 1 : 0)
            default: floats.append(0)
            }
        }
        return Tensor(shape: [examples.count], floats: floats)
    }
    var scalars = [Int32]()
    scalars.reserveCapacity(examples.count)
    for example in examples {
        switch field(example) {
        case .scalar(let value): scalars.append(value)
        case .bool(let flag): scalars.append(flag ? 1 : 0)
        default: scalars.append(0)
        }
    }
    return Tensor(shape: [examples.count], scalars: scalars, dtype: sawInteger ? .int64 : .bool)
}
