/// Turns one Insights result row into an access-log row, exactly per docs/row-rules.md.
///
/// Order of the rules (the first that applies decides):
/// 1. the access line is extracted from `@message` (rule 1);
/// 2. a line containing `django.request:WARNING` is skipped (`.djangoWarning`);
/// 3. a line without a `METHOD TARGET [PROTOCOL]` quoted value is skipped (`.noRequest`);
/// 4. `--exclude-paths` then `--filter-paths` (`.excluded`, `.notIncluded`);
/// 5. a path that is not `/api/pypi/<domain>/<distribution>/simple/<package>/?` is skipped
///    (`.pathNotPyPI`);
/// 6. only a row that survived all skip rules can be `malformed`: when neither `@timestamp`
///    nor the access line's `[dd/Mon/yyyy:HH:MM:SS ±hhmm]` is readable.
///
/// A missing `@ptr` is not an error: the row is kept with `ptr == ""` (it only breaks sort
/// ties). A missing `@message` behaves as an empty line (hence `.noRequest`).
public struct AccessLogParser: Sendable {
    private let prefixes: PathPrefixMatcher
    public var filter: PathFilter { prefixes.filter }

    public init(filter: PathFilter = .seedDefault) {
        self.prefixes = PathPrefixMatcher(filter)
    }

    public func parse(_ row: InsightsRow) -> RowOutcome {
        var kept: AccessLogRow?
        switch parse(row, kept: { kept = AccessLogRow($0) }) {
        case .kept: return .kept(kept!)
        case .skipped(let reason): return .skipped(reason)
        case .malformed(let reason): return .malformed(reason)
        }
    }

    /// `parse(_:)` handing a kept row over as bytes (see the byte-level form below).
    public func parse(_ row: InsightsRow, kept: (AccessLogRowBytes) -> Void) -> RowVerdict {
        var message = row.message ?? ""
        var ptr = row.ptr ?? ""
        return message.withUTF8 { message in
            ptr.withUTF8 { ptr in
                Self.withOptionalUTF8(row.timestamp) { timestamp in
                    parse(timestamp: timestamp, message: message, ptr: ptr, kept: kept)
                }
            }
        }
    }

    /// The byte-level form of `parse(_:)`, for bulk input: `timestamp` (nil when absent),
    /// `message` and `ptr` (empty when absent) are the unescaped bytes of the result row's
    /// fields. A kept row is handed to `kept` before this returns `.kept`; its buffers are valid
    /// only during that call. Bytes that are not valid UTF-8 are read as a `String` would hold
    /// them (U+FFFD), so both entry points give the same rows.
    public func parse(
        timestamp: UnsafeBufferPointer<UInt8>?,
        message: UnsafeBufferPointer<UInt8>,
        ptr: UnsafeBufferPointer<UInt8>,
        kept: (AccessLogRowBytes) -> Void
    ) -> RowVerdict {
        // `self` holds the matcher for the whole call; the closures borrow it without retaining
        // it (a retain and release per closure per row are measurable at a million rows).
        unowned(unsafe) let prefixes = self.prefixes
        return UTF8Repair.withValid(message) { message in
            AccessLogParser.withAccessLine(of: message) { line in
                Self.parse(line: AccessLine(bytes: line), prefixes: prefixes, message: message, timestamp: timestamp, ptr: ptr, kept: kept)
            }
        }
    }

    private static func parse(
        line: AccessLine, prefixes: PathPrefixMatcher, message: UnsafeBufferPointer<UInt8>, timestamp: UnsafeBufferPointer<UInt8>?,
        ptr: UnsafeBufferPointer<UInt8>, kept: (AccessLogRowBytes) -> Void
    ) -> RowVerdict {
        if line.containsDjangoWarning { return .skipped(.djangoWarning) }
        let verdict: RowVerdict? = line.withRequest { request in
            if let reason = prefixes.skipReason(forPath: request.path) { return .skipped(reason) }
            guard let simplePath = PyPISimplePath(request.path) else { return .skipped(.pathNotPyPI) }
            guard let nanos = Self.timestampNanos(timestamp, line: line) else {
                return .malformed(Self.timestampProblem(timestamp))
            }
            let status = line.status(after: request.end)
            // The user agent and x_forwarded_for may be unescaped into scratch memory that
            // lives only inside these closures, so the row is handed over from the innermost.
            func keep(userAgent: UnsafeBufferPointer<UInt8>?) -> RowVerdict {
                line.withForwardedFor { forwardedFor in
                    UTF8Repair.withValid(ptr) { ptr in
                        kept(AccessLogRowBytes(
                            timestampNanos: nanos, message: message,
                            user: line.user, orgID: line.labeledToken(.orgID),
                            domain: simplePath.domain, distribution: simplePath.distribution, package: simplePath.package,
                            statusCode: status?.status, userAgent: userAgent, xForwardedFor: forwardedFor, ptr: ptr))
                    }
                    return .kept
                }
            }
            guard let status else { return keep(userAgent: nil) }
            return line.withUserAgent(afterStatus: status.end) { keep(userAgent: $0) }
        }
        return verdict ?? .skipped(.noRequest)
    }

