import Collate

/// One field of an ``ExampleLiteral``, written as a literal: `[1, 2, 3]` for a sequence, `7`
/// for a scalar, `0.5` for a float scalar (TRL's `margin`, `ref_logps`), `true` for a bool
/// (KTO's `label`), `nil` for JSON `null`.
///
/// It wraps ``Collate/Example/Value`` so tests can write examples the way the data reads,
/// without adding literal conformances to Collate's own types.
public struct FieldLiteral: Sendable, Hashable, ExpressibleByArrayLiteral, ExpressibleByIntegerLiteral, ExpressibleByNilLiteral,
    ExpressibleByFloatLiteral, ExpressibleByBooleanLiteral
{
    /// The field value.
    public var value: Example.Value

    /// Wraps a field value.
    public init(_ value: Example.Value) {
        self.value = value
    }

    /// A sequence: `[1, 2, 3]`.
    public init(arrayLiteral elements: Int32...) {
        value = .sequence(elements)
    }

    /// A scalar: `7`.
    public init(integerLiteral scalar: Int32) {
        value = .scalar(scalar)
    }

    /// A float scalar: `0.5` (held as the `Float` a float32 tensor would hold).
    public init(floatLiteral scalar: Double) {
        value = .float(Float(scalar))
    }

    /// A bool scalar: `true`.
    public init(booleanLiteral flag: Bool) {
        value = .bool(flag)
    }

    /// JSON `null`: the field is present but holds nothing.
    public init(nilLiteral: ()) {
        value = .null
    }
}
