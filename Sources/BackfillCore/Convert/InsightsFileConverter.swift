import AccessLog
import Dispatch
#if canImport(Glibc)
import Glibc
#endif
import Parquet

/// `pulp-backfill convert`: a saved Insights result (NDJSON rows or a GetQueryResults
/// document) → one Parquet file, rows in file order, written atomically.
public struct InsightsFileConverter: Sendable {
    public struct Options: Sendable {
        public var compression: ParquetCompression = .snappy
        public var timestampUnit: TimestampUnit = .ns
        /// The dataset whose rules and columns the file gets (its `--filter-paths` included).
        public var dataset: Dataset = .access()
        public var rowGroupRows: Int?
        public var dataPageBytes: Int?
        public init() {}
    }

    public struct Summary: Sendable, Equatable {
        public var counts: RowCounts
        public var bytes: Int64
        public var inputFormat: InputFormat
    }

    public enum InputFormat: String, Sendable { case ndjson = "NDJSON", queryResults = "GetQueryResults JSON" }

    /// `usage`: what was typed cannot work (exit 2); `runtime`: it failed while working (exit 1).
    public enum Failure: Error, Sendable, CustomStringConvertible {
        case usage(String)
        case runtime(String)
        public var description: String {
            switch self { case .usage(let m), .runtime(let m): m }
        }
    }

    public let options: Options
    public init(options: Options) { self.options = options }

    public func convert(input: String, output: String) throws(Failure) -> Summary {
        try Self.checkPaths(input: input, output: output)
        let parsed: ParsedInput
        do {
            parsed = try FileContents.withContents(of: input) { bytes in
                let format: InputFormat = InsightsRowDecoder.looksLikeQueryResults(bytes) ? .queryResults : .ndjson
                let (slices, counts) = try parse(bytes, format: format, inputName: input)
                return ParsedInput(rows: ParsedRowSet(slices), counts: counts, format: format)
            }
        } catch let failure as Failure {
            throw failure
        } catch let error as FileSystemError {
            throw .runtime(error.description)
        } catch {
            throw .runtime("cannot read \(input): \(error)")
        }
        let written = try write(parsed.rows, to: output)
        return Summary(counts: parsed.counts, bytes: written, inputFormat: parsed.format)
    }

    private struct ParsedInput {
        var rows: ParsedRowSet
        var counts: RowCounts
        var format: InputFormat
    }

    /// Everything that can be checked before any work: a usage error, and nothing is created.
    static func checkPaths(input: String, output: String) throws(Failure) {
        switch FileContents.kind(of: input) {
        case .regularFile, .other: break  // .other: a pipe or device, read as a stream
        case .directory: throw .usage("--input \(input) is a directory, expected a file of Insights rows")
        case .missing: throw .usage("--input \(input): no such file")
        }
        if FileContents.kind(of: output) == .directory {
            throw .usage("--output \(output) is a directory, expected a file name such as \(output)/logs.parquet")
        }
        let directory = AtomicFile.split(output).directory
        switch FileContents.kind(of: directory) {
        case .directory: break
        case .missing: throw .usage("--output \(output): directory \(directory) does not exist")
        case .regularFile, .other: throw .usage("--output \(output): \(directory) is not a directory")
        }
    }

    // MARK: Parsing

    private func parse(_ bytes: UnsafeRawBufferPointer, format: InputFormat, inputName: String) throws(Failure) -> ([RowColumns], RowCounts) {
        let dataset = options.dataset
        switch format {
        case .queryResults:
            let insightsRows: [InsightsRow]
            do throws(InsightsJSONError) {
                insightsRows = try InsightsRowDecoder.decodeQueryResults(bytes)
            } catch {
                throw .runtime("\(inputName): \(error.description)")
            }
            var counts = RowCounts()
            var columns = RowColumns(dataset)
            for row in insightsRows {
                counts.count(row.parse(with: dataset.rules) { columns.append($0) })
            }
            return ([columns], counts)
        case .ndjson:
            return try parseLinesInParallel(bytes, dataset: dataset, inputName: inputName)
        }
    }

