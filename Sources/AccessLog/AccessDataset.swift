extension Dataset {
    /// PyPI simple-API requests (the seed exporter's dataset and schema). The columns are the
    /// fields of `AccessLogRowBytes`, in the order `AccessRowRules` hands them over.
    public static func access(filter: PathFilter = .seedDefault) -> Dataset {
        Dataset(
            name: "access", fileStem: "pulp_access_logs",
            columns: [
                DatasetColumn("timestamp", .timestamp),
                DatasetColumn("message", .string),
                DatasetColumn("user", .string),
                DatasetColumn("org_id", .string),
                DatasetColumn("domain", .string),
                DatasetColumn("distribution", .string),
                DatasetColumn("package", .string),
                DatasetColumn("status_code", .int16),
                DatasetColumn("user_agent", .string),
                DatasetColumn("x_forwarded_for", .string),
            ],
            skipReasons: [.djangoWarning, .noRequest, .excluded, .notIncluded, .pathNotPyPI],
            rules: AccessRowRules(parser: AccessLogParser(filter: filter)),
            // Excludes are applied only client-side.
            serverFilter: InsightsFilterText.anyPrefix(filter.includePrefixes))
    }
}

/// The access dataset's rules: `AccessLogParser`, its row handed over as column values.
struct AccessRowRules: RowRules {
    let parser: AccessLogParser

    func parse(
        timestamp: UnsafeBufferPointer<UInt8>?, message: UnsafeBufferPointer<UInt8>, ptr: UnsafeBufferPointer<UInt8>,
        kept: (KeptRow) -> Void
    ) -> RowVerdict {
        parser.parse(timestamp: timestamp, message: message, ptr: ptr) { row in
            withUnsafeTemporaryAllocation(of: ColumnValue.self, capacity: 9) { values in
                func text(_ b: UnsafeBufferPointer<UInt8>?) -> ColumnValue { b.map { .text($0) } ?? .null }
                // Element by element: an array literal here would allocate once per row.
                values.initializeElement(at: 0, to: .text(row.message))
                values.initializeElement(at: 1, to: text(row.user))
                values.initializeElement(at: 2, to: text(row.orgID))
                values.initializeElement(at: 3, to: .text(row.domain))
                values.initializeElement(at: 4, to: .text(row.distribution))
                values.initializeElement(at: 5, to: .text(row.package))
                values.initializeElement(at: 6, to: row.statusCode.map { .int(Int64($0)) } ?? .null)
                values.initializeElement(at: 7, to: text(row.userAgent))
                values.initializeElement(at: 8, to: text(row.xForwardedFor))
                kept(KeptRow(timestampNanos: row.timestampNanos, ptr: row.ptr, values: UnsafeBufferPointer(values)))
            }
        }
    }
}
