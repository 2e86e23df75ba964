#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
}

/// `PathFilter` with its prefixes turned into UTF-8 bytes once, so the per-row check compares
/// bytes instead of walking `String.utf8` views. A class: the parser is copied into closures
/// for every row, and one reference is cheaper to retain than four arrays.
final class PathPrefixMatcher: Sendable {
    let filter: PathFilter
    private let include: [[UInt8]]
    private let exclude: [[UInt8]]

    init(_ filter: PathFilter) {
        self.filter = filter
        include = filter.includePrefixes.map { Array($0.utf8) }
        exclude = filter.excludePrefixes.map { Array($0.utf8) }
    }

    /// Why a path is skipped by the filters, or `nil` when the filters keep it. The exclude
    /// list is checked first (so `/livez` reports `.excluded`), then the include list.
    func skipReason(forPath path: UnsafeBufferPointer<UInt8>) -> SkipReason? {
        for prefix in exclude where Self.path(path, hasPrefix: prefix) { return .excluded }
        if include.isEmpty { return nil }
        for prefix in include where Self.path(path, hasPrefix: prefix) { return nil }
        return .notIncluded
    }

    private static func path(_ path: UnsafeBufferPointer<UInt8>, hasPrefix prefix: [UInt8]) -> Bool {
        guard prefix.count <= path.count else { return false }
        return prefix.withUnsafeBufferPointer { prefixBytes in
            guard let pathBase = path.baseAddress, let prefixBase = prefixBytes.baseAddress else { return true }
            return memcmp(pathBase, prefixBase, prefix.count) == 0
        }
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
