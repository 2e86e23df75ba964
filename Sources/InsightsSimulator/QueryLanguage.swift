// The Logs Insights query subset the backfill client and the upstream exporters need, parsed
// into a pipeline:
//   fields a, b as c, coalesce(x, y, "lit") as d | filter <expr> | parse @message "glob" as x, y
//   | sort f asc|desc | limit N | stats count(*) [as name] [by bin(Nm)]
// where <expr> combines `f like "text"`, `f like /re/`, `f not like …`, `f =~ …`, comparisons
// (= != < <= > >=) of fields, strings, numbers and coalesce(…), `ispresent(f)`, and/or/not and
// parentheses. Field names may be dotted (`kubernetes.container_name`: discovered from a JSON
// `@message`, see QueryEngine). Anything else is a MalformedQueryException with the offending
// character offsets.

public struct QuerySyntaxError: Error, Sendable, Equatable {
    public let message: String
    public let start: Int
    public let end: Int
}

public indirect enum FilterExpression: Sendable {
    case and(FilterExpression, FilterExpression)
    case or(FilterExpression, FilterExpression)
    case not(FilterExpression)
    case like(Operand, LikePattern, negated: Bool)
    case compare(Operand, ComparisonOperator, Operand)
    /// `ispresent(field)`: the event has the field (a discovered JSON member, a parsed or
    /// computed field, or a system field).
    case isPresent(String)
}

public indirect enum Operand: Sendable, Equatable {
    case field(String)
    case string(String)
    case number(Double)
    /// `coalesce(a, b, …)`: the first argument that has a value; none → the field is absent.
    case coalesce([Operand])
}

/// One item of `fields`: the result field `name` (the alias after `as`, else the field name or,
/// for a function, the expression as written) holding `value`.
public struct FieldItem: Sendable, Equatable {
    public let name: String
    public let value: Operand

    /// A plain `fields x` (no alias, no function): nothing to compute, only selected.
    var isPlainSelection: Bool { value == .field(name) }
}

public enum LikePattern: Sendable {
    case substring(String)
    case regex(source: String, caseInsensitive: Bool)
}

public enum ComparisonOperator: String, Sendable {
    case equal = "=", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
}

public enum QueryCommand: Sendable {
    case fields([FieldItem])
    case filter(FilterExpression)
    case parse(field: String, glob: String, names: [String])
    case sort(field: String, ascending: Bool)
    case limit(Int)
    case statsCount(alias: String, binMs: Int64?, binLabel: String?)
}

public struct ParsedQuery: Sendable {
    public let commands: [QueryCommand]
}

struct QueryToken: Equatable {
    enum Kind: Equatable { case word, string, regex, number, symbol, backtick }
    let kind: Kind
    let text: String
    /// For regexes: trailing flags (only `i` is supported).
    var flags: String = ""
    let start: Int
    let end: Int
}

