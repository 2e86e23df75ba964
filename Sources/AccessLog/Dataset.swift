/// A dataset: one kind of row cut from the log group's events, with its own columns, file
/// names and row rules. Every stage — query, parsing, staging, Parquet, DDL — reads the
/// definition; none of them names a column. The definitions themselves live beside their
/// parsers (`AccessDataset.swift`, `ContentDatasets.swift`) and are registered in
/// `Dataset.all`.
public struct Dataset: Sendable {
    /// The `--dataset` value and the catalog's name for it, e.g. `content-rpm`.
    public let name: String
    /// File name of hour H: `<stem>_YYYYMMDDTHH0000Z.parquet`.
    public let fileStem: String
    /// Columns in file order; the first is always the `timestamp` column.
    public let columns: [DatasetColumn]
    /// Why a row of this dataset can be skipped, in the order `status` lists them.
    public let skipReasons: [SkipReason]
    /// Turns one result row into a kept row, a skip or a malformed row.
    public let rules: any RowRules
    /// A Logs Insights filter expression that every row the rules keep satisfies (a superset
    /// of the rules: it only saves transfer, the rules decide); nil when none is safe.
    public let serverFilter: String?

    public init(name: String, fileStem: String, columns: [DatasetColumn], skipReasons: [SkipReason], rules: any RowRules, serverFilter: String?) {
        precondition(columns.first?.type == .timestamp, "a dataset's first column is its timestamp")
        self.name = name
        self.fileStem = fileStem
        self.columns = columns
        self.skipReasons = skipReasons
        self.rules = rules
        self.serverFilter = serverFilter
    }

    /// Columns after the timestamp: the order of `KeptRow.values`.
    public var valueColumns: ArraySlice<DatasetColumn> { columns.dropFirst() }
}

/// The logical type of a column; each maps to one Parquet type (see `DatasetParquet`).
public enum ColumnType: Sendable, Equatable {
    /// Nanoseconds since the epoch, UTC, stored in the backfill's timestamp unit.
    case timestamp
    case string
    case int16
    case int32
    case int64
    case bool
}

/// Shaped like `ParquetColumn` on purpose: AccessLog does not depend on Parquet, and
/// `DatasetParquet` (BackfillCore) maps a dataset's logical columns to a file's.
public struct DatasetColumn: Sendable, Equatable {
    public let name: String
    public let type: ColumnType

    public init(_ name: String, _ type: ColumnType) {
        self.name = name
        self.type = type
    }
}

/// One value of a kept row. Text borrows the parser's buffers: valid only inside the `kept`
/// callback that receives the row, and always valid UTF-8.
public enum ColumnValue {
    case null
    case text(UnsafeBufferPointer<UInt8>)
    /// Any integer column (int16, int32, int64); the parser guarantees it fits the column.
    case int(Int64)
    case bool(Bool)
}

/// A kept row as handed to the consumer of a parse: the timestamp, `@ptr` (the sort
/// tiebreak, not a column; empty when absent) and one value per `Dataset.valueColumns`.
public struct KeptRow {
    public var timestampNanos: Int64
    public var ptr: UnsafeBufferPointer<UInt8>
    public var values: UnsafeBufferPointer<ColumnValue>

    public init(timestampNanos: Int64, ptr: UnsafeBufferPointer<UInt8>, values: UnsafeBufferPointer<ColumnValue>) {
        self.timestampNanos = timestampNanos
        self.ptr = ptr
        self.values = values
    }
}

/// A dataset's row rules over the bytes of one result row.
public protocol RowRules: Sendable {
    /// `timestamp` (nil when absent), `message` and `ptr` (empty when absent) are the
    /// unescaped bytes of the result row's fields, not necessarily valid UTF-8. A kept row is
    /// handed to `kept` before this returns `.kept`; its buffers are valid only during that
    /// call, and its text values are valid UTF-8 (invalid bytes read as U+FFFD, as a `String`
    /// would hold them).
    func parse(
        timestamp: UnsafeBufferPointer<UInt8>?,
        message: UnsafeBufferPointer<UInt8>,
        ptr: UnsafeBufferPointer<UInt8>,
        kept: (KeptRow) -> Void
    ) -> RowVerdict
}

extension Dataset {
    /// Every dataset, in the order help and `status` list them.
    public static func all(filter: PathFilter = .seedDefault) -> [Dataset] {
        [.access(filter: filter), ContentDatasets.python, ContentDatasets.rpm, ContentDatasets.maven]
    }

    public static let names = all().map(\.name)

    /// The dataset called `name`, or nil.
    public static func named(_ name: String, filter: PathFilter = .seedDefault) -> Dataset? {
        all(filter: filter).first { $0.name == name }
    }
}

extension InsightsRow {
    /// The row through `rules` (the `String` form of `RowRules.parse`).
    public func parse(with rules: any RowRules, kept: (KeptRow) -> Void) -> RowVerdict {
        var message = self.message ?? ""
        var ptr = self.ptr ?? ""
        return message.withUTF8 { message in
            ptr.withUTF8 { ptr in
                guard var timestamp else { return rules.parse(timestamp: nil, message: message, ptr: ptr, kept: kept) }
                return timestamp.withUTF8 { rules.parse(timestamp: $0, message: message, ptr: ptr, kept: kept) }
            }
        }
    }
}
