// swift-tools-version:6.0
// The benchmarks' own package, so that `swift build` of the tool compiles none of them.
// `make bench` builds it in release (`swift build -c release --package-path Benchmarks`) and
// hands its bin folder to the drivers in this folder as PULP_BACKFILL_BENCH_BIN_DIR.
// It links the tool's modules through the library products of ../Package.swift.
import PackageDescription

let package = Package(
    name: "pulp-backfill-benchmarks",
    dependencies: [
        .package(name: "pulp-backfill", path: ".."),
    ],
    targets: [
        // The Parquet encoder against pyarrow.parquet.write_table; one executable, two inputs:
        //   `encoder-bench ndjson …`  rows parsed by the tool's access dataset (bench_parquet.py)
        //   `encoder-bench dump …`    a synthetic column dump from bench_parquet_encoder.py
        .executableTarget(
            name: "encoder-bench",
            dependencies: [
                .product(name: "BackfillCore", package: "pulp-backfill"),
                .product(name: "AccessLog", package: "pulp-backfill"),
                .product(name: "Parquet", package: "pulp-backfill"),
            ]
        ),
        // Per-row cost of the AccessLog module, one core (bench_accesslog.sh).
        .executableTarget(
            name: "accesslog-bench",
            dependencies: [.product(name: "AccessLog", package: "pulp-backfill")]
        ),
    ]
)
