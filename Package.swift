// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Collate",
    products: [
        .library(name: "Collate", targets: ["Collate"]),
        .library(name: "CollateTokenizers", targets: ["CollateTokenizers"]),
        .library(name: "CollateInspection", targets: ["CollateInspection"]),
        .library(name: "CollateData", targets: ["CollateData"]),
        .library(name: "CollateBackends", targets: ["CollateBackends"]),
        .library(name: "CollateCommandLine", targets: ["CollateCommandLine"]),
        .executable(name: "collate", targets: ["CollateCLI"]),
        .library(name: "CollateTesting", targets: ["CollateTesting"]),
        .plugin(name: "CollateLint", targets: ["CollateLint"]),
    ],
    targets: [
        // Core
        .target(name: "Collate"),
        .target(name: "CollateTokenizers", dependencies: ["Collate"]),
        .target(name: "CollateInspection", dependencies: ["Collate"]),
        .target(name: "CollateData", dependencies: ["Collate", "CollateTokenizers"]),
        .target(name: "CollateBackends", dependencies: ["Collate", "CollateData"], exclude: ["Worker"]),

        // Tools
        .target(
            name: "CollateCommandLine",
            dependencies: ["Collate", "CollateTokenizers", "CollateInspection", "CollateData", "CollateBackends"]
        ),
        .executableTarget(name: "CollateCLI", dependencies: ["CollateCommandLine"]),

        // Plugins
        .plugin(
            name: "CollateLint",
            capability: .command(
                intent: .custom(verb: "collate-lint", description: "Validate the datasets and collator specs listed in collate.json"),
                permissions: []
            ),
            dependencies: ["CollateCLI"],
            path: "Plugins/CollateLint"
        ),

        // Samples
        .executableTarget(name: "QuickStart", dependencies: ["Collate", "CollateData"], path: "Samples/QuickStart"),
        // A third-party package's shape: its library (PrefixLM), a program using it, its own `collate`.
        .target(name: "PrefixLM", dependencies: ["Collate"], path: "Samples/PrefixLM"),
        .executableTarget(name: "CustomCollator", dependencies: ["Collate", "CollateTesting", "PrefixLM"], path: "Samples/CustomCollator"),
        .executableTarget(
            name: "CustomCollatorTool", dependencies: ["Collate", "CollateCommandLine", "PrefixLM"], path: "Samples/CustomCollatorTool"),
        .executableTarget(name: "Seq2Seq", dependencies: ["Collate"], path: "Samples/Seq2Seq"),
        .executableTarget(name: "TrainLoop", dependencies: ["Collate"], path: "Samples/TrainLoop"),
        .executableTarget(
            name: "ChatSFT", dependencies: ["Collate", "CollateTokenizers", "CollateData", "CollateBackends"], path: "Samples/ChatSFT"),

        // Benchmarks
        .executableTarget(name: "PackingBench", dependencies: ["Collate"], path: "Benchmarks/PackingBench"),
        .executableTarget(
            name: "EndToEndBench", dependencies: ["Collate", "CollateData", "CollateTokenizers"], path: "Benchmarks/EndToEndBench"),
        .executableTarget(name: "ChatTemplateBench", dependencies: ["Collate", "CollateTokenizers"], path: "Benchmarks/ChatTemplateBench"),
        .executableTarget(name: "JSONLReadBench", dependencies: ["Collate", "CollateData"], path: "Benchmarks/JSONLReadBench"),

        // Tests
        .target(name: "CollateTesting", dependencies: ["Collate"]),
        // Shared helpers of the test targets (process runner, fixture locator); not a product.
        .target(name: "CollateTestSupport", dependencies: ["Collate"], path: "Tests/CollateTestSupport"),
        .testTarget(name: "CollateTestingTests", dependencies: ["CollateTestSupport", "CollateTesting", "Collate"]),
        .testTarget(name: "CollateTests", dependencies: ["CollateTestSupport", "Collate", "CollateTesting"]),
        .testTarget(name: "CollateInspectionTests", dependencies: ["CollateTestSupport", "CollateInspection", "Collate"]),
        .testTarget(name: "CollateTokenizersTests", dependencies: ["CollateTestSupport", "CollateTokenizers"]),
        .testTarget(name: "CollateDataTests", dependencies: ["CollateTestSupport", "CollateData", "CollateTokenizers", "Collate"]),
        .testTarget(name: "CollateBackendsTests", dependencies: ["CollateTestSupport", "CollateBackends", "Collate", "CollateData"]),
        .testTarget(name: "CollateCLITests", dependencies: ["CollateTestSupport", "CollateCLI", "CollateCommandLine", "Collate", "CollateData", "QuickStart", "CustomCollator", "CustomCollatorTool", "Seq2Seq", "TrainLoop", "ChatSFT"]),
        .testTarget(name: "CollateReliabilityTests", dependencies: ["CollateTestSupport", "CollateCLI", "CollateCommandLine", "Collate", "CollateData", "CollateTokenizers"]),
    ],
    swiftLanguageModes: [.v6]
)
