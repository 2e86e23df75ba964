// The streaming Parquet writer: batches in, row groups out, footer on close.
//
// File layout: "PAR1", then per row group and per column the pages (dictionary page first),
// then the Thrift FileMetaData, its 4-byte little-endian length, and "PAR1".
// Only one row group is buffered at a time, so memory is bounded by the row-group limits.

public struct ParquetWriterOptions: Sendable {
    public var compression: ParquetCompression
    /// ZSTD level; 1 is what pyarrow (Arrow C++) uses when no level is given.
    public var zstdLevel: Int32
    /// A row group is cut when it reaches this many rows (pyarrow's default row group size)...
    public var rowGroupRowLimit: Int
    /// ...or when its buffered values reach this many bytes.
    public var rowGroupByteLimit: Int
    /// Data pages are cut when their encoded values reach this many bytes.
    public var dataPageByteLimit: Int
    /// A chunk is dictionary-encoded only if its dictionary page fits this limit (0 disables
    /// dictionaries), and only if that is smaller than PLAIN.
    public var dictionaryByteLimit: Int
    /// `FileMetaData.created_by`, e.g. "pulp-backfill version 2026.11.29.0".
    public var createdBy: String
    /// Extra `FileMetaData.key_value_metadata` entries.
    public var keyValueMetadata: [ParquetKeyValue]
    /// Encode and compress the pages of a row group on all cores (default). Turn off when the
    /// caller already keeps every core busy, e.g. several files written at once.
    public var parallelEncoding: Bool

    /// Written out: it is public, and it clamps the limits.
    public init(
        createdBy: String,
        compression: ParquetCompression = .snappy,
        zstdLevel: Int32 = 1,
        rowGroupRowLimit: Int = 1_048_576,
        rowGroupByteLimit: Int = 64 << 20,
        dataPageByteLimit: Int = 1 << 20,
        dictionaryByteLimit: Int = 1 << 20,
        keyValueMetadata: [ParquetKeyValue] = [],
        parallelEncoding: Bool = true
    ) {

        self.createdBy = createdBy
        self.compression = compression
        self.zstdLevel = zstdLevel
        self.rowGroupRowLimit = max(1, rowGroupRowLimit)
        self.rowGroupByteLimit = max(1, rowGroupByteLimit)
        self.dataPageByteLimit = max(1, dataPageByteLimit)
        self.dictionaryByteLimit = max(0, dictionaryByteLimit)
        self.keyValueMetadata = keyValueMetadata
        self.parallelEncoding = parallelEncoding
    }
}

public struct ParquetFileSummary: Sendable, Equatable {
    public var rows: Int64
    public var rowGroups: Int
    /// Size of the complete file.
    public var bytes: Int64
}

public final class ParquetFileWriter {
    public let schema: ParquetSchema
    public let options: ParquetWriterOptions

    private enum State { case open, closed, failed }

    private let output: any ParquetOutput
    /// Set when the writer opened the file itself (and so closes it).
    private let ownedFile: ParquetFileOutput?
    private var state = State.open
    private var position: Int64 = 0
    private var rowGroups: [RowGroup] = []
    private var totalRows: Int64 = 0
    /// Rows waiting for the current row group to fill up.
    private var pending: [ColumnData]
    private var pendingRows = 0
    private var pendingBytes = 0
    /// Per column: whether its chunks are dictionary-encoded, fixed by the first chunk that holds
    /// a value (nil until then). Keeps every chunk of a column in a file on the same side, which
    /// fastparquet needs; all-null chunks are PLAIN without values and harmless either way.
    private var usesDictionary: [Bool?]

    /// Writes to `output`; the caller flushes/syncs/closes a file output after `close()`.
    public convenience init(output: any ParquetOutput, schema: ParquetSchema, options: ParquetWriterOptions) throws(ParquetError) {
        try self.init(output: output, ownedFile: nil, schema: schema, options: options)
    }

