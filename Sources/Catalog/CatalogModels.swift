import Basics
import Foundation

/// Value types the catalog stores and returns. Times: `*Millis` = ms since the Unix epoch
/// (UTC), `*Nanos` = ns. Catalog depends on nothing but GRDB; BackfillCore maps these to
/// and from its own types. The memberwise inits written out below are there because BackfillCore,
/// the CLI or catalog-probe build those values: the one Swift synthesises is internal.

/// What makes a backfill: re-planning with equal settings extends the same backfill.
public struct BackfillSpec: Sendable, Equatable {
    public var logGroup: String
    public var awsRegion: String
    public var logStream: String?
    public var filterPaths: [String]
    public var excludePaths: [String]
    /// Local directories and/or `s3://bucket/prefix` URIs, each receiving every hourly file.
    public var destinations: [String]
    /// Not part of the identity: the latest plan's values win.
    public var compression: String
    public var layout: String
    /// Unit of the timestamp column: `ns`, `us` or `ms`. Part of the identity.
    public var timestampUnit: String
    /// The dataset (`access`, `content-python`, …). Part of the identity.
    public var dataset: String

    public init(logGroup: String, awsRegion: String = "us-east-1", logStream: String? = nil,
                filterPaths: [String] = ["/api/pypi/"], excludePaths: [String] = ["/livez", "/status"],
                destinations: [String], compression: String = "snappy", layout: String = "hive",
                timestampUnit: String = "ns", dataset: String = "access") {
        self.logGroup = logGroup
        self.awsRegion = awsRegion
        self.logStream = logStream
        self.filterPaths = filterPaths
        self.excludePaths = excludePaths
        self.destinations = destinations
        self.compression = compression
        self.layout = layout
        self.timestampUnit = timestampUnit
        self.dataset = dataset
    }

    /// Canonical text of the identifying settings. Lists are de-duplicated and sorted: the
    /// order in which an operator typed `--output-path` or `--filter-paths` does not change
    /// which rows are exported nor where they go.
    public var identity: String {
        func list(_ values: [String]) -> String { jsonArray(Array(Set(values)).sorted()) }
        return "{\"log_group\":\(JSONText.string(logGroup)),\"aws_region\":\(JSONText.string(awsRegion)),"
            + "\"log_stream\":\(logStream.map(JSONText.string) ?? "null"),"
            + "\"filter_paths\":\(list(filterPaths)),\"exclude_paths\":\(list(excludePaths)),"
            + "\"destinations\":\(list(destinations))"
            // Only when not the default, so backfills planned before units existed keep their identity.
            + (timestampUnit == "ns" ? "" : ",\"timestamp_unit\":\(JSONText.string(timestampUnit))")
            + (dataset == "access" ? "" : ",\"dataset\":\(JSONText.string(dataset))") + "}"
    }
}

public struct Backfill: Sendable, Equatable, Identifiable {
    public let id: Int64
    public let spec: BackfillSpec
    public let createdAtMillis: Int64
}

/// A half-open interval `[startMillis, endMillis)`.
public struct TimeRange: Sendable, Hashable, Comparable {
    public let startMillis: Int64
    public let endMillis: Int64

    public init(startMillis: Int64, endMillis: Int64) {
        precondition(endMillis > startMillis, "empty or inverted range")
        self.startMillis = startMillis
        self.endMillis = endMillis
    }

    public func overlaps(_ other: TimeRange) -> Bool {
        startMillis < other.endMillis && other.startMillis < endMillis
    }

    public static func < (a: TimeRange, b: TimeRange) -> Bool {
        (a.startMillis, a.endMillis) < (b.startMillis, b.endMillis)
    }
}

public enum ChunkState: String, Sendable, CaseIterable, Codable {
    case pending, running, done, failed
}

public struct Chunk: Sendable, Equatable, Identifiable {
    public let id: Int64
    public let backfillID: Int64
    public let range: TimeRange
    public let hourStartMillis: Int64
    public let state: ChunkState
    public let attempts: Int
    public let lastError: String?
    public let leaseOwner: String?
    public let leaseExpiresMillis: Int64?
    /// The process holding the lease (nil for leases taken before catalog version 2).
    public let leaseHolder: LeaseHolder?
    /// Events a density count found in the chunk's 5-minute cell (nil: not counted).
    public var expectedRows: Int? = nil

    /// The hour this chunk belongs to (chunks never cross an hour).
    public var hour: HourKey { HourKey(backfillID: backfillID, hourStartMillis: hourStartMillis) }
}

/// The process that holds a lease: host name, process id, and the process's start time
/// (an opaque text; equal only for the same process, so a reused pid is told apart).
public struct LeaseHolder: Sendable, Hashable, CustomStringConvertible {
    public let host: String
    public let pid: Int64
    public let processStart: String

    public init(host: String, pid: Int64, processStart: String) {
        self.host = host
        self.pid = pid
        self.processStart = processStart
    }

    public var description: String { "\(host):\(pid)" }
}

