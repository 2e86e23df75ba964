// Columnar buffers that are cheap to fill one row at a time.
//
// Every builder keeps one definition level per row (1 = value present, 0 = null): that array is
// exactly what the data pages store for an OPTIONAL flat column, so nulls cost one byte and no
// branch-heavy bitmap work. Null rows still take a slot in the value array (0) for fixed-width
// kinds, so row i's value is at index i.

/// INT64 values: timestamps (in the column's unit since the epoch) and int64 columns.
public struct Int64ColumnBuilder: Sendable {
    public private(set) var values: [Int64] = []
    public private(set) var definitionLevels: [UInt8] = []

    public init(reservingCapacity capacity: Int = 0) {
        values.reserveCapacity(capacity)
        definitionLevels.reserveCapacity(capacity)
    }

    public var count: Int { values.count }

    public mutating func append(_ value: Int64?) {
        values.append(value ?? 0)
        definitionLevels.append(value == nil ? 0 : 1)
    }

    public mutating func appendNull() { append(nil) }

    mutating func append(rowsOf other: Int64ColumnBuilder, _ rows: Range<Int>) {
        values.append(contentsOf: other.values[rows])
        definitionLevels.append(contentsOf: other.definitionLevels[rows])
    }

    /// Empties the builder but keeps its memory, so the next batch reuses it (drop the previous
    /// `ColumnBatch` first, or the arrays are still shared and get copied).
    public mutating func removeAll() {
        values.removeAll(keepingCapacity: true)
        definitionLevels.removeAll(keepingCapacity: true)
    }
}

/// INT32 values: int32 columns, and int16 columns (Parquet stores INTEGER(16) as INT32).
public struct Int32ColumnBuilder: Sendable {
    public private(set) var values: [Int32] = []
    public private(set) var definitionLevels: [UInt8] = []
    /// Set when a value outside Int16's range was appended: the builder then only fits an int32
    /// column (the writer refuses it for an int16 one rather than write an out-of-range INTEGER(16)).
    public private(set) var exceedsInt16 = false

    public init(reservingCapacity capacity: Int = 0) {
        values.reserveCapacity(capacity)
        definitionLevels.reserveCapacity(capacity)
    }

    public var count: Int { values.count }

    public mutating func append(_ value: Int16?) {
        values.append(Int32(value ?? 0))
        definitionLevels.append(value == nil ? 0 : 1)
    }

    /// For int32 columns. Disfavoured so that `append(nil)` and integer literals keep meaning
    /// the Int16 overload (whose literals the compiler range-checks for int16 columns).
    @_disfavoredOverload
    public mutating func append(_ value: Int32?) {
        if let value, Int32(Int16.min) > value || value > Int32(Int16.max) { exceedsInt16 = true }
        values.append(value ?? 0)
        definitionLevels.append(value == nil ? 0 : 1)
    }

    public mutating func appendNull() { append(nil) }

    mutating func append(rowsOf other: Int32ColumnBuilder, _ rows: Range<Int>) {
        values.append(contentsOf: other.values[rows])
        definitionLevels.append(contentsOf: other.definitionLevels[rows])
        if other.exceedsInt16 { exceedsInt16 = true }
    }

    /// Empties the builder but keeps its memory, so the next batch reuses it (drop the previous
    /// `ColumnBatch` first, or the arrays are still shared and get copied).
    public mutating func removeAll() {
        values.removeAll(keepingCapacity: true)
        definitionLevels.removeAll(keepingCapacity: true)
        exceedsInt16 = false
    }
}

/// BOOLEAN values, one `Bool` per row (false in null rows); bit-packed only when pages are encoded.
/// Written out like `Int64ColumnBuilder` rather than one generic builder: `append` runs once per
/// row from other modules, where a generic method would not be specialised.
public struct BoolColumnBuilder: Sendable {
    public private(set) var values: [Bool] = []
    public private(set) var definitionLevels: [UInt8] = []

    public init(reservingCapacity capacity: Int = 0) {
        values.reserveCapacity(capacity)
        definitionLevels.reserveCapacity(capacity)
    }

    public var count: Int { values.count }

    public mutating func append(_ value: Bool?) {
        values.append(value ?? false)
        definitionLevels.append(value == nil ? 0 : 1)
    }

    public mutating func appendNull() { append(nil) }

    mutating func append(rowsOf other: BoolColumnBuilder, _ rows: Range<Int>) {
        values.append(contentsOf: other.values[rows])
        definitionLevels.append(contentsOf: other.definitionLevels[rows])
    }

    /// Empties the builder but keeps its memory (see `Int64ColumnBuilder.removeAll`).
    public mutating func removeAll() {
        values.removeAll(keepingCapacity: true)
        definitionLevels.removeAll(keepingCapacity: true)
    }
}

