import Testing
@testable import AccessLog
import TestRandom

/// The byte-level path `convert` uses (`InsightsRowDecoder.withLineFields` then
/// `AccessLogParser.parse(timestamp:message:ptr:kept:)`) against the `String` path
/// (`decodeLine` then `parse(_:)`): same verdicts, same rows, byte for byte — including lines
/// holding invalid UTF-8, which the `String` path repairs while decoding and the byte path
/// only when parsing.
@Suite struct ByteLevelParsingTests {
    static func bytePath(_ line: [UInt8], parser: AccessLogParser) throws(InsightsJSONError) -> RowOutcome {
        var kept: AccessLogRow?
        var verdict: RowVerdict?
        let failure: InsightsJSONError? = line.withUnsafeBytes { raw in
            do throws(InsightsJSONError) {
                try InsightsRowDecoder.withLineFields(raw) { timestamp, message, ptr in
                    let empty = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
                    verdict = parser.parse(timestamp: timestamp, message: message ?? empty, ptr: ptr ?? empty) {
                        kept = AccessLogRow($0)
                    }
                }
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw failure }
        switch verdict! {
        case .kept: return .kept(kept!)
        case .skipped(let reason): return .skipped(reason)
        case .malformed(let reason): return .malformed(reason)
        }
    }

    static func stringPath(_ line: [UInt8], parser: AccessLogParser) throws(InsightsJSONError) -> RowOutcome {
        parser.parse(try InsightsRowDecoder.decodeLine(line))
    }

    static func expectSame(_ line: [UInt8], parser: AccessLogParser = AccessLogParser()) -> RowOutcome? {
        let byBytes = Result { () throws(InsightsJSONError) in try bytePath(line, parser: parser) }
        let byStrings = Result { () throws(InsightsJSONError) in try stringPath(line, parser: parser) }
        switch (byBytes, byStrings) {
        case (.success(let a), .success(let b)):
            #expect(a == b, "\(String(decoding: line, as: UTF8.self))")
            return a
        case (.failure(let a), .failure(let b)):
            #expect(a == b)
            return nil
        default:
            Issue.record("one path failed: \(byBytes) vs \(byStrings) for \(String(decoding: line, as: UTF8.self))")
            return nil
        }
    }

    @Test func sampleLinesAndFilters() throws {
        let filters = [PathFilter.seedDefault, PathFilter(includePrefixes: ["/api/pypi/public"], excludePrefixes: ["/api/pypi/public/prod"])]
        var kept = 0
        for line in try TestSupport.fixtureLines() {
            for filter in filters {
                if case .kept? = Self.expectSame(line, parser: AccessLogParser(filter: filter)) { kept += 1 }
            }
        }
        #expect(kept > 0)
    }

    /// Sample lines with bytes spliced into their strings: invalid UTF-8 (lone continuation
    /// bytes, truncated sequences, surrogates, overlong forms), escapes and plain ASCII.
    @Test func splicedBytesIncludingInvalidUTF8() throws {
        let lines = try TestSupport.fixtureLines()
        let splices: [[UInt8]] = [
            [0x80], [0xC3], [0xC3, 0xA9], [0xE2, 0x82], [0xE2, 0x82, 0xAC], [0xED, 0xA0, 0x80], [0xC0, 0xAF],
            [0xF0, 0x9F, 0x8E, 0x89], [0xF4, 0x90, 0x80, 0x80], [0xFF], Array(#"\u00e9"#.utf8), Array(#"\\"#.utf8),
            Array(" ".utf8), Array("-".utf8), Array(#"\""#.utf8), Array("user:".utf8), Array(",".utf8),
        ]
        var generator = TestRandom(seed: 41)
        var outcomes = RowCounts()
        for _ in 0..<4000 {
            var line = lines.randomElement(using: &generator)!
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                // Splice inside the line, away from the outer braces, so many lines stay valid JSON.
                let position = Int.random(in: 1..<(line.count - 1), using: &generator)
                line.insert(contentsOf: splices.randomElement(using: &generator)!, at: position)
            }
            if let outcome = Self.expectSame(line) { outcomes.count(outcome) }
        }
        #expect(outcomes.rows > 100 && outcomes.skipped > 0)
    }

    @Test func generatedAccessLines() {
        var generator = TestRandom(seed: 42)
        let agents = ["pip/24.0", #"a \"quoted\" agent"#, "é€🎉", "-", ""]
        let forwarded = [#" x_forwarded_for:"1.2.3.4, 10.0.0.1""#, #" x_forwarded_for:"-""#, "", #" x_forwarded_for:" ""#]
        for _ in 0..<2000 {
            let agent = agents.randomElement(using: &generator)!
            let line = TestSupport.accessLine(
                afterRequest: " \(Int.random(in: 99...600, using: &generator)) 456 \"-\" \"\(agent)\" 5",
                suffix: forwarded.randomElement(using: &generator)!)
            let wrapped = Bool.random(using: &generator)
                ? #"{"log":"x","message":"# + jsonString(line) + "}"
                : line
            let json = #"{"@timestamp":"2026-02-04 14:30:00.000","@message":"# + jsonString(wrapped)
                + #","@ptr":"p\#(Int.random(in: 0...9, using: &generator))"}"#
            #expect(Self.expectSame(Array(json.utf8)) != nil)
        }
    }

    private func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    @Test func utf8ValidityMatchesTheStandardLibrary() {
        var generator = TestRandom(seed: 43)
        let pieces: [[UInt8]] = [
            [0x41], [0x7F], [0x80], [0xBF], [0xC2, 0x80], [0xC1, 0xBF], [0xDF, 0xBF], [0xE0, 0xA0, 0x80], [0xE0, 0x9F, 0xBF],
            [0xED, 0x9F, 0xBF], [0xED, 0xA0, 0x80], [0xEF, 0xBF, 0xBF], [0xF0, 0x90, 0x80, 0x80], [0xF0, 0x8F, 0xBF, 0xBF],
            [0xF4, 0x8F, 0xBF, 0xBF], [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80], [0xFE], [0xE2, 0x82],
            Array(repeating: 0x61, count: 40),
        ]
        var invalid = 0
        for _ in 0..<5000 {
            var bytes: [UInt8] = []
            for _ in 0..<Int.random(in: 0...12, using: &generator) { bytes += pieces.randomElement(using: &generator)! }
            let expected = String(validating: bytes, as: UTF8.self) != nil
            if !expected { invalid += 1 }
            #expect(bytes.withUnsafeBufferPointer { UTF8Repair.isValid($0) } == expected, "\(bytes)")
            let repaired = bytes.withUnsafeBufferPointer { UTF8Repair.withValid($0) { Array($0) } }
            #expect(repaired == Array(String(decoding: bytes, as: UTF8.self).utf8))
        }
        #expect(invalid > 500 && invalid < 4500)
    }

    @Test func labelSearchMatchesANaiveSearch() {
        var generator = TestRandom(seed: 44)
        let alphabet = Array("uuser:oorg_id: x_forwarded_for:-django.request:WARNING".utf8)
        for _ in 0..<3000 {
            let text = (0..<Int.random(in: 0...80, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }
            let from = Int.random(in: 0...max(0, text.count), using: &generator)
            text.withUnsafeBufferPointer { buffer in
                let line = AccessLine(bytes: buffer)
                for label in [AccessLine.Label.user, .orgID, .forwardedFor, .djangoWarning, AccessLine.Label("xu")] {
                    let expected = Self.naiveIndex(of: Array(label.text.description.utf8), in: text, from: from)
                    #expect(line.firstIndex(of: label, from: from) == expected)
                }
            }
        }
    }

    static func naiveIndex(of needle: [UInt8], in text: [UInt8], from: Int) -> Int? {
        guard text.count >= needle.count else { return nil }
        for start in stride(from: from, through: text.count - needle.count, by: 1) where Array(text[start..<(start + needle.count)]) == needle {
            return start
        }
        return nil
    }
}
