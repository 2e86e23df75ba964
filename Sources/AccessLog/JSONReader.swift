/// A JSON syntax or shape error, with the byte offset where it was found.
public struct InsightsJSONError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Byte offset into the decoded buffer (line or document).
    public var offset: Int
    public var reason: String

    public init(offset: Int, reason: String) {
        self.offset = offset
        self.reason = reason
    }

    public var description: String { "invalid JSON at byte \(offset): \(reason)" }
}

/// The span of one JSON string literal inside the buffer: its raw content (between the quotes,
/// escapes still escaped) and whether it contains any backslash escape.
struct JSONStringSpan {
    var start: Int
    var end: Int
    var hasEscapes: Bool
    var rawCount: Int { end - start }
}

/// A small forward-only JSON reader over UTF-8 bytes, built for speed: it never builds
/// dictionaries or arrays; callers walk objects member by member, look at the keys they need
/// and skip the rest. Skipping still validates, so a buffer that is not one complete JSON
/// value (RFC 8259 grammar) is always rejected with an `InsightsJSONError`.
///
/// Deviations from a strict RFC reader, chosen on purpose:
/// * invalid UTF-8 inside strings is not rejected; decoded strings carry U+FFFD instead
///   (Swift `String` repair), the same as Python's `errors="replace"`;
/// * a lone `\uD800`…`\uDFFF` escape decodes to U+FFFD (Swift strings cannot hold it);
/// * nesting deeper than `maxDepth` is rejected, so hostile input cannot overflow the stack.
struct JSONReader {
    static let maxDepth = 512

    let bytes: UnsafePointer<UInt8>
    let count: Int
    private(set) var position = 0
    private var depth = 0

    init(_ buffer: UnsafeBufferPointer<UInt8>) {
        // An empty buffer may have no base address; point at a static byte and read nothing.
        self.bytes = buffer.baseAddress ?? JSONReader.emptyByte
        self.count = buffer.count
    }

    // Never written after creation, never read (count is 0), so sharing it is safe.
    nonisolated(unsafe) private static let emptyByte: UnsafePointer<UInt8> = {
        let pointer = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
        pointer.initialize(to: 0)
        return UnsafePointer(pointer)
    }()

    // MARK: - Errors and small helpers

    func error(_ reason: String) -> InsightsJSONError {
        InsightsJSONError(offset: position, reason: reason)
    }

    var isAtEnd: Bool { position >= count }

    @inline(__always)
    func peek() -> UInt8? { position < count ? bytes[position] : nil }

