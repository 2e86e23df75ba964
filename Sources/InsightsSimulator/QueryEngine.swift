import Foundation

// Runs a parsed query over the events of a time range and shapes the result as
// GetQueryResults returns it: rows of (field, value) with `@ptr` in each event row,
// capped at the row limit, plus the statistics Insights reports.

public struct QueryResult: Sendable {
    public var rows: [[(String, String)]]
    /// Events that passed every filter (before `limit` and the 10,000 cap).
    public var recordsMatched: Int
    public var recordsScanned: Int
    public var bytesScanned: Int
}

public enum QueryEngine {
    public static let maxRows = 10000
    static let defaultLimit = 1000

    /// Compiles regexes up front so bad patterns surface as MalformedQueryException at StartQuery.
    public static func validate(_ query: ParsedQuery) throws(QuerySyntaxError) {
        _ = try CompiledFilters(query)
    }

    /// - Parameters:
    ///   - startSeconds/endSeconds: the StartQuery range, both ends inclusive; the end second
    ///     is included up to its last millisecond.
    ///   - requestedLimit: the StartQuery `limit` parameter, used when the query has no `limit`.
    public static func run(_ query: ParsedQuery, source: EventSource, startSeconds: Int64, endSeconds: Int64,
                           requestedLimit: Int?) throws(QuerySyntaxError) -> QueryResult {
        let filters = try CompiledFilters(query)
        let events = source.events(from: startSeconds * 1000, to: (endSeconds + 1) * 1000)
        var bytes = 0
        var matched: [Record] = []
        // `fields` commands accumulate; without any, rows carry every field of the event.
        var fieldSelection: [String]? = nil
        for case let .fields(items) in query.commands {
            for item in items where !(fieldSelection ?? []).contains(item.name) { fieldSelection = (fieldSelection ?? []) + [item.name] }
        }
        for event in events {
            bytes += event.scannedBytes
            var record = Record(event: event)
            if filters.needsDiscoveredFields { record.discovered = DiscoveredFields.of(event.message) }
            var keep = true
            var regexIndex = 0
            var parseIndex = 0
            var fieldsIndex = 0
            for command in query.commands {
                switch command {
                case .fields:
                    // Aliases and functions become fields from here on (later commands see them).
                    for item in filters.computedFields[fieldsIndex] {
                        record.parsed[item.name] = filters.resolve(item.value, record)
                    }
                    fieldsIndex += 1
                case let .filter(expression):
                    if !filters.evaluate(expression, on: record, regexIndex: &regexIndex) { keep = false }
                case let .parse(field, _, names):
                    if let value = record.value(field), let groups = filters.parsers[parseIndex].match(value) {
                        for (name, v) in zip(names, groups) { record.parsed[name] = v }
                    }
                    parseIndex += 1
                default: break
                }
                if !keep { break }
            }
            if keep { matched.append(record) }
        }
        var limit = requestedLimit ?? defaultLimit
        var sortSpec: (String, Bool)? = nil
        var stats: (alias: String, binMs: Int64?, label: String?)? = nil
        for command in query.commands {
            switch command {
            case let .limit(n): limit = n
            case let .sort(field, ascending): sortSpec = (field, ascending)
            case let .statsCount(alias, binMs, label): stats = (alias, binMs, label)
            default: break
            }
        }
        limit = min(max(limit, 1), maxRows)
        var rows: [[(String, String)]]
        if let stats {
            rows = statsRows(matched, alias: stats.alias, binMs: stats.binMs, label: stats.label)
            if let (field, ascending) = sortSpec {
                rows = sortRows(rows, by: field, ascending: ascending)
            }
        } else {
            if let (field, ascending) = sortSpec {
                matched = sortRecords(matched, by: field, ascending: ascending)
            }
            rows = matched.prefix(limit).map { $0.row(selection: fieldSelection) }
        }
        if rows.count > limit { rows = Array(rows.prefix(limit)) }
        return QueryResult(rows: rows, recordsMatched: matched.count, recordsScanned: events.count, bytesScanned: bytes)
    }

    static func statsRows(_ records: [Record], alias: String, binMs: Int64?, label: String?) -> [[(String, String)]] {
        guard let binMs, let label else { return [[(alias, String(records.count))]] }
        var counts: [Int64: Int] = [:]
        for r in records { counts[floorDiv(r.event.timestampMs, binMs) * binMs, default: 0] += 1 }
        return counts.keys.sorted().map { [(label, InsightsTime.insightsString($0)), (alias, String(counts[$0]!))] }
    }