    private static func withOptionalUTF8<R>(_ text: String?, _ body: (UnsafeBufferPointer<UInt8>?) -> R) -> R {
        guard var text else { return body(nil) }
        return text.withUTF8 { body($0) }
    }

    // MARK: - Rule 10: timestamp

    private static func timestampNanos(_ timestamp: UnsafeBufferPointer<UInt8>?, line: AccessLine) -> Int64? {
        if let timestamp, let nanos = InsightsTimestamp.parseNanos(timestamp) { return nanos }
        return InsightsTimestamp.parseAccessLineNanos(line.bytes)
    }

    private static func timestampProblem(_ timestamp: UnsafeBufferPointer<UInt8>?) -> String {
        guard let timestamp else { return "no @timestamp and no [dd/Mon/yyyy:HH:MM:SS ±hhmm] in the line" }
        let text = String(decoding: timestamp, as: UTF8.self)
        let shown = text.count > 64 ? String(text.prefix(64)) + "…" : text
        return "unreadable @timestamp \"\(shown)\" and no [dd/Mon/yyyy:HH:MM:SS ±hhmm] in the line"
    }

    // MARK: - Rule 1: access line

    /// Calls `body` with the access line of `message`: the string member `message` of a JSON
    /// object, else its string member `log`, else `message` itself; trailing `\r`/`\n` dropped.
    /// "JSON object" means the whole `@message` is one valid JSON object (surrounding
    /// whitespace allowed); anything else is plain text. Repeated members: the last wins, as
    /// with Python's `json.loads` (so a later non-string `message` falls back to `log`).
    static func withAccessLine<R>(of message: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        // Cheap pre-check: a JSON object starts with "{" after optional whitespace.
        var first = 0
        while first < message.count, message[first] == 0x20 || message[first] == 0x09
            || message[first] == 0x0A || message[first] == 0x0D
        {
            first += 1
        }
        guard first < message.count, message[first] == UInt8(ascii: "{") else { return body(trimmingLineEnd(message)) }
        // The unescaped member is never longer than the message it comes from.
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: message.count) { scratch in
            guard let length = unwrapLine(message, into: scratch.baseAddress!) else {
                return body(trimmingLineEnd(message))
            }
            return body(trimmingLineEnd(UnsafeBufferPointer(rebasing: scratch[0..<length])))
        }
    }

    /// Unescapes the `message` (else `log`) string member of a JSON-object `@message` into
    /// `output` and returns its length; nil when `@message` is not such an object.
    private static func unwrapLine(_ message: UnsafeBufferPointer<UInt8>, into output: UnsafeMutablePointer<UInt8>) -> Int? {
        var reader = JSONReader(message)
        var messageLength: Int?
        var logMember: JSONStringSpan?
        do throws(InsightsJSONError) {
            try reader.beginObject()
            var firstMember = true
            while let key = try reader.nextKey(first: &firstMember) {
                if reader.spanEquals(key, "message") {
                    // Unescaped while it is validated: one pass over the longest member.
                    messageLength = reader.peek() == UInt8(ascii: "\"") ? try reader.scanString(unescapingInto: output) : nil
                    if messageLength == nil { try reader.skipValue() }
                } else if reader.spanEquals(key, "log") {
                    logMember = try reader.stringOrSkip()
                } else {
                    try reader.skipValue()
                }
            }
            try reader.expectEnd()
        } catch {
            return nil
        }
        if let messageLength { return messageLength }
        guard let logMember, let base = message.baseAddress else { return nil }
        return JSONReader.unescape(UnsafeBufferPointer(start: base + logMember.start, count: logMember.rawCount), into: output)
    }

    private static func trimmingLineEnd(_ line: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        var end = line.count
        while end > 0, line[end - 1] == 0x0A || line[end - 1] == 0x0D { end -= 1 }
        return UnsafeBufferPointer(rebasing: line[0..<end])
    }
}
