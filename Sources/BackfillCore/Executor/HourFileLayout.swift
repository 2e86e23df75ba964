import Foundation

/// Where an hour's file goes under a destination: one key per hour (`[H:00, H+1:00)` UTC) and
/// destination, so writing the hour again replaces that key, never adds a second one.
public enum HourFileLayout: String, Sendable, CaseIterable {
    /// `date=YYYY-MM-DD/hour=HH/<stem>_YYYYMMDDTHH0000Z.parquet`: Hive-style
    /// partitions that Athena, Spark and DuckDB's `hive_partitioning` understand.
    case hive
    /// Just the file name, as the hourly CronJob names its uploads today.
    case flat

    /// The key of an hour's file; `stem` is the dataset's (`Dataset.fileStem`).
    public func key(hourStartMillis: Int64, stem: String) -> String {
        let iso = UTCFormat.iso(millis: hourStartMillis)  // 2026-02-04T14:00:00Z
        let date = String(iso.prefix(10))
        let hour = String(iso.dropFirst(11).prefix(2))
        let name = "\(stem)_\(date.replacingOccurrences(of: "-", with: ""))T\(hour)0000Z.parquet"
        switch self {
        case .hive: return "date=\(date)/hour=\(hour)/\(name)"
        case .flat: return name
        }
    }

    /// What every key of the hour's UTC day starts with: one listing finds the whole day.
    func dayPrefix(hourStartMillis: Int64, stem: String) -> String {
        let date = String(UTCFormat.iso(millis: hourStartMillis).prefix(10))
        switch self {
        case .hive: return "date=\(date)/"
        case .flat: return "\(stem)_\(date.replacingOccurrences(of: "-", with: ""))T"
        }
    }
}
