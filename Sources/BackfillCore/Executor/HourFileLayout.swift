import Foundation

/// Where an hour's file goes under a destination (design §4).
public enum HourFileLayout: String, Sendable, CaseIterable {
    /// `date=YYYY-MM-DD/hour=HH/pulp_access_logs_YYYYMMDDTHH0000Z.parquet`: Hive-style
    /// partitions that Athena, Spark and DuckDB's `hive_partitioning` understand.
    case hive
    /// Just the file name, as the hourly CronJob names its uploads today.
    case flat

    public func key(hourStartMillis: Int64) -> String {
        let iso = UTCFormat.iso(millis: hourStartMillis)  // 2026-02-04T14:00:00Z
        let date = String(iso.prefix(10))
        let hour = String(iso.dropFirst(11).prefix(2))
        let name = "pulp_access_logs_\(date.replacingOccurrences(of: "-", with: ""))T\(hour)0000Z.parquet"
        switch self {
        case .hive: return "date=\(date)/hour=\(hour)/\(name)"
        case .flat: return name
        }
    }

    /// What every key of the hour's UTC day starts with: one listing finds the whole day.
    public func dayPrefix(hourStartMillis: Int64) -> String {
        let date = String(UTCFormat.iso(millis: hourStartMillis).prefix(10))
        switch self {
        case .hive: return "date=\(date)/"
        case .flat: return "pulp_access_logs_\(date.replacingOccurrences(of: "-", with: ""))T"
        }
    }
}