enum QueryLexer {
    static func tokenize(_ query: String) throws(QuerySyntaxError) -> [QueryToken] {
        let chars = Array(query.unicodeScalars)
        var tokens: [QueryToken] = []
        var i = 0
        func isWordStart(_ c: Unicode.Scalar) -> Bool { c.properties.isAlphabetic || c == "_" || c == "@" || c == "$" }
        func isWord(_ c: Unicode.Scalar) -> Bool { isWordStart(c) || ("0"..."9").contains(c) || c == "." || c == "-" }
        while i < chars.count {
            let c = chars[i]
            if c == " " || c == "\t" || c == "\n" || c == "\r" { i += 1; continue }
            let start = i
            if c == "\"" || c == "'" {
                var text = ""
                i += 1
                var closed = false
                while i < chars.count {
                    if chars[i] == "\\", i + 1 < chars.count { text.unicodeScalars.append(chars[i + 1]); i += 2; continue }
                    if chars[i] == c { closed = true; i += 1; break }
                    text.unicodeScalars.append(chars[i]); i += 1
                }
                guard closed else { throw QuerySyntaxError(message: "unterminated string", start: start, end: chars.count) }
                tokens.append(QueryToken(kind: .string, text: text, start: start, end: i))
            } else if c == "`" {
                var text = ""
                i += 1
                while i < chars.count, chars[i] != "`" { text.unicodeScalars.append(chars[i]); i += 1 }
                guard i < chars.count else { throw QuerySyntaxError(message: "unterminated `name`", start: start, end: i) }
                i += 1
                tokens.append(QueryToken(kind: .backtick, text: text, start: start, end: i))
            } else if c == "/" {
                // Regex literal: up to the next unescaped '/'; `\/` stands for '/'.
                var text = ""
                i += 1
                var closed = false
                while i < chars.count {
                    if chars[i] == "\\", i + 1 < chars.count {
                        if chars[i + 1] == "/" { text += "/" } else { text.unicodeScalars.append("\\"); text.unicodeScalars.append(chars[i + 1]) }
                        i += 2
                        continue
                    }
                    if chars[i] == "/" { closed = true; i += 1; break }
                    text.unicodeScalars.append(chars[i]); i += 1
                }
                guard closed else { throw QuerySyntaxError(message: "unterminated regular expression", start: start, end: chars.count) }
                var flags = ""
                while i < chars.count, chars[i] == "i" { flags += "i"; i += 1 }
                tokens.append(QueryToken(kind: .regex, text: text, flags: flags, start: start, end: i))
            } else if ("0"..."9").contains(c) || (c == "-" && i + 1 < chars.count && ("0"..."9").contains(chars[i + 1])) {
                var text = String(c)
                i += 1
                while i < chars.count, ("0"..."9").contains(chars[i]) || chars[i] == "." || chars[i].properties.isAlphabetic {
                    text.unicodeScalars.append(chars[i]); i += 1
                }
                tokens.append(QueryToken(kind: .number, text: text, start: start, end: i))
            } else if isWordStart(c) {
                var text = ""
                while i < chars.count, isWord(chars[i]) { text.unicodeScalars.append(chars[i]); i += 1 }
                tokens.append(QueryToken(kind: .word, text: text, start: start, end: i))
            } else {
                let two = i + 1 < chars.count ? String(c) + String(chars[i + 1]) : ""
                if ["!=", "<=", ">=", "==", "=~"].contains(two) {
                    tokens.append(QueryToken(kind: .symbol, text: two, start: start, end: i + 2)); i += 2
                } else if "|,()=<>*".unicodeScalars.contains(c) {
                    tokens.append(QueryToken(kind: .symbol, text: String(c), start: start, end: i + 1)); i += 1
                } else {
                    throw QuerySyntaxError(message: "unexpected character '\(c)'", start: start, end: start + 1)
                }
            }
        }
        return tokens
    }
}

public enum QueryParser {
    public static func parse(_ query: String) throws(QuerySyntaxError) -> ParsedQuery {
        var parser = Parser(tokens: try QueryLexer.tokenize(query), scalars: Array(query.unicodeScalars))
        return try parser.parseQuery()
    }

    struct Parser {
        let tokens: [QueryToken]
        let scalars: [Unicode.Scalar]
        var length: Int { scalars.count }
        var position = 0

        /// The functions a query may call, and where.
        static let valueFunctions: Set<String> = ["coalesce"]
        static let filterFunctions: Set<String> = ["ispresent"]

        var current: QueryToken? { position < tokens.count ? tokens[position] : nil }

        func fail(_ message: String) -> QuerySyntaxError {
            if let t = current { return QuerySyntaxError(message: message, start: t.start, end: t.end) }
            return QuerySyntaxError(message: message, start: length, end: length)
        }

        func isKeyword(_ word: String) -> Bool {
            guard let t = current, t.kind == .word else { return false }
            return t.text.lowercased() == word
        }

        func isSymbol(_ s: String) -> Bool { current?.kind == .symbol && current?.text == s }

        mutating func expectSymbol(_ s: String) throws(QuerySyntaxError) {
            guard isSymbol(s) else { throw fail("expected '\(s)'") }
            position += 1
        }

        mutating func expectKeyword(_ w: String) throws(QuerySyntaxError) {
            guard isKeyword(w) else { throw fail("expected '\(w)'") }
            position += 1
        }

