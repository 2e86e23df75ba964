import ArgumentParser
import BackfillCore

/// `pulp-backfill ddl`: prints the table definition that lets a query engine read a dataset's
/// hourly files where they are. The text comes from `TableDDL`; this file only parses flags.
struct DDLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ddl",
        abstract: "Print a table definition (Athena, Trino, Spark, DuckDB, Snowflake) for a dataset's hourly Parquet files.",
        discussion: """
            The columns are exactly the ones the files hold for --dataset and --timestamp-unit (use the \
            unit the backfill was written with). --layout hive adds the date (string) and hour (integer) \
            partition columns of the date=YYYY-MM-DD/hour=HH/ folders; --layout flat has none. The \
            output is SQL for the engine, with comments on what to run again when new hours land.
            """
    )

    @Option(help: "Query engine.")
    var engine: TableDDL.Engine

    @Option(help: "Where the files are: the backfill's --output-path (s3://bucket/prefix, or a local folder for Spark and DuckDB).")
    var location: String

    @Option(help: "Table (or view) name, optionally SCHEMA.NAME or CATALOG.SCHEMA.NAME (default: the dataset's file stem, e.g. pulp_access_logs).")
    var table: String?

    @OptionGroup var content: DatasetOptions

    @Option(help: "File layout under the location.")
    var layout: HourFileLayout = .hive

    func run() throws {
        do {
            let text = try TableDDL.text(
                engine: engine, location: location, table: table, dataset: content.dataset.rawValue,
                unit: content.timestampUnit, layout: layout)
            print(text, terminator: "")
        } catch {
            throw CommandFailure.usage(error.message)
        }
    }
}
