/// Just enough XML for AWS responses: the text of the first `<Tag>…</Tag>` (optionally inside
/// a given parent element), with the five predefined entities and numeric references decoded.
/// AWS response documents are flat and machine-generated, so no general parser is needed
/// (and FoundationXML is not always present on Linux).
enum TinyXML {
    /// Text of the first element named `tag`, searched within `parent`'s first element if given.
    static func text(of tag: String, in xml: String, within parent: String? = nil) -> String? {
        var scope = Substring(xml)
        if let parent {
            guard let inner = element(parent, in: scope) else { return nil }
            scope = inner
        }
        return element(tag, in: scope).map { decodeEntities(String($0)) }
    }

    /// Contents of every `<tag>…</tag>` in order (e.g. each `<member>`).
    static func all(_ tag: String, in xml: String) -> [String] {
        var results: [String] = []
        var rest = Substring(xml)
        while let range = elementRange(tag, in: rest) {
            results.append(String(rest[range.inner]))
            rest = rest[range.outerEnd...]
        }
        return results
    }

    private static func element(_ tag: String, in text: Substring) -> Substring? {
        elementRange(tag, in: text).map { text[$0.inner] }
    }

    private static func elementRange(_ tag: String, in text: Substring) -> (inner: Range<Substring.Index>, outerEnd: Substring.Index)? {
        var search = text.startIndex
        while let open = text[search...].range(of: "<\(tag)") {
            // The name must end here: `<Code>` or `<Code xmlns=…>`, not `<CodeX>`; `<Code/>` is empty.
            guard let close = text[open.upperBound...].firstIndex(of: ">") else { return nil }
            let between = text[open.upperBound..<close]
            if between.isEmpty || between.first == " " || between == "/" {
                if between.hasSuffix("/") {
                    let after = text.index(after: close)
                    return (after..<after, after)
                }
                let contentStart = text.index(after: close)
                guard let end = text[contentStart...].range(of: "</\(tag)>") else { return nil }
                return (contentStart..<end.lowerBound, end.upperBound)
            }
            search = open.upperBound
        }
        return nil
    }

    static func decodeEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var out = ""
        var rest = Substring(text)
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            guard let semi = rest[amp...].firstIndex(of: ";"), rest.distance(from: amp, to: semi) <= 10 else {
                out += "&"
                rest = rest[rest.index(after: amp)...]
                continue
            }
            let name = rest[rest.index(after: amp)..<semi]
            switch name {
            case "amp": out += "&"
            case "lt": out += "<"
            case "gt": out += ">"
            case "quot": out += "\""
            case "apos": out += "'"
            default:
                var scalar: UInt32?
                if name.hasPrefix("#x") { scalar = UInt32(name.dropFirst(2), radix: 16) }
                else if name.hasPrefix("#") { scalar = UInt32(name.dropFirst(), radix: 10) }
                if let scalar, let u = Unicode.Scalar(scalar) { out.unicodeScalars.append(u) }
                else { out += "&" + name + ";" }
            }
            rest = rest[rest.index(after: semi)...]
        }
        return out + rest
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