    /// Creates (truncates) the file at `path`; `close()` flushes and closes it (no fsync: use
    /// `init(output:)` with a `ParquetFileOutput` and call its `sync()` before renaming).
    public convenience init(path: String, schema: ParquetSchema, options: ParquetWriterOptions) throws(ParquetError) {
        let file = try ParquetFileOutput(path: path)
        try self.init(output: file, ownedFile: file, schema: schema, options: options)
    }

    private init(output: any ParquetOutput, ownedFile: ParquetFileOutput?, schema: ParquetSchema,
                 options: ParquetWriterOptions) throws(ParquetError) {
        self.output = output
        self.ownedFile = ownedFile
        self.schema = schema
        self.options = options
        self.pending = schema.columns.map { ColumnData.empty(for: $0.kind) }
        self.usesDictionary = Array(repeating: nil, count: schema.columns.count)
        try guarded { () throws(ParquetError) in try emit(parquetMagic) }
    }

    /// Adds the rows of `batch` (columns in schema order). Full row groups are written right away.
    public func append(_ batch: ColumnBatch) throws(ParquetError) {
        try guarded { () throws(ParquetError) in
            try validate(batch)
            try appendRows(of: batch)
        }
    }

    /// Writes `batch` as one row group of its own, in place (no copy), whatever the row-group
    /// limits: for callers that cut row groups themselves (see `ParquetSchema.bufferedBytes`).
    /// Rows buffered by `append` are written first, as the row group before it.
    public func appendRowGroup(_ batch: ColumnBatch) throws(ParquetError) {
        try guarded { () throws(ParquetError) in
            try validate(batch)
            if pendingRows > 0 { try flushPending() }
            if batch.rowCount > 0 { try writeRowGroup(batch.columns, 0..<batch.rowCount) }
        }
    }

    /// Writes the last row group and the footer. After an error the writer never writes a footer,
    /// so a failed file can never look valid.
    @discardableResult
    public func close() throws(ParquetError) -> ParquetFileSummary {
        try guarded { () throws(ParquetError) in
            if pendingRows > 0 { try flushPending() }
            let metadata = FileMetaData(
                version: 2, schema: schema.schemaElements, numRows: totalRows, rowGroups: rowGroups,
                keyValueMetadata: options.keyValueMetadata, createdBy: options.createdBy,
                columnOrderCount: schema.columns.count)
            let footer = ThriftCompactWriter.encode(metadata)
            try emit(footer)
            try emit(ColumnStatistics.littleEndianBytes(UInt32(footer.count)))
            try emit(parquetMagic)
            try output.flush()
            try ownedFile?.close()
        }
        state = .closed
        return ParquetFileSummary(rows: totalRows, rowGroups: rowGroups.count, bytes: position)
    }

    // MARK: Internals

    /// Runs `body` if the writer is open; any error marks the writer failed for good.
    private func guarded(_ body: () throws(ParquetError) -> Void) throws(ParquetError) {
        switch state {
        case .open: break
        case .closed: throw .writerClosed
        case .failed: throw .writerFailed
        }
        do throws(ParquetError) {
            try body()
        } catch {
            state = .failed
            throw error
        }
    }

    private func validate(_ batch: ColumnBatch) throws(ParquetError) {
        guard batch.columns.count == schema.columns.count else {
            throw .batchMismatch("\(batch.columns.count) columns, schema has \(schema.columns.count)")
        }
        for (column, definition) in zip(batch.columns, schema.columns) where !column.matches(definition.kind) {
            if case .int32(let c) = column, c.exceedsInt16, definition.kind == .int16 {
                throw .batchMismatch("column \(definition.name) is int16 but holds values outside Int16's range")
            }
            throw .batchMismatch("column \(definition.name) holds the wrong kind of values")
        }
    }

    private func bufferedBytes(_ columns: [ColumnData], _ rows: Range<Int>) -> Int {
        columns.reduce(0) { $0 + $1.bufferedBytes(rows) }
    }

