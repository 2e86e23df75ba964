import AccessLog
import Parquet
import Testing
@testable import BackfillCore
import TestRandom

/// `convert`'s column store: rows parsed into several slices come out in file order (timestamp,
/// then `@ptr` bytewise, then input order) and in row groups cut at the writer's limits, with
/// every value where the row-at-a-time path would put it.
@Suite struct ParsedRowSetTests {
    /// Random rows with many timestamp ties and some `@ptr` ties, nulls and non-ASCII text.
    static func randomRows(_ count: Int, seed: UInt64) -> [AccessLogRow] {
        var rng = TestRandom(seed: seed)
        let texts = ["a", "b", "", "é", "pip/24.0", "🎉x", String(repeating: "m", count: 300)]
        func text() -> String { texts.randomElement(using: &rng)! }
        func optional() -> String? { Bool.random(using: &rng) ? nil : text() }
        return (0..<count).map { i in
            AccessLogRow(
                timestampNanos: Int64.random(in: 0..<20, using: &rng) * 1_000_000, message: "line \(i) " + text(),
                user: optional(), orgID: optional(), domain: text(), distribution: text(), package: text(),
                statusCode: Bool.random(using: &rng) ? nil : Int16.random(in: 100...599, using: &rng),
                userAgent: optional(), xForwardedFor: optional(),
                ptr: ["p1", "p2", "p10", "", "é"].randomElement(using: &rng)!)
        }
    }

    static func columns(_ rows: ArraySlice<AccessLogRow>) -> RowColumns {
        var columns = RowColumns(Dataset.access())
        for row in rows {
            var message = row.message, domain = row.domain, distribution = row.distribution, package = row.package
            var ptr = row.ptr
            var user = row.user, orgID = row.orgID, userAgent = row.userAgent, forwarded = row.xForwardedFor
            func with(_ text: inout String?, _ body: (UnsafeBufferPointer<UInt8>?) -> Void) {
                if text == nil { body(nil) } else { text!.withUTF8 { body($0) } }
            }
            message.withUTF8 { message in domain.withUTF8 { domain in distribution.withUTF8 { distribution in
                package.withUTF8 { package in ptr.withUTF8 { ptr in
                    with(&user) { user in with(&orgID) { orgID in with(&userAgent) { userAgent in with(&forwarded) { forwarded in
                        func value(_ text: UnsafeBufferPointer<UInt8>?) -> ColumnValue { text.map { .text($0) } ?? .null }
                        // The access dataset's column order.
                        let values: [ColumnValue] = [
                            .text(message), value(user), value(orgID), .text(domain), .text(distribution), .text(package),
                            row.statusCode.map { .int(Int64($0)) } ?? .null, value(userAgent), value(forwarded),
                        ]
                        values.withUnsafeBufferPointer {
                            columns.append(KeptRow(timestampNanos: row.timestampNanos, ptr: ptr, values: $0))
                        }
                    } } } }
                } }
            } } }
        }
        return columns
    }

    /// What the batch holds for row `row`, back as an `AccessLogRow` (ptr excluded: not a column).
    static func row(_ batch: ColumnBatch, _ row: Int) -> AccessLogRow {
        func text(_ index: Int) -> String? {
            guard case .string(let column) = batch.columns[index] else { preconditionFailure() }
            guard column.definitionLevels[row] == 1 else { return nil }
            return String(decoding: column.bytes[column.offsets[row]..<column.offsets[row + 1]], as: UTF8.self)
        }
        guard case .int64(let timestamps) = batch.columns[0], case .int32(let statuses) = batch.columns[7] else { preconditionFailure() }
        return AccessLogRow(
            timestampNanos: timestamps.values[row], message: text(1)!, user: text(2), orgID: text(3), domain: text(4)!,
            distribution: text(5)!, package: text(6)!,
            statusCode: statuses.definitionLevels[row] == 1 ? Int16(statuses.values[row]) : nil,
            userAgent: text(8), xForwardedFor: text(9), ptr: "")
    }

    @Test(arguments: [1, 3, 7])
    func slicesComeOutInFileOrder(sliceCount: Int) throws {
        let rows = Self.randomRows(600, seed: UInt64(sliceCount))
        let cut = (0...sliceCount).map { rows.count * $0 / sliceCount }
        let set = ParsedRowSet((0..<sliceCount).map { Self.columns(rows[cut[$0]..<cut[$0 + 1]]) })
        // The order of every file: by timestamp, then by `@ptr` bytewise; ties keep input order.
        let expected = rows.enumerated().sorted { a, b in
            if a.element.timestampNanos != b.element.timestampNanos { return a.element.timestampNanos < b.element.timestampNanos }
            if a.element.ptr != b.element.ptr { return a.element.ptr.utf8.lexicographicallyPrecedes(b.element.ptr.utf8) }
            return a.offset < b.offset
        }.map { row -> AccessLogRow in
            var row = row.element
            row.ptr = ""
            return row
        }
        #expect(set.count == rows.count)
        let batch = try set.batch(0..<set.count)
        #expect(batch.rowCount == rows.count)
        for index in 0..<rows.count { #expect(Self.row(batch, index) == expected[index], "row \(index)") }
    }

    @Test func rowGroupsAreCutAtTheWritersLimits() throws {
        let rows = Self.randomRows(500, seed: 9)
        let set = ParsedRowSet([Self.columns(rows[...])])
        let schema = DatasetParquet.schema(Dataset.access())
        for (rowLimit, byteLimit) in [(64, 1 << 30), (1 << 20, 20_000), (50, 8_000), (1 << 20, 1)] {
            let groups = set.rowGroups(schema: schema, rowLimit: rowLimit, byteLimit: byteLimit)
            #expect(groups.first?.lowerBound == 0 && groups.last?.upperBound == rows.count)
            for (a, b) in zip(groups, groups.dropFirst()) { #expect(a.upperBound == b.lowerBound) }
            for group in groups {
                #expect(!group.isEmpty && group.count <= rowLimit)
                let batch = try set.batch(group)
                let stringBytes = batch.columns.reduce(0) { total, column in
                    if case .string(let c) = column { return total + c.bytes.count }
                    return total
                }
                let size = schema.bufferedBytes(rows: group.count, stringBytes: stringBytes)
                #expect(group.count == 1 || size <= byteLimit, "\(group) is \(size) bytes")
            }
        }
        // The limits are tight, not just safe: one more row would break the byte limit.
        let groups = set.rowGroups(schema: schema, rowLimit: 1 << 20, byteLimit: 20_000)
        #expect(groups.count > 2)
        let next = try set.batch(groups[0].lowerBound..<(groups[0].upperBound + 1))
        let nextBytes = next.columns.reduce(0) { if case .string(let c) = $1 { return $0 + c.bytes.count } else { return $0 } }
        #expect(schema.bufferedBytes(rows: next.rowCount, stringBytes: nextBytes) > 20_000)
    }
}
