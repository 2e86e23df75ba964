import AccessLog
import Catalog
import Foundation
import Parquet

/// `export`'s output (the seed exporter's behaviour): every staged row of a backfill, across
/// all its hours, in (timestamp, @ptr) order, in ONE Parquet file. Streams hour by hour and
/// page by page, so memory stays bounded however long the range.
public enum RangeFileExport {
    /// Writes the file at `path` (atomically: temp file, fsync, rename) unless there are no rows.
    /// Returns the rows and bytes written; `rows == 0` means nothing was written.
    public static func write(catalog: Catalog, backfillID: Int64, dataset: Dataset, compression: ParquetCompression,
                             timestampUnit: TimestampUnit = .ns, to path: String) throws -> (rows: Int64, bytes: Int64) {
        let hours = Set(try catalog.chunks(backfillID: backfillID).map(\.hourStartMillis)).sorted()
        let file = AtomicFile(finalPath: path)
        defer { file.discard() }
        let output = try ParquetFileOutput(path: file.temporaryPath)
        let writer = try ParquetFileWriter(output: output, schema: DatasetParquet.schema(dataset, timestampUnit: timestampUnit),
                                           options: DatasetParquet.writerOptions(compression: compression))
        for hour in hours {
            try catalog.forEachStagedRowBatch(hour: HourKey(backfillID: backfillID, hourStartMillis: hour)) { page in
                try writer.append(try RowColumns(dataset, staged: page).batch(unit: timestampUnit))
            }
        }
        let summary = try writer.close()
        // The seed wrote nothing for an empty range: the temporary file is discarded by `defer`.
        guard summary.rows > 0 else { try output.close(); return (0, 0) }
        try output.sync()
        try output.close()
        try file.commit()
        return (summary.rows, summary.bytes)
    }
}
