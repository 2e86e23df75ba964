// Turns the rows of one column of a row group into pages.
//
// Work is split in two steps so that both cores stay busy even when one column (the log message)
// holds most of the bytes:
//  1. `plan` (one task per column): null count, statistics, the dictionary-or-PLAIN decision and
//     the page boundaries;
//  2. `encodePage` (one task per page, across all columns): definition levels + values, compression
//     and the page header. For PLAIN string chunks it also finds the page's min/max rows, which
//     the file writer merges into the chunk statistics (so the big column's comparisons run in
//     parallel too).
// The file writer runs the pages of columns already known to be PLAIN in the same parallel step
// as the other columns' plans (see `ParquetFileWriter.writeRowGroup`).
//
// A chunk is either entirely dictionary-encoded or entirely PLAIN, never a mix: the row group is
// already buffered, so the choice is made up front. fastparquet (with pyarrow strings) even
// misreads a *file* whose string column has dictionary chunks in some row groups and PLAIN chunks
// with values in others (the PLAIN rows come back null), so the file writer makes the choice once
// per column and passes it in as a `DictionaryPolicy` for the later row groups.

/// How the dictionary-or-PLAIN choice is made for one chunk.
enum DictionaryPolicy: Sendable {
    /// Dictionary if it fits the byte limit and is smaller than PLAIN.
    case automatic
    /// Dictionary whatever its size (the column already uses dictionaries in this file).
    case always
    /// PLAIN (the column already uses PLAIN in this file, or dictionaries are disabled).
    case never
}

/// The rows of one data page and where its values start among the chunk's non-null values.
struct PageSlice: Sendable, Equatable {
    var rows: Range<Int>
    var firstValueIndex: Int
    var nonNullCount: Int
}

struct ColumnChunkPlan: Sendable {
    var kind: ParquetColumnKind
    var column: ColumnData
    var rows: Range<Int>
    var nonNullCount: Int
    /// nil for PLAIN string chunks: their min/max are found per page (in parallel) and merged.
    var statistics: ParquetStatistics?
    /// Set when the chunk is dictionary-encoded.
    var dictionary: DictionaryEncoded?
    var pages: [PageSlice]

    /// The dictionary page (if any) comes first, then the data pages.
    var pageTaskCount: Int { pages.count + (dictionary == nil ? 0 : 1) }
}

/// One finished page: its Thrift header and its (compressed) body.
struct EncodedPage: Sendable {
    var header: [UInt8]
    var body: [UInt8]
    var uncompressedBodySize: Int
    var isDictionaryPage: Bool
    /// For PLAIN string pages: the rows of the page's smallest and largest value.
    var extremes: ColumnStatistics.MinMaxRows? = nil
}

enum ColumnChunkEncoder {
    // MARK: Step 1: plan

    static func plan(column: ColumnData, kind: ParquetColumnKind, rows: Range<Int>, policy: DictionaryPolicy, options: ParquetWriterOptions) -> ColumnChunkPlan {
        let levels = column.definitionLevels
        let nonNullCount = levels.withUnsafeBufferPointer { countPresent($0, rows) }
        var statistics: ParquetStatistics?
        let plainSize: Int
        var dictionary: DictionaryEncoded?
        let dictionaryWanted = policy != .never && nonNullCount > 0
        let dictionaryLimit = policy == .always ? Int.max : options.dictionaryByteLimit
        /// INT64 and INT32 chunks are planned alike; only the size of a PLAIN value differs.
        func planFixedWidth<T: FixedWidthInteger & SignedInteger>(_ values: [T]) -> (ParquetStatistics?, Int, DictionaryEncoded?) {
            let statistics = values.withUnsafeBufferPointer { values in
                levels.withUnsafeBufferPointer { ColumnStatistics.fixedWidth(values: values, levels: $0, rows: rows, nonNullCount: nonNullCount) }
            }
            let dictionary = dictionaryWanted
                ? DictionaryBuilder.encodeFixedWidth(values, levels: levels, rows: rows, nonNullCount: nonNullCount, byteLimit: dictionaryLimit)
                : nil
            return (statistics, nonNullCount * MemoryLayout<T>.size, dictionary)
        }
        switch column {
        case .int64(let c):
            (statistics, plainSize, dictionary) = planFixedWidth(c.values)
        case .int32(let c):
            (statistics, plainSize, dictionary) = planFixedWidth(c.values)
        case .string(let c):
            plainSize = c.offsets.withUnsafeBufferPointer { offsets in
                levels.withUnsafeBufferPointer { PlainEncoding.byteArraysSize(offsets: offsets, levels: $0, rows: rows, nonNullCount: nonNullCount) }
            }
            if dictionaryWanted {
                dictionary = DictionaryBuilder.encodeStrings(c, rows: rows, nonNullCount: nonNullCount, byteLimit: dictionaryLimit)
            }
            if let d = dictionary {
                statistics = ColumnStatistics.strings(dictionaryPage: d.pageBody, entryCount: d.entryCount, nullCount: rows.count - nonNullCount)
            } else {
                statistics = nil  // computed per page
            }
        case .bool(let c):
            // Never a dictionary: one bit per value cannot be beaten (pyarrow doesn't try either).
            statistics = c.values.withUnsafeBufferPointer { values in
                levels.withUnsafeBufferPointer { ColumnStatistics.booleans(values: values, levels: $0, rows: rows, nonNullCount: nonNullCount) }
            }
            plainSize = (nonNullCount + 7) / 8
        }
        // Keep the dictionary only if it pays off: dictionary page + packed indices < PLAIN values.
        if policy == .automatic, let d = dictionary, d.pageBody.count + (nonNullCount * d.bitWidth + 7) / 8 >= plainSize {
            dictionary = nil
            if case .string = column { statistics = nil }  // PLAIN after all: per-page statistics
        }
        let pages = cutPages(column: column, rows: rows, dictionaryBitWidth: dictionary?.bitWidth, pageByteLimit: options.dataPageByteLimit)
        return ColumnChunkPlan(kind: kind, column: column, rows: rows, nonNullCount: nonNullCount,
                               statistics: statistics, dictionary: dictionary, pages: pages)
    }