/// The running chunks one lease owner holds (what `status` and a waiting run report).
public struct LeaseGroup: Sendable, Equatable {
    public let owner: String
    /// Nil for leases taken before catalog version 2 (only their expiry tells).
    public let holder: LeaseHolder?
    public let chunks: Int
    /// The latest expiry of the group's leases.
    public let expiresMillis: Int64
}

/// An hour whose export failed after its attempts; the next run tries it again.
public struct HourFailure: Sendable, Equatable {
    public let hour: HourKey
    public let attempts: Int
    public let lastError: String
    public let failedAtMillis: Int64

    public init(hour: HourKey, attempts: Int, lastError: String, failedAtMillis: Int64) {
        self.hour = hour
        self.attempts = attempts
        self.lastError = lastError
        self.failedAtMillis = failedAtMillis
    }
}

/// What a finished chunk reports besides its rows.
public struct ChunkStatistics: Sendable, Equatable {
    public var queries: Int
    /// GetQueryResults calls.
    public var polls: Int = 0
    public var recordsMatched: Int64
    public var bytesScanned: Int64
    public var skipped: Int
    public var malformed: Int
    /// `skipped` by reason label (e.g. `path-not-pypi`); the counts add up to at most `skipped`.
    public var skippedByReason: [String: Int] = [:]
    /// Events the queries returned in the chunk, before the row rules (nil: not recorded).
    public var fetchedEvents: Int? = nil

    public init(queries: Int = 1, polls: Int = 0, recordsMatched: Int64 = 0, bytesScanned: Int64 = 0, skipped: Int = 0, malformed: Int = 0) {
        self.queries = queries
        self.polls = polls
        self.recordsMatched = recordsMatched
        self.bytesScanned = bytesScanned
        self.skipped = skipped
        self.malformed = malformed
    }
}

/// One parsed row waiting for its hour to be compacted: its timestamp and `ptr` (the Insights
/// `@ptr` that orders rows with equal timestamps), and its values as a `StagedRecordWriter`
/// wrote them, in its dataset's column order.
public struct StagedRow: Sendable, Equatable, Hashable {
    public var timestampNanos: Int64
    public var ptr: String
    public var record: [UInt8]

    public init(timestampNanos: Int64, ptr: String, record: [UInt8]) {
        self.timestampNanos = timestampNanos
        self.ptr = ptr
        self.record = record
    }
}

/// Where to continue reading an hour's staged rows: the last (timestamp, ptr) already read.
public struct StagedRowCursor: Sendable, Equatable {
    public let timestampNanos: Int64
    public let ptr: String

    public init(after row: StagedRow) {
        timestampNanos = row.timestampNanos
        ptr = row.ptr
    }
}

/// An hour of a backfill whose chunks are all done and whose rows are not yet exported.
public struct HourKey: Sendable, Hashable {
    public let backfillID: Int64
    public let hourStartMillis: Int64

    public init(backfillID: Int64, hourStartMillis: Int64) {
        self.backfillID = backfillID
        self.hourStartMillis = hourStartMillis
    }
}

/// An exported hourly file, written to one or more destinations.
public struct PartitionRegistration: Sendable, Equatable {
    public struct File: Sendable, Equatable {
        /// The destination as planned (directory or `s3://bucket/prefix`).
        public let destination: String
        /// The full location of the file (path or `s3://bucket/prefix/key`).
        public let uri: String

        public init(destination: String, uri: String) {
            self.destination = destination
            self.uri = uri
        }
    }

    public var hour: HourKey
    public var rows: Int64
    public var bytes: Int64
    public var sha256: String
    public var minTimestampNanos: Int64?
    public var maxTimestampNanos: Int64?
    public var exportedAtMillis: Int64
    public var writerVersion: String
    public var files: [File]
    /// Found at its destinations (`--if-exists skip`), not exported by this catalog.
    public var found = false

    public init(hour: HourKey, rows: Int64, bytes: Int64, sha256: String, minTimestampNanos: Int64?,
                maxTimestampNanos: Int64?, exportedAtMillis: Int64, writerVersion: String, files: [File]) {
        self.hour = hour
        self.rows = rows
        self.bytes = bytes
        self.sha256 = sha256
        self.minTimestampNanos = minTimestampNanos
        self.maxTimestampNanos = maxTimestampNanos
        self.exportedAtMillis = exportedAtMillis
        self.writerVersion = writerVersion
        self.files = files
    }
}

/// What `createOrExtendBackfill` did.
public struct PlanOutcome: Sendable, Equatable {
    public let backfill: Backfill
    public let created: Bool
    public let addedChunks: [TimeRange]
    /// Hours that had already been compacted and were reopened because a new chunk landed
    /// in them (their old chunks go back to pending, see `createOrExtendBackfill`).
    public let reopenedHours: [Int64]
    public let totalChunks: Int
}

// MARK: - JSON text (only for the identity text and filter lists)

func jsonArray(_ values: [String]) -> String {
    "[" + values.map(JSONText.string).joined(separator: ",") + "]"
}
