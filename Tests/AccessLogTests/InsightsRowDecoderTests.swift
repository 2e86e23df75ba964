import Foundation
import Testing
@testable import AccessLog

@Suite struct InsightsRowDecoderTests {
    func decode(_ line: String) throws -> InsightsRow { try InsightsRowDecoder.decodeLine(line) }

    func message(ofJSONString literal: String) throws -> String? {
        try decode(#"{"@message":"# + literal + "}").message
    }

    @Test func simpleEscapes() throws {
        #expect(try message(ofJSONString: #""a\"b\\c\/d\be\ff\ng\rh\ti""#) == "a\"b\\c/d\u{8}e\u{C}f\ng\rh\ti")
        #expect(try message(ofJSONString: #""""#) == "")
        #expect(try message(ofJSONString: #""\\""#) == "\\")
    }

    @Test func unicodeEscapes() throws {
        #expect(try message(ofJSONString: #""\u0041\u00e9\u20AC""#) == "Aé€")
        #expect(try message(ofJSONString: #""\u0000""#) == "\u{0}")
        // Surrogate pairs combine into one scalar (U+1F389 🎉, U+10FFFF).
        #expect(try message(ofJSONString: #""x\ud83c\udf89y""#) == "x🎉y")
        #expect(try message(ofJSONString: #""\uDBFF\uDFFF""#) == "\u{10FFFF}")
        // Lone surrogates cannot live in a Swift String: they become U+FFFD.
        #expect(try message(ofJSONString: #""\ud83c""#) == "\u{FFFD}")
        #expect(try message(ofJSONString: #""\udf89x""#) == "\u{FFFD}x")
        #expect(try message(ofJSONString: #""\ud83c\u0041""#) == "\u{FFFD}A")
        // Raw (unescaped) UTF-8 passes through untouched.
        #expect(try message(ofJSONString: "\"ünï 🎉\"") == "ünï 🎉")
    }

    @Test func membersAndTypes() throws {
        let row = try decode(#" { "other": [1, 2.5e-3, {"x": null}], "@ptr": "p", "@timestamp": "t", "@message": "m", "z": true } "#)
        #expect(row == InsightsRow(timestamp: "t", message: "m", ptr: "p"))
        // Non-string values count as absent.
        #expect(try decode(#"{"@timestamp": null, "@message": 42, "@ptr": {"a": "b"}}"#) == InsightsRow(timestamp: nil, message: nil, ptr: nil))
        // Repeated member: last wins.
        #expect(try decode(#"{"@message": "first", "@message": "second"}"#).message == "second")
        // Escaped keys are compared after decoding.
        #expect(try decode(#"{"\u0040message": "m"}"#).message == "m")
        // Trailing \r (CRLF files) is whitespace.
        #expect(try decode("{\"@ptr\":\"p\"}\r").ptr == "p")
    }

    @Test(arguments: [
        "", " ", "{", "}", "[]", "\"x\"", "null", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "{,}", "{\"a\":1 \"b\":2}",
        "{\"a\":1}}", "{\"a\":1} x", "{\"a\":[1,]}", "{\"a\":[1 2]}", "{'a':1}", "{a:1}",
        "{\"a\":01}", "{\"a\":1.}", "{\"a\":.5}", "{\"a\":-}", "{\"a\":1e}", "{\"a\":+1}", "{\"a\":0x10}",
        "{\"a\":tru}", "{\"a\":True}", "{\"a\":nul}", "{\"a\":NaN}",
        "{\"a\":\"\\x\"}", "{\"a\":\"\\u12\"}", "{\"a\":\"\\u12G4\"}", "{\"a\":\"\\\"}", "{\"a\":\"unterminated}",
        "{\"a\":\"tab\there\"}", "{\"a\":\"new\nline\"}", "{\"a\":\"\u{1F}\"}",
        "{\"@message\":\"ok\"}\n{\"@message\":\"second\"}",
    ])
    func invalidJSONRejected(_ text: String) {
        #expect(throws: InsightsJSONError.self) { try InsightsRowDecoder.decodeLine(text) }
    }

    @Test func nestingLimit() throws {
        let deep = "{\"a\":" + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}"
        #expect(throws: InsightsJSONError.self) { try InsightsRowDecoder.decodeLine(deep) }
        let fine = "{\"a\":" + String(repeating: "[", count: 200) + String(repeating: "]", count: 200) + "}"
        #expect(try InsightsRowDecoder.decodeLine(fine) == InsightsRow(timestamp: nil, message: nil, ptr: nil))
    }

    @Test func errorCarriesOffset() {
        do {
            _ = try InsightsRowDecoder.decodeLine(#"{"@message": "x", oops}"#)
            Issue.record("expected an error")
        } catch {
            #expect(error.offset == 18)
            #expect(error.description.contains("byte 18"))
        }
    }

    @Test func queryResultsDocument() throws {
        let document = #"""
            {
              "results": [
                [
                  {"field": "@timestamp", "value": "2026-02-04 14:30:00.123"},
                  {"field": "@message", "value": "line \"one\" \u00e9"},
                  {"field": "@ptr", "value": "ptr1"}
                ],
                [
                  {"field": "@message"},
                  {"field": "@ptr", "value": "ptr2"},
                  {"field": "@timestamp", "value": null},
                  {"value": "no field"}
                ],
                []
              ],
              "statistics": {"recordsMatched": 3.0, "recordsScanned": 10.0, "bytesScanned": 1.5e3},
              "status": "Complete"
            }
            """#
        let rows = try InsightsRowDecoder.decodeQueryResults(Array(document.utf8))
        #expect(rows == [
            InsightsRow(timestamp: "2026-02-04 14:30:00.123", message: "line \"one\" é", ptr: "ptr1"),
            InsightsRow(timestamp: nil, message: nil, ptr: "ptr2"),
            InsightsRow(timestamp: nil, message: nil, ptr: nil),
        ])
        #expect(InsightsRowDecoder.looksLikeQueryResults(Array(document.utf8)))
        #expect(try InsightsRowDecoder.decodeQueryResults(Array(#"{"status":"Running","results":[]}"#.utf8)).isEmpty)
    }

    @Test func queryResultsErrors() {
        for bad in [#"{"status":"Complete"}"#, #"{"results":{}}"#, #"{"results":[{}]}"#, #"{"results":[[1]]}"#,
                    #"{"results":[[{"field":"@ptr","value":"x"}]]"#, "[]", ""]
        {
            #expect(throws: InsightsJSONError.self, "\(bad)") { try InsightsRowDecoder.decodeQueryResults(Array(bad.utf8)) }
        }
    }

    @Test func detection() {
        func looks(_ text: String) -> Bool { InsightsRowDecoder.looksLikeQueryResults(Array(text.utf8)) }
        #expect(looks(#"  {"results": [], "status": "Complete"}"#))
        #expect(looks(#"{"status": "Complete", "statistics": {"results": 1}, "results": []}"#))
        #expect(!looks(#"{"@timestamp": "t", "@message": "{\"results\": []}", "@ptr": "p"}"#))
        #expect(!looks(#"{"status": "x", "statistics": {"results": []}}"#))  // nested key does not count
        #expect(!looks(""))
        #expect(!looks("garbage"))
        #expect(!looks("[{\"results\": []}]"))
    }

    @Test func fieldListBuilder() {
        let row = InsightsRow(fields: [
            (field: "@timestamp", value: "t"), (field: "@logStream", value: "s"),
            (field: "@message", value: "m1"), (field: "@message", value: "m2"), (field: "@ptr", value: nil),
        ])
        #expect(row == InsightsRow(timestamp: "t", message: "m2", ptr: nil))
    }

    @Test func lineIteration() throws {
        let text = "{\"@ptr\":\"a\"}\n\n  \r\n{\"@ptr\":\"b\"}\r\n{\"@ptr\":\"c\"}"
        var seen: [(Int, String?)] = []
        try Array(text.utf8).withUnsafeBytes { buffer in
            try InsightsRowDecoder.forEachLine(in: buffer) { number, line in
                seen.append((number, try InsightsRowDecoder.decodeLine(line).ptr))
            }
        }
        #expect(seen.map(\.0) == [1, 4, 5])
        #expect(seen.map(\.1) == ["a", "b", "c"])
    }
}