    @inline(__always)
    mutating func skipWhitespace() {
        while position < count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    mutating func expect(_ byte: UInt8, _ what: String) throws(InsightsJSONError) {
        guard position < count, bytes[position] == byte else { throw error("expected \(what)") }
        position += 1
    }

    /// After the top-level value: only whitespace may follow.
    mutating func expectEnd() throws(InsightsJSONError) {
        skipWhitespace()
        guard isAtEnd else { throw error("unexpected data after the JSON value") }
    }

    // MARK: - Objects and arrays

    /// Consumes `{`. Pair with `nextKey(first:)` until it returns nil.
    mutating func beginObject() throws(InsightsJSONError) {
        skipWhitespace()
        try expect(UInt8(ascii: "{"), "'{'")
        try enterNesting()
    }

    /// Returns the next member's key and leaves the reader at the start of its value,
    /// or returns nil after consuming the closing `}`.
    mutating func nextKey(first: inout Bool) throws(InsightsJSONError) -> JSONStringSpan? {
        skipWhitespace()
        guard let byte = peek() else { throw error("unterminated object") }
        if byte == UInt8(ascii: "}") {
            position += 1
            depth -= 1
            return nil
        }
        if !first {
            try expect(UInt8(ascii: ","), "',' or '}'")
            skipWhitespace()
        }
        first = false
        guard peek() == UInt8(ascii: "\"") else { throw error("expected a string key") }
        let key = try scanString()
        skipWhitespace()
        try expect(UInt8(ascii: ":"), "':'")
        skipWhitespace()
        return key
    }

    /// Consumes `[`. Pair with `nextElement(first:)` until it returns false.
    mutating func beginArray() throws(InsightsJSONError) {
        skipWhitespace()
        try expect(UInt8(ascii: "["), "'['")
        try enterNesting()
    }

    /// Returns true when another element follows (reader at its start), or false after
    /// consuming the closing `]`.
    mutating func nextElement(first: inout Bool) throws(InsightsJSONError) -> Bool {
        skipWhitespace()
        guard let byte = peek() else { throw error("unterminated array") }
        if byte == UInt8(ascii: "]") {
            position += 1
            depth -= 1
            return false
        }
        if !first {
            try expect(UInt8(ascii: ","), "',' or ']'")
            skipWhitespace()
        }
        first = false
        return true
    }

    private mutating func enterNesting() throws(InsightsJSONError) {
        depth += 1
        guard depth <= JSONReader.maxDepth else { throw error("nesting deeper than \(JSONReader.maxDepth)") }
    }

    // MARK: - Values

    /// Reads a value that must be a string, or skips any other value and returns nil.
    mutating func stringOrSkip() throws(InsightsJSONError) -> JSONStringSpan? {
        skipWhitespace()
        if peek() == UInt8(ascii: "\"") { return try scanString() }
        try skipValue()
        return nil
    }

    /// Skips (and validates) one value of any type.
    mutating func skipValue() throws(InsightsJSONError) {
        skipWhitespace()
        guard let byte = peek() else { throw error("expected a value") }
        switch byte {
        case UInt8(ascii: "\""):
            _ = try scanString()
        case UInt8(ascii: "{"):
            try beginObject()
            var first = true
            while try nextKey(first: &first) != nil { try skipValue() }
        case UInt8(ascii: "["):
            try beginArray()
            var first = true
            while try nextElement(first: &first) { try skipValue() }
        case UInt8(ascii: "t"): try skipLiteral("true")
        case UInt8(ascii: "f"): try skipLiteral("false")
        case UInt8(ascii: "n"): try skipLiteral("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            try skipNumber()
        default:
            throw error("unexpected character")
        }
    }

    private mutating func skipLiteral(_ literal: StaticString) throws(InsightsJSONError) {
        let length = literal.utf8CodeUnitCount
        guard count - position >= length else { throw error("invalid literal") }
        let expected = literal.utf8Start
        for offset in 0..<length where bytes[position + offset] != expected[offset] {
            throw error("invalid literal")
        }
        position += length
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    private mutating func skipNumber() throws(InsightsJSONError) {
        if peek() == UInt8(ascii: "-") { position += 1 }
        guard let lead = peek(), isDigit(lead) else { throw error("invalid number") }
        position += 1
        if lead != UInt8(ascii: "0") { skipDigits() }
        if peek() == UInt8(ascii: ".") {
            position += 1
            guard let digit = peek(), isDigit(digit) else { throw error("invalid number fraction") }
            skipDigits()
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            position += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { position += 1 }
            guard let digit = peek(), isDigit(digit) else { throw error("invalid number exponent") }
            skipDigits()
        }
    }

    @inline(__always)
    private func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }

    private mutating func skipDigits() {
        while position < count, isDigit(bytes[position]) { position += 1 }
    }

    // MARK: - Strings

    /// Scans a string literal starting at the opening quote, validating escapes and rejecting
    /// raw control characters. Returns the span of its raw content.
    mutating func scanString() throws(InsightsJSONError) -> JSONStringSpan {
        position += 1  // opening quote
        let start = position
        var hasEscapes = false
        while position < count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                let span = JSONStringSpan(start: start, end: position, hasEscapes: hasEscapes)
                position += 1
                return span
            }
            if byte == UInt8(ascii: "\\") {
                hasEscapes = true
                try validateEscape()
            } else if byte < 0x20 {
                throw error("control character in string")
            } else {
                position += 1
            }
        }
        throw error("unterminated string")
    }

    /// Validates the escape at `position` (a backslash) and moves past it.
    private mutating func validateEscape() throws(InsightsJSONError) {
        guard position + 1 < count else { throw error("unterminated escape") }
        switch bytes[position + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
            UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            position += 2
        case UInt8(ascii: "u"):
            guard position + 6 <= count,
                JSONReader.hexValue(bytes + position + 2) != nil
            else { throw error("invalid \\u escape") }
            position += 6
        default:
            throw error("invalid escape")
        }
    }

