import Foundation
import Testing
@testable import AccessLog
import TestRandom

/// Random JSON string literals (plain runs of every length, every escape kind, valid surrogate
/// pairs, multi-byte UTF-8) decoded by our word-at-a-time reader and by Foundation's
/// JSONSerialization: the results must be identical, in both places we decode strings —
/// NDJSON members and the `message` member of a wrapped `@message`.
@Suite struct StringDecodingDifferentialTests {
    static func randomLiteral(_ generator: inout TestRandom) -> String {
        let pieces = [
            "a", "Z", "0", " ", "-", "/", "{", "}", ":", ",", "é", "€", "🎉",
            "\\\"", "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t",
            "\\u0041", "\\u00e9", "\\u20AC", "\\ud83c\\udf89", "\\uDBFF\\uDFFF", "\\u0000", "\\u001f",
        ]
        let plainRun = String(repeating: "x", count: Int.random(in: 0...17, using: &generator))
        var literal = plainRun
        for _ in 0..<Int.random(in: 0...24, using: &generator) {
            if Bool.random(using: &generator) {
                literal += pieces.randomElement(using: &generator)!
            } else {
                literal += String(repeating: "p", count: Int.random(in: 1...11, using: &generator))
            }
        }
        return literal
    }

    static func foundationDecode(_ literal: String) throws -> String {
        let data = Data(("[\"" + literal + "\"]").utf8)
        let array = try #require(try JSONSerialization.jsonObject(with: data) as? [String])
        return array[0]
    }

    @Test func ndjsonMembersMatchFoundation() throws {
        var generator = TestRandom(seed: 11)
        for _ in 0..<3000 {
            let literal = Self.randomLiteral(&generator)
            let expected = try Self.foundationDecode(literal)
            let row = try InsightsRowDecoder.decodeLine(#"{"@message":""# + literal + #"","@ptr":""# + literal + "\"}")
            #expect(row.message == expected, "\(literal)")
            #expect(row.ptr == expected, "\(literal)")
        }
    }

    @Test func wrappedMessageMemberMatchesFoundation() throws {
        var generator = TestRandom(seed: 12)
        for _ in 0..<3000 {
            let literal = Self.randomLiteral(&generator)
            var expected = try Self.foundationDecode(literal)
            while expected.hasSuffix("\n") || expected.hasSuffix("\r") || expected.hasSuffix("\r\n") { expected.removeLast() }
            var wrapper = #"{"level":"info","message":""# + literal + #"","n":[1,{"k":null}]}"#
            let line = wrapper.withUTF8 { bytes in
                AccessLogParser.withAccessLine(of: bytes) { Array($0) }
            }
            #expect(String(decoding: line, as: UTF8.self) == expected, "\(literal)")
        }
    }

    @Test func repeatedAndNonStringWrapperMembers() {
        func line(_ message: String) -> String {
            var message = message
            return message.withUTF8 { bytes in
                AccessLogParser.withAccessLine(of: bytes) { String(decoding: $0, as: UTF8.self) }
            }
        }
        #expect(line(#"{"message":"a","message":"b"}"#) == "b")
        #expect(line(#"{"message":"a","log":"l","message":7}"#) == "l")  // last message is not a string
        #expect(line(#"{"log":"l1","log":"l2"}"#) == "l2")
        #expect(line(#"{"log":"l","message":"m"}"#) == "m")
        #expect(line(#"{"log":"caf\u00e9\r\n"}"#) == "café")
        #expect(line(#" {"message":"m"} "#) == "m")
        #expect(line(#"{"message":"m"} x"#) == #"{"message":"m"} x"#)
        #expect(line(#"{"message":"m\x"}"#) == #"{"message":"m\x"}"#)  // invalid escape: not JSON
        #expect(line("{\"message\":\"m\"}\r\n") == "m")
    }
}
