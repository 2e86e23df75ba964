// swift-tools-version:6.0
// pulp-backfill: CloudWatch Logs Insights → hourly Parquet, with a SQLite catalog.
// Modules depend one way: pulp-backfill (CLI) → BackfillCore → Catalog, AWS, AccessLog, Parquet.
import PackageDescription

let package = Package(
    name: "pulp-backfill",
    products: [
        .executable(name: "pulp-backfill", targets: ["pulp-backfill"]),
        .executable(name: "insights-sim", targets: ["insights-sim"]),
        // Only for the benchmarks' own package (Benchmarks/Package.swift), so that `swift build`
        // of the tool compiles no benchmark; nothing else is meant to link these.
        .library(name: "BackfillCore", targets: ["BackfillCore"]),
        .library(name: "AccessLog", targets: ["AccessLog"]),
        .library(name: "Parquet", targets: ["Parquet"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // System libraries (Debian: libsnappy-dev, libzstd-dev), installed by `make deps`.
        .systemLibrary(name: "CSnappy", path: "Sources/CSnappy", providers: [.apt(["libsnappy-dev"])]),
        .systemLibrary(name: "CZstd", path: "Sources/CZstd", providers: [.apt(["libzstd-dev"])]),
        // glibc's <malloc.h> (mallopt, malloc_trim), which the Glibc module leaves out.
        .systemLibrary(name: "CGlibcMalloc", path: "Sources/CGlibcMalloc"),

        // Helpers every layer shares (civil dates, JSON string text, an async semaphore); depends on nothing.
        .target(name: "Basics"),
        .target(name: "AccessLog", dependencies: ["Basics"]),
        // Every retry rule: error classes, full-jitter backoff, attempts per request, chunk and hour.
        .target(name: "Retry"),
        .target(name: "Parquet", dependencies: ["CSnappy", "CZstd"]),
        // SQLite catalog over migrations/*.sql (embedded in EmbeddedMigrations.swift; a test keeps them equal).
        .target(name: "Catalog", dependencies: [
            "Basics",
            .product(name: "GRDB", package: "GRDB.swift"),
            // The SQLite C API, to read staged strings by length (see `ExactText`).
            .product(name: "GRDBSQLite", package: "GRDB.swift"),
        ]),
        // AWS protocol layer: SigV4, credential chain, CloudWatch Logs and S3 clients over AsyncHTTPClient.
        .target(
            name: "AWS",
            dependencies: [
                "Retry",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                // Imported directly (event loops, HTTP types), not only through AsyncHTTPClient.
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .target(
            name: "BackfillCore",
            dependencies: [
                "Basics", "AccessLog", "Parquet", "Catalog", "AWS", "Retry", "CGlibcMalloc",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "pulp-backfill",
            dependencies: [
                "BackfillCore",
                "Basics",
                "AWS",
                "AccessLog",
                "Catalog",
                "Parquet",
                "CGlibcMalloc",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // Test-only driver for the AWS layer; Tests/interop/test_aws_*.py run it against moto.
        .executableTarget(name: "aws-probe", dependencies: ["AWS", "AccessLog"]),
        // Test-only helper: claims/completes chunks in a loop so tests can run several processes on one catalog.
        .executableTarget(name: "catalog-probe", dependencies: ["Catalog"]),
        // Stand-in CloudWatch Logs Insights server and seeded Pulp corpus (README "Insights simulator").
        .target(
            name: "InsightsSimulator",
            dependencies: [
                "Basics",
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

        // Seeded randomness shared by the Swift test targets (not part of the tool).
        .target(name: "TestRandom", path: "Tests/TestRandom"),
        .testTarget(name: "BasicsTests", dependencies: ["Basics"]),
        .testTarget(name: "AccessLogTests", dependencies: ["AccessLog", "TestRandom"]),
        .testTarget(name: "ParquetTests", dependencies: ["Parquet", "TestRandom"]),
        .testTarget(name: "CatalogTests", dependencies: ["Catalog", "catalog-probe", "TestRandom"]),
        .testTarget(name: "AWSTests", dependencies: ["AWS", "TestRandom"], exclude: ["botocore_sign.py"]),
        .testTarget(name: "BackfillCoreTests", dependencies: ["BackfillCore", "AccessLog", "Catalog", "Parquet", "Retry", "TestRandom"]),
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
