import Testing
@testable import InsightsSimulator

/// The parser's errors reach clients as SerializationException messages, so their offsets and
/// reasons are part of what the simulator answers. Pinned to the answers of the parser before
/// objects and arrays shared one element loop.
@Suite struct JSONParserTests {
    @Test(arguments: [
        (#"{"a":1"#, "invalid JSON at byte 6: unexpected end in object"),
        (#"{"a":1 x"#, "invalid JSON at byte 7: expected ',' or '}'"),
        ("[1 2]", "invalid JSON at byte 3: expected ',' or ']'"),
        ("[1,", "invalid JSON at byte 3: unexpected end"),
        ("[1", "invalid JSON at byte 2: unexpected end in array"),
        (#"{"a" 1}"#, "invalid JSON at byte 5: expected ':'"),
        ("{1:2}", "invalid JSON at byte 1: expected member name"),
        (#"{"a":1,}"#, "invalid JSON at byte 7: expected member name"),
        (#"{"a":[1,2}"#, "invalid JSON at byte 9: expected ',' or ']'"),
        (#"[{"a":1]"#, "invalid JSON at byte 7: expected ',' or '}'"),
        ("[1,]", "invalid JSON at byte 3: unexpected token"),
        (String(repeating: "[", count: 65) + String(repeating: "]", count: 65), "invalid JSON at byte 64: nesting too deep"),
        (#"{"a":1}x"#, "invalid JSON at byte 7: trailing characters"),
    ])
    func malformedDocumentsAreRefusedWithTheirOffsetAndReason(text: String, expected: String) {
        // Fails if an object's and an array's errors were mixed up (the closing byte or the
        // container named), the offset moved, or a malformed document was accepted.
        #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
        do { _ = try JSONParser.parse(text) } catch { #expect(error.description == expected) }
    }

    @Test func nestedContainersParseInDocumentOrder() throws {
        // 64 levels are allowed (65 are not, above); members keep their order and empty
        // containers parse. Fails if the shared loop lost an element, a member or the order.
        let deep = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(try JSONParser.parse(deep) != .null)
        let doc = try JSONParser.parse(#" {"b":[1,{"c":[]},"x"],"a":{},"d":[ ]} "#)
        #expect(doc == .object([("b", .array([.number(1), .object([("c", .array([]))]), .string("x")])),
                                ("a", .object([])), ("d", .array([]))]))
        #expect(doc.serialized == #"{"b":[1,{"c":[]},"x"],"a":{},"d":[]}"#)
    }
}
