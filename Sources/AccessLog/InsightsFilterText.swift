/// Logs Insights filter expressions that a dataset's server-side filter is built from. A
/// filter must be a superset of the dataset's rules, because a row the server drops is lost
/// for good. A path appears inside `@message`, but possibly JSON-escaped when the access line
/// is wrapped in a logging document (`/` may be written `\/`). So each prefix becomes a regex
/// in which every `/` may be preceded by a backslash, and prefixes with characters JSON might
/// escape otherwise (quotes, backslashes, control or non-ASCII characters) give no filter.
public enum InsightsFilterText {
    /// `@message like /…/ or …` for paths starting with any of `prefixes`, or nil when no safe
    /// superset filter exists.
    public static func anyPrefix(_ prefixes: [String]) -> String? {
        guard !prefixes.isEmpty else { return nil }
        var regexes: [String] = []
        for prefix in prefixes {
            guard let regex = slashTolerantRegex(prefix) else { return nil }
            regexes.append("@message like /\(regex)/")
        }
        return regexes.joined(separator: " or ")
    }

    /// A regex matching `text` literally, with `\` optional before each `/`; nil if the text
    /// holds a character that JSON could escape in another way.
    public static func slashTolerantRegex(_ text: String) -> String? {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "/": out += #"\\?\/"#
            case "a"..."z", "A"..."Z", "0"..."9", "-", "_", "~", ":", "@", "=", ",", ";", "!", "&", "'":
                out.unicodeScalars.append(scalar)
            case ".", "+", "*", "?", "(", ")", "[", "]", "{", "}", "|", "^", "$", "%":
                out += "\\" + String(scalar)
            default:
                return nil  // quotes, backslashes, spaces, control and non-ASCII characters
            }
        }
        return out
    }
}
