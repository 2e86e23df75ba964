/// Everything that can go wrong opening or using a catalog, with messages an operator can act on.
/// `description` is a single line: the CLI prints it as is.
public enum CatalogError: Error, Equatable, CustomStringConvertible, Sendable {
    /// No file at the path and the caller did not ask to create one.
    case missing(path: String)
    /// The directory that should hold a new catalog does not exist or is not a directory.
    case directoryMissing(path: String)
    /// The file exists but is not a pulp-backfill catalog (not SQLite, or SQLite without our application id).
    case notACatalog(path: String, reason: String)
    /// The catalog was written by a newer pulp-backfill: this binary does not know its schema.
    case newerSchema(path: String, found: Int, supported: Int)
    /// SQLite refused to open, read or write the file.
    case sqlite(path: String, message: String)
    /// The chunk's lease is not held by this owner any more (expired and claimed elsewhere, or released).
    case leaseLost(chunkID: Int64, owner: String)
    /// A staged row's timestamp lies outside the chunk it was reported for.
    case rowOutsideChunk(chunkID: Int64, timestampNanos: Int64)
    /// An hour cannot be registered as a partition before all its chunks are done.
    case hourNotComplete(backfillID: Int64, hourStartMillis: Int64)
    /// The hour was exported (by another worker or process) since the caller looked: nothing to do.
    case hourAlreadyExported(backfillID: Int64, hourStartMillis: Int64)
    /// A planner returned chunks that overlap existing ones or cross an hour boundary.
    case invalidPlan(String)
    /// No backfill with this id.
    case unknownBackfill(id: Int64)

    public var description: String {
        switch self {
        case .missing(let path):
            return "no catalog at \(path) (run `pulp-backfill plan` first, or pass --catalog)"
        case .directoryMissing(let path):
            return "cannot create catalog: directory \(path) does not exist"
        case .notACatalog(let path, let reason):
            return "\(path) is not a pulp-backfill catalog: \(reason)"
        case .newerSchema(let path, let found, let supported):
            return "\(path) was written by a newer pulp-backfill (catalog schema version \(found), this binary supports up to \(supported)); upgrade pulp-backfill"
        case .sqlite(let path, let message):
            return "catalog \(path): \(message)"
        case .leaseLost(let chunkID, let owner):
            return "chunk \(chunkID) is no longer leased by \(owner)"
        case .hourAlreadyExported(let backfillID, let hour):
            return "hour \(hour) of backfill \(backfillID) was already exported"
        case .rowOutsideChunk(let chunkID, let ts):
            return "row with timestamp \(ts) ns does not belong to chunk \(chunkID)"
        case .hourNotComplete(let backfillID, let hour):
            return "backfill \(backfillID): hour starting at \(hour) ms still has chunks that are not done"
        case .invalidPlan(let message):
            return "invalid plan: \(message)"
        case .unknownBackfill(let id):
            return "no backfill with id \(id)"
        }
    }
}
