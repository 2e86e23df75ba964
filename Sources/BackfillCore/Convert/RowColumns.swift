import AccessLog
import Catalog
import Parquet

/// Kept rows of one dataset, column by column: what a parse fills (`convert`, one per slice of
/// the input, on all cores at once) and what an hour's staged rows are read into (compaction).
/// Each value is copied once, from the parser's buffers or the staged record into its column.
/// Nothing here names a column: the layout follows the dataset's declaration.
public struct RowColumns: Sendable {
    /// Where value column i (after the timestamp) lives: `texts[slot]` for strings,
    /// `numbers[slot]` for integers and booleans (0/1), converted to the column's Parquet type
    /// when a batch is made.
    enum Slot: Sendable, Equatable {
        case text(Int)
        case number(Int, ColumnType)
    }

    let slots: [Slot]
    var timestamps: [Int64] = []
    var texts: [StringColumnBuilder]
    var numbers: [Int64ColumnBuilder]
    /// `@ptr` per row: the sort tiebreak, not a column.
    var ptr = StringColumnBuilder()
    /// Per row: the bytes of its values in the string columns (not `ptr`), for cutting row
    /// groups without another pass over every column.
    var rowBytes: [Int] = []

    public var count: Int { timestamps.count }

    public init(_ dataset: Dataset) {
        var slots: [Slot] = []
        var texts = 0, numbers = 0
        for column in dataset.valueColumns {
            switch column.type {
            case .string:
                slots.append(.text(texts))
                texts += 1
            case .int16, .int32, .int64, .bool:
                slots.append(.number(numbers, column.type))
                numbers += 1
            case .timestamp:
                preconditionFailure("only the first column is a timestamp")
            }
        }
        self.slots = slots
        self.texts = Array(repeating: StringColumnBuilder(), count: texts)
        self.numbers = Array(repeating: Int64ColumnBuilder(), count: numbers)
    }

    /// The staged rows of one page, in their order.
    public init(_ dataset: Dataset, staged rows: [StagedRow]) {
        self.init(dataset)
        timestamps.reserveCapacity(rows.count)
        for row in rows { append(row) }
    }

    /// Reserves room for the rows of `inputBytes` bytes of input, so filling never reallocates
    /// and copies: no value is longer than the input it comes from, and rows take at least a
    /// few hundred bytes of input. (Large reservations are only address space until written.)
    public mutating func reserveCapacity(inputBytes: Int) {
        let rows = inputBytes / 256 + 16
        timestamps.reserveCapacity(rows)
        rowBytes.reserveCapacity(rows)
        ptr = StringColumnBuilder(reservingCapacity: rows, bytesCapacity: rows * 16)
        for index in texts.indices {
            // The first string column of a dataset is its longest (the access line's message).
            texts[index] = StringColumnBuilder(reservingCapacity: rows, bytesCapacity: index == 0 ? inputBytes : rows * 24)
        }
        for index in numbers.indices { numbers[index] = Int64ColumnBuilder(reservingCapacity: rows) }
    }

    /// Appends a kept row; its values are in the dataset's column order.
    public mutating func append(_ row: KeptRow) {
        precondition(row.values.count == slots.count, "a kept row has one value per column")
        timestamps.append(row.timestampNanos)
        ptr.append(utf8: row.ptr)
        var bytes = 0
        for index in slots.indices {
            switch (slots[index], row.values[index]) {
            case (.text(let slot), .text(let value)):
                texts[slot].append(utf8: value)
                bytes += value.count
            case (.text(let slot), .null): texts[slot].appendNull()
            case (.number(let slot, _), .int(let value)): numbers[slot].append(value)
            case (.number(let slot, _), .bool(let value)): numbers[slot].append(value ? 1 : 0)
            case (.number(let slot, _), .null): numbers[slot].appendNull()
            default: preconditionFailure("value \(index) does not match its column's type")
            }
        }
        rowBytes.append(bytes)
    }

