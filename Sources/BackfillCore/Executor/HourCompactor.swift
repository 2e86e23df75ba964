import AccessLog
import CGlibcMalloc
import Catalog
import Crypto
import Foundation
import Parquet
import Retry

/// Turns a finished hour (`[H:00, H+1:00)` UTC, once all of its chunks are done) into its
/// Parquet file.
///
/// The hour's staged rows are streamed from the catalog in (timestamp, @ptr) order, page by
/// page, into the Parquet writer — memory is bounded by one page plus one row group, not by
/// the hour. The file is written once to a work file (hashing its bytes on the way), stored
/// in every destination, and only then registered as a partition, which deletes the staged
/// rows in the same transaction. A crash at any point leaves either the staged rows (and the
/// hour is compacted again, overwriting the same keys) or the registered partition.
public struct HourCompactor: Sendable {
    public let catalog: Catalog
    public let destinations: [any PartitionDestination]
    public let layout: HourFileLayout
    public let compression: ParquetCompression
    /// Unit of the file's timestamp column (the backfill's).
    public let timestampUnit: TimestampUnit
    /// Write a zero-row file for an hour without rows (else: registered with no file).
    public let writeEmpty: Bool
    /// Directory for the work file (the catalog's directory: local and writable).
    public let workDirectory: String
    /// Rows read from the catalog at a time. The writer buffers a row group anyway; a small
    /// page keeps a dense hour's rows from being held twice (as pages and as columns).
    var pageRows = 2_000
    /// Reading the hour and encoding it block; they run off the concurrency pool.
    private let encoding = BlockingWork(label: "pulp-backfill.compaction")

    /// The backfill's dataset: its columns and file names.
    public let dataset: Dataset

    public init(catalog: Catalog, dataset: Dataset, destinations: [any PartitionDestination], layout: HourFileLayout,
                compression: ParquetCompression, writeEmpty: Bool, workDirectory: String, timestampUnit: TimestampUnit = .ns) {
        self.dataset = dataset
        self.timestampUnit = timestampUnit
        self.catalog = catalog
        self.destinations = destinations
        self.layout = layout
        self.compression = compression
        self.writeEmpty = writeEmpty
        self.workDirectory = workDirectory
        // Work files of killed runs whose hour was exported since (by a later run) are never
        // compacted again, so the per-hour sweep in `compact` would not see them.
        StaleTemporaryFiles.remove(in: workDirectory, prefix: ".pulp-backfill-")
    }

    /// How one hour's export ended.
    public enum Outcome: Sendable {
        case exported(PartitionRegistration)
        /// Exported already (by another worker or another process on the same catalog).
        case alreadyExported
        /// Not exported after `attempts` tries: `error` names each destination that failed.
        case failed(attempts: Int, error: String)
    }

    /// Exports the hour: the file is written once, then stored in every destination; a
    /// destination that fails is tried again (with the hour's retry rule) while those that
    /// succeeded are not written again. Only when every destination holds the file is the hour
    /// registered. A failure never propagates: it is the outcome, so the run goes on.
    /// `present`: destinations (by uri) that already hold the hour's file and are not written
    /// again (`--if-exists skip`); the registration still lists them.
    public func compact(_ hour: HourKey, rule: RetryRule = RetryBudget().hour, present: Set<String> = []) async throws -> Outcome {
        // Catalog reads and writes block (SQLite, one connection): they run on `encoding`,
        // never on the concurrency pool, whose two threads also drive every query.
        let catalog = self.catalog
        guard try await encoding.run({ try catalog.isReadyForCompaction(hour) }) else { return .alreadyExported }
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let workName = ".pulp-backfill-\(hour.backfillID)-\(hour.hourStartMillis).parquet"
        StaleTemporaryFiles.remove(in: workDirectory, prefix: workName + ".tmp-")  // left by a killed run
        let workPath = "\(workDirectory)/\(workName).tmp-\(getpid())"
        defer { unlink(workPath) }

        var file: WrittenFile?
        var stored: [String: String] = [:]  // destination uri → file uri
        let key = key(of: hour)
        for destination in destinations where present.contains(destination.uri) {
            stored[destination.uri] = destination.location(of: key)
        }
        var attempt = 0
        while true {
            attempt += 1
            var errors: [(String, any Error)] = []
            do {
                if file == nil {
                    // Rows are read from one snapshot: a concurrent exporter deleting them cannot
                    // make this file partial — it holds the whole hour, or (rows == 0) this
                    // exporter came too late.
                    file = try await encoding.run { [self] in
                        let file = try writeHourFile(hour, to: workPath)
                        // The hour's pages were large, short-lived allocations: give them back to
                        // the system (here, off the pool: trimming walks the heap).
                        _ = malloc_trim(0)
                        return file
                    }
                }
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                errors.append(("writing the hour's file in \(workDirectory)", error))
            }
            if let file, file.rows > 0 || writeEmpty {
                for destination in destinations where stored[destination.uri] == nil {
                    try Task.checkCancellation()
                    do {
                        stored[destination.uri] = try await destination.store(file: workPath, key: key)
                    } catch is CancellationError {
                        throw CancellationError()
                    } catch {
                        errors.append((destination.uri, error))
                    }
                }
            }
            if errors.isEmpty, let file {
                let written = file.rows > 0 || writeEmpty
                let files = written ? destinations.compactMap { d in stored[d.uri].map { PartitionRegistration.File(destination: d.uri, uri: $0) } } : []
                let registration = PartitionRegistration(
                    hour: hour, rows: file.rows, bytes: files.isEmpty ? 0 : file.bytes, sha256: files.isEmpty ? "" : file.sha256,
                    minTimestampNanos: file.minTimestampNanos, maxTimestampNanos: file.maxTimestampNanos,
                    exportedAtMillis: now, writerVersion: ToolVersion.version, files: files)
                // Gone before the hour is registered: a kill after registering cannot leave it.
                unlink(workPath)
                do {
                    try await encoding.run { try catalog.registerPartition(registration) }
                } catch CatalogError.hourAlreadyExported {
                    return .alreadyExported
                }
                return .exported(registration)
            }
            // Several destinations may fail at once; the hour is retried if any can recover.
            let errorClass: RetryClass = errors.contains { RetryClass.of($0.1) != .permanent } ? .transient : .permanent
            let message = errors.map { "\($0.0): \(BackfillExecutor.oneLine($0.1))" }.joined(separator: "; ")
            guard case .retry = rule.decide(after: attempt, errorClass) else {
                return .failed(attempts: attempt, error: message)
            }
            try await Task.sleep(for: rule.backoff.delay(retry: attempt))
        }
    }

