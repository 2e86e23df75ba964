/// A JSON syntax or shape error, with the byte offset where it was found.
public struct InsightsJSONError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Byte offset into the decoded buffer (line or document).
    public var offset: Int
    public var reason: String

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

    /// `what` is a StaticString so that the happy path builds no String at all.
    mutating func expect(_ byte: UInt8, _ what: StaticString) throws(InsightsJSONError) {
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
        guard try nextMember(first: &first, close: UInt8(ascii: "}"), unterminated: "unterminated object", separator: "',' or '}'") else {
            return nil
        }
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
        try nextMember(first: &first, close: UInt8(ascii: "]"), unterminated: "unterminated array", separator: "',' or ']'")
    }

    /// What objects and arrays share between members: false after consuming `close`, else true
    /// with the `,` before any but the first member consumed and the reader at the member.
    @inline(__always)
    private mutating func nextMember(first: inout Bool, close: UInt8, unterminated: String,
                                     separator: StaticString) throws(InsightsJSONError) -> Bool {
        skipWhitespace()
        guard let byte = peek() else { throw error(unterminated) }
        if byte == close {
            position += 1
            depth -= 1
            return false
        }
        if !first {
            try expect(UInt8(ascii: ","), separator)
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

    /// Reads a value that must be a string as a Swift String, or skips any other value and
    /// returns nil.
    mutating func stringValueOrSkip() throws(InsightsJSONError) -> String? {
        skipWhitespace()
        if peek() == UInt8(ascii: "\"") { return try readString() }
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
    /// (The hot loops use wrapping `&+`: every index stays below `count`, so the overflow
    /// checks of `+` would only cost time.)
    mutating func scanString() throws(InsightsJSONError) -> JSONStringSpan {
        let start = position + 1  // after the opening quote
        var read = start
        var hasEscapes = false
        while true {
            let byte: UInt8
            if read &+ 8 <= count {
                // Eight plain bytes at a time; stop at '"', '\\' or a control character.
                let stops = ByteSearch.jsonStringStops(ByteSearch.load(bytes + read))
                if stops == 0 {
                    read &+= 8
                    continue
                }
                read &+= stops.trailingZeroBitCount &>> 3
                byte = bytes[read]
            } else {
                byte = try stringByte(at: read)
                if JSONReader.isPlainStringByte(byte) {
                    read &+= 1
                    continue
                }
            }
            if byte == UInt8(ascii: "\"") {
                position = read + 1
                return JSONStringSpan(start: start, end: read, hasEscapes: hasEscapes)
            }
            position = read
            guard byte == UInt8(ascii: "\\") else { throw error("control character in string") }
            hasEscapes = true
            read &+= try escapeLength(at: read)
        }
    }

    /// The byte at `read` inside a string literal, for the last bytes (fewer than a word) that
    /// both scans read one at a time; the input ending there is an unterminated string.
    @inline(__always)
    private mutating func stringByte(at read: Int) throws(InsightsJSONError) -> UInt8 {
        guard read < count else {
            position = read
            throw error("unterminated string")
        }
        return bytes[read]
    }

    /// Neither the closing quote, a backslash nor a control character: part of the string as is.
    @inline(__always)
    private static func isPlainStringByte(_ byte: UInt8) -> Bool {
        byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\") && byte >= 0x20
    }

    /// Validates the escape at `index` (a backslash) and returns its length in bytes.
    @inline(__always)
    private func escapeLength(at index: Int) throws(InsightsJSONError) -> Int {
        guard index + 1 < count else { throw error("unterminated escape") }
        switch bytes[index + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
            UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            return 2
        case UInt8(ascii: "u"):
            guard index + 6 <= count, JSONReader.hexValue(bytes + index + 2) != nil else {
                throw error("invalid \\u escape")
            }
            return 6
        default:
            throw error("invalid escape")
        }
    }

    /// Scans the string literal at `position` (its opening quote) like `scanString`, writing
    /// its unescaped UTF-8 to `output` in the same pass. `output` must hold
    /// `maxUnescapedCount` bytes. Returns the number of bytes written.
    mutating func scanString(unescapingInto output: UnsafeMutablePointer<UInt8>) throws(InsightsJSONError) -> Int {
        var read = position + 1  // after the opening quote
        var written = 0
        while true {
            let byte: UInt8
            if read &+ 8 <= count {
                // Copy plain bytes a word at a time: store all eight, keep those before the
                // first stop. The store stays in bounds: output holds `count - start` bytes
                // and `written` never runs ahead of the bytes read.
                let word = ByteSearch.load(bytes + read)
                UnsafeMutableRawPointer(output + written).storeBytes(of: word.littleEndian, as: UInt64.self)
                let stops = ByteSearch.jsonStringStops(word)
                if stops == 0 {
                    read &+= 8
                    written &+= 8
                    continue
                }
                let plain = stops.trailingZeroBitCount &>> 3
                read &+= plain
                written &+= plain
                byte = bytes[read]
            } else {
                byte = try stringByte(at: read)
                if JSONReader.isPlainStringByte(byte) {
                    output[written] = byte
                    read &+= 1
                    written &+= 1
                    continue
                }
            }
            if byte == UInt8(ascii: "\"") {
                position = read + 1
                return written
            }
            guard byte == UInt8(ascii: "\\") else {
                position = read
                throw error("control character in string")
            }
            // `\"` and `\\` dominate wrapped log lines (a JSON document inside a JSON string).
            if read + 1 < count {
                let escaped = bytes[read + 1]
                if escaped == UInt8(ascii: "\"") || escaped == UInt8(ascii: "\\") {
                    output[written] = escaped
                    read &+= 2
                    written &+= 1
                    continue
                }
            }
            guard let (consumed, produced) = JSONReader.decodeEscape(
                bytes + read, available: count - read, into: output + written)
            else {
                position = read
                throw error("invalid escape")
            }
            read &+= consumed
            written &+= produced
        }
    }

    /// Enough output for any string starting at `position`: unescaping never lengthens.
    var maxUnescapedCount: Int { max(count - position, 1) }

    /// Reads the string value at `position` into a Swift String in one pass (validating it).
    mutating func readString() throws(InsightsJSONError) -> String {
        // Fast path: no escape before the closing quote, so the raw bytes are the value.
        let start = position + 1
        let stop = nextStringStop(from: start)
        if stop < count, bytes[stop] == UInt8(ascii: "\"") {
            position = stop + 1
            return String(decoding: UnsafeBufferPointer(start: bytes + start, count: stop - start), as: UTF8.self)
        }
        var failure: InsightsJSONError?
        let value = String(unsafeUninitializedCapacity: maxUnescapedCount) { output in
            do throws(InsightsJSONError) {
                return try scanString(unescapingInto: output.baseAddress!)
            } catch {
                failure = error
                return 0
            }
        }
        if let failure { throw failure }
        return value
    }

    /// Index of the first `"`, `\\` or control byte at or after `from` (or `count`).
    @inline(__always)
    private func nextStringStop(from: Int) -> Int {
        ByteSearch.firstStop(
            bytes, from: from, end: count, mask: ByteSearch.jsonStringStops,
            isStop: { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") || $0 < 0x20 })
    }

    /// Decodes the escape at `input` (a backslash, `available` bytes readable) into `output`
    /// (room for 4 bytes). Returns the bytes consumed and produced, or nil when invalid.
    /// A `\uD800`–`\uDBFF` followed by `\uDC00`–`\uDFFF` is one scalar; any other surrogate
    /// escape becomes U+FFFD (a Swift String cannot hold it).
    @inline(__always)
    static func decodeEscape(
        _ input: UnsafePointer<UInt8>, available: Int, into output: UnsafeMutablePointer<UInt8>
    ) -> (consumed: Int, produced: Int)? {
        guard available >= 2 else { return nil }
        let simple: UInt8
        switch input[1] {
        case UInt8(ascii: "\""): simple = UInt8(ascii: "\"")
        case UInt8(ascii: "\\"): simple = UInt8(ascii: "\\")
        case UInt8(ascii: "/"): simple = UInt8(ascii: "/")
        case UInt8(ascii: "b"): simple = 0x08
        case UInt8(ascii: "f"): simple = 0x0C
        case UInt8(ascii: "n"): simple = 0x0A
        case UInt8(ascii: "r"): simple = 0x0D
        case UInt8(ascii: "t"): simple = 0x09
        case UInt8(ascii: "u"):
            guard available >= 6, var scalar = hexValue(input + 2) else { return nil }
            var consumed = 6
            if (0xD800...0xDBFF).contains(scalar) {
                if available >= 12, input[6] == UInt8(ascii: "\\"), input[7] == UInt8(ascii: "u"),
                    let low = hexValue(input + 8), (0xDC00...0xDFFF).contains(low)
                {
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    consumed = 12
                } else {
                    scalar = 0xFFFD
                }
            } else if (0xDC00...0xDFFF).contains(scalar) {
                scalar = 0xFFFD
            }
            return (consumed, writeUTF8(scalar, to: output))
        default:
            return nil
        }
        output[0] = simple
        return (2, 1)
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
        return String(unsafeUninitializedCapacity: max(span.rawCount, 1)) { output in
            JSONReader.unescape(raw, into: output.baseAddress!)
        }
    }

    /// Writes the unescaped UTF-8 of `raw` (the content of a scanned, valid string literal) to
    /// `output`, which must hold `raw.count` bytes. Returns the number of bytes written.
    static func unescape(_ raw: UnsafeBufferPointer<UInt8>, into output: UnsafeMutablePointer<UInt8>) -> Int {
        guard let input = raw.baseAddress else { return 0 }
        let count = raw.count
        var read = 0
        var written = 0
        while read < count {
            // Copy the run of plain bytes up to the next backslash in one go.
            let next = ByteSearch.firstStop(
                input, from: read, end: count, mask: { ByteSearch.zeroBytes($0 ^ ByteSearch.backslashes) },
                isStop: { $0 == UInt8(ascii: "\\") })
            if next > read {
                (output + written).update(from: input + read, count: next - read)
                written += next - read
                read = next
                if read >= count { break }
            }
            // The span was validated by scanString, so the escape is well formed.
            let (consumed, produced) = decodeEscape(input + read, available: count - read, into: output + written) ?? (2, 0)
            read += consumed
            written += produced
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
