import Parquet

/// The unit of the `timestamp` column (`--timestamp-unit`). `ns` is the seed exporter's
/// schema and stays the default; `us` is what Spark reads natively (`timestamp_ntz`) and
/// what Glue/Athena type as a timestamp; Insights timestamps carry milliseconds, so neither
/// `us` nor `ms` loses anything. A backfill records its unit: one dataset never mixes units.
public enum TimestampUnit: String, Sendable, CaseIterable, Equatable {
    case ns, us, ms

    public var columnKind: ParquetColumnKind {
        switch self {
        case .ns: .timestampNanos
        case .us: .timestampMicros
        case .ms: .timestampMillis
        }
    }

    public init?(columnKind: ParquetColumnKind) {
        guard let unit = Self.allCases.first(where: { $0.columnKind == columnKind }) else { return nil }
        self = unit
    }

    /// Nanoseconds per unit.
    public var nanos: Int64 {
        switch self {
        case .ns: 1
        case .us: 1_000
        case .ms: 1_000_000
        }
    }

    /// The stored value of a timestamp given in nanoseconds (floor: times before 1970 too).
    @inline(__always)
    public func value(nanos timestamp: Int64) -> Int64 {
        self == .ns ? timestamp : UTCFormat.floorDivide(timestamp, nanos).0
    }
}
