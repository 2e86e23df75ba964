/// Rule 8: a request path of the form `^/api/pypi/([^/]+)/(.+?)/simple/([^/]+)/?$`.
///
/// Matched without a regex engine but with the regex's exact meaning: the package is the last
/// path segment (one trailing `/` allowed), the segment before it must be `simple`, the domain
/// is the first segment after `/api/pypi/`, and the distribution is everything in between
/// (non-empty, may contain `/`, even `/simple/`: for `/api/pypi/d/a/simple/b/simple/p/` the
/// lazy `.+?` cannot stop at the first `/simple/` because `b/simple/p/` is not `[^/]+/?`, so the
/// distribution is `a/simple/b`). As with the regex's `.`, the distribution holds no `\n`.
/// The package is kept raw (percent-escapes are not decoded).
/// The parts are byte ranges of the path they were matched in.
struct PyPISimplePath {
    var domain: UnsafeBufferPointer<UInt8>
    var distribution: UnsafeBufferPointer<UInt8>
    var package: UnsafeBufferPointer<UInt8>

    init?(_ path: UnsafeBufferPointer<UInt8>) {
        let prefix: StaticString = "/api/pypi/"
        guard path.hasPrefix(prefix) else { return nil }
        let count = path.count

        // Domain: [^/]+ followed by "/".
        let domainStart = prefix.utf8CodeUnitCount
        var domainEnd = domainStart
        while domainEnd < count, path[domainEnd] != UInt8(ascii: "/") { domainEnd += 1 }
        guard domainEnd > domainStart, domainEnd < count else { return nil }

        // Package: [^/]+ then an optional "/" at the very end.
        var packageEnd = count
        if packageEnd > 0, path[packageEnd - 1] == UInt8(ascii: "/") { packageEnd -= 1 }
        var packageStart = packageEnd
        while packageStart > 0, path[packageStart - 1] != UInt8(ascii: "/") { packageStart -= 1 }
        guard packageStart < packageEnd else { return nil }

        // "/simple/" right before the package, and a non-empty distribution before that.
        let simple: StaticString = "/simple/"
        let simpleStart = packageStart - simple.utf8CodeUnitCount
        let distributionStart = domainEnd + 1
        guard simpleStart > distributionStart,
            UnsafeBufferPointer(rebasing: path[simpleStart..<packageStart]).hasPrefix(simple)
        else { return nil }
        let distribution = UnsafeBufferPointer(rebasing: path[distributionStart..<simpleStart])
        guard !distribution.contains(0x0A) else { return nil }

        self.domain = UnsafeBufferPointer(rebasing: path[domainStart..<domainEnd])
        self.distribution = distribution
        self.package = UnsafeBufferPointer(rebasing: path[packageStart..<packageEnd])
    }
}

extension UnsafeBufferPointer<UInt8> {
    func hasPrefix(_ prefix: StaticString) -> Bool {
        let length = prefix.utf8CodeUnitCount
        guard count >= length else { return false }
        let expected = prefix.utf8Start
        for offset in 0..<length where self[offset] != expected[offset] { return false }
        return true
    }
}