    static func sortRecords(_ records: [Record], by field: String, ascending: Bool) -> [Record] {
        let indexed = Array(records.enumerated())
        let sorted: [(offset: Int, element: Record)]
        if field == "@timestamp" {
            sorted = indexed.sorted { a, b in
                let (x, y) = (a.element.event.timestampMs, b.element.event.timestampMs)
                if x != y { return ascending ? x < y : x > y }
                return ascending ? a.offset < b.offset : a.offset > b.offset
            }
        } else {
            sorted = indexed.sorted { a, b in
                let c = compareValues(a.element.value(field), b.element.value(field))
                if c != 0 { return ascending ? c < 0 : c > 0 }
                return ascending ? a.offset < b.offset : a.offset > b.offset
            }
        }
        return sorted.map(\.element)
    }

    static func sortRows(_ rows: [[(String, String)]], by field: String, ascending: Bool) -> [[(String, String)]] {
        rows.enumerated().sorted { a, b in
            let c = compareValues(a.element.first { $0.0 == field }?.1, b.element.first { $0.0 == field }?.1)
            if c != 0 { return ascending ? c < 0 : c > 0 }
            return a.offset < b.offset
        }.map(\.element)
    }

    /// Numbers compare numerically, everything else as strings; a missing value sorts first.
    static func compareValues(_ a: String?, _ b: String?) -> Int {
        switch (a, b) {
        case (nil, nil): return 0
        case (nil, _): return -1
        case (_, nil): return 1
        case let (x?, y?):
            if let dx = Double(x), let dy = Double(y) { return dx < dy ? -1 : (dx > dy ? 1 : 0) }
            return x < y ? -1 : (x > y ? 1 : 0)
        }
    }
}

struct Record {
    let event: LogEvent
    /// Fields made by `parse` and by `fields … as` / functions, by name.
    var parsed: [String: String] = [:]
    /// The fields discovered from a JSON `@message` (set only when the query names one).
    var discovered: [String: String]? = nil

    /// Names that are always there and never come from the event's JSON.
    static let systemFields: Set<String> = ["@timestamp", "@message", "@ptr", "@logStream"]

    func value(_ field: String) -> String? {
        if let v = parsed[field] { return v }
        switch field {
        case "@timestamp": return InsightsTime.insightsString(event.timestampMs)
        case "@message": return event.message
        case "@ptr": return event.ptr
        case "@logStream": return event.logStream
        default:
            if let v = event.extraFields.first(where: { $0.0 == field })?.1 { return v }
            return discovered?[field]
        }
    }

    /// The row as GetQueryResults returns it; fields without a value are omitted, `@ptr` always present.
    func row(selection: [String]?) -> [(String, String)] {
        guard let selection else {
            var all = event.fields
            if !parsed.isEmpty {
                all.insert(contentsOf: parsed.keys.sorted().map { ($0, parsed[$0]!) }, at: all.count - 1)
            }
            return all
        }
        var out: [(String, String)] = []
        for name in selection { if let v = value(name) { out.append((name, v)) } }
        if !selection.contains("@ptr") { out.append(("@ptr", event.ptr)) }
        return out
    }
}

/// Regexes and parse patterns compiled once per query, in command order.
struct CompiledFilters {
    var regexes: [LikeMatcher] = []
    var parsers: [GlobParser] = []
    /// Whether the query names a field that only a JSON `@message` can supply (then each event's
    /// JSON is flattened; queries over system and parsed fields never pay for it).
    var needsDiscoveredFields = false
    /// Per `fields` command, in order: its items that compute a value (aliases, functions).
    var computedFields: [[FieldItem]] = []

    init(_ query: ParsedQuery) throws(QuerySyntaxError) {
        var referenced: [String] = []
        var defined: Set<String> = []
        for command in query.commands {
            switch command {
            case let .filter(expression): try collect(expression, referenced: &referenced)
            case let .parse(field, glob, names):
                parsers.append(try GlobParser(glob))
                referenced.append(field)
                defined.formUnion(names)
            case let .fields(items):
                computedFields.append(items.filter { !$0.isPlainSelection })
                for item in items {
                    CompiledFilters.fieldNames(in: item.value, into: &referenced)
                    if !item.isPlainSelection { defined.insert(item.name) }
                }
            case let .sort(field, _): referenced.append(field)
            default: break
            }
        }
        needsDiscoveredFields = referenced.contains { !Record.systemFields.contains($0) && !defined.contains($0) }
    }

    private static func fieldNames(in operand: Operand, into names: inout [String]) {
        switch operand {
        case let .field(name): names.append(name)
        case let .coalesce(arguments): for a in arguments { fieldNames(in: a, into: &names) }
        case .string, .number: break
        }
    }

    private mutating func collect(_ e: FilterExpression, referenced: inout [String]) throws(QuerySyntaxError) {
        switch e {
        case let .and(a, b), let .or(a, b): try collect(a, referenced: &referenced); try collect(b, referenced: &referenced)
        case let .not(a): try collect(a, referenced: &referenced)
        case let .like(operand, pattern, _):
            regexes.append(try LikeMatcher(pattern))
            CompiledFilters.fieldNames(in: operand, into: &referenced)
        case let .compare(left, _, right):
            CompiledFilters.fieldNames(in: left, into: &referenced)
            CompiledFilters.fieldNames(in: right, into: &referenced)
        case let .isPresent(field): referenced.append(field)
        }
    }

