// The fields Logs Insights discovers in a JSON log event: when `@message` is a JSON object,
// each member becomes a field a query can filter on and return. Nested objects are flattened
// with dots (`kubernetes.container_name`), array elements get their index (`items.0`).
// Strings are the decoded text, numbers their shortest text (integers without a fraction),
// booleans `true`/`false`; `null` is no value (the field is not present). Like Insights, at
// most `limit` fields are taken from one event, in document order.

enum DiscoveredFields {
    static let limit = 200

    /// The discovered fields of `message` (empty unless it is a JSON object).
    static func of(_ message: String) -> [String: String] {
        // Cheap pre-check: only a message whose first non-blank character is `{` can qualify.
        var utf8 = message.utf8.makeIterator()
        var first: UInt8? = nil
        while let b = utf8.next() {
            if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D { continue }
            first = b
            break
        }
        guard first == UInt8(ascii: "{"), let value = try? JSONParser.parse(message), case let .object(members) = value else { return [:] }
        var out: [String: String] = [:]
        var count = 0
        for (key, member) in members { flatten(member, name: key, into: &out, count: &count) }
        return out
    }

    private static func flatten(_ value: JSONValue, name: String, into out: inout [String: String], count: inout Int) {
        guard count < limit else { return }
        switch value {
        case .null: return
        case let .string(s): out[name] = s; count += 1
        case let .bool(b): out[name] = b ? "true" : "false"; count += 1
        case let .number(n): out[name] = text(of: n); count += 1
        case let .array(items):
            for (i, item) in items.enumerated() { flatten(item, name: name + "." + String(i), into: &out, count: &count) }
        case let .object(members):
            for (key, member) in members { flatten(member, name: name + "." + key, into: &out, count: &count) }
        }
    }

    static func text(of n: Double) -> String {
        if n.rounded() == n, abs(n) < 1e15 { return String(Int64(n)) }
        return String(n)
    }
}
