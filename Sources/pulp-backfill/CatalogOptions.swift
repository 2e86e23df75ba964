import ArgumentParser
import Foundation

/// `--catalog PATH`, shared by every command that reads or writes the catalog.
struct CatalogOptions: ParsableArguments {
    static let environmentVariable = "PULP_BACKFILL_CATALOG"
    static let defaultPath = "./pulp-backfill.sqlite"

    @Option(name: .customLong("catalog"),
            help: "SQLite catalog file (default: $PULP_BACKFILL_CATALOG, else ./pulp-backfill.sqlite).")
    var catalog: String?

    /// Flag, then environment, then the default.
    var path: String {
        if let catalog, !catalog.isEmpty { return catalog }
        if let fromEnvironment = ProcessInfo.processInfo.environment[Self.environmentVariable], !fromEnvironment.isEmpty {
            return fromEnvironment
        }
        return Self.defaultPath
    }
}

/// Insights quotas (design §5); `plan --dry-run` estimates with them.
struct InsightsQuotaOptions: ParsableArguments {
    @Option(help: "Concurrent Insights queries allowed per account and region.")
    var maxConcurrentQueries: Int = 30
    @Option(help: "StartQuery requests per second.")
    var startQueryRate: Double = 5
    @Option(help: "GetQueryResults requests per second.")
    var getQueryResultsRate: Double = 5

    func validate() throws {
        guard maxConcurrentQueries > 0 else { throw ValidationError("--max-concurrent-queries must be positive") }
        guard startQueryRate > 0, getQueryResultsRate > 0 else { throw ValidationError("request rates must be positive") }
    }
}

/// `--format` values, checked in `run()` so a wrong value is a one-line usage error (exit 2).
enum OutputFormat: String, CaseIterable {
    case table, json, csv

    static func parse(_ text: String, allowed: [OutputFormat]) throws -> OutputFormat {
        guard let format = OutputFormat(rawValue: text.lowercased()), allowed.contains(format) else {
            throw CommandFailure.usage("unknown format \"\(text)\" (expected \(allowed.map(\.rawValue).joined(separator: ", ")))")
        }
        return format
    }
}