/// Byte strings (UTF-8 text): all values back to back in `bytes`, row i is
/// `bytes[offsets[i]..<offsets[i+1]]`. A null row is an empty range with definition level 0.
public struct StringColumnBuilder: Sendable {
    public private(set) var bytes: [UInt8] = []
    public private(set) var offsets: [Int] = [0]
    public private(set) var definitionLevels: [UInt8] = []

    /// A column from its parts: `offsets` has one more element than `definitionLevels`, starts
    /// at 0, never decreases and ends at `bytes.count`.
    public init(bytes: [UInt8], offsets: [Int], definitionLevels: [UInt8]) {
        precondition(offsets.count == definitionLevels.count + 1 && offsets.first == 0 && offsets.last == bytes.count,
                     "inconsistent string column parts")
        self.bytes = bytes
        self.offsets = offsets
        self.definitionLevels = definitionLevels
    }

    public init(reservingCapacity capacity: Int = 0, bytesCapacity: Int = 0) {
        offsets.reserveCapacity(capacity + 1)
        definitionLevels.reserveCapacity(capacity)
        bytes.reserveCapacity(bytesCapacity)
    }

    public var count: Int { definitionLevels.count }

    public mutating func append(_ value: String?) {
        guard var value else { return appendNull() }
        // Native Swift strings are contiguous UTF-8; bridged ones are made so once.
        if value.utf8.withContiguousStorageIfAvailable({ bytes.append(contentsOf: $0) }) == nil {
            value.makeContiguousUTF8()
            value.utf8.withContiguousStorageIfAvailable { bytes.append(contentsOf: $0) }
        }
        offsets.append(bytes.count)
        definitionLevels.append(1)
    }

    /// Appends raw bytes (expected to be UTF-8 for STRING columns).
    public mutating func append(utf8 value: UnsafeBufferPointer<UInt8>) {
        bytes.append(contentsOf: value)
        offsets.append(bytes.count)
        definitionLevels.append(1)
    }

    /// Appends raw bytes (expected to be UTF-8 for STRING columns).
    public mutating func append(utf8 value: some Collection<UInt8>) {
        bytes.append(contentsOf: value)
        offsets.append(bytes.count)
        definitionLevels.append(1)
    }

    public mutating func appendNull() {
        offsets.append(bytes.count)
        definitionLevels.append(0)
    }

    mutating func append(rowsOf other: StringColumnBuilder, _ rows: Range<Int>) {
        let start = other.offsets[rows.lowerBound]
        let end = other.offsets[rows.upperBound]
        let shift = bytes.count - start
        bytes.append(contentsOf: other.bytes[start..<end])
        offsets.append(contentsOf: other.offsets[(rows.lowerBound + 1)...rows.upperBound].lazy.map { $0 + shift })
        definitionLevels.append(contentsOf: other.definitionLevels[rows])
    }

    /// Replaces the contents with `rows` values of `byteCount` bytes in total, written by `fill`
    /// straight into the builder's storage: `fill` gets room for `byteCount` bytes, `rows + 1`
    /// offsets and `rows` definition levels, and must set every offset (the first to 0, the last
    /// to `byteCount`, never decreasing) and every level. Storage from earlier contents is
    /// reused, so a builder refilled batch after batch stops allocating (and faulting in) memory.
    public mutating func overwrite(
        rows: Int, bytes byteCount: Int,
        _ fill: (_ bytes: UnsafeMutablePointer<UInt8>, _ offsets: UnsafeMutablePointer<Int>, _ levels: UnsafeMutablePointer<UInt8>) -> Void
    ) {
        Self.resize(&bytes, to: byteCount)
        Self.resize(&offsets, to: rows + 1)
        Self.resize(&definitionLevels, to: rows)
        bytes.withUnsafeMutableBufferPointer { bytes in
            offsets.withUnsafeMutableBufferPointer { offsets in
                definitionLevels.withUnsafeMutableBufferPointer { levels in
                    fill(Self.base(bytes), Self.base(offsets), Self.base(levels))
                }
            }
        }
        precondition(offsets[0] == 0 && offsets[rows] == byteCount, "overwrite: offsets must run from 0 to the byte count")
    }

    /// Sets the count of `array` to `count` without initializing kept elements again (new ones
    /// are zero).
    private static func resize<T: FixedWidthInteger>(_ array: inout [T], to count: Int) {
        if array.count > count {
            array.removeLast(array.count - count)
        } else if array.count < count {
            array.append(contentsOf: repeatElement(0, count: count - array.count))
        }
    }

    /// The buffer's start; an empty buffer may have none, and is then never written.
    private static func base<T>(_ buffer: UnsafeMutableBufferPointer<T>) -> UnsafeMutablePointer<T> {
        buffer.baseAddress ?? UnsafeMutablePointer(bitPattern: MemoryLayout<T>.alignment)!
    }

    /// Makes room for `rows` more values of `bytes` more bytes in total.
    public mutating func reserveCapacity(rows: Int, bytes moreBytes: Int) {
        bytes.reserveCapacity(bytes.count + moreBytes)
        offsets.reserveCapacity(offsets.count + rows)
        definitionLevels.reserveCapacity(definitionLevels.count + rows)
    }

