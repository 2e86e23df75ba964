import Foundation
import Testing
import Basics

@Suite struct JSONTextTests {
    static let samples = ["plain", "", "with \"quotes\"", "back\\slash", "line\nbreak\ttab\r", "\u{1}ctl", "ünïcode ✓",
                          "emoji 👩‍👩‍👧 e\u{301}", "\u{7f}del", "\u{1f}\u{0}\u{8}\u{c}", "/slash/ and </script>"]

    /// Every sample decodes back to itself with a real JSON parser. Fails if an escape is wrong or missing.
    @Test(arguments: samples)
    func roundTripsThroughAJSONParser(_ sample: String) throws {
        let encoded = JSONText.string(sample)
        let decoded = try JSONSerialization.jsonObject(with: Data("[\(encoded)]".utf8)) as? [String]
        #expect(decoded == [sample], "\(encoded)")
    }

    /// The exact text: the catalog's identity text and every JSON output depend on these bytes
    /// staying the same. Fails if a character is escaped differently (uppercase hex, `\b`/`\f`
    /// shorthands, escaped `/`, DEL or non-ASCII escaped).
    @Test func exactEscapes() {
        #expect(JSONText.string("a\"b\\c") == #""a\"b\\c""#)
        #expect(JSONText.string("\n\r\t") == #""\n\r\t""#)
        #expect(JSONText.string("\u{0}\u{8}\u{c}\u{1f}") == #""\u0000\u0008\u000c\u001f""#)
        #expect(JSONText.string("\u{7f}é✓/") == "\"\u{7f}é✓/\"")
        #expect(JSONText.optional(nil) == "null")
        #expect(JSONText.optional("x") == #""x""#)
    }

    /// Over every ASCII character and some beyond, the text equals the per-scalar rule the
    /// catalog and the CLI used before they shared this one (`String(format: "\\u%04x")` for
    /// controls). Fails if the byte-level writer and that rule part anywhere.
    @Test func sameAsThePerScalarRule() {
        func reference(_ value: String) -> String {
            let named: [Unicode.Scalar: String] = ["\"": #"\""#, "\\": #"\\"#, "\n": #"\n"#, "\r": #"\r"#, "\t": #"\t"#]
            var out = "\""
            for scalar in value.unicodeScalars {
                if let escape = named[scalar] {
                    out += escape
                } else if scalar.value < 0x20 {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
            return out + "\""
        }
        let scalars = (0..<0x80).map { Unicode.Scalar(UInt8($0)) }
            + [0x80, 0xA0, 0xFF, 0x2028, 0xFFFD, 0x1F600].map { Unicode.Scalar($0)! }
        for scalar in scalars {
            let text = "a" + String(Character(scalar)) + "b"
            #expect(JSONText.string(text) == reference(text), "U+\(String(scalar.value, radix: 16))")
        }
        let all = String(String.UnicodeScalarView(scalars))
        #expect(JSONText.string(all) == reference(all))
    }

    /// The byte-level writer (used by the simulator on UTF-8 views) gives the same text as
    /// `string`, and passes bytes from 0x80 up through untouched even when they are not valid
    /// UTF-8. Fails if the two entry points disagree or a high byte is rewritten.
    @Test func appendQuotedMatchesString() {
        for sample in Self.samples {
            var bytes: [UInt8] = [UInt8(ascii: "[")]
            JSONText.appendQuoted(utf8: sample.utf8, to: &bytes)
            #expect(bytes == [UInt8(ascii: "[")] + Array(JSONText.string(sample).utf8), "\(sample)")
        }
        var raw: [UInt8] = []
        JSONText.appendQuoted(utf8: [0xFF, 0x22, 0xC3], to: &raw)
        #expect(raw == [0x22, 0xFF, 0x5C, 0x22, 0xC3, 0x22])
    }
}
