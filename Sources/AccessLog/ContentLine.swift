/// The fields of one content-app download line, matched against the line-shape rule
///
///     ^(\S+) \[([^\]]*)\] "([^"]*)" (\S+) (\S+) "(.*?)" "(.*)" cache:"([^"]*)"
///      artifact_size:"([^"]*)" rh_org_id:"([^"]*)" x_forwarded_for:"([^"]*)"(?: request_time:"([^"]*)")?$
///
/// (one line; Python `re.fullmatch` on a `str`, so `\S` is "not Unicode whitespace" and `.` is
/// "not `\n`") without a regex engine, and without building strings: every field is a slice of
/// the line (values are taken as logged, nothing is unescaped). Why the byte scan gives the
/// regex's own answer:
/// * each `\S+` is followed by a space, which `\S` cannot match, so it is the whole run of
///   non-whitespace characters, and that run must end at a space (not a tab, not U+00A0);
/// * `[^\]]*` and `[^"]*` end at the first `]` and `"`;
/// * the values after the user agent hold no `"`, so the part from the user agent's closing
///   quote to the end of the line is fixed by the line's last 9 quotes (11 with
///   `request_time`): it is read backwards from the end. The last value's label says which
///   form the line has (` request_time:` or ` x_forwarded_for:`), so at most one form fits;
/// * the referer is lazy and the user agent greedy, but the user agent's end is fixed by that
///   tail, so the referer ends at the first `" "` after its opening quote from which a user
///   agent can still follow (one that leaves room for the agent's opening quote), and the
///   user agent is all the rest; both may hold raw `"` but neither may hold `\n`.
///
/// The request (`"([^"]*)"`) must also be `METHOD TARGET [PROTOCOL]` (`AccessLine.requestPath`);
/// `path` is TARGET up to the first `?` or `#`.
struct ContentLine {
    /// The time field after `[`, with its closing `]` (the form `InsightsTimestamp.parseCommonLogNanos` reads).
    var time: UnsafeBufferPointer<UInt8>
    var path: UnsafeBufferPointer<UInt8>
    var status: UnsafeBufferPointer<UInt8>
    var userAgent: UnsafeBufferPointer<UInt8>
    var cache: UnsafeBufferPointer<UInt8>
    var artifactSize: UnsafeBufferPointer<UInt8>
    var orgID: UnsafeBufferPointer<UInt8>
    var forwardedFor: UnsafeBufferPointer<UInt8>
    /// nil on lines from before `request_time` was logged.
    var requestTime: UnsafeBufferPointer<UInt8>?

    /// nil when the line does not have the shape (skip reason `line-shape`). `line` must be
    /// valid UTF-8.
    init?(_ line: UnsafeBufferPointer<UInt8>) {
        guard let base = line.baseAddress else { return nil }
        let count = line.count
        let quote = UInt8(ascii: "\""), space = UInt8(ascii: " ")

        // Host, then " [", the time up to the first "]", then "] \"".
        let hostEnd = PythonRegexText.nonWhitespaceRunEnd(line, from: 0)
        guard hostEnd > 0, count - hostEnd >= 2, line[hostEnd] == space, line[hostEnd + 1] == UInt8(ascii: "[") else {
            return nil
        }
        guard let timeEnd = ByteSearch.index(of: UInt8(ascii: "]"), in: base, from: hostEnd + 2, end: count),
            count - timeEnd >= 3, line[timeEnd + 1] == space, line[timeEnd + 2] == quote
        else { return nil }

        // The request, up to the next quote.
        let requestStart = timeEnd + 3
        guard let requestEnd = ByteSearch.index(of: quote, in: base, from: requestStart, end: count) else { return nil }

        // " STATUS BYTES \"" (the referer opens at that quote).
        let statusStart = requestEnd + 2
        guard statusStart < count, line[requestEnd + 1] == space else { return nil }
        let statusEnd = PythonRegexText.nonWhitespaceRunEnd(line, from: statusStart)
        guard statusEnd > statusStart, statusEnd < count, line[statusEnd] == space else { return nil }
        let bytesEnd = PythonRegexText.nonWhitespaceRunEnd(line, from: statusEnd + 1)
        guard bytesEnd > statusEnd + 1, count - bytesEnd >= 2, line[bytesEnd] == space, line[bytesEnd + 1] == quote else {
            return nil
        }
        let refererStart = bytesEnd + 2

        // The tail, backwards from the last byte (which must be a closing quote).
        let tail = TailReader(line: line, floor: refererStart)
        var next = count - 1
        var requestTime: UnsafeBufferPointer<UInt8>?
        if let value = tail.value(closingAt: next, label: " request_time:") {
            requestTime = value.text
            next = value.labelStart - 1
        }
        guard let forwardedFor = tail.value(closingAt: next, label: " x_forwarded_for:"),
            let orgID = tail.value(closingAt: forwardedFor.labelStart - 1, label: " rh_org_id:"),
            let artifactSize = tail.value(closingAt: orgID.labelStart - 1, label: " artifact_size:"),
            let cache = tail.value(closingAt: artifactSize.labelStart - 1, label: " cache:")
        else { return nil }
        // The user agent's closing quote; its opening quote needs the `" "` before it.
        let agentClose = cache.labelStart - 1
        guard agentClose >= refererStart + 3, line[agentClose] == quote else { return nil }

        // Referer and user agent: no "\n" in either, the referer ends at the first `" "`.
        if ByteSearch.index(of: 0x0A, in: base, from: refererStart, end: agentClose) != nil { return nil }
        var separator = refererStart
        while true {
            // A separator starts at most at agentClose - 3 (the agent may be empty).
            guard let candidate = ByteSearch.index(of: quote, in: base, from: separator, end: agentClose - 2) else { return nil }
            if line[candidate + 1] == space, line[candidate + 2] == quote {
                separator = candidate
                break
            }
            separator = candidate + 1
        }

        guard let path = AccessLine.requestPath(UnsafeBufferPointer(rebasing: line[requestStart..<requestEnd])) else {
            return nil
        }
        self.time = UnsafeBufferPointer(rebasing: line[(hostEnd + 2)...timeEnd])
        self.path = path
        self.status = UnsafeBufferPointer(rebasing: line[statusStart..<statusEnd])
        self.userAgent = UnsafeBufferPointer(rebasing: line[(separator + 3)..<agentClose])
        self.cache = cache.text
        self.artifactSize = artifactSize.text
        self.orgID = orgID.text
        self.forwardedFor = forwardedFor.text
        self.requestTime = requestTime
    }