    /// The largest k ≤ maxRows such that rows start..<start+k take at most `budget` bytes.
    private func rowsFitting(_ columns: [ColumnData], from start: Int, maxRows: Int, budget: Int) -> Int {
        if budget < 0 { return 0 }
        if bufferedBytes(columns, start..<(start + maxRows)) <= budget { return maxRows }
        var low = 0, high = maxRows  // fits(low) holds, fits(high) does not
        while high - low > 1 {
            let mid = (low + high) / 2
            if bufferedBytes(columns, start..<(start + mid)) <= budget { low = mid } else { high = mid }
        }
        return low
    }

    private func appendRows(of batch: ColumnBatch) throws(ParquetError) {
        var start = 0
        while start < batch.rowCount {
            let remaining = batch.rowCount - start
            let maxRows = min(remaining, options.rowGroupRowLimit - pendingRows)
            var take = rowsFitting(batch.columns, from: start, maxRows: maxRows, budget: options.rowGroupByteLimit - pendingBytes)
            if take == 0 {
                if pendingRows > 0 { try flushPending(); continue }
                take = 1  // a single row above the byte limit gets a row group of its own
            }
            let rows = start..<(start + take)
            let groupIsFull = take < remaining || pendingRows + take == options.rowGroupRowLimit
            if groupIsFull && pendingRows == 0 {
                // A whole row group inside the caller's batch: encode it in place, no copy.
                try writeRowGroup(batch.columns, rows)
            } else {
                for index in pending.indices { pending[index].append(rowsOf: batch.columns[index], rows) }
                pendingRows += take
                pendingBytes += bufferedBytes(batch.columns, rows)
                if groupIsFull { try flushPending() }
            }
            start += take
        }
    }

    private func flushPending() throws(ParquetError) {
        try writeRowGroup(pending, 0..<pendingRows)
        for index in pending.indices { pending[index].removeAll() }
        pendingRows = 0
        pendingBytes = 0
    }

