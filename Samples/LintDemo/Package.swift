// swift-tools-version: 6.0
// A package that uses Collate's command plugin: `swift package collate-lint` validates the
// datasets and specs listed in collate.json (see Guides/Validation.md). It has a collator type of
// its own (`prefix-lm`, Sources/LintDemo) and its own collate-compatible tool (`lintdemo-collate`),
// which collate-prefix-lm.json names so the plugin can check that type's specs.
import PackageDescription

let package = Package(
    name: "LintDemo",
    products: [.executable(name: "lintdemo-collate", targets: ["LintDemoTool"])],
    dependencies: [.package(name: "Collate", path: "../..")],
    targets: [
        .target(name: "LintDemo", dependencies: [.product(name: "Collate", package: "Collate")], path: "Sources/LintDemo"),
        .executableTarget(
            name: "LintDemoTool",
            dependencies: ["LintDemo", .product(name: "CollateCommandLine", package: "Collate")],
            path: "Sources/LintDemoTool"),
    ]
)
