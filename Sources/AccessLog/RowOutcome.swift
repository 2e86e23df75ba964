/// Why a result row produced no access-log row although it was well formed (design.md §2).
public enum SkipReason: String, Sendable, CaseIterable {
    /// No quoted value of the form `METHOD TARGET [PROTOCOL]` (rule 3).
    case noRequest
    /// The path is not `/api/pypi/<domain>/<distribution>/simple/<package>/` (rule 8).
    case pathNotPyPI
    /// The path starts with none of the `--filter-paths` prefixes (rule 9).
    case notIncluded
    /// The path starts with one of the `--exclude-paths` prefixes (rule 9).
    case excluded
    /// The access line contains `django.request:WARNING` (rule 9).
    case djangoWarning
}

/// What one Insights result row turned into.
///
/// Precedence: a row is `skipped` whenever a skip rule applies, whatever its timestamp;
/// `malformed` is reserved for rows that would otherwise be kept but have no readable
/// timestamp (rule 10). A missing `@ptr` is neither: the row is kept with `ptr == ""`.
public enum RowOutcome: Sendable, Equatable {
    case kept(AccessLogRow)
    case skipped(SkipReason)
    /// The reason, for logs; never contains secrets (it quotes at most the timestamp text).
    case malformed(String)
}

/// Per-chunk tallies of what the rows turned into (shown by `status`).
public struct RowCounts: Sendable, Equatable, Codable {
    public var rows = 0
    public var skipped = 0
    public var malformed = 0

    public init(rows: Int = 0, skipped: Int = 0, malformed: Int = 0) {
        self.rows = rows
        self.skipped = skipped
        self.malformed = malformed
    }

    public mutating func count(_ outcome: RowOutcome) {
        switch outcome {
        case .kept: rows += 1
        case .skipped: skipped += 1
        case .malformed: malformed += 1
        }
    }
}