    static func countPresent(_ levels: UnsafeBufferPointer<UInt8>, _ rows: Range<Int>) -> Int {
        var count = 0
        for row in rows { count &+= Int(levels[row]) }
        return count
    }

    /// Splits `rows` into pages whose encoded values stay within `pageByteLimit` (a single value
    /// larger than the limit gets a page of its own). Zero rows give no pages.
    static func cutPages(column: ColumnData, rows: Range<Int>, dictionaryBitWidth: Int?, pageByteLimit: Int) -> [PageSlice] {
        let limitBits = max(pageByteLimit, 1) * 8
        return column.definitionLevels.withUnsafeBufferPointer { levels in
            switch (column, dictionaryBitWidth) {
            case (.string(let c), nil):
                return c.offsets.withUnsafeBufferPointer { offsets in
                    cutPages(rows: rows, levels: levels, limitBits: limitBits) { row in (4 + offsets[row + 1] - offsets[row]) * 8 }
                }
            case (.int64, nil):
                return cutPages(rows: rows, levels: levels, limitBits: limitBits) { _ in 64 }
            case (.int32, nil):
                return cutPages(rows: rows, levels: levels, limitBits: limitBits) { _ in 32 }
            case (.bool, _):
                return cutPages(rows: rows, levels: levels, limitBits: limitBits) { _ in 1 }
            case (_, let width?):
                return cutPages(rows: rows, levels: levels, limitBits: limitBits) { _ in width }
            }
        }
    }

    /// `valueBits(row)`: encoded size in bits of the (non-null) value of `row`.
    @inline(__always)
    private static func cutPages(rows: Range<Int>, levels: UnsafeBufferPointer<UInt8>, limitBits: Int, valueBits: (Int) -> Int) -> [PageSlice] {
        var pages: [PageSlice] = []
        var start = rows.lowerBound
        var firstValue = 0
        var nonNull = 0
        var bits = 0
        for row in rows {
            let present = levels[row] != 0
            let cost = present ? valueBits(row) : 0
            if bits + cost > limitBits && row > start {
                pages.append(PageSlice(rows: start..<row, firstValueIndex: firstValue, nonNullCount: nonNull))
                start = row
                firstValue += nonNull
                nonNull = 0
                bits = 0
            }
            bits += cost + 1  // + the definition level bit
            if present { nonNull += 1 }
        }
        if start < rows.upperBound {
            pages.append(PageSlice(rows: start..<rows.upperBound, firstValueIndex: firstValue, nonNullCount: nonNull))
        }
        return pages
    }

    // MARK: Step 2: pages

    /// Encodes page task `task` of the plan (0 is the dictionary page when there is one).
    static func encodePage(_ plan: ColumnChunkPlan, task: Int, options: ParquetWriterOptions) throws(ParquetError) -> EncodedPage {
        if let dictionary = plan.dictionary {
            if task == 0 {
                let header = PageHeader.Body.dictionary(DictionaryPageHeader(numValues: Int32(dictionary.entryCount)))
                let result: Result<EncodedPage, ParquetError> = dictionary.pageBody.withUnsafeBytes { body in
                    do throws(ParquetError) { return .success(try finish(body: body, header: header, options: options)) } catch { return .failure(error) }
                }
                return try result.get()
            }
            return try encodeDataPage(plan, plan.pages[task - 1], options: options)
        }
        return try encodeDataPage(plan, plan.pages[task], options: options)
    }

