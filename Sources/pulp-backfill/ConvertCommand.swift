import AccessLog
import ArgumentParser
import BackfillCore
import Parquet

/// `pulp-backfill convert`: Insights results saved to a file → one Parquet file.
struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert saved Insights results (NDJSON rows or a GetQueryResults JSON response) into one Parquet file.",
        discussion: """
            The input format is detected: a JSON document with a top-level "results" member is a saved \
            GetQueryResults response (as `aws logs get-query-results` prints it); anything else is read \
            as NDJSON, one Insights row object ({"@timestamp", "@message", "@ptr"}) per line. \
            Rows are sorted by (timestamp, @ptr); the file appears only when complete.
            """
    )

    @Option(help: "File of Insights result rows (NDJSON or a saved GetQueryResults response).")
    var input: String

    @Option(help: "Parquet file to write (replaced atomically if it exists).")
    var output: String

    @OptionGroup var rows: RowFileOptions

    @Option(help: ArgumentHelp("Rows per row group (default 1,048,576, or fewer if a group's data passes 64 MiB).", visibility: .hidden))
    var rowGroupRows: Int?

    @Option(help: ArgumentHelp("Target size of a data page in bytes (default 1 MiB).", visibility: .hidden))
    var dataPageBytes: Int?

    func run() throws {
        let codec = rows.compression
        if let rowGroupRows, rowGroupRows < 1 { throw CommandFailure.usage("--row-group-rows must be at least 1") }
        if let dataPageBytes, dataPageBytes < 1 { throw CommandFailure.usage("--data-page-bytes must be at least 1") }

        var options = InsightsFileConverter.Options()
        options.compression = codec
        options.timestampUnit = rows.content.timestampUnit
        try rows.checkPathFilters(dataset: rows.content.dataset)
        options.dataset = rows.content.dataset.dataset(filter: PathFilter(filterPaths: rows.filterPaths, excludePaths: rows.excludePaths))
        options.rowGroupRows = rowGroupRows
        options.dataPageBytes = dataPageBytes
        do {
            let summary = try InsightsFileConverter(options: options).convert(input: input, output: output)
            let c = summary.counts
            print("\(input) (\(summary.inputFormat.rawValue)): \(c.rows) rows written, \(c.skipped) skipped, \(c.malformed) malformed → \(output) (\(summary.bytes) bytes, \(codec.rawValue))")
        } catch {
            switch error {
            case .usage(let message): throw CommandFailure.usage(message)
            case .runtime(let message): throw CommandFailure.runtime(message)
            }
        }
    }
}
