// swift-tools-version: 6.0
// A package that uses Collate's command plugin: `swift package collate-lint` validates the
// datasets and specs listed in collate.json (see Guides/Validation.md).
import PackageDescription

let package = Package(
    name: "LintDemo",
    dependencies: [.package(name: "Collate", path: "../..")],
    targets: [.target(name: "LintDemo", path: "Sources/LintDemo")]
)