    /// Reads ` label:"value"` backwards, never below `floor` (the referer's opening quote + 1:
    /// the tail cannot reach into what precedes it).
    private struct TailReader {
        let line: UnsafeBufferPointer<UInt8>
        let floor: Int

        struct Value {
            var text: UnsafeBufferPointer<UInt8>
            /// Index of the label's first byte (its leading space).
            var labelStart: Int
        }

        /// The value whose closing quote is at `close`: the text after the previous `"`, which
        /// must be preceded by `label`. nil when the line has no such value there.
        func value(closingAt close: Int, label: StaticString) -> Value? {
            guard close >= floor, line[close] == UInt8(ascii: "\"") else { return nil }
            var open = close - 1
            while open >= floor, line[open] != UInt8(ascii: "\"") { open -= 1 }
            let labelLength = label.utf8CodeUnitCount
            let labelStart = open - labelLength
            guard labelStart >= floor else { return nil }
            let expected = label.utf8Start
            for offset in 0..<labelLength where line[labelStart + offset] != expected[offset] { return nil }
            return Value(text: UnsafeBufferPointer(rebasing: line[(open + 1)..<close]), labelStart: labelStart)
        }
    }
}

/// Python's `re` character classes on a `str`, over valid UTF-8 bytes: `\s` is every character
/// for which `str.isspace()` holds (ASCII `\t\n\v\f\r`, `\x1c`–`\x1f`, space, and U+0085,
/// U+00A0, U+1680, U+2000–U+200A, U+2028, U+2029, U+202F, U+205F, U+3000), `\d` every Unicode
/// decimal digit (category Nd), not just `0`–`9`. The tables are Python 3.11's (Unicode 14.0),
/// the interpreter the tests' reference runs on.
enum PythonRegexText {
    /// The byte length of the `\s` character starting at `index`, or 0 when it is not one.
    @inline(__always)
    static func whitespaceLength(_ text: UnsafeBufferPointer<UInt8>, at index: Int) -> Int {
        let byte = text[index]
        if byte < 0x80 {
            return byte == 0x20 || byte &- 0x09 < 5 || byte &- 0x1C < 4 ? 1 : 0
        }
        // Every non-ASCII whitespace character is 2 or 3 bytes long; in valid UTF-8 its lead
        // byte is followed by them (the count check only guards against a misuse).
        let left = text.count - index
        switch byte {
        case 0xC2 where left >= 2:
            let second = text[index + 1]
            return second == 0x85 || second == 0xA0 ? 2 : 0
        case 0xE1 where left >= 3:
            return text[index + 1] == 0x9A && text[index + 2] == 0x80 ? 3 : 0
        case 0xE2 where left >= 3:
            let second = text[index + 1], third = text[index + 2]
            if second == 0x80 { return third <= 0x8A || third == 0xA8 || third == 0xA9 || third == 0xAF ? 3 : 0 }
            return second == 0x81 && third == 0x9F ? 3 : 0
        case 0xE3 where left >= 3:
            return text[index + 1] == 0x80 && text[index + 2] == 0x80 ? 3 : 0
        default:
            return 0
        }
    }

