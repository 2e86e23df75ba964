import Catalog

/// `plan`/`backfill` export whole, settled hours only (pure: the clock is an input).
///
/// A start inside an hour is widened to that hour's start and an end inside an hour to that
/// hour's end — an hourly file always holds its whole hour, never the part of it a range
/// happened to cover. Then the end is cut at the last whole hour that ended at least `settle`
/// ago: CloudWatch ingests events minutes late, and an hour exported while they still arrive
/// would miss them for good once existing files are skipped. (`export` keeps the seed's
/// semantics: exactly the range asked for.)
public struct SettledHours: Sendable, Equatable {
    public var settleMillis: Int64

    public init(settleMillis: Int64 = 15 * 60_000) {
        self.settleMillis = max(0, settleMillis)
    }

    public struct Window: Sendable, Equatable {
        /// Nil when no whole hour of the range has settled yet.
        public let range: TimeRange?
        public let notices: [String]
    }

    public func window(_ requested: TimeRange, nowMillis: Int64) -> Window {
        let hour = Catalog.hourMillis
        var notices: [String] = []
        let start = Catalog.hourStart(requested.startMillis)
        if start != requested.startMillis {
            notices.append("notice: start widened to \(UTCFormat.iso(millis: start)) (hourly files hold whole hours)")
        }
        var end = Catalog.hourStart(requested.endMillis - 1) + hour
        if end != requested.endMillis {
            notices.append("notice: end widened to \(UTCFormat.iso(millis: end)) (hourly files hold whole hours)")
        }
        let settled = Catalog.hourStart(nowMillis - settleMillis)
        if end > settled {
            end = settled
            notices.append("notice: end cut to \(UTCFormat.iso(millis: end)): later hours ended less than "
                           + "\(DurationFormat.text(seconds: Double(settleMillis) / 1000)) ago (--settle) and are left for a later run")
        }
        guard end > start else { return Window(range: nil, notices: notices) }
        return Window(range: TimeRange(startMillis: start, endMillis: end), notices: notices)
    }

    /// `15m`, `1h`, `90s`, `0`: the settle time in milliseconds, nil if unreadable.
    public static func parseDuration(_ text: String) -> Int64? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        if trimmed == "0" { return 0 }
        guard let unit = trimmed.last, let value = Int64(trimmed.dropLast()), value >= 0 else { return nil }
        switch unit {
        case "s": return value * 1000
        case "m": return value * 60_000
        case "h": return value * 3_600_000
        default: return nil
        }
    }
}
