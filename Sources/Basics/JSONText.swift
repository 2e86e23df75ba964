/// JSON string literals, built by hand because Foundation's JSONEncoder is slow on Linux for
/// the thousands of values the CLI's outputs, the catalog's identity text and the simulator's
/// responses hold. One rule everywhere: `"` and `\` are backslash-escaped, newline, carriage
/// return and tab as `\n` `\r` `\t`, other control characters (below U+0020) as `\u00xx`
/// (lowercase hex), and everything else, non-ASCII included, is written as it is (UTF-8).
public enum JSONText {
    /// `value` as a quoted JSON string.
    public static func string(_ value: String) -> String {
        // Fast path: most values (times, URIs, hashes) need no escaping at all.
        if !value.utf8.contains(where: needsEscape) {
            return "\"" + value + "\""
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(value.utf8.count + 8)
        appendQuoted(utf8: value.utf8, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A quoted JSON string, or `null`.
    public static func optional(_ value: String?) -> String { value.map(string) ?? "null" }

    /// Appends the UTF-8 bytes `utf8` as a quoted JSON string. Bytes from 0x80 up pass through
    /// untouched, so valid UTF-8 stays valid and the result equals `string` on the same text.
    @inlinable
    public static func appendQuoted<S: Sequence>(utf8: S, to out: inout [UInt8]) where S.Element == UInt8 {
        out.append(UInt8(ascii: "\""))
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "\\"))
            case 0x0A: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "n"))
            case 0x0D: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "r"))
            case 0x09: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "t"))
            case 0..<0x20:
                out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "u"))
                out.append(UInt8(ascii: "0")); out.append(UInt8(ascii: "0"))
                out.append(hexDigit(byte >> 4))
                out.append(hexDigit(byte & 0xF))
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    @inlinable
    static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }

    @inlinable
    static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }
}
