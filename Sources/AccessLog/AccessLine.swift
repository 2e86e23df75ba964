/// Field extraction from one gunicorn access line (docs/row-rules.md, rules 2–7), working on the
/// line's UTF-8 bytes without building strings: fields are byte ranges of the line, or of
/// scratch memory that lives as long as the closure they are handed to.
///
///     pulp [id]: 10.1.2.3 - user:alice org_id:42 [04/Feb/2026:14:30:00 +0000]
///       "GET /api/pypi/d/dist/simple/pkg/ HTTP/1.1" 200 456 "-" "pip/24.0" 550 x_forwarded_for:"1.2.3.4"
///
/// Quoted values (rule 2) are scanned left to right: a value opens at a `"` and closes at the
/// next `"` that is not escaped. A backslash escapes the byte after it, so `\"` stands for `"`
/// and `\\` for `\` (and `"a\\"` closes after the second backslash); any other `\x` is kept
/// as the two bytes `\x`.
///
/// Choices where the rules are silent:
/// * "spaces" means one or more ASCII spaces (0x20); a value glued to the previous one fails;
/// * rule 3: TARGET and PROTOCOL are any non-empty runs of non-space bytes; the text is
///   matched after unescaping;
/// * rule 4: the status is the value of the digit run (`0200` is 200); if no digits follow the
///   request, status and user agent are both null;
/// * rule 7: the first `x_forwarded_for:` anywhere in the line, its `"` right after the colon;
/// * rule 9: `django.request:WARNING` is looked for in the access line, not in the wrapper.
///
/// Older lines (a backfill of history meets three shapes, all of them also wrapped in
/// parentheses in production: `(pulp [cid]: … 550)` or `… x_forwarded_for:"…")`):
/// * before 2026-01-06 there were no labels: `pulp [cid]: HOST IDENT USER [time] …`, and
///   `user` is taken from that position (`unlabeledUser`); `org_id` stays null;
/// * from 2026-01-06 `user:… org_id:…`, from 2026-01-21 `x_forwarded_for:"…"` at the end.
/// The wrapper's `(` and `)` never reach a value: every field either ends at a closing quote,
/// at a space, or (status, bytes) at the first non-digit.
struct AccessLine {
    let bytes: UnsafeBufferPointer<UInt8>

    /// The request quoted value (rule 3).
    struct Request {
        /// TARGET up to the first `?` or `#`.
        var path: UnsafeBufferPointer<UInt8>
        /// Index in the line just after the request's closing quote.
        var end: Int
    }

    /// One quoted value: raw content `[start, end)` (escapes still in place) and the index
    /// after its closing quote.
    struct Quoted {
        var start: Int
        var end: Int
        var hasEscapes: Bool
        var next: Int { end + 1 }
    }

    // MARK: - Rule 2: quoted values

