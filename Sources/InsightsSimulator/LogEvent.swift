// One stored log event, as Insights exposes it: @timestamp, @message, @logStream, @ptr.

public struct LogEvent: Sendable, Equatable {
    /// Epoch milliseconds (UTC).
    public var timestampMs: Int64
    public var message: String
    public var ptr: String
    public var logStream: String?
    /// Any further fields of an `--events` row, in file order (served and printed as given).
    public var extraFields: [(String, String)]

    public init(timestampMs: Int64, message: String, ptr: String, logStream: String? = nil, extraFields: [(String, String)] = []) {
        self.timestampMs = timestampMs
        self.message = message
        self.ptr = ptr
        self.logStream = logStream
        self.extraFields = extraFields
    }

    public static func == (a: LogEvent, b: LogEvent) -> Bool {
        a.timestampMs == b.timestampMs && a.message == b.message && a.ptr == b.ptr && a.logStream == b.logStream
            && a.extraFields.count == b.extraFields.count
            && zip(a.extraFields, b.extraFields).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
    }

    /// Bytes Insights would count as scanned for this event.
    var scannedBytes: Int { message.utf8.count + 23 + ptr.utf8.count + (logStream?.utf8.count ?? 0) }

    /// The event's fields in the order `expected` prints them and a query without `fields` returns them.
    public var fields: [(String, String)] {
        var out: [(String, String)] = [("@timestamp", InsightsTime.insightsString(timestampMs)), ("@message", message)]
        if let logStream { out.append(("@logStream", logStream)) }
        out.append(contentsOf: extraFields)
        out.append(("@ptr", ptr))
        return out
    }

    /// One NDJSON line (no newline): the shape `--events` reads and `expected` prints.
    public var ndjsonLine: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(message.utf8.count + 200)
        bytes.append(UInt8(ascii: "{"))
        for (i, (name, value)) in fields.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            JSONValue.appendQuoted(utf8: name.utf8, to: &bytes)
            bytes.append(UInt8(ascii: ":"))
            JSONValue.appendQuoted(utf8: value.utf8, to: &bytes)
        }
        bytes.append(UInt8(ascii: "}"))
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Where the served events come from: a seeded generator or a fixed file.
public protocol EventSource: Sendable {
    /// Events with `startMs <= timestamp < endMs`, in timestamp order (ties in a fixed order).
    func events(from startMs: Int64, to endMs: Int64) -> [LogEvent]
}