        mutating func parseFieldName() throws(QuerySyntaxError) -> String {
            guard let t = current, t.kind == .word || t.kind == .backtick else { throw fail("expected a field name") }
            position += 1
            return t.text
        }

        /// Whether the current token is a word directly followed by `(` (a function call).
        var atFunctionCall: Bool {
            guard let t = current, t.kind == .word, position + 1 < tokens.count else { return false }
            let next = tokens[position + 1]
            return next.kind == .symbol && next.text == "("
        }

        /// `name`, `name as alias`, `coalesce(…)` or `coalesce(…) as alias`.
        mutating func parseFieldItem() throws(QuerySyntaxError) -> FieldItem {
            guard let first = current else { throw fail("expected a field name") }
            let value: Operand
            if atFunctionCall {
                value = try parseOperand()
            } else {
                value = .field(try parseFieldName())
            }
            let written: String
            if case let .field(name) = value {
                written = name
            } else {
                // Insights names an unaliased expression after its text.
                let last = tokens[position - 1]
                written = String(String.UnicodeScalarView(scalars[first.start..<last.end]))
            }
            if isKeyword("as") {
                position += 1
                return FieldItem(name: try parseFieldName(), value: value)
            }
            return FieldItem(name: written, value: value)
        }

        mutating func parseQuery() throws(QuerySyntaxError) -> ParsedQuery {
            var commands: [QueryCommand] = []
            if tokens.isEmpty { throw fail("empty query") }
            while true {
                commands.append(try parseCommand())
                if current == nil { break }
                try expectSymbol("|")
            }
            return ParsedQuery(commands: commands)
        }

        mutating func parseCommand() throws(QuerySyntaxError) -> QueryCommand {
            guard let t = current, t.kind == .word else { throw fail("expected a command") }
            position += 1
            switch t.text.lowercased() {
            case "fields", "display":
                var items = [try parseFieldItem()]
                while isSymbol(",") { position += 1; items.append(try parseFieldItem()) }
                return .fields(items)
            case "filter":
                return .filter(try parseOr())
            case "parse":
                let field = try parseFieldName()
                guard let g = current, g.kind == .string else { throw fail("parse supports a quoted glob pattern only") }
                position += 1
                try expectKeyword("as")
                var names = [try parseFieldName()]
                while isSymbol(",") { position += 1; names.append(try parseFieldName()) }
                let stars = g.text.filter { $0 == "*" }.count
                guard stars == names.count else {
                    throw QuerySyntaxError(message: "parse pattern has \(stars) '*' but \(names.count) names", start: g.start, end: g.end)
                }
                return .parse(field: field, glob: g.text, names: names)
            case "sort":
                let field = try parseFieldName()
                var ascending = false  // Insights sorts descending unless told otherwise.
                if isKeyword("asc") { ascending = true; position += 1 } else if isKeyword("desc") { position += 1 }
                return .sort(field: field, ascending: ascending)
            case "limit":
                guard let n = current, n.kind == .number, let value = Int(n.text), value > 0 else { throw fail("limit needs a positive integer") }
                guard value <= 10000 else {
                    throw QuerySyntaxError(message: "limit must be at most 10000", start: n.start, end: n.end)
                }
                position += 1
                return .limit(value)
            case "stats":
                return try parseStats()
            default:
                throw QuerySyntaxError(message: "unsupported command '\(t.text)'", start: t.start, end: t.end)
            }
        }

