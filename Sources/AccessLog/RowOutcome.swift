/// Why a result row produced no row of its dataset although it was well formed. Each dataset
/// lists the reasons it can give (`Dataset.skipReasons`); `label` is how `status` shows them.
public enum SkipReason: String, Sendable, CaseIterable, Codable {
    /// No quoted value of the form `METHOD TARGET [PROTOCOL]` (rule 3 of docs/row-rules.md).
    case noRequest
    /// The path is not `/api/pypi/<domain>/<distribution>/simple/<package>/` (rule 8).
    case pathNotPyPI
    /// The path starts with none of the `--filter-paths` prefixes (rule 9).
    case notIncluded
    /// The path starts with one of the `--exclude-paths` prefixes (rule 9).
    case excluded
    /// The access line contains `django.request:WARNING` (rule 9).
    case djangoWarning
    /// Content datasets: the line is not a content-app download line.
    case lineShape
    /// Content datasets: the path is not `/api/pulp-content/<domain>/<distribution…>/<file>`.
    case contentPath
    /// Content datasets: the file belongs to another dataset (or to none).
    case otherDataset
    /// Content datasets: the file name is not a wheel, NEVRA or Maven name as the dataset needs.
    case fileName

    /// The name `status` and the catalog use.
    public var label: String {
        switch self {
        case .noRequest: "no-request"
        case .pathNotPyPI: "path-not-pypi"
        case .notIncluded: "not-included"
        case .excluded: "excluded"
        case .djangoWarning: "django-warning"
        case .lineShape: "line-shape"
        case .contentPath: "path"
        case .otherDataset: "other-dataset"
        case .fileName: "file-name"
        }
    }
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
public struct RowCounts: Sendable, Equatable {
    public var rows = 0
    public var skipped = 0
    public var malformed = 0
    /// `skipped` by reason, indexed by the reason's position in `SkipReason.allCases` (an
    /// array, not a dictionary: it is counted once per row).
    private var byReason = [Int](repeating: 0, count: SkipReason.allCases.count)

    public init(rows: Int = 0, skipped: Int = 0, malformed: Int = 0) {
        self.rows = rows
        self.skipped = skipped
        self.malformed = malformed
    }

    public mutating func count(_ outcome: RowOutcome) {
        switch outcome {
        case .kept: rows += 1
        case .skipped(let reason): count(skipped: reason)
        case .malformed: malformed += 1
        }
    }

    public mutating func count(_ verdict: RowVerdict) {
        switch verdict {
        case .kept: rows += 1
        case .skipped(let reason): count(skipped: reason)
        case .malformed: malformed += 1
        }
    }

    private mutating func count(skipped reason: SkipReason) {
        skipped += 1
        byReason[reason.index] += 1
    }

    /// Adds another tally (of another slice or chunk).
    public mutating func add(_ other: RowCounts) {
        rows += other.rows
        skipped += other.skipped
        malformed += other.malformed
        for index in byReason.indices { byReason[index] += other.byReason[index] }
    }

    /// Skipped rows by reason label, reasons with none left out.
    public var skippedByReason: [String: Int] {
        var result: [String: Int] = [:]
        for (reason, count) in zip(SkipReason.allCases, byReason) where count > 0 { result[reason.label] = count }
        return result
    }
}

extension SkipReason {
    /// Position in `allCases`.
    var index: Int {
        switch self {
        case .noRequest: 0
        case .pathNotPyPI: 1
        case .notIncluded: 2
        case .excluded: 3
        case .djangoWarning: 4
        case .lineShape: 5
        case .contentPath: 6
        case .otherDataset: 7
        case .fileName: 8
        }
    }
}