    /// The value of the four hex digits at `pointer`, or nil.
    @inline(__always)
    static func hexValue(_ pointer: UnsafePointer<UInt8>) -> UInt32? {
        var value: UInt32 = 0
        for offset in 0..<4 {
            let byte = pointer[offset]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    /// True when the span's raw bytes equal `key` (keys we look up never need escapes; an
    /// escaped key is decoded first so `"\u0040message"` still matches `@message`).
    func spanEquals(_ span: JSONStringSpan, _ key: StaticString) -> Bool {
        if span.hasEscapes { return decodeString(span) == key.description }
        let length = key.utf8CodeUnitCount
        guard span.rawCount == length else { return false }
        let expected = key.utf8Start
        for offset in 0..<length where bytes[span.start + offset] != expected[offset] {
            return false
        }
        return true
    }

    /// Decodes a scanned (hence valid) string span into a Swift String.
    func decodeString(_ span: JSONStringSpan) -> String {
        let raw = UnsafeBufferPointer(start: bytes + span.start, count: span.rawCount)
        guard span.hasEscapes else { return String(decoding: raw, as: UTF8.self) }
        // Unescaping never lengthens: every escape is at least as long as what it encodes.
        return String(unsafeUninitializedCapacity: max(span.rawCount, 1)) { output in
            JSONReader.unescape(raw, into: output.baseAddress!)
        }
    }

    /// Writes the unescaped UTF-8 of `raw` (the content of a validated string literal) to
    /// `output`, which must hold `raw.count` bytes. Returns the number of bytes written.
    static func unescape(_ raw: UnsafeBufferPointer<UInt8>, into output: UnsafeMutablePointer<UInt8>) -> Int {
        let input = raw.baseAddress!
        let count = raw.count
        var read = 0
        var written = 0
        while read < count {
            let byte = input[read]
            if byte != UInt8(ascii: "\\") {
                output[written] = byte
                written += 1
                read += 1
                continue
            }
            let escaped = input[read + 1]
            read += 2
            switch escaped {
            case UInt8(ascii: "b"): output[written] = 0x08; written += 1
            case UInt8(ascii: "f"): output[written] = 0x0C; written += 1
            case UInt8(ascii: "n"): output[written] = 0x0A; written += 1
            case UInt8(ascii: "r"): output[written] = 0x0D; written += 1
            case UInt8(ascii: "t"): output[written] = 0x09; written += 1
            case UInt8(ascii: "u"):
                var scalar = hexValue(input + read) ?? 0xFFFD
                read += 4
                if (0xD800...0xDBFF).contains(scalar) {
                    // A high surrogate: only a following \uDC00…\uDFFF completes it.
                    if read + 6 <= count, input[read] == UInt8(ascii: "\\"), input[read + 1] == UInt8(ascii: "u"),
                        let low = hexValue(input + read + 2), (0xDC00...0xDFFF).contains(low)
                    {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        read += 6
                    } else {
                        scalar = 0xFFFD
                    }
                } else if (0xDC00...0xDFFF).contains(scalar) {
                    scalar = 0xFFFD
                }
                written += writeUTF8(scalar, to: output + written)
            default:  // '"', '\\', '/'
                output[written] = escaped
                written += 1
            }
        }
        return written
    }

    /// Encodes a Unicode scalar value as UTF-8; returns the byte count (1…4).
    /// U+FFFD needs 3 bytes and comes from a 6-byte escape, so output never outgrows input.
    @inline(__always)
    static func writeUTF8(_ scalar: UInt32, to output: UnsafeMutablePointer<UInt8>) -> Int {
        switch scalar {
        case 0..<0x80:
            output[0] = UInt8(scalar)
            return 1
        case 0x80..<0x800:
            output[0] = UInt8(0xC0 | (scalar >> 6))
            output[1] = UInt8(0x80 | (scalar & 0x3F))
            return 2
        case 0x800..<0x10000:
            output[0] = UInt8(0xE0 | (scalar >> 12))
            output[1] = UInt8(0x80 | ((scalar >> 6) & 0x3F))
            output[2] = UInt8(0x80 | (scalar & 0x3F))
            return 3
        default:
            output[0] = UInt8(0xF0 | (scalar >> 18))
            output[1] = UInt8(0x80 | ((scalar >> 12) & 0x3F))
            output[2] = UInt8(0x80 | ((scalar >> 6) & 0x3F))
            output[3] = UInt8(0x80 | (scalar & 0x3F))
            return 4
        }
    }
}
