import AccessLog
import ArgumentParser
import BackfillCore
import Parquet

/// `--timestamp-unit` and `--dataset`: which rows and columns the files hold. Declared once for
/// the commands that write files (`plan`/`backfill`/`export` through `QueryRangeOptions`,
/// `convert` through `RowFileOptions`) and `ddl`, which reads them.
struct DatasetOptions: ParsableArguments {
    @Option(help: "Unit of the timestamp column: ns (the seed's schema), us (read natively by Spark) or ms.")
    var timestampUnit: TimestampUnit = .ns
    @Option(help: "Which rows and columns: access (PyPI API requests) or the content downloads content-python, content-rpm, content-maven.")
    var dataset: DatasetName = .access
}

/// What goes into a Parquet file made from Insights rows: the codec, the path filters of the
/// access dataset, the dataset and its timestamp unit. Shared by `QueryRangeOptions` and `convert`.
struct RowFileOptions: ParsableArguments {
    @Option(help: "Codec of the Parquet files: snappy, zstd or none.")
    var compression: ParquetCompression = .snappy
    @Option(help: "Keep only rows whose path starts with one of these (comma list; default /api/pypi/; access only).")
    var filterPaths: String?
    @Option(help: "Skip rows whose path starts with one of these (comma list; default /livez,/status; access only).")
    var excludePaths: String?
    @OptionGroup var content: DatasetOptions

    /// Path filters are rules of the access dataset; given with another, they would do nothing,
    /// so that is a usage error (exit 2). `dataset`: the one the command settled on (`export`
    /// may take it from `--content-type`).
    func checkPathFilters(dataset: DatasetName) throws {
        if dataset != .access, filterPaths != nil || excludePaths != nil {
            throw CommandFailure.usage("--filter-paths and --exclude-paths apply to --dataset access only")
        }
    }
}
