/// The version of the Collate package, as `collate --version` prints it.
///
/// ```swift
/// print("built with Collate \(CollateVersion.current)")
/// ```
public enum CollateVersion {
    /// The version string, `MAJOR.MINOR.PATCH` (Semantic Versioning).
    public static let current = "0.5.0"
}