    /// The quoted value opening at `open` (a `"`), or nil when it is never closed.
    func quoted(openingAt open: Int) -> Quoted? {
        guard let base = bytes.baseAddress else { return nil }
        var index = open + 1
        var hasEscapes = false
        while true {
            index = ByteSearch.firstStop(
                base, from: index, end: bytes.count,
                mask: { ByteSearch.zeroBytes($0 ^ ByteSearch.quotes) | ByteSearch.zeroBytes($0 ^ ByteSearch.backslashes) },
                isStop: { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") })
            guard index < bytes.count else { return nil }
            if base[index] == UInt8(ascii: "\"") { return Quoted(start: open + 1, end: index, hasEscapes: hasEscapes) }
            hasEscapes = true
            index += 2
        }
    }

    /// Calls `body` with the text of a quoted value (unescaped into scratch memory if needed).
    func withText<R>(of value: Quoted, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        let raw = UnsafeBufferPointer(rebasing: bytes[value.start..<value.end])
        guard value.hasEscapes else { return body(raw) }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: raw.count) { scratch in
            var written = 0
            var index = 0
            while index < raw.count {
                let byte = raw[index]
                if byte == UInt8(ascii: "\\"), index + 1 < raw.count,
                    raw[index + 1] == UInt8(ascii: "\"") || raw[index + 1] == UInt8(ascii: "\\")
                {
                    scratch[written] = raw[index + 1]
                    index += 2
                } else {
                    scratch[written] = byte
                    index += 1
                }
                written += 1
            }
            return body(UnsafeBufferPointer(rebasing: scratch[0..<written]))
        }
    }

    // MARK: - Rule 3: request

    /// Finds the first quoted value shaped `METHOD TARGET [PROTOCOL]` and calls `body` with it;
    /// nil when there is none.
    func withRequest<R>(_ body: (Request) -> R) -> R? {
        guard let base = bytes.baseAddress else { return nil }
        var index = 0
        while let open = ByteSearch.index(of: UInt8(ascii: "\""), in: base, from: index, end: bytes.count) {
            guard let value = quoted(openingAt: open) else { return nil }
            let result: R? = withText(of: value) { text in
                guard let path = AccessLine.requestPath(text) else { return nil }
                return body(Request(path: path, end: value.next))
            }
            if let result { return result }
            index = value.next
        }
        return nil
    }

    /// The path of a `METHOD TARGET` or `METHOD TARGET PROTOCOL` text, or nil for any other text.
    /// METHOD is one or more `A`–`Z`; parts are separated by single spaces and never empty.
    static func requestPath(_ text: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8>? {
        var index = 0
        while index < text.count, text[index] &- UInt8(ascii: "A") < 26 { index += 1 }
        guard index > 0, index < text.count, text[index] == UInt8(ascii: " ") else { return nil }
        index += 1
        let targetStart = index
        while index < text.count, text[index] != UInt8(ascii: " ") { index += 1 }
        let targetEnd = index
        guard targetEnd > targetStart else { return nil }
        if index < text.count {  // " PROTOCOL": one non-empty token, nothing after it
            index += 1
            let protocolStart = index
            while index < text.count, text[index] != UInt8(ascii: " ") { index += 1 }
            guard index > protocolStart, index == text.count else { return nil }
        }
        var pathEnd = targetStart
        while pathEnd < targetEnd, text[pathEnd] != UInt8(ascii: "?"), text[pathEnd] != UInt8(ascii: "#") {
            pathEnd += 1
        }
        return UnsafeBufferPointer(rebasing: text[targetStart..<pathEnd])
    }

    // MARK: - Rules 4 and 5: status code and user agent

    /// Status (rule 4), read after the request's closing quote, and the index after its digits
    /// (nil when no digits follow the request: then status and user agent are both null).
    func status(after requestEnd: Int) -> (status: Int16?, end: Int)? {
        var index = requestEnd
        guard skipSpaces(&index) else { return nil }
        let digitsStart = index
        var value = 0
        while index < bytes.count, bytes[index] &- UInt8(ascii: "0") < 10 {
            // Saturate: any value past 599 is out of range anyway, and this cannot overflow.
            value = min(value * 10 + Int(bytes[index] &- UInt8(ascii: "0")), 1_000)
            index += 1
        }
        guard index > digitsStart else { return nil }
        // The digits' value decides ("0200" is 200); whatever follows them is rule 5's business.
        return ((100...599).contains(value) ? Int16(value) : nil, index)
    }

    /// Rule 5: `spaces bytes spaces "referer" spaces "user agent"` after the status digits; calls
    /// `body` with the user agent's text, or nil when the shape does not match.
    func withUserAgent<R>(afterStatus start: Int, _ body: (UnsafeBufferPointer<UInt8>?) -> R) -> R {
        var index = start
        guard skipSpaces(&index) else { return body(nil) }
        // bytes token: digits, or a single "-"
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") {
            index += 1
        } else {
            let digitsStart = index
            while index < bytes.count, bytes[index] &- UInt8(ascii: "0") < 10 { index += 1 }
            guard index > digitsStart else { return body(nil) }
        }
        guard skipSpaces(&index), index < bytes.count, bytes[index] == UInt8(ascii: "\""),
            let referer = quoted(openingAt: index)
        else { return body(nil) }
        index = referer.next
        guard skipSpaces(&index), index < bytes.count, bytes[index] == UInt8(ascii: "\""),
            let agent = quoted(openingAt: index)
        else { return body(nil) }
        return withText(of: agent) { body($0) }
    }

    /// Skips one or more spaces; false when there was none.
    private func skipSpaces(_ index: inout Int) -> Bool {
        let start = index
        while index < bytes.count, bytes[index] == UInt8(ascii: " ") { index += 1 }
        return index > start
    }

    // MARK: - Rule 6: user and org_id (and the label-less user of older lines)

    /// The token after `label` where the label starts the line or follows a space, up to the
    /// next space; nil when missing, empty or `-`.
    func labeledToken(_ label: Label) -> UnsafeBufferPointer<UInt8>? {
        labelValue(label).flatMap(AccessLine.nonPlaceholder)
    }

    /// The raw token after `label` (possibly empty or `-`), or nil when the line has no such
    /// label at all: rule 6 and the older-line rule below need to tell the two apart.
    func labelValue(_ label: Label) -> UnsafeBufferPointer<UInt8>? {
        var searchFrom = 0
        while let labelStart = firstIndex(of: label, from: searchFrom) {
            searchFrom = labelStart + 1
            guard labelStart == 0 || bytes[labelStart - 1] == UInt8(ascii: " ") else { continue }
            let tokenStart = labelStart + label.text.utf8CodeUnitCount
            var tokenEnd = tokenStart
            while tokenEnd < bytes.count, bytes[tokenEnd] != UInt8(ascii: " ") { tokenEnd += 1 }
            return UnsafeBufferPointer(rebasing: bytes[tokenStart..<tokenEnd])
        }
        return nil
    }

    /// The `user` column: rule 6's `user:` token when the line has that label (even `user:-`,
    /// which is null), else the user of an older line (before 2026-01-06 the format had no
    /// labels: `pulp [CID]: HOST IDENT USER [time] …`). Only label-less lines pay for the
    /// second look, and it reads at most the first few dozen bytes.
    var user: UnsafeBufferPointer<UInt8>? {
        if let value = labelValue(.user) { return AccessLine.nonPlaceholder(value) }
        return unlabeledUser
    }

    /// USER of a line whose start, after an optional `(` (the production format wraps the
    /// whole line in parentheses), is `pulp [CID]: HOST IDENT USER [`: CID is any bytes up to
    /// the first `]`, which must be followed by `: `; then exactly three tokens (non-empty runs
    /// of non-space bytes) each followed by one space, and a `[` right after the third one's
    /// space. `-` is null. Two or four tokens, a doubled space or any other start: nil (such a
    /// line does not say which token is the user). A USER token that is itself a label the row
    /// rules read (`org_id:…`, `x_forwarded_for:…`) is not a user: the older lines had no
    /// labels, and such a line is a labelled one without `user:`. The `org_id` column always
    /// keeps rule 6 (a label-less line has none, so it is null).
    var unlabeledUser: UnsafeBufferPointer<UInt8>? {
        let count = bytes.count
        var index = 0
        if count > 0, bytes[0] == UInt8(ascii: "(") { index = 1 }
        // "pulp [" (6 bytes), then the CID.
        guard count - index >= 6, bytes[index] == UInt8(ascii: "p"), bytes[index + 1] == UInt8(ascii: "u"),
            bytes[index + 2] == UInt8(ascii: "l"), bytes[index + 3] == UInt8(ascii: "p"),
            bytes[index + 4] == UInt8(ascii: " "), bytes[index + 5] == UInt8(ascii: "[")
        else { return nil }
        index += 6
        while index < count, bytes[index] != UInt8(ascii: "]") { index += 1 }
        guard count - index >= 3, bytes[index + 1] == UInt8(ascii: ":"), bytes[index + 2] == UInt8(ascii: " ") else {
            return nil
        }
        index += 3
        var tokenStart = index
        for _ in 0..<3 {
            tokenStart = index
            while index < count, bytes[index] != UInt8(ascii: " ") { index += 1 }
            guard index > tokenStart, index < count else { return nil }
            index += 1  // the single space after the token
        }
        guard index < count, bytes[index] == UInt8(ascii: "[") else { return nil }
        let token = UnsafeBufferPointer(rebasing: bytes[tokenStart..<(index - 1)])
        // A label is not a bare user: `HOST IDENT org_id:42 [` is a labelled line that lacks
        // `user:` (its org_id is rule 6's), and an `x_forwarded_for:` token is rule 7's.
        if Self.hasPrefix(token, Label.orgID) || Self.hasPrefix(token, Label.forwardedFor) { return nil }
        return AccessLine.nonPlaceholder(token)
    }

    private static func hasPrefix(_ token: UnsafeBufferPointer<UInt8>, _ label: Label) -> Bool {
        let count = label.text.utf8CodeUnitCount
        guard token.count >= count else { return false }
        let text = label.text.utf8Start
        for offset in 0..<count where token[offset] != text[offset] { return false }
        return true
    }

    // MARK: - Rule 7: x_forwarded_for

    /// First comma-separated element of the quoted value right after `x_forwarded_for:`,
    /// trimmed of spaces; nil when missing, not quoted, empty or `-`.
    func withForwardedFor<R>(_ body: (UnsafeBufferPointer<UInt8>?) -> R) -> R {
        let label = Label.forwardedFor
        guard let labelStart = firstIndex(of: label, from: 0) else { return body(nil) }
        let open = labelStart + label.text.utf8CodeUnitCount
        guard open < bytes.count, bytes[open] == UInt8(ascii: "\""), let value = quoted(openingAt: open) else {
            return body(nil)
        }
        return withText(of: value) { text in
            var start = 0
            var end = 0
            while end < text.count, text[end] != UInt8(ascii: ",") { end += 1 }
            while start < end, text[start] == UInt8(ascii: " ") { start += 1 }
            while end > start, text[end - 1] == UInt8(ascii: " ") { end -= 1 }
            return body(AccessLine.nonPlaceholder(UnsafeBufferPointer(rebasing: text[start..<end])))
        }
    }

    // MARK: - Rule 9: django warnings

    var containsDjangoWarning: Bool { firstIndex(of: .djangoWarning, from: 0) != nil }

    // MARK: - Helpers

    /// `-` and empty mean "no value" in gunicorn's format.
    static func nonPlaceholder(_ token: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8>? {
        if token.isEmpty || (token.count == 1 && token[0] == UInt8(ascii: "-")) { return nil }
        return token
    }

    /// Index of the first occurrence of `needle` at or after `from`. Candidates are found with
    /// memchr on the needle's rarest byte in a log line (an upper-case letter, else `_`, else
    /// `x`, else its first byte): "django.request:WARNING" is looked for in every line and
    /// almost never there, and a memchr for its "d" would stop at every "domain".
    func firstIndex(of label: Label, from: Int) -> Int? {
        let needleCount = label.text.utf8CodeUnitCount
        let needleBytes = label.text.utf8Start
        let anchor = label.anchor
        guard needleCount > 0, bytes.count >= needleCount, let base = bytes.baseAddress else { return nil }
        let last = bytes.count - needleCount  // the last index a match can start at
        var index = from
        while index <= last {
            guard let hit = ByteSearch.index(of: needleBytes[anchor], in: base, from: index + anchor, end: last + anchor + 1)
            else { return nil }
            let candidate = hit - anchor
            var offset = 0
            while offset < needleCount, base[candidate + offset] == needleBytes[offset] { offset += 1 }
            if offset == needleCount { return candidate }
            index = candidate + 1
        }
        return nil
    }

    /// A text the rules look for, with its anchor byte worked out once.
    struct Label: Sendable {
        let text: StaticString
        let anchor: Int

        init(_ text: StaticString) {
            self.text = text
            let bytes = UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount)
            anchor = bytes.firstIndex { $0 &- UInt8(ascii: "A") < 26 }
                ?? bytes.firstIndex(of: UInt8(ascii: "_"))
                ?? bytes.firstIndex(of: UInt8(ascii: "x"))
                ?? 0
        }

        static let user = Label("user:")
        static let orgID = Label("org_id:")
        static let forwardedFor = Label("x_forwarded_for:")
        static let djangoWarning = Label("django.request:WARNING")
    }
}
