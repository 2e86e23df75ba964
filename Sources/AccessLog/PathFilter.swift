/// The `--filter-paths` / `--exclude-paths` rules of design.md §2 rule 9.
///
/// Both lists are *path-prefix* rules, tested against the request path (the target up to the
/// first `?` or `#`), never substring rules: `/status` excludes `/status` and `/status/x`
/// but keeps `/api/pypi/d/x/simple/statuspage/`.
public struct PathFilter: Sendable, Equatable {
    /// Keep only paths starting with one of these. An empty list keeps every path
    /// (rule 8 still demands a PyPI simple path).
    public var includePrefixes: [String]
    /// Skip paths starting with any of these.
    public var excludePrefixes: [String]

    /// The seed exporter's defaults: `--filter-paths /api/pypi/ --exclude-paths /livez,/status`.
    public static let seedDefault = PathFilter(
        includePrefixes: ["/api/pypi/"], excludePrefixes: ["/livez", "/status"])

    public init(includePrefixes: [String], excludePrefixes: [String]) {
        self.includePrefixes = includePrefixes
        self.excludePrefixes = excludePrefixes
    }

    /// Builds the filter from the CLI flags' comma lists. `nil` means "flag not given" and
    /// selects the seed default for that list; items are trimmed of spaces and empty items
    /// dropped (so `--filter-paths ""` means "no include restriction").
    public init(filterPaths: String?, excludePaths: String?) {
        self.init(
            includePrefixes: filterPaths.map(Self.commaList) ?? Self.seedDefault.includePrefixes,
            excludePrefixes: excludePaths.map(Self.commaList) ?? Self.seedDefault.excludePrefixes)
    }

    static func commaList(_ text: String) -> [String] {
        text.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingSpaces() }
            .filter { !$0.isEmpty }
    }

    /// Why a path is skipped by the filters, or `nil` when the filters keep it.
    /// The exclude list is checked first (so `/livez` reports `.excluded`), then the include list.
    func skipReason(forPath path: UnsafeBufferPointer<UInt8>) -> SkipReason? {
        if excludePrefixes.contains(where: { path.hasPrefix($0) }) {
            return .excluded
        }
        if !includePrefixes.isEmpty && !includePrefixes.contains(where: { path.hasPrefix($0) }) {
            return .notIncluded
        }
        return nil
    }
}

extension Substring {
    fileprivate func trimmingSpaces() -> String {
        var slice = self[...]
        while slice.first == " " { slice = slice.dropFirst() }
        while slice.last == " " { slice = slice.dropLast() }
        return String(slice)
    }
}

extension UnsafeBufferPointer<UInt8> {
    func hasPrefix(_ prefix: String) -> Bool {
        let utf8 = prefix.utf8
        guard utf8.count <= count else { return false }
        var index = 0
        for byte in utf8 {
            if self[index] != byte { return false }
            index += 1
        }
        return true
    }
}