    /// NDJSON is split at line boundaries into a few slices per core; slices are parsed
    /// concurrently (many more slices than cores, so the last ones do not leave a core idle) into
    /// one column store each, kept in input order.
    private func parseLinesInParallel(_ bytes: UnsafeRawBufferPointer, dataset: Dataset, inputName: String) throws(Failure) -> ([RowColumns], RowCounts) {
        let cores = max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        let slices = Self.lineAlignedSlices(bytes, count: bytes.count < 1 << 20 ? 1 : 16 * cores)
        let results = ResultSlots<RowColumns.NDJSONParse>(count: slices.count)
        let buffer = SendableRawBuffer(bytes)
        DispatchQueue.concurrentPerform(iterations: slices.count) { i in
            results[i] = RowColumns.parse(ndjson: UnsafeRawBufferPointer(rebasing: buffer.raw[slices[i]]), dataset: dataset)
        }
        var columns: [RowColumns] = []
        var counts = RowCounts()
        for (i, result) in results.values.enumerated() {
            guard let result else { continue }
            if let (line, error) = result.error {
                let linesBefore = UnsafeRawBufferPointer(rebasing: bytes[..<slices[i].lowerBound]).reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
                throw .runtime("\(inputName): line \(linesBefore + line): \(error.description)")
            }
            columns.append(result.columns)
            counts.add(result.counts)
        }
        return (columns, counts)
    }

    /// Up to `count` byte ranges covering `bytes`, each ending just after a newline (or at the end).
    static func lineAlignedSlices(_ bytes: UnsafeRawBufferPointer, count: Int) -> [Range<Int>] {
        var slices: [Range<Int>] = []
        var start = 0
        for k in 1...max(1, count) {
            guard start < bytes.count else { break }
            var end = k == count ? bytes.count : max(start, bytes.count * k / count)
            if end < bytes.count {  // move on to just after the next newline
                while end < bytes.count && bytes[end] != 0x0A { end += 1 }
                end = min(end + 1, bytes.count)
            }
            slices.append(start..<end)
            start = end
        }
        return slices
    }

    // MARK: Writing

    private func write(_ rows: ParsedRowSet, to output: String) throws(Failure) -> Int64 {
        let file = AtomicFile(finalPath: output)
        defer { file.discard() }
        do {
            let sink = try ParquetFileOutput(path: file.temporaryPath)
            let writer = try ParquetFileWriter(
                output: sink, schema: DatasetParquet.schema(options.dataset, timestampUnit: options.timestampUnit),
                options: DatasetParquet.writerOptions(
                    compression: options.compression, rowGroupRows: options.rowGroupRows, dataPageBytes: options.dataPageBytes))
            try rows.write(to: writer)
            let summary = try writer.close()
            try sink.sync()
            try sink.close()
            try file.commit()
            return summary.bytes
        } catch let error as FileSystemError {
            throw .runtime(error.description)
        } catch {
            throw .runtime("cannot write \(output): \(error)")
        }
    }
}

/// A raw buffer shared read-only with concurrent workers while its owner keeps it alive.
struct SendableRawBuffer: @unchecked Sendable {
    let raw: UnsafeRawBufferPointer
    init(_ raw: UnsafeRawBufferPointer) { self.raw = raw }
}

/// One slot per worker of a `concurrentPerform`; each worker writes only its own index, and
/// `values` is read after all workers finished. Raw storage, so no copy-on-write check races.
final class ResultSlots<Value: Sendable>: @unchecked Sendable {
    private let slots: UnsafeMutableBufferPointer<Value?>
    init(count: Int) {
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil)
    }
    deinit {
        slots.deinitialize()
        slots.deallocate()
    }
    subscript(index: Int) -> Value? {
        get { slots[index] }
        set { slots[index] = newValue }
    }
    var values: [Value?] { Array(slots) }
}
