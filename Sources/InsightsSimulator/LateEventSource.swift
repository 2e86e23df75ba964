/// Events that reach the log group after they were counted: a fetch query sees them, a
/// `stats` query does not (`--late-events FILE`). It lets tests make a density count wrong
/// the way late ingestion does in CloudWatch, deterministically.
public struct LateEventSource: EventSource {
    /// What `stats` queries count.
    public let counted: any EventSource
    public let late: EventFileSource

    public init(counted: any EventSource, late: EventFileSource) {
        self.counted = counted
        self.late = late
    }

    /// Both sources merged in timestamp order (at equal times, the counted events first).
    public func events(from startMs: Int64, to endMs: Int64) -> [LogEvent] {
        let base = counted.events(from: startMs, to: endMs)
        let extra = late.events(from: startMs, to: endMs)
        guard !extra.isEmpty else { return base }
        var merged: [LogEvent] = []
        merged.reserveCapacity(base.count + extra.count)
        var (i, j) = (0, 0)
        while i < base.count || j < extra.count {
            if j == extra.count || (i < base.count && base[i].timestampMs <= extra[j].timestampMs) {
                merged.append(base[i]); i += 1
            } else {
                merged.append(extra[j]); j += 1
            }
        }
        return merged
    }
}