    private static func encodeDataPage(_ plan: ColumnChunkPlan, _ page: PageSlice, options: ParquetWriterOptions) throws(ParquetError) -> EncodedPage {
        // Definition levels: max level 1, so bit width 1.
        var levelBytes: [UInt8] = []
        plan.column.definitionLevels.withUnsafeBufferPointer { levels in
            let slice = UnsafeBufferPointer(rebasing: levels[page.rows])
            RLEBitPackedHybrid.encode(slice, bitWidth: 1, into: &levelBytes)
        }
        // Values, in the chunk's encoding.
        var indexBytes: [UInt8] = []
        let valuesSize: Int
        let encoding: ParquetEncoding
        if let dictionary = plan.dictionary {
            encoding = .rleDictionary
            indexBytes.append(UInt8(dictionary.bitWidth))
            dictionary.indices.withUnsafeBufferPointer { indices in
                let slice = UnsafeBufferPointer(rebasing: indices[page.firstValueIndex..<(page.firstValueIndex + page.nonNullCount)])
                RLEBitPackedHybrid.encode(slice, bitWidth: dictionary.bitWidth, into: &indexBytes)
            }
            valuesSize = indexBytes.count
        } else {
            encoding = .plain
            switch plan.column {
            case .int64: valuesSize = page.nonNullCount * 8
            case .int32: valuesSize = page.nonNullCount * 4
            case .bool: valuesSize = (page.nonNullCount + 7) / 8
            case .string(let c):
                valuesSize = c.offsets.withUnsafeBufferPointer { offsets in
                    c.definitionLevels.withUnsafeBufferPointer {
                        PlainEncoding.byteArraysSize(offsets: offsets, levels: $0, rows: page.rows, nonNullCount: page.nonNullCount)
                    }
                }
            }
        }
        let bodySize = 4 + levelBytes.count + valuesSize
        guard bodySize <= Int(Int32.max) else { throw .valueTooLarge("a data page of \(bodySize) bytes") }

        // Built in a reused scratch buffer: only the compressed bytes get a fresh allocation.
        let header = DataPageHeader(numValues: Int32(page.rows.count), encoding: encoding)
        return try ScratchBuffers.shared.withBuffer(capacity: bodySize) { (scratch) throws(ParquetError) in
            let base = scratch.baseAddress!
            base.storeBytes(of: UInt32(levelBytes.count).littleEndian, as: UInt32.self)
            levelBytes.withUnsafeBytes { (base + 4).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            let valuesStart = base + 4 + levelBytes.count
            if plan.dictionary != nil {
                indexBytes.withUnsafeBytes { valuesStart.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            } else {
                writePlainValues(plan.column, page, to: valuesStart)
            }
            var encoded = try finish(body: UnsafeRawBufferPointer(start: base, count: bodySize), header: .data(header), options: options)
            if plan.statistics == nil, case .string(let c) = plan.column {
                encoded.extremes = ColumnStatistics.minMaxRows(c, rows: page.rows)
            }
            return encoded
        }
    }

    private static func writePlainValues(_ column: ColumnData, _ page: PageSlice, to dst: UnsafeMutableRawPointer) {
        column.definitionLevels.withUnsafeBufferPointer { levels in
            switch column {
            case .int64(let c):
                _ = c.values.withUnsafeBufferPointer {
                    PlainEncoding.writeFixedWidth(values: $0, levels: levels, rows: page.rows, nonNullCount: page.nonNullCount, to: dst)
                }
            case .int32(let c):
                _ = c.values.withUnsafeBufferPointer {
                    PlainEncoding.writeFixedWidth(values: $0, levels: levels, rows: page.rows, nonNullCount: page.nonNullCount, to: dst)
                }
            case .string(let c):
                _ = c.bytes.withUnsafeBufferPointer { bytes in
                    c.offsets.withUnsafeBufferPointer { offsets in
                        PlainEncoding.writeByteArrays(bytes: bytes, offsets: offsets, levels: levels, rows: page.rows, to: dst)
                    }
                }
            case .bool(let c):
                _ = c.values.withUnsafeBufferPointer {
                    PlainEncoding.writeBooleans(values: $0, levels: levels, rows: page.rows, nonNullCount: page.nonNullCount, to: dst)
                }
            }
        }
    }

    private static func finish(body: UnsafeRawBufferPointer, header: PageHeader.Body, options: ParquetWriterOptions) throws(ParquetError) -> EncodedPage {
        let compressed = try PageCompressor.compress(body, options.compression, zstdLevel: options.zstdLevel)
        guard compressed.count <= Int(Int32.max) else { throw .valueTooLarge("a page of \(compressed.count) bytes") }
        let pageHeader = PageHeader(uncompressedSize: Int32(body.count), compressedSize: Int32(compressed.count), body: header)
        let isDictionary = if case .dictionary = header { true } else { false }
        return EncodedPage(header: ThriftCompactWriter.encode(pageHeader), body: compressed,
                           uncompressedBodySize: body.count, isDictionaryPage: isDictionary)
    }
}

extension ColumnData {
    var definitionLevels: [UInt8] {
        switch self {
        case .int64(let c): c.definitionLevels
        case .int32(let c): c.definitionLevels
        case .string(let c): c.definitionLevels
        case .bool(let c): c.definitionLevels
        }
    }
}
