import AccessLog
import Catalog

// The catalog stores parsed rows in its own type (it depends on nothing of ours);
// these two initializers are the whole mapping.

extension StagedRow {
    public init(_ row: AccessLogRow) {
        self.init(timestampNanos: row.timestampNanos, ptr: row.ptr, message: row.message, user: row.user,
                  orgID: row.orgID, domain: row.domain, distribution: row.distribution, package: row.package,
                  statusCode: row.statusCode, userAgent: row.userAgent, xForwardedFor: row.xForwardedFor)
    }
}

extension AccessLogRow {
    public init(_ row: StagedRow) {
        self.init(timestampNanos: row.timestampNanos, message: row.message, user: row.user, orgID: row.orgID,
                  domain: row.domain, distribution: row.distribution, package: row.package,
                  statusCode: row.statusCode, userAgent: row.userAgent, xForwardedFor: row.xForwardedFor,
                  ptr: row.ptr)
    }
}

extension PathFilter {
    /// The filter a backfill was planned with.
    public init(_ spec: BackfillSpec) {
        self.init(includePrefixes: spec.filterPaths, excludePrefixes: spec.excludePaths)
    }
}