    /// Empties the builder but keeps its memory (see `Int64ColumnBuilder.removeAll`).
    public mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        offsets.removeAll(keepingCapacity: true)
        offsets.append(0)
        definitionLevels.removeAll(keepingCapacity: true)
    }
}

/// One column of a batch, in the builder that matches its kind.
public enum ColumnData: Sendable {
    /// Timestamp and int64 columns.
    case int64(Int64ColumnBuilder)
    /// int16 and int32 columns.
    case int32(Int32ColumnBuilder)
    case string(StringColumnBuilder)
    case bool(BoolColumnBuilder)

    public var count: Int {
        switch self {
        case .int64(let c): c.count
        case .int32(let c): c.count
        case .string(let c): c.count
        case .bool(let c): c.count
        }
    }

    func matches(_ kind: ParquetColumnKind) -> Bool {
        switch (self, kind) {
        case (.int64, .timestampNanos), (.int64, .timestampMicros), (.int64, .timestampMillis), (.string, .string): true
        case (.int32(let c), .int16): !c.exceedsInt16
        case (.int32, .int32), (.int64, .int64), (.bool, .bool): true
        default: false
        }
    }

    static func empty(for kind: ParquetColumnKind) -> ColumnData {
        switch kind {
        case .timestampNanos, .timestampMicros, .timestampMillis, .int64: .int64(Int64ColumnBuilder())
        case .int16, .int32: .int32(Int32ColumnBuilder())
        case .string: .string(StringColumnBuilder())
        case .bool: .bool(BoolColumnBuilder())
        }
    }

    /// Bytes the rows occupy in memory, used for the row-group byte limit.
    func bufferedBytes(_ rows: Range<Int>) -> Int {
        switch self {
        case .int64, .int32, .bool: rows.count * Self.bytesPerRow(matching: self)
        case .string(let c): c.offsets[rows.upperBound] - c.offsets[rows.lowerBound] + rows.count * Self.bytesPerRow(matching: self)
        }
    }

    /// Fixed bytes per row: the value (or a string's offset) and its definition level.
    static func bytesPerRow(_ kind: ParquetColumnKind) -> Int {
        switch kind {
        case .timestampNanos, .timestampMicros, .timestampMillis, .int64: 9
        case .int16, .int32: 5
        case .string: 9
        case .bool: 2
        }
    }

    private static func bytesPerRow(matching column: ColumnData) -> Int {
        switch column {
        case .int64: bytesPerRow(.int64)
        case .int32: bytesPerRow(.int32)
        case .string: bytesPerRow(.string)
        case .bool: bytesPerRow(.bool)
        }
    }
}

/// A batch of rows in columnar form, one `ColumnData` per schema column, all of the same length.
public struct ColumnBatch: Sendable {
    public let columns: [ColumnData]
    public let rowCount: Int

    public init(_ columns: [ColumnData]) throws(ParquetError) {
        let rowCount = columns.first?.count ?? 0
        for column in columns where column.count != rowCount {
            throw ParquetError.batchMismatch("columns of a batch have different row counts")
        }
        self.columns = columns
        self.rowCount = rowCount
    }
}

extension ColumnData {
    /// Appends rows of a column of the same kind. `self` is emptied before the payload is
    /// mutated so the payload's arrays stay uniquely referenced (no copy-on-write copies).
    mutating func append(rowsOf other: ColumnData, _ rows: Range<Int>) {
        switch (self, other) {
        case (.int64(var mine), .int64(let theirs)):
            self = .int64(Int64ColumnBuilder())
            mine.append(rowsOf: theirs, rows)
            self = .int64(mine)
        case (.int32(var mine), .int32(let theirs)):
            self = .int32(Int32ColumnBuilder())
            mine.append(rowsOf: theirs, rows)
            self = .int32(mine)
        case (.string(var mine), .string(let theirs)):
            self = .string(StringColumnBuilder())
            mine.append(rowsOf: theirs, rows)
            self = .string(mine)
        case (.bool(var mine), .bool(let theirs)):
            self = .bool(BoolColumnBuilder())
            mine.append(rowsOf: theirs, rows)
            self = .bool(mine)
        default:
            preconditionFailure("column kinds were validated against the schema")
        }
    }

    mutating func removeAll() {
        switch self {
        case .int64(var mine):
            self = .int64(Int64ColumnBuilder())
            mine.removeAll()
            self = .int64(mine)
        case .int32(var mine):
            self = .int32(Int32ColumnBuilder())
            mine.removeAll()
            self = .int32(mine)
        case .string(var mine):
            self = .string(StringColumnBuilder())
            mine.removeAll()
            self = .string(mine)
        case .bool(var mine):
            self = .bool(BoolColumnBuilder())
            mine.removeAll()
            self = .bool(mine)
        }
    }
}