    private func writeRowGroup(_ columns: [ColumnData], _ rows: Range<Int>) throws(ParquetError) {
        let kinds = schema.columns.map(\.kind)
        let options = self.options
        let policies = zip(usesDictionary, kinds).map { decided, kind -> DictionaryPolicy in
            if kind == .bool { return .never }  // BOOLEAN chunks are always PLAIN
            switch decided {
            case nil: return options.dictionaryByteLimit > 0 ? .automatic : .never
            case true?: return .always
            case false?: return .never
            }
        }
        // Columns already known to be PLAIN plan in microseconds (no dictionary to try), so they
        // are planned right here and their pages — the bulk of the work, e.g. the log message —
        // are encoded in the same parallel step as the other columns' dictionary building.
        var plans = [ColumnChunkPlan?](repeating: nil, count: columns.count)
        for index in columns.indices where policies[index] == .never {
            plans[index] = ColumnChunkEncoder.plan(column: columns[index], kind: kinds[index], rows: rows, policy: .never, options: options)
        }
        let early = plans
        var firstTasks: [StepTask] = columns.indices.filter { early[$0] == nil }.map { .plan(column: $0) }
        for (column, plan) in early.enumerated() {
            guard let plan else { continue }
            firstTasks += (0..<plan.pageTaskCount).map { .page(column: column, page: $0) }
        }
        let policyList = policies
        let firstTaskList = firstTasks
        let firstResults = try ConcurrentMap.map(firstTaskList.count, parallel: options.parallelEncoding) { (index) throws(ParquetError) -> StepResult in
            switch firstTaskList[index] {
            case .plan(let column):
                return .plan(ColumnChunkEncoder.plan(column: columns[column], kind: kinds[column], rows: rows, policy: policyList[column], options: options))
            case .page(let column, let page):
                return .page(try ColumnChunkEncoder.encodePage(early[column]!, task: page, options: options))
            }
        }
        var pagesByColumn = [[EncodedPage]](repeating: [], count: columns.count)
        for (task, result) in zip(firstTaskList, firstResults) {
            switch (task, result) {
            case (.plan(let column), .plan(let plan)): plans[column] = plan
            case (.page(let column, _), .page(let page)): pagesByColumn[column].append(page)
            default: preconditionFailure("task and result kinds always match")
            }
        }
        let allPlans = plans.map { $0! }
        for (index, plan) in allPlans.enumerated() where usesDictionary[index] == nil && plan.nonNullCount > 0 {
            usesDictionary[index] = plan.dictionary != nil
        }
        // Then the pages of the columns planned in the parallel step (one task per page).
        var secondTasks: [StepTask] = []
        for (column, plan) in allPlans.enumerated() where early[column] == nil {
            secondTasks += (0..<plan.pageTaskCount).map { .page(column: column, page: $0) }
        }
        let secondTaskList = secondTasks
        let secondPages = try ConcurrentMap.map(secondTaskList.count, parallel: options.parallelEncoding) { (index) throws(ParquetError) -> EncodedPage in
            guard case .page(let column, let page) = secondTaskList[index] else { preconditionFailure("only page tasks") }
            return try ColumnChunkEncoder.encodePage(allPlans[column], task: page, options: options)
        }
        for (task, page) in zip(secondTaskList, secondPages) {
            if case .page(let column, _) = task { pagesByColumn[column].append(page) }
        }

        let groupStart = position
        var chunks: [ColumnChunk] = []
        var totalUncompressed: Int64 = 0
        for (column, plan) in allPlans.enumerated() {
            let chunkStart = position
            var uncompressed: Int64 = 0
            var dictionaryOffset: Int64?
            var dataOffset: Int64?
            var dataPages: Int32 = 0
            var pageExtremes: [ColumnStatistics.MinMaxRows?] = []
            for page in pagesByColumn[column] {
                pageExtremes.append(page.extremes)
                if page.isDictionaryPage { dictionaryOffset = position } else {
                    if dataOffset == nil { dataOffset = position }
                    dataPages += 1
                }
                uncompressed += Int64(page.header.count + page.uncompressedBodySize)
                try emit(page.header)
                try emit(page.body)
            }
            let encodingStats: [PageEncodingStats]
            let encodings: [ParquetEncoding]
            if plan.dictionary != nil {
                encodings = [.plain, .rle, .rleDictionary]
                encodingStats = [PageEncodingStats(pageType: .dictionaryPage, encoding: .plain, count: 1),
                                 PageEncodingStats(pageType: .dataPage, encoding: .rleDictionary, count: dataPages)]
            } else {
                encodings = [.plain, .rle]
                encodingStats = dataPages > 0 ? [PageEncodingStats(pageType: .dataPage, encoding: .plain, count: dataPages)] : []
            }
            var statistics = plan.statistics
            if statistics == nil, case .string(let c) = plan.column {
                let extremes = ColumnStatistics.merge(pageExtremes, in: c)
                statistics = ColumnStatistics.strings(c, nullCount: rows.count - plan.nonNullCount, extremes: extremes)
            }
            let metaData = ColumnMetaData(
                type: plan.kind.physicalType, encodings: encodings, pathInSchema: [schema.columns[column].name],
                codec: options.compression.codec, numValues: Int64(rows.count),
                totalUncompressedSize: uncompressed, totalCompressedSize: position - chunkStart,
                dataPageOffset: dataOffset ?? chunkStart, dictionaryPageOffset: dictionaryOffset,
                statistics: statistics, encodingStats: encodingStats)
            chunks.append(ColumnChunk(fileOffset: chunkStart, metaData: metaData))
            totalUncompressed += uncompressed
        }
        rowGroups.append(RowGroup(
            columns: chunks, totalByteSize: totalUncompressed, numRows: Int64(rows.count),
            fileOffset: groupStart, totalCompressedSize: position - groupStart, ordinal: Int16(exactly: rowGroups.count)))
        totalRows += Int64(rows.count)
    }

    private func emit(_ bytes: [UInt8]) throws(ParquetError) {
        try output.write(bytes)
        position += Int64(bytes.count)
    }
}

/// One unit of parallel work while encoding a row group.
private enum StepTask: Sendable {
    case plan(column: Int)
    case page(column: Int, page: Int)
}

private enum StepResult: Sendable {
    case plan(ColumnChunkPlan)
    case page(EncodedPage)
}
