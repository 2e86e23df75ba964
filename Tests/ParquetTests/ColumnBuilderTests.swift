import Testing
@testable import Parquet

/// `StringColumnBuilder.overwrite`: refilled larger and smaller, the builder holds exactly what
/// the last fill wrote, as if it had been built value by value.
@Suite struct ColumnBuilderTests {
    static func filled(_ values: [String?], into builder: inout StringColumnBuilder) {
        let total = values.reduce(0) { $0 + ($1?.utf8.count ?? 0) }
        builder.overwrite(rows: values.count, bytes: total) { bytes, offsets, levels in
            var at = 0
            offsets[0] = 0
            for (index, value) in values.enumerated() {
                for byte in value?.utf8 ?? "".utf8 {
                    bytes[at] = byte
                    at += 1
                }
                offsets[index + 1] = at
                levels[index] = value == nil ? 0 : 1
            }
        }
    }

    static func appended(_ values: [String?]) -> StringColumnBuilder {
        var builder = StringColumnBuilder()
        for value in values { builder.append(value) }
        return builder
    }

    @Test func refillsLargerSmallerAndEmpty() {
        var builder = StringColumnBuilder()
        for values: [String?] in [["a", nil, "ccc"], ["longer value", "é", nil, "", "x"], ["z"], [], [nil, nil], ["again", "ok"]] {
            Self.filled(values, into: &builder)
            let expected = Self.appended(values)
            #expect(builder.bytes == expected.bytes)
            #expect(builder.offsets == expected.offsets)
            #expect(builder.definitionLevels == expected.definitionLevels)
            #expect(builder.count == values.count)
        }
    }
}
