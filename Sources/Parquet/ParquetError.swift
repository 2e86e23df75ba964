public enum ParquetError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A batch does not fit the writer's schema (column count, kinds, row counts).
    case batchMismatch(String)
    /// The output failed (open, write, fsync, close); carries the errno text.
    case io(String)
    /// A compressor reported an error.
    case compression(String)
    /// An earlier error left the writer unusable; it will never write a footer.
    case writerFailed
    /// `append`/`close` after `close`.
    case writerClosed
    /// A value does not fit the format (e.g. a page or string larger than 2 GiB).
    case valueTooLarge(String)

    public var description: String {
        switch self {
        case .batchMismatch(let s): "parquet: batch does not match schema: \(s)"
        case .io(let s): "parquet: I/O error: \(s)"
        case .compression(let s): "parquet: compression failed: \(s)"
        case .writerFailed: "parquet: writer failed earlier; no footer was written"
        case .writerClosed: "parquet: writer already closed"
        case .valueTooLarge(let s): "parquet: value too large: \(s)"
        }
    }
}
