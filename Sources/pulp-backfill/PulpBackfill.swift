import ArgumentParser
import BackfillCore

/// Root command: only wires subcommands together; each subcommand lives in its own file.
@main
struct PulpBackfill: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pulp-backfill",
        abstract: "Backfill Pulp PyPI access logs from CloudWatch Logs Insights into hourly Parquet files.",
        version: ToolVersion.version,
        subcommands: [UploadCommand.self, DoctorCommand.self]
    )
}
