/// One CloudWatch Logs Insights result row, reduced to the three fields the row rules
/// (docs/row-rules.md) read. Every other field of a result row is ignored.
public struct InsightsRow: Sendable, Equatable {
    /// `@timestamp`, as Insights prints it (`YYYY-MM-DD HH:MM:SS.fff`, UTC) or ISO 8601.
    public var timestamp: String?
    /// `@message`: the raw log event, possibly an OpenShift JSON wrapper around the access line.
    public var message: String?
    /// `@ptr`: Insights' opaque pointer to the event; used as the sort tiebreak.
    public var ptr: String?

    public init(timestamp: String?, message: String?, ptr: String?) {
        self.timestamp = timestamp
        self.message = message
        self.ptr = ptr
    }

    /// Builds a row from the `[{"field": ..., "value": ...}]` list of one GetQueryResults row.
    /// Unknown fields are ignored; when a field repeats, the last value wins (as a Python dict
    /// built from the list would do).
    public init(fields: [(field: String, value: String?)]) {
        self.init(timestamp: nil, message: nil, ptr: nil)
        for (field, value) in fields {
            switch field {
            case "@timestamp": timestamp = value
            case "@message": message = value
            case "@ptr": ptr = value
            default: continue
            }
        }
    }
}

/// One access-log row as it goes into Parquet (the `access` columns of README "Parquet files",
/// plus `ptr` for sorting).
public struct AccessLogRow: Sendable, Equatable {
    /// UTC, nanoseconds since the Unix epoch.
    public var timestampNanos: Int64
    /// `@message`, byte for byte (the wrapper JSON too, when there is one).
    public var message: String
    public var user: String?
    public var orgID: String?
    public var domain: String
    public var distribution: String
    public var package: String
    public var statusCode: Int16?
    public var userAgent: String?
    public var xForwardedFor: String?
    /// `@ptr` ("" when the result row had none). A sort tiebreak, not a Parquet column.
    public var ptr: String

    public init(
        timestampNanos: Int64, message: String, user: String?, orgID: String?,
        domain: String, distribution: String, package: String, statusCode: Int16?,
        userAgent: String?, xForwardedFor: String?, ptr: String
    ) {
        self.timestampNanos = timestampNanos
        self.message = message
        self.user = user
        self.orgID = orgID
        self.domain = domain
        self.distribution = distribution
        self.package = package
        self.statusCode = statusCode
        self.userAgent = userAgent
        self.xForwardedFor = xForwardedFor
        self.ptr = ptr
    }
}
