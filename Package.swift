// swift-tools-version:6.0
// pulp-backfill: CloudWatch Logs Insights → hourly Parquet, with a SQLite catalog.
// Modules depend one way: pulp-backfill (CLI) → BackfillCore → AccessLog, Parquet (and later Catalog, AWS).
import PackageDescription

let package = Package(
    name: "pulp-backfill",
    products: [
        .executable(name: "pulp-backfill", targets: ["pulp-backfill"]),
        .executable(name: "insights-sim", targets: ["insights-sim"]),
        .library(name: "InsightsSimulator", targets: ["InsightsSimulator"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // System libraries (Debian: libsnappy-dev, libzstd-dev), installed by `make deps`.
        .systemLibrary(name: "CSnappy", path: "Sources/CSnappy", providers: [.apt(["libsnappy-dev"])]),
        .systemLibrary(name: "CZstd", path: "Sources/CZstd", providers: [.apt(["libzstd-dev"])]),

        .target(name: "AccessLog"),
        .target(name: "Parquet", dependencies: ["CSnappy", "CZstd"]),
        .target(name: "BackfillCore", dependencies: ["AccessLog", "Parquet"]),
        .executableTarget(
            name: "pulp-backfill",
            dependencies: [
                "BackfillCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // Stand-in CloudWatch Logs Insights server and seeded Pulp corpus (issue 4).
        .target(
            name: "InsightsSimulator",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .executableTarget(
            name: "insights-sim",
            dependencies: [
                "InsightsSimulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),

        .testTarget(name: "AccessLogTests", dependencies: ["AccessLog"]),
        .testTarget(name: "ParquetTests", dependencies: ["Parquet"]),
        .testTarget(name: "BackfillCoreTests", dependencies: ["BackfillCore"]),
        .testTarget(
            name: "InsightsSimulatorTests",
            dependencies: [
                "InsightsSimulator",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
    ]
)
