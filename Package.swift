// swift-tools-version:6.0
// pulp-backfill: CloudWatch Logs Insights → hourly Parquet, with a SQLite catalog.
// Modules depend one way: pulp-backfill (CLI) → BackfillCore → AccessLog, Parquet (and later Catalog, AWS).
import PackageDescription

let package = Package(
    name: "pulp-backfill",
    products: [
        .executable(name: "pulp-backfill", targets: ["pulp-backfill"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
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

        // Encoder benchmark driven by Benchmarks/bench_parquet_encoder.py (compares with pyarrow).
        .executableTarget(name: "bench-parquet-encoder", dependencies: ["Parquet"], path: "Benchmarks/bench_parquet_encoder"),

        .testTarget(name: "AccessLogTests", dependencies: ["AccessLog"]),
        .testTarget(name: "ParquetTests", dependencies: ["Parquet"]),
        .testTarget(name: "BackfillCoreTests", dependencies: ["BackfillCore"]),
    ]
)