    /// `regexIndex` walks the like-patterns in the same depth-first order `collect` stored them.
    func evaluate(_ e: FilterExpression, on record: Record, regexIndex: inout Int) -> Bool {
        switch e {
        case let .and(a, b):
            let left = evaluate(a, on: record, regexIndex: &regexIndex)
            let right = evaluate(b, on: record, regexIndex: &regexIndex)
            return left && right
        case let .or(a, b):
            let left = evaluate(a, on: record, regexIndex: &regexIndex)
            let right = evaluate(b, on: record, regexIndex: &regexIndex)
            return left || right
        case let .not(a): return !evaluate(a, on: record, regexIndex: &regexIndex)
        case let .like(operand, _, negated):
            let matcher = regexes[regexIndex]
            regexIndex += 1
            guard let value = resolve(operand, record) else { return negated }
            return matcher.matches(value) != negated
        case let .isPresent(field):
            return record.value(field) != nil
        case let .compare(left, op, right):
            guard let l = resolve(left, record), let r = resolve(right, record) else { return false }
            let c = QueryEngine.compareValues(l, r)
            switch op {
            case .equal: return c == 0
            case .notEqual: return c != 0
            case .less: return c < 0
            case .lessOrEqual: return c <= 0
            case .greater: return c > 0
            case .greaterOrEqual: return c >= 0
            }
        }
    }

    func resolve(_ operand: Operand, _ record: Record) -> String? {
        switch operand {
        case let .field(name): return record.value(name)
        case let .string(s): return s
        case let .number(n): return n.rounded() == n ? String(Int64(n)) : String(n)
        case let .coalesce(arguments):
            for a in arguments { if let v = resolve(a, record) { return v } }
            return nil
        }
    }
}

/// `like "text"` is a substring test; `like /re/` a regex search. Regexes that are plain
/// literals (the common `/\/api\/pypi\//`) take the substring fast path.
struct LikeMatcher {
    private let literal: String?
    private let regex: NSRegularExpression?

    init(_ pattern: LikePattern) throws(QuerySyntaxError) {
        switch pattern {
        case let .substring(s):
            literal = s
            regex = nil
        case let .regex(source, caseInsensitive):
            if !caseInsensitive, let plain = LikeMatcher.plainLiteral(source) {
                literal = plain
                regex = nil
            } else {
                literal = nil
                do {
                    regex = try NSRegularExpression(pattern: source, options: caseInsensitive ? [.caseInsensitive] : [])
                } catch {
                    throw QuerySyntaxError(message: "invalid regular expression /\(source)/", start: 0, end: 0)
                }
            }
        }
    }

    /// The text a regex matches if it has no metacharacters (escapes of punctuation allowed).
    static func plainLiteral(_ source: String) -> String? {
        var out = ""
        var escaped = false
        for c in source {
            if escaped {
                guard !c.isLetter, !c.isNumber else { return nil }
                out.append(c)
                escaped = false
            } else if c == "\\" {
                escaped = true
            } else if "^$.|?*+()[]{}".contains(c) {
                return nil
            } else {
                out.append(c)
            }
        }
        return escaped ? nil : out
    }

    func matches(_ value: String) -> Bool {
        if let literal { return literal.isEmpty || value.contains(literal) }
        guard let regex else { return false }
        return regex.firstMatch(in: value, range: NSRange(value.startIndex..., in: value)) != nil
    }
}

/// `parse field "a * b *"`: literals between stars must appear in order; each star captures
/// (lazily, the last one greedily) the text between them.
struct GlobParser {
    private let regex: NSRegularExpression

    init(_ glob: String) throws(QuerySyntaxError) {
        let parts = glob.split(separator: "*", omittingEmptySubsequences: false)
        var pattern = ""
        for (i, part) in parts.enumerated() {
            pattern += NSRegularExpression.escapedPattern(for: String(part))
            if i < parts.count - 1 { pattern += i == parts.count - 2 && parts.last!.isEmpty ? "(.*)" : "(.*?)" }
        }
        do { regex = try NSRegularExpression(pattern: pattern, options: [.dotMatchesLineSeparators]) } catch {
            throw QuerySyntaxError(message: "invalid parse pattern", start: 0, end: 0)
        }
    }

    func match(_ value: String) -> [String]? {
        guard let m = regex.firstMatch(in: value, range: NSRange(value.startIndex..., in: value)) else { return nil }
        return (1..<m.numberOfRanges).map { i in
            guard let r = Range(m.range(at: i), in: value) else { return "" }
            return String(value[r])
        }
    }
}