    /// Appends a staged row, its record read in the dataset's column order. A record with
    /// fewer values than columns (damaged) gets nulls for the rest.
    public mutating func append(_ row: StagedRow) {
        timestamps.append(row.timestampNanos)
        ptr.append(row.ptr)
        var bytes = 0
        row.record.withUnsafeBufferPointer { record in
            var reader = StagedRecordReader(record)
            for slot in slots {
                let value = reader.next() ?? .null
                switch (slot, value) {
                case (.text(let slot), .text(let text)):
                    texts[slot].append(utf8: text)
                    bytes += text.count
                case (.number(let slot, _), .int(let number)): numbers[slot].append(number)
                case (.number(let slot, _), .bool(let flag)): numbers[slot].append(flag ? 1 : 0)
                case (.text(let slot), _): texts[slot].appendNull()
                case (.number(let slot, _), _): numbers[slot].appendNull()
                }
            }
        }
        rowBytes.append(bytes)
    }

    /// Every row, in the order appended, as one batch of the dataset's columns (timestamps in
    /// `unit`). For rows already in file order (an hour's staged rows).
    public func batch(unit: TimestampUnit) throws(ParquetError) -> ColumnBatch {
        var columns: [ColumnData] = []
        columns.reserveCapacity(slots.count + 1)
        var timestamp = Int64ColumnBuilder(reservingCapacity: count)
        for nanos in timestamps { timestamp.append(unit.value(nanos: nanos)) }
        columns.append(.int64(timestamp))
        for slot in slots {
            switch slot {
            case .text(let index): columns.append(.string(texts[index]))
            case .number(let index, let type): columns.append(DatasetParquet.columnData(type, numbers[index]))
            }
        }
        return try ColumnBatch(columns)
    }
}

extension RowColumns {
    /// What parsing a run of NDJSON lines gave: the kept rows, the tallies, and the first line
    /// that is not valid JSON (1-based within the text), where parsing stopped.
    public struct NDJSONParse: Sendable {
        public var columns: RowColumns
        public var counts = RowCounts()
        public var error: (line: Int, error: InsightsJSONError)?
    }

    /// Parses NDJSON lines (one Insights row object each; blank lines skipped) straight from
    /// bytes into a new store reserved for `text`'s size.
    public static func parse(ndjson text: UnsafeRawBufferPointer, dataset: Dataset) -> NDJSONParse {
        var result = NDJSONParse(columns: RowColumns(dataset))
        result.columns.reserveCapacity(inputBytes: text.count)
        let rules = dataset.rules
        let empty = UnsafeBufferPointer<UInt8>(start: nil, count: 0)  // a missing @message or @ptr
        do throws(LineError) {
            try InsightsRowDecoder.forEachLine(in: text) { (number, line) throws(LineError) in
                do throws(InsightsJSONError) {
                    try InsightsRowDecoder.withLineFields(line) { timestamp, message, ptr in
                        let verdict = rules.parse(timestamp: timestamp, message: message ?? empty, ptr: ptr ?? empty) {
                            result.columns.append($0)
                        }
                        result.counts.count(verdict)
                    }
                } catch {
                    throw LineError(line: number, error: error)
                }
            }
        } catch {
            result.error = (error.line, error.error)
        }
        return result
    }

    private struct LineError: Error { var line: Int; var error: InsightsJSONError }
}

extension StagedRow {
    /// A kept row as the catalog stages it: its values as one record, in column order.
    public init(_ row: KeptRow) {
        var record = StagedRecordWriter(reservingCapacity: 64 + row.values.reduce(0) { total, value in
            if case .text(let text) = value { return total + text.count + 3 }
            return total + 9
        })
        for value in row.values {
            switch value {
            case .null: record.appendNull()
            case .text(let text): record.appendText(text)
            case .int(let number): record.appendInt(number)
            case .bool(let flag): record.appendBool(flag)
            }
        }
        self.init(timestampNanos: row.timestampNanos, ptr: String(decoding: row.ptr, as: UTF8.self), record: record.bytes)
    }
}
