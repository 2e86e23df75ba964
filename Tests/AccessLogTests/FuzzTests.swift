import Foundation
import Testing
@testable import AccessLog
import TestRandom

/// Fuzz-style robustness tests: hostile and broken input must never crash the decoder or the
/// parser; the decoder always returns a row or throws, the parser always returns an outcome.
/// Randomness is seeded, so every run checks the same inputs.
@Suite struct FuzzTests {
    /// Bytes that matter to JSON and to the access-line rules, so random strings hit the
    /// interesting branches more often than uniform bytes would.
    static let interesting: [UInt8] = Array(#"{}[]:,"\ u0123456789abcdefABCDEF-+.eEtrufalsn /?#@ \r\n\t"#.utf8)
        + Array("user:org_id:x_forwarded_for:django.request:WARNING[04/Feb/2026:14:30:00 +0000]GET /api/pypi/simple/".utf8)

    static func randomBytes(_ generator: inout TestRandom, maxCount: Int) -> [UInt8] {
        let count = Int.random(in: 0...maxCount, using: &generator)
        return (0..<count).map { _ in
            Bool.random(using: &generator)
                ? interesting.randomElement(using: &generator)!
                : UInt8.random(in: 0...255, using: &generator)
        }
    }

    /// Decodes and, when that succeeds, parses; returns whether decoding succeeded.
    @discardableResult
    static func exercise(_ line: [UInt8]) -> Bool {
        do {
            let row = try InsightsRowDecoder.decodeLine(line)
            _ = AccessLogParser().parse(row)
            return true
        } catch {
            #expect(error.offset >= 0 && error.offset <= line.count)
            return false
        }
    }

    @Test func randomByteStrings() {
        var generator = TestRandom(seed: 1)
        var outcomes = RowCounts()
        var withoutQuote = 0
        for _ in 0..<4000 {
            let bytes = Self.randomBytes(&generator, maxCount: 160)
            Self.exercise(bytes)
            _ = InsightsRowDecoder.looksLikeQueryResults(bytes)
            _ = try? InsightsRowDecoder.decodeQueryResults(bytes)
            #expect(throws: InsightsJSONError.self) {
                // Whatever comes first, an unterminated document after it is never valid.
                try InsightsRowDecoder.decodeQueryResults(bytes + Array(#"{"results":[]"#.utf8))
            }
            // The same bytes as @message and as @timestamp.
            let text = String(decoding: bytes, as: UTF8.self)
            let outcome = AccessLogParser().parse(InsightsRow(timestamp: text, message: text, ptr: text))
            outcomes.count(outcome)
            // Rule 3 (docs/row-rules.md) needs a quoted request, so text without any `"` is
            // always skipped for having no request (unless the django warning skips it first);
            // and a kept row needs rule 8's path. Fails if the parser keeps, or calls malformed,
            // a row the rules must skip.
            if !bytes.contains(UInt8(ascii: "\"")) {
                withoutQuote += 1
                let reason: SkipReason = text.contains("django.request:WARNING") ? .djangoWarning : .noRequest
                #expect(outcome == .skipped(reason), "\(bytes)")
            }
            if case .kept = outcome {
                #expect(text.contains("/api/pypi/") && text.contains("/simple/"), "\(bytes)")
            }
            _ = InsightsTimestamp.parseNanos(text)
            _ = InsightsTimestamp.parseAccessLineNanos(text)
        }
        // Both kinds of input occurred, so the properties above were exercised.
        #expect(withoutQuote > 100 && withoutQuote < 4000)
        #expect(outcomes.skipped > 0)
    }

    /// Lines built from parts whose outcome the generator decides while building them (kept
    /// with which values, skipped for which reason, or malformed), wrapped and JSON-escaped in
    /// random ways. The parser must give exactly that outcome for every line, by the String
    /// path and by the byte path of NDJSON decoding, and each class must occur. Fails on any
    /// wrong class, skip reason or kept value (see `GeneratedLine`).
    @Test func generatedLinesGiveTheOutcomeTheyWereBuiltFor() throws {
        var generator = TestRandom(seed: 4)
        var expectedCounts = RowCounts(), parsedCounts = RowCounts(), bytePathCounts = RowCounts()
        var reasons: [SkipReason: Int] = [:]
        var keptValuesChecked = 0
        for index in 0..<4000 {
            let line = GeneratedLine.make(index, &generator)
            let outcome = AccessLogParser().parse(line.row)
            parsedCounts.count(outcome)
            switch (line.expected, outcome) {
            case (.kept(let want), .kept(let got)):
                #expect(got == want, "line \(index): \(line.row.message ?? "nil")")
                keptValuesChecked += 1
                expectedCounts.rows += 1
            case (.skipped(let want), .skipped(let got)):
                #expect(got == want, "line \(index): \(line.row.message ?? "nil")")
                reasons[want, default: 0] += 1
                expectedCounts.count(RowOutcome.skipped(want))
            case (.malformed, .malformed):
                expectedCounts.malformed += 1
            default:
                Issue.record("line \(index): expected \(line.expected), got \(outcome) for \(line.row)")
                expectedCounts.count(line.expected.asOutcome)
            }
            // The same row as an NDJSON line (escaped its own random way), decoded and parsed
            // through the byte path, must come back as the same row and the same outcome.
            let ndjson = line.ndjson(&generator)
            let decoded = try InsightsRowDecoder.decodeLine(ndjson)
            #expect(decoded == line.row, "line \(index): \(String(decoding: ndjson, as: UTF8.self))")
            var bytePathRow: AccessLogRow?
            var verdict: RowVerdict?
            try ndjson.withUnsafeBytes { raw in
                try InsightsRowDecoder.withLineFields(raw) { timestamp, message, ptr in
                    let empty = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
                    verdict = AccessLogParser().parse(timestamp: timestamp, message: message ?? empty, ptr: ptr ?? empty) {
                        bytePathRow = AccessLogRow($0)
                    }
                }
            }
            #expect(verdict != nil, "line \(index): withLineFields never called back")
            switch (verdict ?? .malformed("no verdict"), outcome) {
            case (.kept, .kept(let row)): #expect(bytePathRow == row); bytePathCounts.rows += 1
            case (.skipped(let a), .skipped(let b)): #expect(a == b); bytePathCounts.count(RowOutcome.skipped(a))
            case (.malformed, .malformed): bytePathCounts.malformed += 1
            default: Issue.record("line \(index): byte path \(String(describing: verdict)), String path \(outcome)")
            }
        }
        #expect(parsedCounts == expectedCounts)
        #expect(bytePathCounts == expectedCounts)
        // Every class and every skip reason was generated (else the test proves less than it says).
        #expect(expectedCounts.rows > 1000 && expectedCounts.malformed > 100 && keptValuesChecked == expectedCounts.rows)
        #expect(Set(reasons.keys) == Set(Dataset.access().skipReasons), "\(reasons)")
    }

    /// Random single-byte edits of the sample lines, checked against Foundation's
    /// JSONSerialization as an independent judge: both accept or both reject, and when both
    /// accept they read the same three members.
    @Test func mutatedSampleLinesAgreeWithFoundation() throws {
        let lines = try TestSupport.fixtureLines()
        var generator = TestRandom(seed: 2)
        var accepted = 0
        for _ in 0..<3000 {
            var line = lines.randomElement(using: &generator)!
            for _ in 0..<Int.random(in: 1...3, using: &generator) {
                let position = Int.random(in: 0..<line.count, using: &generator)
                // ASCII only, so the line stays valid UTF-8 (where we knowingly differ from
                // Foundation: we repair invalid UTF-8 instead of rejecting it).
                let byte = Self.interesting.filter { $0 < 0x80 }.randomElement(using: &generator)!
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: line[position] = byte
                case 1: line.insert(byte, at: position)
                default: line.remove(at: position)
                }
            }
            let ours = Result { try InsightsRowDecoder.decodeLine(line) }
            let reference = Result { try JSONSerialization.jsonObject(with: Data(line)) }
            switch (ours, reference) {
            case (.success(let row), .success(let object)):
                accepted += 1
                let dictionary = object as? [String: Any]
                #expect(dictionary != nil)
                #expect(row.timestamp == dictionary?["@timestamp"] as? String)
                #expect(row.message == dictionary?["@message"] as? String)
                #expect(row.ptr == dictionary?["@ptr"] as? String)
                _ = AccessLogParser().parse(row)
            case (.failure, .failure):
                break
            case (.success, .failure), (.failure, .success):
                // Top-level scalars and arrays are valid JSON but not a row: we reject them.
                let isObjectLine = (try? JSONSerialization.jsonObject(with: Data(line))) is [String: Any]
                #expect(!isObjectLine, "disagreement on \(String(decoding: line, as: UTF8.self))")
            }
        }
        #expect(accepted > 100)  // the mutations must not all be fatal, or this proves little
    }

    /// Every proper prefix of a sample line is invalid JSON; every prefix of its @message still
    /// parses to some outcome.
    @Test func everyTruncationOfEverySampleLine() throws {
        for line in try TestSupport.fixtureLines() {
            for length in 0..<line.count {
                let prefix = Array(line[0..<length])
                #expect(throws: InsightsJSONError.self) { try InsightsRowDecoder.decodeLine(prefix) }
                _ = InsightsRowDecoder.looksLikeQueryResults(prefix)
            }
            let row = try InsightsRowDecoder.decodeLine(line)
            let message = Array((row.message ?? "").utf8)
            for length in 0...message.count {
                let truncated = String(decoding: message[0..<length], as: UTF8.self)
                let outcome = AccessLogParser().parse(InsightsRow(timestamp: row.timestamp, message: truncated, ptr: row.ptr))
                if case .kept(let kept) = outcome { #expect(kept.message == truncated) }
            }
        }
    }

    /// Random JSON documents built from a small grammar, with the three row members mixed in.
    @Test func randomJSONishLines() {
        var generator = TestRandom(seed: 3)
        func value(_ depth: Int) -> String {
            switch Int.random(in: 0..<(depth > 3 ? 4 : 6), using: &generator) {
            case 0: return "\"" + String(decoding: Self.randomBytes(&generator, maxCount: 12).filter { $0 >= 0x20 && $0 < 0x80 && $0 != 0x22 && $0 != 0x5C }, as: UTF8.self) + "\""
            case 1: return ["0", "-1.5e3", "12", "0.25", "1E-2"].randomElement(using: &generator)!
            case 2: return ["true", "false", "null"].randomElement(using: &generator)!
            case 3: return ["\"\\ud83c\\udf89\"", "\"\\u00e9\\n\\t\\\"\"", "\"\\ud800\""].randomElement(using: &generator)!
            case 4: return "[" + (0..<Int.random(in: 0...3, using: &generator)).map { _ in value(depth + 1) }.joined(separator: ",") + "]"
            default:
                let keys = ["@message", "@timestamp", "@ptr", "message", "log", "x"]
                return "{" + (0..<Int.random(in: 0...4, using: &generator)).map { _ in
                    "\"\(keys.randomElement(using: &generator)!)\":" + value(depth + 1)
                }.joined(separator: ",") + "}"
            }
        }
        var decoded = 0
        for _ in 0..<3000 {
            let text = value(0)
            let isObject = text.hasPrefix("{")
            let worked = Self.exercise(Array(text.utf8))
            #expect(worked == isObject, "\(text)")
            decoded += worked ? 1 : 0
            _ = AccessLogParser().parse(InsightsRow(timestamp: nil, message: text, ptr: nil))
        }
        #expect(decoded > 100)
    }
}
