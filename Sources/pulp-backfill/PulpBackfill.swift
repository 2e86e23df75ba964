import ArgumentParser
import BackfillCore
import CGlibcMalloc
import Foundation

/// Root command: only wires subcommands together; each subcommand lives in its own file.
@main
struct PulpBackfill: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pulp-backfill",
        abstract: "Backfill Pulp PyPI access logs from CloudWatch Logs Insights into hourly Parquet files.",
        version: ToolVersion.version,
        subcommands: [
            BackfillCommand.self, PlanCommand.self, RunCommand.self, ExportCommand.self, StatusCommand.self, CatalogCommand.self,
            ConvertCommand.self, UploadCommand.self, DoctorCommand.self, DDLCommand.self, VerifyCommand.self,
        ]
    )

    /// Like ArgumentParser's default `main`, except that a command line it cannot parse is
    /// reported as one line on stderr with exit status 2 (ArgumentParser would print the usage
    /// too and exit 64): the CLI promises exit 2 for every usage error.
    static func main() async {
        // glibc gives each thread that allocates its own heap arena and rarely returns their
        // memory; with SwiftNIO's and the concurrency pool's threads that multiplies the
        // resident size of a long run. Two arenas keep it bounded at no measurable cost.
        _ = mallopt(M_ARENA_MAX, 2)
        do {
            var command = try parseAsRoot()
            setUpLogging(for: command)
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                let text = message(for: error).split(whereSeparator: \.isNewline).first.map(String.init) ?? "invalid arguments"
                let trimmed = text.hasPrefix("Error: ") ? String(text.dropFirst("Error: ".count)) : text
                CommandFailure.printError(trimmed)
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }

    /// Logging is set up here, once, for every command (swift-log allows one bootstrap per
    /// process): the stderr handler, and JSON error and notice lines with `--log-format json`.
    /// Commands without the logging flags get text at level notice.
    static func setUpLogging(for command: ParsableCommand) {
        let logging = (command as? any ChunkRunningCommand)?.runOptions.logging
        let json = logging?.logFormat == .json
        CommandFailure.useJSONLines(json)
        StderrLogHandler.bootstrap(verbose: logging?.verbose ?? false, json: json)
    }
}
