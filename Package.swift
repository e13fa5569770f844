// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Collate",
    products: [
        .library(name: "Collate", targets: ["Collate"]),
        .library(name: "CollateTokenizers", targets: ["CollateTokenizers"]),
        .library(name: "CollateData", targets: ["CollateData"]),
        .library(name: "CollateBackends", targets: ["CollateBackends"]),
        .executable(name: "collate", targets: ["CollateCLI"]),
    ],
    targets: [
        // Core
        .target(name: "Collate"),
        .target(name: "CollateTokenizers", dependencies: ["Collate"]),
        .target(name: "CollateData", dependencies: ["Collate", "CollateTokenizers"]),
        .target(name: "CollateBackends", dependencies: ["Collate"]),

        // Tools
        .executableTarget(
            name: "CollateCLI",
            dependencies: ["Collate", "CollateTokenizers", "CollateData", "CollateBackends"]
        ),

        // Benchmarks
        .executableTarget(name: "PackingBench", dependencies: ["Collate"], path: "Benchmarks/PackingBench"),

        // Tests
        .testTarget(name: "CollateTests", dependencies: ["Collate"]),
        .testTarget(name: "CollateDataTests", dependencies: ["CollateData", "Collate"]),
        .testTarget(name: "CollateTokenizersTests", dependencies: ["CollateTokenizers"]),
        .testTarget(name: "CollateBackendsTests", dependencies: ["CollateBackends", "Collate"]),
        .testTarget(name: "CollateCLITests", dependencies: ["CollateCLI"]),
    ],
    swiftLanguageModes: [.v6]
)