    /// Where the hour's file goes under each destination.
    public func key(of hour: HourKey) -> String {
        layout.key(hourStartMillis: hour.hourStartMillis, stem: dataset.fileStem)
    }

    struct WrittenFile {
        var rows: Int64 = 0
        var bytes: Int64 = 0
        var sha256 = ""
        var minTimestampNanos: Int64?
        var maxTimestampNanos: Int64?
    }

    func writeHourFile(_ hour: HourKey, to path: String) throws -> WrittenFile {
        let output = try HashingFileOutput(path: path)
        let writer = try ParquetFileWriter(output: output, schema: DatasetParquet.schema(dataset, timestampUnit: timestampUnit),
                                           options: DatasetParquet.writerOptions(compression: compression))
        var file = WrittenFile()
        try catalog.forEachStagedRowBatch(hour: hour, batchSize: pageRows) { page in
            // Pages arrive in file order, so the first and last rows bound the hour.
            if file.minTimestampNanos == nil { file.minTimestampNanos = page.first?.timestampNanos }
            file.maxTimestampNanos = page.last?.timestampNanos ?? file.maxTimestampNanos
            try writer.append(try RowColumns(dataset, staged: page).batch(unit: timestampUnit))
        }
        let summary = try writer.close()
        try output.file.sync()
        try output.file.close()
        file.rows = summary.rows
        file.bytes = summary.bytes
        file.sha256 = output.hexDigest()
        return file
    }
}

/// A file output that hashes (SHA-256) every byte it writes, so the partition's checksum
/// costs no second read of the file.
final class HashingFileOutput: ParquetOutput {
    let file: ParquetFileOutput
    private var hasher = SHA256()

    init(path: String) throws(ParquetError) {
        file = try ParquetFileOutput(path: path)
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws(ParquetError) {
        hasher.update(bufferPointer: bytes)
        try file.write(bytes)
    }

    func flush() throws(ParquetError) { try file.flush() }

    func hexDigest() -> String {
        hasher.finalize().map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}

extension HourCompactor {
    /// `--if-exists` before any query: which of `hours` already exist at which destinations
    /// (each destination asked once per day of hours), by hour. A destination that cannot be
    /// listed counts as holding nothing (its uploads then fail or succeed hour by hour, alone);
    /// its error is returned for the log.
    func existing(_ hours: [HourKey]) async throws -> (found: [HourKey: [String: Int64]], unlisted: [String: String]) {
        let keys = Dictionary(uniqueKeysWithValues: hours.map { (key(of: $0), $0) })
        let days = hours.map { layout.dayPrefix(hourStartMillis: $0.hourStartMillis, stem: dataset.fileStem) }
        var found: [HourKey: [String: Int64]] = [:]
        var unlisted: [String: String] = [:]
        for destination in destinations {
            let present: [String: Int64]
            do {
                present = try await destination.existingFiles(Array(keys.keys), dayPrefixes: days)
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                unlisted[destination.uri] = BackfillExecutor.oneLine(error)
                continue
            }
            for (key, size) in present {
                if let hour = keys[key] { found[hour, default: [:]][destination.uri] = size }
            }
        }
        return (found, unlisted)
    }

    /// Registers an hour whose file every destination already holds, read from the first
    /// destination's footer (rows, min/max timestamp), without querying it.
    func registerFound(_ hour: HourKey, sizes: [String: Int64]) async throws -> PartitionRegistration {
        let key = key(of: hour)
        guard let first = destinations.first else { throw CatalogError.hourNotComplete(backfillID: hour.backfillID, hourStartMillis: hour.hourStartMillis) }
        let footer = try await first.footer(of: key)
        let range = footer.int64Range(column: "timestamp")
        let registration = PartitionRegistration(
            hour: hour, rows: footer.numRows, bytes: sizes[first.uri] ?? 0, sha256: try await first.sha256(of: key) ?? "",
            minTimestampNanos: range.map { $0.min * timestampUnit.nanos }, maxTimestampNanos: range.map { $0.max * timestampUnit.nanos },
            exportedAtMillis: Int64(Date().timeIntervalSince1970 * 1000), writerVersion: footer.createdBy ?? "",
            files: destinations.map { PartitionRegistration.File(destination: $0.uri, uri: $0.location(of: key)) })
        var found = registration
        found.found = true
        let catalog = self.catalog
        let stored = found
        try await encoding.run { try catalog.registerPartition(stored) }
        return found
    }
}
