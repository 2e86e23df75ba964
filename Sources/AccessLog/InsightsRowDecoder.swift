/// Decodes Insights result rows from the two JSON shapes the tool reads:
///
/// * **NDJSON**: one object per line, `{"@timestamp": "...", "@message": "...", "@ptr": "..."}`
///   (other members ignored) — what the seed's exports and `Tests/Fixtures/`'s `.ndjson` files hold;
/// * **a saved GetQueryResults response**: `{"results": [[{"field": "...", "value": "..."}, ...], ...], ...}`.
///
/// Decisions:
/// * a member whose value is not a string (`null`, a number, an object…) counts as absent;
/// * a repeated member: the last one wins (Python's `json.loads` does the same);
/// * every line/document must be complete, valid JSON, or an `InsightsJSONError` is thrown.
public enum InsightsRowDecoder {
    // MARK: NDJSON

    /// Decodes one NDJSON line (surrounding whitespace, including a trailing `\r`, is allowed).
    public static func decodeLine(_ line: UnsafeRawBufferPointer) throws(InsightsJSONError) -> InsightsRow {
        var reader = JSONReader(line.assumingMemoryBound(to: UInt8.self))
        let row = try readRowObject(&reader)
        try reader.expectEnd()
        return row
    }

    /// The byte-level form of `decodeLine`, for bulk input: calls `body` with the unescaped
    /// bytes of `@timestamp`, `@message` and `@ptr` (nil when absent or not a string), valid
    /// only during the call. Same rules as `decodeLine`: the whole line must be valid JSON and
    /// a repeated member's last value wins. Bytes are not UTF-8-repaired here (see
    /// `AccessLogParser.parse(timestamp:message:ptr:kept:)`, which does it).
    /// Not generic on purpose: it is called once per line from other modules, where a generic
    /// would run unspecialized.
    public static func withLineFields(
        _ line: UnsafeRawBufferPointer,
        _ body: (_ timestamp: UnsafeBufferPointer<UInt8>?, _ message: UnsafeBufferPointer<UInt8>?, _ ptr: UnsafeBufferPointer<UInt8>?) -> Void
    ) throws(InsightsJSONError) {
        // Unescaped values are written back to back into one scratch buffer the size of the
        // line: values come from disjoint parts of the line and unescaping never lengthens, and
        // the word-at-a-time writer's overshoot stays within what is left of the line.
        let failure: InsightsJSONError? = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(line.count, 8)) { scratch in
            let output = scratch.baseAddress!
            var reader = JSONReader(line.assumingMemoryBound(to: UInt8.self))
            var used = 0
            var timestamp: Range<Int>?, message: Range<Int>?, ptr: Range<Int>?
            do throws(InsightsJSONError) {
                func value() throws(InsightsJSONError) -> Range<Int>? {
                    reader.skipWhitespace()
                    guard reader.peek() == UInt8(ascii: "\"") else {
                        try reader.skipValue()
                        return nil
                    }
                    let length = try reader.scanString(unescapingInto: output + used)
                    defer { used += length }
                    return used..<(used + length)
                }
                try reader.beginObject()
                var first = true
                while let key = try reader.nextKey(first: &first) {
                    if reader.spanEquals(key, "@message") {
                        message = try value()
                    } else if reader.spanEquals(key, "@timestamp") {
                        timestamp = try value()
                    } else if reader.spanEquals(key, "@ptr") {
                        ptr = try value()
                    } else {
                        try reader.skipValue()
                    }
                }
                try reader.expectEnd()
            } catch {
                return error
            }
            let view = { (range: Range<Int>?) in range.map { UnsafeBufferPointer(start: output + $0.lowerBound, count: $0.count) } }
            body(view(timestamp), view(message), view(ptr))
            return nil
        }
        if let failure { throw failure }
    }

    public static func decodeLine(_ line: [UInt8]) throws(InsightsJSONError) -> InsightsRow {
        try withRawBytes(line) { (raw) throws(InsightsJSONError) in try decodeLine(raw) }
    }

    public static func decodeLine(_ line: String) throws(InsightsJSONError) -> InsightsRow {
        var line = line
        let result: Result<InsightsRow, InsightsJSONError> = line.withUTF8 { utf8 in
            do throws(InsightsJSONError) { return .success(try decodeLine(UnsafeRawBufferPointer(utf8))) } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Calls `body` with each non-blank line of an NDJSON buffer (without its `\n`) and its
    /// 1-based line number. Blank (whitespace-only) lines are skipped.
    public static func forEachLine<E: Error>(
        in buffer: UnsafeRawBufferPointer,
        _ body: (_ lineNumber: Int, _ line: UnsafeRawBufferPointer) throws(E) -> Void
    ) throws(E) {
        let count = buffer.count
        guard count > 0, let base = buffer.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
        var lineStart = 0
        var lineNumber = 0
        while lineStart < count {
            lineNumber += 1
            let lineEnd = ByteSearch.index(of: 0x0A, in: base, from: lineStart, end: count) ?? count
            let line = UnsafeRawBufferPointer(rebasing: buffer[lineStart..<lineEnd])
            if line.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) {
                try body(lineNumber, line)
            }
            lineStart = lineEnd + 1
        }
    }

    // MARK: GetQueryResults

    /// Decodes a GetQueryResults response document. Members other than `results` (`status`,
    /// `statistics`, …) are validated and ignored; a document without `results` is an error.
    public static func decodeQueryResults(_ document: UnsafeRawBufferPointer) throws(InsightsJSONError) -> [InsightsRow] {
        var reader = JSONReader(document.assumingMemoryBound(to: UInt8.self))
        var rows: [InsightsRow]?
        try reader.beginObject()
        var first = true
        while let key = try reader.nextKey(first: &first) {
            if reader.spanEquals(key, "results") {
                rows = try readResultsArray(&reader)
            } else {
                try reader.skipValue()
            }
        }
        try reader.expectEnd()
        guard let rows else { throw InsightsJSONError(offset: 0, reason: "no \"results\" member") }
        return rows
    }

    public static func decodeQueryResults(_ document: [UInt8]) throws(InsightsJSONError) -> [InsightsRow] {
        try withRawBytes(document) { (raw) throws(InsightsJSONError) in try decodeQueryResults(raw) }
    }

    /// True when `bytes` hold a GetQueryResults document rather than NDJSON: the first JSON
    /// value in the buffer is an object with a top-level `results` member. An NDJSON row
    /// object has no such member, and a pretty-printed response spreads over many lines,
    /// so looking at the keys (not at line structure) is what tells the two apart.
    /// Anything unreadable answers false (the NDJSON decoder will then report the error).
    public static func looksLikeQueryResults(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var reader = JSONReader(bytes.assumingMemoryBound(to: UInt8.self))
        do {
            try reader.beginObject()
            var first = true
            while let key = try reader.nextKey(first: &first) {
                if reader.spanEquals(key, "results") { return true }
                try reader.skipValue()
            }
            return false
        } catch {
            return false
        }
    }

    public static func looksLikeQueryResults(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { looksLikeQueryResults($0) }
    }

    // MARK: - Internals

    /// Reads `{"@timestamp": …, "@message": …, "@ptr": …}`, skipping every other member.
    /// (`JSONReader`'s member loop, written out as in `InsightsQueryResultsAnswer.decode`: each
    /// object has its own keys, and this one runs once per row.)
    private static func readRowObject(_ reader: inout JSONReader) throws(InsightsJSONError) -> InsightsRow {
        var row = InsightsRow(timestamp: nil, message: nil, ptr: nil)
        try reader.beginObject()
        var first = true
        while let key = try reader.nextKey(first: &first) {
            if reader.spanEquals(key, "@message") {
                row.message = try reader.stringValueOrSkip()
            } else if reader.spanEquals(key, "@timestamp") {
                row.timestamp = try reader.stringValueOrSkip()
            } else if reader.spanEquals(key, "@ptr") {
                row.ptr = try reader.stringValueOrSkip()
            } else {
                try reader.skipValue()
            }
        }
        return row
    }

    /// `[[{"field": "@timestamp", "value": "..."}, ...], ...]`
    private static func readResultsArray(_ reader: inout JSONReader) throws(InsightsJSONError) -> [InsightsRow] {
        var rows: [InsightsRow] = []
        try reader.beginArray()
        var firstRow = true
        while try reader.nextElement(first: &firstRow) {
            var row = InsightsRow(timestamp: nil, message: nil, ptr: nil)
            try reader.beginArray()
            var firstField = true
            while try reader.nextElement(first: &firstField) {
                try readResultField(&reader, into: &row)
            }
            rows.append(row)
        }
        return rows
    }

    /// One `{"field": ..., "value": ...}` entry; fields other than the three we use are ignored.
    private static func readResultField(_ reader: inout JSONReader, into row: inout InsightsRow) throws(InsightsJSONError) {
        var field: JSONStringSpan?
        var value: JSONStringSpan?
        try reader.beginObject()
        var first = true
        while let key = try reader.nextKey(first: &first) {
            if reader.spanEquals(key, "field") {
                field = try reader.stringOrSkip()
            } else if reader.spanEquals(key, "value") {
                value = try reader.stringOrSkip()
            } else {
                try reader.skipValue()
            }
        }
        guard let field else { return }
        let decodedValue = value.map(reader.decodeString)
        if reader.spanEquals(field, "@timestamp") {
            row.timestamp = decodedValue
        } else if reader.spanEquals(field, "@message") {
            row.message = decodedValue
        } else if reader.spanEquals(field, "@ptr") {
            row.ptr = decodedValue
        }
    }

    private static func withRawBytes<R>(
        _ bytes: [UInt8], _ body: (UnsafeRawBufferPointer) throws(InsightsJSONError) -> R
    ) throws(InsightsJSONError) -> R {
        let result: Result<R, InsightsJSONError> = bytes.withUnsafeBytes { raw in
            do throws(InsightsJSONError) { return .success(try body(raw)) } catch { return .failure(error) }
        }
        return try result.get()
    }
}
