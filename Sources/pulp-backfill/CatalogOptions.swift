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

/// `--max-concurrent-queries`: the account's Insights quota, which `plan --dry-run` estimates
/// with and `run` shares out (`--query-share`). Declared once for both.
struct AccountQueryQuota: ParsableArguments {
    @Option(help: "Concurrent Insights queries allowed per account and region (AWS's quota is 30).")
    var maxConcurrentQueries: Int = 30

    func validate() throws {
        guard maxConcurrentQueries >= 1 else { throw ValidationError("--max-concurrent-queries must be at least 1") }
    }
}

/// Insights quotas; `plan --dry-run` estimates with them.
struct InsightsQuotaOptions: ParsableArguments {
    @OptionGroup var account: AccountQueryQuota
    var maxConcurrentQueries: Int { account.maxConcurrentQueries }
    @Option(help: "StartQuery requests per second.")
    var startQueryRate: Double = 5
    @Option(help: "GetQueryResults requests per second.")
    var getQueryResultsRate: Double = 5

    func validate() throws {
        guard startQueryRate > 0, getQueryResultsRate > 0 else { throw ValidationError("request rates must be positive") }
    }
}
