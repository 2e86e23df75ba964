// Column-chunk statistics: null count and min/max in the order the column's type defines
// (ColumnOrder TYPE_ORDER): false < true for BOOLEAN, signed for INT32/INT64, unsigned bytewise
// (memcmp, then length) for BYTE_ARRAY strings. Min/max are omitted when every value is null.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

enum ColumnStatistics {
    /// Strings longer than this are stored truncated in the statistics (and marked inexact),
    /// so one huge value cannot bloat the footer.
    static let maxStatisticsValueLength = 4096

    static func fixedWidth<T: FixedWidthInteger & SignedInteger>(
        values: UnsafeBufferPointer<T>, levels: UnsafeBufferPointer<UInt8>, rows: Range<Int>, nonNullCount: Int
    ) -> ParquetStatistics {
        let nullCount = Int64(rows.count - nonNullCount)
        guard nonNullCount > 0 else { return ParquetStatistics(nullCount: nullCount) }
        var minimum = T.max
        var maximum = T.min
        if nonNullCount == rows.count {
            for row in rows {
                let v = values[row]
                minimum = Swift.min(minimum, v)
                maximum = Swift.max(maximum, v)
            }
        } else {
            for row in rows where levels[row] != 0 {
                let v = values[row]
                minimum = Swift.min(minimum, v)
                maximum = Swift.max(maximum, v)
            }
        }
        return ParquetStatistics(nullCount: nullCount, minValue: littleEndianBytes(minimum), maxValue: littleEndianBytes(maximum))
    }

    /// BOOLEAN min/max are one byte each (0 or 1), the PLAIN form pyarrow writes for statistics
    /// (not the bit-packed form of data pages).
    static func booleans(values: UnsafeBufferPointer<Bool>, levels: UnsafeBufferPointer<UInt8>, rows: Range<Int>, nonNullCount: Int) -> ParquetStatistics {
        let nullCount = Int64(rows.count - nonNullCount)
        guard nonNullCount > 0 else { return ParquetStatistics(nullCount: nullCount) }
        var sawFalse = false
        var sawTrue = false
        for row in rows where levels[row] != 0 {
            if values[row] { sawTrue = true } else { sawFalse = true }
            if sawTrue && sawFalse { break }
        }
        return ParquetStatistics(nullCount: nullCount, minValue: [sawFalse ? 0 : 1], maxValue: [sawTrue ? 1 : 0])
    }

