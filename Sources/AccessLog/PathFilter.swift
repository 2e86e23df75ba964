#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The `--filter-paths` / `--exclude-paths` rules (docs/row-rules.md rule 9).
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
/// bytes instead of walking `String.utf8` views. The bytes live in one raw allocation and the
/// matcher is a class: the parser is captured by closures for every row, and the check then
/// costs no reference counting beyond the one reference.
final class PathPrefixMatcher: @unchecked Sendable {  // immutable after init
    let filter: PathFilter
    /// Every prefix back to back: the exclude prefixes, then the include prefixes.
    private let bytes: UnsafeMutableBufferPointer<UInt8>
    private let prefixes: UnsafeMutableBufferPointer<Range<Int>>
    private let excludeCount: Int

    init(_ filter: PathFilter) {
        self.filter = filter
        let all = (filter.excludePrefixes + filter.includePrefixes).map { Array($0.utf8) }
        bytes = .allocate(capacity: max(1, all.reduce(0) { $0 + $1.count }))
        prefixes = .allocate(capacity: max(1, all.count))
        var offset = 0
        for (index, prefix) in all.enumerated() {
            _ = UnsafeMutableBufferPointer(rebasing: bytes[offset...]).initialize(from: prefix)
            (prefixes.baseAddress! + index).initialize(to: offset..<(offset + prefix.count))
            offset += prefix.count
        }
        excludeCount = filter.excludePrefixes.count
    }

    deinit {
        bytes.deallocate()
        prefixes.deallocate()
    }

    private var includeCount: Int { filter.includePrefixes.count }

    /// Why a path is skipped by the filters, or `nil` when the filters keep it. The exclude
    /// list is checked first (so `/livez` reports `.excluded`), then the include list.
    func skipReason(forPath path: UnsafeBufferPointer<UInt8>) -> SkipReason? {
        for index in 0..<excludeCount where hasPrefix(path, index) { return .excluded }
        let total = excludeCount + includeCount
        if total == excludeCount { return nil }
        for index in excludeCount..<total where hasPrefix(path, index) { return nil }
        return .notIncluded
    }

    private func hasPrefix(_ path: UnsafeBufferPointer<UInt8>, _ index: Int) -> Bool {
        let prefix = prefixes[index]
        guard prefix.count <= path.count else { return false }
        for offset in 0..<prefix.count where path[offset] != bytes[prefix.lowerBound + offset] { return false }
        return true
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
