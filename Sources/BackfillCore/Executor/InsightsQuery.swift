import AccessLog
import Foundation

/// One Logs Insights query over whole seconds, as StartQuery takes it.
public struct InsightsQuery: Sendable, Equatable {
    public var logGroups: [String]
    /// Inclusive bounds in epoch seconds (Insights' own semantics).
    public var startSecond: Int64
    public var endSecond: Int64
    public var queryString: String
    public var limit: Int

    public init(logGroups: [String], startSecond: Int64, endSecond: Int64, queryString: String, limit: Int) {
        self.logGroups = logGroups
        self.startSecond = startSecond
        self.endSecond = endSecond
        self.queryString = queryString
        self.limit = limit
    }
}

/// What a query returned once it completed.
public struct InsightsQueryResult: Sendable {
    public var rows: [InsightsRow]
    /// `statistics.recordsMatched`: more than `rows.count` means the result was cut off.
    public var recordsMatched: Int
    public var bytesScanned: Double

    public init(rows: [InsightsRow], recordsMatched: Int, bytesScanned: Double) {
        self.rows = rows
        self.recordsMatched = recordsMatched
        self.bytesScanned = bytesScanned
    }
}

/// Runs one query to completion (start, poll, fetch results). The seam between the chunk
/// logic, which must never lose a row, and the AWS client, which must respect quotas.
public protocol InsightsQueryRunning: Sendable {
    func run(_ query: InsightsQuery) async throws -> InsightsQueryResult
}

/// The query text for a backfill (design §4): fetch the three fields the row contract reads,
/// oldest first, as many rows as Insights allows.
///
/// The server-side filter must be a superset of the client-side rules (rule 9), because a row
/// the server drops is lost for good. The client keeps a row when its request path starts with
/// an include prefix; that path appears inside `@message`, but possibly JSON-escaped when the
/// access line is wrapped in a logging document (`/` may be written `\/`). So each prefix
/// becomes a regex in which every `/` may be preceded by a backslash, and prefixes with
/// characters JSON might escape otherwise (quotes, backslashes, control or non-ASCII
/// characters) disable the server filter altogether. Excludes are applied only client-side.
public enum InsightsQueryText {
    public static let maximumLimit = 10_000

    public static func backfill(filter: PathFilter, logStream: String? = nil) -> String {
        var parts = ["fields @timestamp, @message, @ptr, @logStream"]
        if let logStream {
            parts.append("filter @logStream = \"\(escapeString(logStream))\"")
        }
        if let include = includeFilter(filter.includePrefixes) {
            parts.append("filter \(include)")
        }
        parts.append("sort @timestamp asc")
        parts.append("limit \(maximumLimit)")
        return parts.joined(separator: " | ")
    }

    /// `@message like /…/ or …`, or nil when no safe superset filter exists.
    static func includeFilter(_ prefixes: [String]) -> String? {
        guard !prefixes.isEmpty else { return nil }
        var regexes: [String] = []
        for prefix in prefixes {
            guard let regex = slashTolerantRegex(prefix) else { return nil }
            regexes.append("@message like /\(regex)/")
        }
        return regexes.joined(separator: " or ")
    }

    /// A regex matching `prefix` literally, with `\` optional before each `/`; nil if the
    /// prefix holds a character that JSON could escape in another way.
    static func slashTolerantRegex(_ prefix: String) -> String? {
        var out = ""
        for scalar in prefix.unicodeScalars {
            switch scalar {
            case "/": out += #"\\?\/"#
            case "a"..."z", "A"..."Z", "0"..."9", "-", "_", "~", ":", "@", "=", ",", ";", "!", "&", "'":
                out.unicodeScalars.append(scalar)
            case ".", "+", "*", "?", "(", ")", "[", "]", "{", "}", "|", "^", "$", "%":
                out += "\\" + String(scalar)
            default:
                return nil  // quotes, backslashes, spaces, control and non-ASCII characters
            }
        }
        return out
    }

    static func escapeString(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    }
}
