import Dispatch
import Parquet

/// Every kept row of an input, in file order (the order of every file: timestamp, then `@ptr`
/// bytewise; rows that tie on both keep their input order), ready to be written as row-group
/// batches.
public struct ParsedRowSet: Sendable {
    /// Where one row lives: its slice and index there. The timestamp is copied in so the sort
    /// touches `@ptr` bytes only on ties.
    struct RowReference: Sendable {
        var timestamp: Int64
        var slice: Int32
        var row: Int32
    }

    let slices: [RowColumns]
    let order: [RowReference]

    public var count: Int { order.count }

    /// Orders the rows of `slices` (given in input order). Input that is already in file order,
    /// as Insights results sorted by `@timestamp` usually are, costs one pass and no sort.
    public init(_ slices: [RowColumns]) {
        precondition(slices.allSatisfy { $0.count <= Int(Int32.max) }, "a slice holds at most 2^31 rows")
        self.slices = slices
        var order: [RowReference] = []
        order.reserveCapacity(slices.reduce(0) { $0 + $1.count })
        for (s, slice) in slices.enumerated() {
            for (row, timestamp) in slice.timestamps.enumerated() {
                order.append(RowReference(timestamp: timestamp, slice: Int32(s), row: Int32(row)))
            }
        }
        let ptrs = slices.map(\.ptr)
        let inOrder = { (a: RowReference, b: RowReference) -> Bool in
            if a.timestamp != b.timestamp { return a.timestamp < b.timestamp }
            let byPtr = Self.compare(ptrs[Int(a.slice)], Int(a.row), ptrs[Int(b.slice)], Int(b.row))
            if byPtr != 0 { return byPtr < 0 }
            return (a.slice, a.row) < (b.slice, b.row)
        }
        if !zip(order, order.dropFirst()).allSatisfy({ inOrder($0, $1) }) {
            order.sort(by: inOrder)
        }
        self.order = order
    }

    /// Bytewise comparison of two string values (-1, 0, 1), shorter first on a common prefix.
    private static func compare(_ a: StringColumnBuilder, _ i: Int, _ b: StringColumnBuilder, _ j: Int) -> Int {
        let aStart = a.offsets[i], aCount = a.offsets[i + 1] - aStart
        let bStart = b.offsets[j], bCount = b.offsets[j + 1] - bStart
        let common = min(aCount, bCount)
        for k in 0..<common {
            let x = a.bytes[aStart + k], y = b.bytes[bStart + k]
            if x != y { return x < y ? -1 : 1 }
        }
        return aCount == bCount ? 0 : (aCount < bCount ? -1 : 1)
    }

    /// Writes every row, in order, as row groups cut at the writer's row and byte limits.
    /// Each row group is gathered from the slices into one batch and handed to the writer
    /// whole, so it is encoded in place; the next one is gathered meanwhile on a queue of its
    /// own. (Not as a second task of one `concurrentPerform`: Dispatch runs a nested
    /// `concurrentPerform` serially once the outer one holds every core, and the encoder's
    /// parallel steps would then run on one core.)
    public func write(to writer: ParquetFileWriter) throws(ParquetError) {
        let groups = rowGroups(schema: writer.schema, rowLimit: writer.options.rowGroupRowLimit,
                               byteLimit: writer.options.rowGroupByteLimit)
        guard let first = groups.first else { return }
        // Timestamps are stored in the unit of the writer's schema.
        let unit = writer.schema.columns.first.flatMap { TimestampUnit(columnKind: $0.kind) } ?? .ns
        // Two sets of string columns, used in turn: a row group is gathered into the set the
        // one before the last used, whose batch the writer has finished with, so the memory
        // is refilled in place instead of being freed and faulted in again.
        let width = (slices.first?.slots.count ?? 0) + 1
        let buffers = [ResultSlots<StringColumnBuilder>(count: width), ResultSlots<StringColumnBuilder>(count: width)]
        let gatherQueue = DispatchQueue(label: "pulp-backfill.convert.gather")
        var current = try batch(first, buffers: buffers[0], unit: unit)
        for index in groups.indices {
            let next = ResultSlots<Result<ColumnBatch, ParquetError>>(count: 1)
            let gathering = DispatchGroup()
            if index + 1 < groups.count {
                gatherQueue.async(group: gathering) {
                    next[0] = Result { () throws(ParquetError) in try batch(groups[index + 1], buffers: buffers[(index + 1) % 2], unit: unit) }
                }
            }
            do {
                defer { gathering.wait() }  // never leave a gather running past this function
                try writer.appendRowGroup(current)
            }
            if let gathered = next[0] { current = try gathered.get() }
        }
    }

    /// The row ranges of the row groups: cut at `rowLimit` rows, or before the row that would
    /// take the group past `byteLimit` as the writer measures it (at least one row each).
    func rowGroups(schema: ParquetSchema, rowLimit: Int, byteLimit: Int) -> [Range<Int>] {
        let lengths = rowLengths()
        var groups: [Range<Int>] = []
        var start = 0
        while start < lengths.count {
            var end = start
            var stringBytes = 0
            while end < lengths.count, end - start < rowLimit {
                if end > start, schema.bufferedBytes(rows: end - start + 1, stringBytes: stringBytes + lengths[end]) > byteLimit { break }
                stringBytes += lengths[end]
                end += 1
            }
            groups.append(start..<end)
            start = end
        }
        return groups
    }

