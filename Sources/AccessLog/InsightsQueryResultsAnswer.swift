/// A GetQueryResults answer read straight from its bytes: status, statistics and — only when
/// the caller asks for them — the rows.
///
/// The backfill polls every query until it is `Complete`; a full answer is 10,000 rows (about
/// 9 MB of JSON). Decoding it with Foundation's JSONDecoder built a whole JSON map plus a
/// struct and two strings per field, which cost a quarter of a backfill's CPU on the
/// concurrency pool and most of its peak memory. Here the status and statistics are read
/// first and the rows are decoded by `InsightsRowDecoder.decodeQueryResults` (the same row
/// decoding `convert` uses), so rows become `InsightsRow`s with no intermediate form, and a
/// `Running` answer's partial results are validated but never materialised.
public struct InsightsQueryResultsAnswer: Sendable, Equatable {
    /// `Scheduled`, `Running`, `Complete`, `Failed`, …; nil when the member is missing.
    public var status: String?
    /// Empty unless rows were asked for.
    public var rows: [InsightsRow] = []
    public var recordsMatched: Double?
    public var recordsScanned: Double?
    public var bytesScanned: Double?

    public init(status: String?, rows: [InsightsRow] = [], recordsMatched: Double? = nil,
                recordsScanned: Double? = nil, bytesScanned: Double? = nil) {
        self.status = status
        self.rows = rows
        self.recordsMatched = recordsMatched
        self.recordsScanned = recordsScanned
        self.bytesScanned = bytesScanned
    }

    /// Reads a GetQueryResults response document. `rowsWanted` sees the status and says
    /// whether to decode the rows (a document without `results` then has none). Members other
    /// than `status`, `statistics` and `results` are validated and ignored.
    public static func decode(
        _ document: UnsafeRawBufferPointer, rowsWanted: (_ status: String?) -> Bool
    ) throws(InsightsJSONError) -> InsightsQueryResultsAnswer {
        var reader = JSONReader(document.assumingMemoryBound(to: UInt8.self))
        var answer = InsightsQueryResultsAnswer(status: nil)
        var hasResults = false
        try reader.beginObject()
        var first = true
        while let key = try reader.nextKey(first: &first) {
            if reader.spanEquals(key, "status") {
                answer.status = try reader.stringValueOrSkip()
            } else if reader.spanEquals(key, "statistics") {
                try readStatistics(&reader, into: &answer)
            } else {
                if reader.spanEquals(key, "results") { hasResults = true }
                try reader.skipValue()  // validated now; rows are decoded below only if wanted
            }
        }
        try reader.expectEnd()
        if hasResults && rowsWanted(answer.status) {
            answer.rows = try InsightsRowDecoder.decodeQueryResults(document)
        }
        return answer
    }

    public static func decode(
        _ document: [UInt8], rowsWanted: (_ status: String?) -> Bool
    ) throws(InsightsJSONError) -> InsightsQueryResultsAnswer {
        let result: Result<InsightsQueryResultsAnswer, InsightsJSONError> = document.withUnsafeBytes { raw in
            do throws(InsightsJSONError) { return .success(try decode(raw, rowsWanted: rowsWanted)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// `{"recordsMatched": 1.0, "recordsScanned": 2.0, "bytesScanned": 3.0}`; a member that is
    /// not a number is ignored (nil), as the statistics are informational.
    private static func readStatistics(_ reader: inout JSONReader, into answer: inout InsightsQueryResultsAnswer) throws(InsightsJSONError) {
        reader.skipWhitespace()
        guard reader.peek() == UInt8(ascii: "{") else {
            try reader.skipValue()
            return
        }
        try reader.beginObject()
        var first = true
        while let key = try reader.nextKey(first: &first) {
            let value = try readNumber(&reader)
            if reader.spanEquals(key, "recordsMatched") {
                answer.recordsMatched = value
            } else if reader.spanEquals(key, "recordsScanned") {
                answer.recordsScanned = value
            } else if reader.spanEquals(key, "bytesScanned") {
                answer.bytesScanned = value
            }
        }
    }

    /// A number as a Double; any other value is skipped (validated) and gives nil.
    private static func readNumber(_ reader: inout JSONReader) throws(InsightsJSONError) -> Double? {
        reader.skipWhitespace()
        let start = reader.position
        let isNumber = reader.peek().map { $0 == UInt8(ascii: "-") || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) } ?? false
        try reader.skipValue()
        guard isNumber else { return nil }
        let text = String(decoding: UnsafeBufferPointer(start: reader.bytes + start, count: reader.position - start), as: UTF8.self)
        return Double(text)
    }
}
