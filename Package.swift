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
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        // System libraries (Debian: libsnappy-dev, libzstd-dev), installed by `make deps`.
        .systemLibrary(name: "CSnappy", path: "Sources/CSnappy", providers: [.apt(["libsnappy-dev"])]),
        .systemLibrary(name: "CZstd", path: "Sources/CZstd", providers: [.apt(["libzstd-dev"])]),

        .target(name: "AccessLog"),
        .target(name: "Parquet", dependencies: ["CSnappy", "CZstd"]),
        // SQLite catalog over migrations/*.sql (embedded in EmbeddedMigrations.swift; a test keeps them equal).
        .target(name: "Catalog", dependencies: [.product(name: "GRDB", package: "GRDB.swift")]),
        .target(name: "BackfillCore", dependencies: ["AccessLog", "Parquet", "Catalog"]),
        .executableTarget(
            name: "pulp-backfill",
            dependencies: [
                "BackfillCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // Release-mode throughput benchmark for AccessLog (Benchmarks/bench_accesslog.sh).
        .executableTarget(name: "accesslog-bench", dependencies: ["AccessLog"], path: "Benchmarks/bench_accesslog"),

        // `make bench`: times our Parquet encoder alone (Benchmarks/bench_parquet.py drives it).
        .executableTarget(name: "pulp-backfill-bench", dependencies: ["BackfillCore"], path: "Benchmarks/EncoderBench"),

        // Test-only helper: claims/completes chunks in a loop so tests can run several processes on one catalog.
        .executableTarget(name: "catalog-probe", dependencies: ["Catalog"]),

        .testTarget(name: "AccessLogTests", dependencies: ["AccessLog"]),
        .testTarget(name: "CatalogTests", dependencies: ["Catalog", "catalog-probe"]),
        .testTarget(name: "ParquetTests", dependencies: ["Parquet"]),
        .testTarget(name: "BackfillCoreTests", dependencies: ["BackfillCore"]),
    ]
)
