import AccessLog
import Parquet

/// The Parquet side of an access-log row: the seed exporter's schema (design §3) and the
/// column builders that turn `AccessLogRow`s into writer batches.
public enum AccessLogParquet {
    /// Columns in the seed exporter's order; its dashboards read them by these names.
    public static let schema = schema(timestampUnit: .ns)

    /// The schema with the timestamp column in `unit`.
    public static func schema(timestampUnit unit: TimestampUnit) -> ParquetSchema {
        ParquetSchema([
        ParquetColumn("timestamp", unit.columnKind),
        ParquetColumn("message", .string),
        ParquetColumn("user", .string),
        ParquetColumn("org_id", .string),
        ParquetColumn("domain", .string),
        ParquetColumn("distribution", .string),
        ParquetColumn("package", .string),
        ParquetColumn("status_code", .int16),
        ParquetColumn("user_agent", .string),
        ParquetColumn("x_forwarded_for", .string),
        ])
    }

    /// Rows per batch handed to the writer: large enough to amortize per-batch work, small
    /// enough that a batch's column copies stay a few tens of megabytes.
    public static let batchRows = 16_384

    /// Writer options with the tool's `created_by`.
    public static func writerOptions(
        compression: ParquetCompression,
        rowGroupRows: Int? = nil,
        dataPageBytes: Int? = nil
    ) -> ParquetWriterOptions {
        var options = ParquetWriterOptions(createdBy: ToolVersion.createdBy, compression: compression)
        if let rowGroupRows { options.rowGroupRowLimit = rowGroupRows }
        if let dataPageBytes { options.dataPageByteLimit = dataPageBytes }
        return options
    }

    /// Appends `rows` to `writer` in batches of `batchRows`.
    /// Timestamps are stored in the unit of the writer's schema.
    public static func append<Rows: Collection<AccessLogRow>>(_ rows: Rows, to writer: ParquetFileWriter) throws(ParquetError) {
        let unit = writer.schema.columns.first.flatMap { TimestampUnit(columnKind: $0.kind) } ?? .ns
        var builder = BatchBuilder(capacity: min(rows.count, batchRows), unit: unit)
        for row in rows {
            builder.append(row)
            if builder.count == batchRows {
                try writer.append(try builder.take())
            }
        }
        if builder.count > 0 { try writer.append(try builder.take()) }
    }

    /// Column builders for one batch, in schema order.
    public struct BatchBuilder {
        private var timestamp: Int64ColumnBuilder
        private var message, user, orgID, domain, distribution, package: StringColumnBuilder
        private var statusCode: Int32ColumnBuilder
        private var userAgent, xForwardedFor: StringColumnBuilder
        public private(set) var count = 0
        private let capacity: Int
        private let unit: TimestampUnit

        public init(capacity: Int, unit: TimestampUnit = .ns) {
            self.capacity = capacity
            self.unit = unit
            timestamp = Int64ColumnBuilder(reservingCapacity: capacity)
            message = StringColumnBuilder(reservingCapacity: capacity, bytesCapacity: capacity * 512)
            user = StringColumnBuilder(reservingCapacity: capacity)
            orgID = StringColumnBuilder(reservingCapacity: capacity)
            domain = StringColumnBuilder(reservingCapacity: capacity)
            distribution = StringColumnBuilder(reservingCapacity: capacity)
            package = StringColumnBuilder(reservingCapacity: capacity)
            statusCode = Int32ColumnBuilder(reservingCapacity: capacity)
            userAgent = StringColumnBuilder(reservingCapacity: capacity)
            xForwardedFor = StringColumnBuilder(reservingCapacity: capacity)
        }

        public mutating func append(_ row: AccessLogRow) {
            timestamp.append(unit.value(nanos: row.timestampNanos))
            message.append(row.message)
            user.append(row.user)
            orgID.append(row.orgID)
            domain.append(row.domain)
            distribution.append(row.distribution)
            package.append(row.package)
            statusCode.append(row.statusCode)
            userAgent.append(row.userAgent)
            xForwardedFor.append(row.xForwardedFor)
            count += 1
        }

        /// The batch so far; the builder starts over empty.
        public mutating func take() throws(ParquetError) -> ColumnBatch {
            let batch = try ColumnBatch([
                .int64(timestamp), .string(message), .string(user), .string(orgID), .string(domain),
                .string(distribution), .string(package), .int32(statusCode), .string(userAgent), .string(xForwardedFor),
            ])
            self = BatchBuilder(capacity: capacity, unit: unit)
            return batch
        }
    }
}