        mutating func parseStats() throws(QuerySyntaxError) -> QueryCommand {
            guard isKeyword("count") else { throw fail("only count(*) is supported in stats") }
            position += 1
            try expectSymbol("(")
            if isSymbol("*") { position += 1 }
            try expectSymbol(")")
            var alias = "count(*)"
            if isKeyword("as") { position += 1; alias = try parseFieldName() }
            guard isKeyword("by") else { return .statsCount(alias: alias, binMs: nil, binLabel: nil) }
            position += 1
            guard isKeyword("bin") else { throw fail("only 'by bin(...)' is supported") }
            position += 1
            try expectSymbol("(")
            guard let n = current, n.kind == .number else { throw fail("bin needs a period such as 5m") }
            let unitMs: [Character: Int64] = ["s": 1000, "m": 60000, "h": 3_600_000, "d": 86_400_000]
            guard let unit = n.text.last, let perUnit = unitMs[unit], let amount = Int64(n.text.dropLast()), amount > 0 else {
                throw QuerySyntaxError(message: "bad bin period '\(n.text)'", start: n.start, end: n.end)
            }
            position += 1
            try expectSymbol(")")
            var label = "bin(\(n.text))"
            if isKeyword("as") { position += 1; label = try parseFieldName() }
            return .statsCount(alias: alias, binMs: amount * perUnit, binLabel: label)
        }

        mutating func parseOr() throws(QuerySyntaxError) -> FilterExpression {
            var left = try parseAnd()
            while isKeyword("or") { position += 1; left = .or(left, try parseAnd()) }
            return left
        }

        mutating func parseAnd() throws(QuerySyntaxError) -> FilterExpression {
            var left = try parseNot()
            while isKeyword("and") { position += 1; left = .and(left, try parseNot()) }
            return left
        }

        mutating func parseNot() throws(QuerySyntaxError) -> FilterExpression {
            if isKeyword("not") { position += 1; return .not(try parseNot()) }
            if atFunctionCall, let t = current, Parser.filterFunctions.contains(t.text.lowercased()) {
                // ispresent(field): a boolean term of its own.
                position += 2
                let field = try parseFieldName()
                try expectSymbol(")")
                return .isPresent(field)
            }
            if isSymbol("(") {
                position += 1
                let inner = try parseOr()
                try expectSymbol(")")
                return inner
            }
            return try parseComparison()
        }

        mutating func parseOperand() throws(QuerySyntaxError) -> Operand {
            guard let t = current else { throw fail("expected a value") }
            if atFunctionCall {
                let name = t.text.lowercased()
                guard Parser.valueFunctions.contains(name) else {
                    let kind = Parser.filterFunctions.contains(name) ? "\(t.text)() is a condition, not a value here" : "unsupported function '\(t.text)'"
                    throw QuerySyntaxError(message: kind, start: t.start, end: t.end)
                }
                position += 2
                var arguments = [try parseOperand()]
                while isSymbol(",") { position += 1; arguments.append(try parseOperand()) }
                try expectSymbol(")")
                return .coalesce(arguments)
            }
            switch t.kind {
            case .word, .backtick: position += 1; return .field(t.text)
            case .string: position += 1; return .string(t.text)
            case .number:
                guard let v = Double(t.text) else { throw fail("bad number '\(t.text)'") }
                position += 1
                return .number(v)
            default: throw fail("expected a field, string or number")
            }
        }

        mutating func parseLikePattern() throws(QuerySyntaxError) -> LikePattern {
            guard let t = current else { throw fail("expected a pattern") }
            switch t.kind {
            case .string: position += 1; return .substring(t.text)
            case .regex: position += 1; return .regex(source: t.text, caseInsensitive: t.flags.contains("i"))
            default: throw fail("like needs a string or /regex/")
            }
        }

        mutating func parseComparison() throws(QuerySyntaxError) -> FilterExpression {
            let left = try parseOperand()
            if isKeyword("like") || isSymbol("=~") {
                position += 1
                return .like(left, try parseLikePattern(), negated: false)
            }
            if isKeyword("not") {
                position += 1
                try expectKeyword("like")
                return .like(left, try parseLikePattern(), negated: true)
            }
            guard let t = current, t.kind == .symbol else { throw fail("expected a comparison") }
            let op: ComparisonOperator
            switch t.text {
            case "=", "==": op = .equal
            case "!=": op = .notEqual
            case "<": op = .less
            case "<=": op = .lessOrEqual
            case ">": op = .greater
            case ">=": op = .greaterOrEqual
            default: throw fail("expected a comparison operator")
            }
            position += 1
            return .compare(left, op, try parseOperand())
        }
    }
}