    /// The index of the first `\s` character at or after `from`, else `text.count`.
    @inline(__always)
    static func nonWhitespaceRunEnd(_ text: UnsafeBufferPointer<UInt8>, from: Int) -> Int {
        var index = from
        while index < text.count {
            let byte = text[index]
            // Fast path: printable ASCII other than space is never whitespace.
            if byte &- 0x21 < 0x5F {
                index += 1
                continue
            }
            if whitespaceLength(text, at: index) > 0 { return index }
            index += 1
        }
        return index
    }

    /// True when `text[range]` holds a `\s` character.
    static func containsWhitespace(_ text: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        let slice = UnsafeBufferPointer(rebasing: text[range])
        return nonWhitespaceRunEnd(slice, from: 0) < slice.count
    }

    /// True when the character starting at `index` is a `\d` (a Unicode decimal digit).
    static func isDecimalDigit(_ text: UnsafeBufferPointer<UInt8>, at index: Int) -> Bool {
        let lead = text[index]
        if lead < 0x80 { return lead &- UInt8(ascii: "0") < 10 }
        // Decode one scalar of valid UTF-8.
        var scalar: UInt32
        let length: Int
        switch lead {
        case 0xC0..<0xE0: scalar = UInt32(lead & 0x1F); length = 2
        case 0xE0..<0xF0: scalar = UInt32(lead & 0x0F); length = 3
        default: scalar = UInt32(lead & 0x07); length = 4
        }
        guard text.count - index >= length else { return false }
        for offset in 1..<length { scalar = scalar << 6 | UInt32(text[index + offset] & 0x3F) }
        var pair = 0
        while pair < decimalRanges.count {
            if scalar < decimalRanges[pair] { return false }
            if scalar <= decimalRanges[pair + 1] { return true }
            pair += 2
        }
        return false
    }

    /// Inclusive first/last pairs of the Nd ranges, ascending (from Python 3.11's `re`: every
    /// code point `c` with `re.match(r"\d", chr(c))`).
    private static let decimalRanges: [UInt32] = [
        0x30, 0x39, 0x660, 0x669, 0x6F0, 0x6F9, 0x7C0, 0x7C9, 0x966, 0x96F, 0x9E6, 0x9EF, 0xA66, 0xA6F, 0xAE6, 0xAEF,
        0xB66, 0xB6F, 0xBE6, 0xBEF, 0xC66, 0xC6F, 0xCE6, 0xCEF, 0xD66, 0xD6F, 0xDE6, 0xDEF, 0xE50, 0xE59, 0xED0,
        0xED9, 0xF20, 0xF29, 0x1040, 0x1049, 0x1090, 0x1099, 0x17E0, 0x17E9, 0x1810, 0x1819, 0x1946, 0x194F, 0x19D0,
        0x19D9, 0x1A80, 0x1A89, 0x1A90, 0x1A99, 0x1B50, 0x1B59, 0x1BB0, 0x1BB9, 0x1C40, 0x1C49, 0x1C50, 0x1C59,
        0xA620, 0xA629, 0xA8D0, 0xA8D9, 0xA900, 0xA909, 0xA9D0, 0xA9D9, 0xA9F0, 0xA9F9, 0xAA50, 0xAA59, 0xABF0,
        0xABF9, 0xFF10, 0xFF19, 0x104A0, 0x104A9, 0x10D30, 0x10D39, 0x11066, 0x1106F, 0x110F0, 0x110F9, 0x11136,
        0x1113F, 0x111D0, 0x111D9, 0x112F0, 0x112F9, 0x11450, 0x11459, 0x114D0, 0x114D9, 0x11650, 0x11659, 0x116C0,
        0x116C9, 0x11730, 0x11739, 0x118E0, 0x118E9, 0x11950, 0x11959, 0x11C50, 0x11C59, 0x11D50, 0x11D59, 0x11DA0,
        0x11DA9, 0x16A60, 0x16A69, 0x16AC0, 0x16AC9, 0x16B50, 0x16B59, 0x1D7CE, 0x1D7FF, 0x1E140, 0x1E149, 0x1E2F0,
        0x1E2F9, 0x1E950, 0x1E959, 0x1FBF0, 0x1FBF9,
    ]
}
