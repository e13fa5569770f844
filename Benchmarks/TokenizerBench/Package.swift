// swift-tools-version: 6.0
// Encode-throughput benchmark of CollateTokenizers against HF tokenizers.
// Kept out of the main package so `swift build` / `swift test` never build it.
// Run `./run.sh` (release build; see Guides/Tokenizers.md).
import PackageDescription

let package = Package(
    name: "TokenizerBench",
    dependencies: [.package(name: "Collate", path: "../..")],
    targets: [
        .executableTarget(
            name: "TokenizerBench",
            dependencies: [.product(name: "CollateTokenizers", package: "Collate")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