    static func littleEndianBytes<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }

    /// Unsigned bytewise comparison: the first differing byte decides, else the shorter is smaller.
    @inline(__always)
    static func lessThan(_ a: UnsafeRawPointer?, _ aCount: Int, _ b: UnsafeRawPointer?, _ bCount: Int) -> Bool {
        let common = Swift.min(aCount, bCount)
        if common > 0 {
            let c = memcmp(a!, b!, common)
            if c != 0 { return c < 0 }
        }
        return aCount < bCount
    }

    static func strings(_ column: StringColumnBuilder, rows: Range<Int>, nonNullCount: Int) -> ParquetStatistics {
        strings(column, nullCount: rows.count - nonNullCount, extremes: minMaxRows(column, rows: rows))
    }

    /// Statistics from the rows holding the smallest and largest value (nil: all null).
    static func strings(_ column: StringColumnBuilder, nullCount: Int, extremes: MinMaxRows?) -> ParquetStatistics {
        guard let extremes else { return ParquetStatistics(nullCount: Int64(nullCount)) }
        let minimum = Array(column.bytes[column.offsets[extremes.min]..<column.offsets[extremes.min + 1]])
        let maximum = Array(column.bytes[column.offsets[extremes.max]..<column.offsets[extremes.max + 1]])
        return stringStatistics(nullCount: Int64(nullCount), minimum: minimum, maximum: maximum)
    }

    /// Rows of the smallest and the largest string.
    struct MinMaxRows: Sendable, Equatable {
        var min: Int
        var max: Int
    }

    /// The rows (among `rows`) holding the smallest and the largest string; nil if all are null.
    static func minMaxRows(_ column: StringColumnBuilder, rows: Range<Int>) -> MinMaxRows? {
        var minRow = -1
        var maxRow = -1
        column.bytes.withUnsafeBytes { bytes in
            column.offsets.withUnsafeBufferPointer { offsets in
                column.definitionLevels.withUnsafeBufferPointer { levels in
                    let base = bytes.baseAddress
                    for row in rows where levels[row] != 0 {
                        if minRow < 0 { minRow = row; maxRow = row; continue }
                        let p = base.map { $0 + offsets[row] }
                        let n = offsets[row + 1] - offsets[row]
                        if lessThan(p, n, base.map { $0 + offsets[minRow] }, offsets[minRow + 1] - offsets[minRow]) {
                            minRow = row
                        } else if lessThan(base.map { $0 + offsets[maxRow] }, offsets[maxRow + 1] - offsets[maxRow], p, n) {
                            maxRow = row
                        }
                    }
                }
            }
        }
        return minRow < 0 ? nil : MinMaxRows(min: minRow, max: maxRow)
    }

    /// Combines per-page extremes into the chunk's.
    static func merge(_ parts: [MinMaxRows?], in column: StringColumnBuilder) -> MinMaxRows? {
        var result: MinMaxRows?
        column.bytes.withUnsafeBytes { bytes in
            let base = bytes.baseAddress
            func less(_ a: Int, _ b: Int) -> Bool {
                lessThan(base.map { $0 + column.offsets[a] }, column.offsets[a + 1] - column.offsets[a],
                         base.map { $0 + column.offsets[b] }, column.offsets[b + 1] - column.offsets[b])
            }
            for case let part? in parts {
                guard var current = result else { result = part; continue }
                if less(part.min, current.min) { current.min = part.min }
                if less(current.max, part.max) { current.max = part.max }
                result = current
            }
        }
        return result
    }

    /// The same statistics from a PLAIN-encoded dictionary page: every entry is used by some
    /// value, so the entries' min/max are the chunk's (and there are far fewer to compare).
    static func strings(dictionaryPage page: [UInt8], entryCount: Int, nullCount: Int) -> ParquetStatistics {
        guard entryCount > 0 else { return ParquetStatistics(nullCount: Int64(nullCount)) }
        var minRange = 0..<0
        var maxRange = 0..<0
        page.withUnsafeBytes { raw in
            let base = raw.baseAddress!
            var at = 0
            for entry in 0..<entryCount {
                let length = Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt32.self)))
                let range = (at + 4)..<(at + 4 + length)
                at = range.upperBound
                if entry == 0 { minRange = range; maxRange = range; continue }
                if lessThan(base + range.lowerBound, length, base + minRange.lowerBound, minRange.count) {
                    minRange = range
                } else if lessThan(base + maxRange.lowerBound, maxRange.count, base + range.lowerBound, length) {
                    maxRange = range
                }
            }
        }
        return stringStatistics(nullCount: Int64(nullCount), minimum: Array(page[minRange]), maximum: Array(page[maxRange]))
    }

    /// Min/max as stored: long values truncated (and marked inexact) so the footer stays small.
    static func stringStatistics(nullCount: Int64, minimum: [UInt8], maximum: [UInt8]) -> ParquetStatistics {
        var statistics = ParquetStatistics(nullCount: nullCount)
        if minimum.count > maxStatisticsValueLength {
            statistics.minValue = truncatedLowerBound(minimum, maxLength: maxStatisticsValueLength)
            statistics.isMinValueExact = false
        } else {
            statistics.minValue = minimum
        }
        if maximum.count > maxStatisticsValueLength {
            // No short upper bound exists for a run of 0xFF bytes / U+10FFFF: then omit min and max.
            if let bound = truncatedUpperBound(maximum, maxLength: maxStatisticsValueLength) {
                statistics.maxValue = bound
                statistics.isMaxValueExact = false
            } else {
                statistics.minValue = nil
            }
        } else {
            statistics.maxValue = maximum
        }
        return statistics
    }

    /// Length of the longest prefix of `value` of at most `maxLength` bytes that ends on a UTF-8
    /// character boundary (so a STRING statistic stays valid UTF-8).
    static func characterBoundary(_ value: [UInt8], maxLength: Int) -> Int {
        var cut = Swift.min(maxLength, value.count)
        while cut > 0 && cut < value.count && value[cut] & 0xC0 == 0x80 { cut -= 1 }
        return cut
    }

    /// A prefix is never greater than the value, so it is a valid (inexact) minimum.
    static func truncatedLowerBound(_ value: [UInt8], maxLength: Int) -> [UInt8] {
        Array(value[0..<characterBoundary(value, maxLength: maxLength)])
    }

    /// A short value that is strictly greater than `value`: a prefix whose last character is
    /// incremented. Returns nil when no such prefix exists.
    static func truncatedUpperBound(_ value: [UInt8], maxLength: Int) -> [UInt8]? {
        let prefix = Array(value[0..<characterBoundary(value, maxLength: maxLength)])
        if let text = String(validating: prefix, as: UTF8.self) {
            // UTF-8 preserves code-point order bytewise, so a bigger last scalar gives bigger bytes.
            var scalars = Array(text.unicodeScalars)
            while let last = scalars.popLast() {
                var next = last.value + 1
                if next == 0xD800 { next = 0xE000 }  // skip the surrogate range
                if let scalar = Unicode.Scalar(next) {
                    scalars.append(scalar)
                    var result = String.UnicodeScalarView()
                    result.append(contentsOf: scalars)
                    return Array(String(result).utf8)
                }
            }
            return nil
        }
        // Not UTF-8: increment the last byte that is below 0xFF.
        var bytes = prefix
        while let last = bytes.popLast() {
            if last < 0xFF { bytes.append(last + 1); return bytes }
        }
        return nil
    }
}
