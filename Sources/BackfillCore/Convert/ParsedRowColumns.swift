import AccessLog
import Parquet

/// Kept rows of one slice of an input, column by column, exactly as the byte-level parser hands
/// them over: each field is copied once, from the parser's buffers into the column, with no
/// `String` or `AccessLogRow` in between. `convert` fills one per slice of the input, on all
/// cores at once, then `ParsedRowSet` orders and writes them.
public struct ParsedRowColumns: Sendable {
    /// The string columns, in `AccessLogParquet.schema` order, then `ptr` (sort key only).
    enum Text: Int, CaseIterable {
        case message, user, orgID, domain, distribution, package, userAgent, xForwardedFor, ptr
    }

    var timestamps: [Int64] = []
    var statusCodes = Int32ColumnBuilder()
    /// Per row: the bytes of its values in the written string columns (all but `ptr`), for
    /// cutting row groups without another pass over every column.
    var rowBytes: [Int] = []
    // One stored property per column (not an array of builders): appending then checks the
    // uniqueness of the builder's storage only, nine times per row.
    private var message = StringColumnBuilder(), user = StringColumnBuilder(), orgID = StringColumnBuilder()
    private var domain = StringColumnBuilder(), distribution = StringColumnBuilder(), package = StringColumnBuilder()
    private var userAgent = StringColumnBuilder(), xForwardedFor = StringColumnBuilder(), ptr = StringColumnBuilder()

    /// The values of one string column.
    subscript(text text: Text) -> StringColumnBuilder {
        switch text {
        case .message: message
        case .user: user
        case .orgID: orgID
        case .domain: domain
        case .distribution: distribution
        case .package: package
        case .userAgent: userAgent
        case .xForwardedFor: xForwardedFor
        case .ptr: ptr
        }
    }

    public var count: Int { timestamps.count }

    public init() {}

    /// Reserves room for the rows of `inputBytes` bytes of input, so filling never reallocates
    /// and copies: messages are never longer than the input they come from, and rows take at
    /// least a few hundred bytes of input. (Large reservations are only address space until
    /// written.)
    public mutating func reserveCapacity(inputBytes: Int) {
        let rows = inputBytes / 256 + 16
        timestamps.reserveCapacity(rows)
        rowBytes.reserveCapacity(rows)
        statusCodes = Int32ColumnBuilder(reservingCapacity: rows)
        message = StringColumnBuilder(reservingCapacity: rows, bytesCapacity: inputBytes)
        for column in [\Self.user, \.orgID, \.domain, \.distribution, \.package, \.userAgent, \.xForwardedFor, \.ptr] {
            self[keyPath: column] = StringColumnBuilder(reservingCapacity: rows, bytesCapacity: rows * 16)
        }
    }

    public mutating func append(_ row: AccessLogRowBytes) {
        timestamps.append(row.timestampNanos)
        statusCodes.append(row.statusCode)
        message.append(utf8: row.message)
        Self.append(row.user, to: &user)
        Self.append(row.orgID, to: &orgID)
        domain.append(utf8: row.domain)
        distribution.append(utf8: row.distribution)
        package.append(utf8: row.package)
        Self.append(row.userAgent, to: &userAgent)
        Self.append(row.xForwardedFor, to: &xForwardedFor)
        ptr.append(utf8: row.ptr)
        rowBytes.append(row.message.count + (row.user?.count ?? 0) + (row.orgID?.count ?? 0) + row.domain.count
            + row.distribution.count + row.package.count + (row.userAgent?.count ?? 0) + (row.xForwardedFor?.count ?? 0))
    }

    @inline(__always)
    private static func append(_ value: UnsafeBufferPointer<UInt8>?, to column: inout StringColumnBuilder) {
        if let value { column.append(utf8: value) } else { column.appendNull() }
    }
}

extension ParsedRowColumns {
    /// What parsing a run of NDJSON lines gave: the kept rows, the tallies, and the first line
    /// that is not valid JSON (1-based within the text), where parsing stopped.
    public struct NDJSONParse: Sendable {
        public var columns = ParsedRowColumns()
        public var counts = RowCounts()
        public var error: (line: Int, error: InsightsJSONError)?
    }

    /// Parses NDJSON lines (one Insights row object each; blank lines skipped) straight from
    /// bytes into a new store reserved for `text`'s size.
    public static func parse(ndjson text: UnsafeRawBufferPointer, parser: AccessLogParser) -> NDJSONParse {
        var result = NDJSONParse()
        result.columns.reserveCapacity(inputBytes: text.count)
        let empty = UnsafeBufferPointer<UInt8>(start: nil, count: 0)  // a missing @message or @ptr
        do throws(LineError) {
            try InsightsRowDecoder.forEachLine(in: text) { (number, line) throws(LineError) in
                do throws(InsightsJSONError) {
                    try InsightsRowDecoder.withLineFields(line) { timestamp, message, ptr in
                        let verdict = parser.parse(timestamp: timestamp, message: message ?? empty, ptr: ptr ?? empty) {
                            result.columns.append($0)
                        }
                        result.counts.count(verdict)
                    }
                } catch {
                    throw LineError(line: number, error: error)
                }
            }
        } catch {
            result.error = (error.line, error.error)
        }
        return result
    }

    private struct LineError: Error { var line: Int; var error: InsightsJSONError }
}