    /// Per row in order: the bytes of its values in the written string columns (not `ptr`).
    private func rowLengths() -> [Int] {
        withBaseAddresses(slices.map(\.rowBytes)) { rowBytes in
            order.map { rowBytes[Int($0.slice)][Int($0.row)] }
        }
    }

    /// Rows `range` of the order as one batch in the dataset's column order, its columns
    /// gathered in parallel. String columns are filled into `buffers` (one slot per column,
    /// reused from call to call) and shared with the batch.
    func batch(_ range: Range<Int>, buffers: ResultSlots<StringColumnBuilder>? = nil, unit: TimestampUnit = .ns) throws(ParquetError) -> ColumnBatch {
        let slots = slices.first?.slots ?? []
        let buffers = buffers ?? ResultSlots<StringColumnBuilder>(count: slots.count + 1)
        let references = order[range]
        let columns = ResultSlots<ColumnData>(count: slots.count + 1)
        DispatchQueue.concurrentPerform(iterations: slots.count + 1) { index in
            guard index > 0 else {
                var column = Int64ColumnBuilder(reservingCapacity: references.count)
                if unit == .ns {
                    for reference in references { column.append(reference.timestamp) }
                } else {
                    for reference in references { column.append(unit.value(nanos: reference.timestamp)) }
                }
                columns[0] = .int64(column)
                return
            }
            switch slots[index - 1] {
            case .number(let slot, let type):
                columns[index] = DatasetParquet.columnData(type, Self.gatherNumbers(slices.map { $0.numbers[slot] }, references))
            case .text(let slot):
                var column = buffers[index] ?? StringColumnBuilder()
                buffers[index] = nil  // so `column` is the only reference and is refilled in place
                Self.gather(slices.map { $0.texts[slot] }, references, into: &column)
                buffers[index] = column
                columns[index] = .string(column)
            }
        }
        return try ColumnBatch(columns.values.map { $0! })
    }

    private static func gatherNumbers(_ sources: [Int64ColumnBuilder], _ references: ArraySlice<RowReference>) -> Int64ColumnBuilder {
        var column = Int64ColumnBuilder(reservingCapacity: references.count)
        withBaseAddresses(sources.map(\.values)) { values in
            withBaseAddresses(sources.map(\.definitionLevels)) { levels in
                for reference in references {
                    let slice = Int(reference.slice), row = Int(reference.row)
                    column.append(levels[slice][row] == 0 ? nil : values[slice][row])
                }
            }
        }
        return column
    }

    /// The values of `references` from per-slice `sources`, back to back in `column` (its
    /// storage reused).
    private static func gather(_ sources: [StringColumnBuilder], _ references: ArraySlice<RowReference>, into column: inout StringColumnBuilder) {
        withBaseAddresses(sources.map(\.bytes)) { bytes in
            withBaseAddresses(sources.map(\.offsets)) { offsets in
                withBaseAddresses(sources.map(\.definitionLevels)) { levels in
                    var total = 0
                    for reference in references {
                        let slice = Int(reference.slice), row = Int(reference.row)
                        total += offsets[slice][row + 1] - offsets[slice][row]
                    }
                    column.overwrite(rows: references.count, bytes: total) { newBytes, newOffsets, newLevels in
                        var at = 0
                        newOffsets[0] = 0
                        for (index, reference) in references.enumerated() {
                            let slice = Int(reference.slice), row = Int(reference.row)
                            let start = offsets[slice][row], count = offsets[slice][row + 1] - start
                            (newBytes + at).update(from: bytes[slice] + start, count: count)
                            at += count
                            newOffsets[index + 1] = at
                            newLevels[index] = levels[slice][row]
                        }
                    }
                }
            }
        }
    }
}

/// Calls `body` with the base address of each of `arrays` (kept alive and unmoved meanwhile),
/// so a loop over many rows of many arrays indexes raw memory instead of retaining arrays.
/// An empty array may have no storage; its address is then a valid dummy never read.
private func withBaseAddresses<Element, Result>(
    _ arrays: [[Element]], _ body: (UnsafeBufferPointer<UnsafePointer<Element>>) -> Result
) -> Result {
    var addresses: [UnsafePointer<Element>] = []
    addresses.reserveCapacity(arrays.count)
    func pin(_ index: Int) -> Result {
        guard index < arrays.count else { return addresses.withUnsafeBufferPointer(body) }
        return arrays[index].withUnsafeBufferPointer { buffer in
            addresses.append(buffer.baseAddress ?? UnsafePointer(UnsafeMutablePointer<Element>(bitPattern: MemoryLayout<Element>.alignment)!))
            return pin(index + 1)
        }
    }
    return pin(0)
}
