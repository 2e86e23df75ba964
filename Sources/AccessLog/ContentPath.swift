/// The path rule of the content datasets: `/api/pulp-content/<domain>/<distribution…>/<file>`.
///
/// The part after the prefix is split on `/` (empty segments count): the first segment is the
/// domain, the last the file name, the ones between the distribution segments. A trailing
/// `Packages/<one ASCII letter or digit>` pair, or else a trailing `repodata` segment, is
/// dropped once; at least one distribution segment must remain. Every part is a slice of the
/// path: the remaining segments joined by `/` are the path bytes between them.
struct ContentPath {
    var domain: UnsafeBufferPointer<UInt8>
    /// The remaining distribution segments joined by `/`.
    var distribution: UnsafeBufferPointer<UInt8>
    /// How many segments `distribution` holds (at least 1).
    var distributionSegments: Int
    var fileName: UnsafeBufferPointer<UInt8>

    /// nil when the path breaks the rule (skip reason `path`).
    init?(_ path: UnsafeBufferPointer<UInt8>) {
        let prefix: StaticString = "/api/pulp-content/"
        guard path.hasPrefix(prefix) else { return nil }
        let slash = UInt8(ascii: "/")
        let domainStart = prefix.utf8CodeUnitCount
        var domainEnd = domainStart
        while domainEnd < path.count, path[domainEnd] != slash { domainEnd += 1 }
        var lastSlash = path.count - 1
        while lastSlash > domainEnd, path[lastSlash] != slash { lastSlash -= 1 }
        // Fewer than three segments: no distribution between domain and file.
        guard domainEnd < path.count, lastSlash > domainEnd else { return nil }

        let start = domainEnd + 1
        var end = lastSlash  // the distribution segments are path[start..<end]
        /// Start of the segment that ends at `segmentEnd`.
        func segmentStart(endingAt segmentEnd: Int) -> Int {
            var index = segmentEnd
            while index > start, path[index - 1] != slash { index -= 1 }
            return index
        }
        let lastStart = segmentStart(endingAt: end)
        // `empty` marks that the drop left no segment at all (an empty range is one empty segment).
        var empty = false
        if end - lastStart == 1, Self.isASCIIAlphanumeric(path[lastStart]), lastStart > start,
            UnsafeBufferPointer(rebasing: path[segmentStart(endingAt: lastStart - 1)..<(lastStart - 1)]).equals("Packages")
        {
            let pairStart = segmentStart(endingAt: lastStart - 1)
            if pairStart == start { empty = true } else { end = pairStart - 1 }
        } else if UnsafeBufferPointer(rebasing: path[lastStart..<end]).equals("repodata") {
            if lastStart == start { empty = true } else { end = lastStart - 1 }
        }
        guard !empty else { return nil }

        var segments = 1
        for index in start..<end where path[index] == slash { segments += 1 }
        self.domain = UnsafeBufferPointer(rebasing: path[domainStart..<domainEnd])
        self.distribution = UnsafeBufferPointer(rebasing: path[start..<end])
        self.distributionSegments = segments
        self.fileName = UnsafeBufferPointer(rebasing: path[(lastSlash + 1)...])
    }

    private static func isASCIIAlphanumeric(_ byte: UInt8) -> Bool {
        byte &- UInt8(ascii: "0") < 10 || (byte | 0x20) &- UInt8(ascii: "a") < 26
    }
}

extension ContentRowRules.Kind {
    /// The dataset a file name belongs to by its suffix (case-sensitive), or nil for none:
    /// `.whl`/`.whl.metadata` python, `.rpm` rpm, `.jar`/`.pom` maven (so `.jar.sha1` is none).
    init?(fileName: UnsafeBufferPointer<UInt8>) {
        if fileName.hasSuffix(".whl") || fileName.hasSuffix(".whl.metadata") {
            self = .python
        } else if fileName.hasSuffix(".rpm") {
            self = .rpm
        } else if fileName.hasSuffix(".jar") || fileName.hasSuffix(".pom") {
            self = .maven
        } else {
            return nil
        }
    }
}

/// A wheel file name (`.metadata` already allowed for), per the pip wheel-name pattern
///
///     (?P<name>[^\s-]+?)-(?P<ver>[^\s-]*?)(-(?P<build>\d[^-]*?))?-(?P<pyver>[^\s-]+?)-(?P<abi>[^\s-]+?)-(?P<plat>[^\s-]+?)\.whl
///
/// matched in full. No group can hold a `-`, so the name before `.whl` must split on `-` into
/// exactly five parts (no build tag) or six (with one), and the lazy/greedy choices never
/// matter: name, pyver, abi and platform are non-empty without `\s`, the version may be empty
/// (no `\s`), the build tag starts with a `\d` (any Unicode decimal digit) and may hold `\s`.
struct WheelName {
    var name: UnsafeBufferPointer<UInt8>
    var version: UnsafeBufferPointer<UInt8>
    var build: UnsafeBufferPointer<UInt8>?
    var pyver: UnsafeBufferPointer<UInt8>
    var abi: UnsafeBufferPointer<UInt8>
    var platform: UnsafeBufferPointer<UInt8>

    init?(_ fileName: UnsafeBufferPointer<UInt8>) {
        var end = fileName.count
        if fileName.hasSuffix(".metadata") { end -= 9 }
        guard UnsafeBufferPointer(rebasing: fileName[..<end]).hasSuffix(".whl") else { return nil }
        end -= 4
        // The dashes' positions: four (no build tag) or five (with one); more is no wheel name.
        var dash = (0, 0, 0, 0, 0)
        var dashes = 0
        for index in 0..<end where fileName[index] == UInt8(ascii: "-") {
            switch dashes {
            case 0: dash.0 = index
            case 1: dash.1 = index
            case 2: dash.2 = index
            case 3: dash.3 = index
            case 4: dash.4 = index
            default: return nil
            }
            dashes += 1
        }
        guard dashes >= 4 else { return nil }
        func part(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: fileName[range]) }
        func plain(_ range: Range<Int>, mayBeEmpty: Bool = false) -> Bool {
            (mayBeEmpty || !range.isEmpty) && !PythonRegexText.containsWhitespace(fileName, range)
        }
        // name-ver[-build]-pyver-abi-plat: the last three parts follow the last three dashes.
        let (pyverDash, abiDash, platformDash) = dashes == 5 ? (dash.2, dash.3, dash.4) : (dash.1, dash.2, dash.3)
        let nameRange = 0..<dash.0
        let versionRange = (dash.0 + 1)..<dash.1
        let pyverRange = (pyverDash + 1)..<abiDash
        let abiRange = (abiDash + 1)..<platformDash
        let platformRange = (platformDash + 1)..<end
        guard plain(nameRange), plain(versionRange, mayBeEmpty: true), plain(pyverRange), plain(abiRange), plain(platformRange)
        else { return nil }
        if dashes == 5 {
            let buildRange = (dash.1 + 1)..<dash.2
            guard !buildRange.isEmpty, PythonRegexText.isDecimalDigit(fileName, at: buildRange.lowerBound) else { return nil }
            build = part(buildRange)
        } else {
            build = nil
        }
        name = part(nameRange)
        version = part(versionRange)
        pyver = part(pyverRange)
        abi = part(abiRange)
        platform = part(platformRange)
    }
}

/// An RPM file name, `NAME-[EPOCH:]VERSION-RELEASE.ARCH.rpm`, read from the right: the
/// architecture after the last `.`; in what precedes it, the release after the last `-`, the
/// version after the `-` before that, the name all before. A version `E:V` carries the epoch
/// (the digits before the first `:`, which must fit int32); otherwise the epoch is 0.
struct RPMName {
    var name: UnsafeBufferPointer<UInt8>
    var epoch: Int32
    var version: UnsafeBufferPointer<UInt8>
    var release: UnsafeBufferPointer<UInt8>
    var architecture: UnsafeBufferPointer<UInt8>

    /// nil (skip reason `file-name`) without a `.`, or when the part before the last `.` has
    /// fewer than two `-`, or for an epoch that is not digits fitting int32.
    init?(_ fileName: UnsafeBufferPointer<UInt8>) {
        guard fileName.hasSuffix(".rpm") else { return nil }
        let end = fileName.count - 4
        var dot = end - 1
        while dot >= 0, fileName[dot] != UInt8(ascii: ".") { dot -= 1 }
        guard dot >= 0 else { return nil }
        var releaseDash = dot - 1
        while releaseDash >= 0, fileName[releaseDash] != UInt8(ascii: "-") { releaseDash -= 1 }
        guard releaseDash >= 0 else { return nil }
        var versionDash = releaseDash - 1
        while versionDash >= 0, fileName[versionDash] != UInt8(ascii: "-") { versionDash -= 1 }
        guard versionDash >= 0 else { return nil }

        var versionStart = versionDash + 1
        var colon = versionStart
        while colon < releaseDash, fileName[colon] != UInt8(ascii: ":") { colon += 1 }
        if colon < releaseDash {
            guard let value = ContentNumbers.digits(UnsafeBufferPointer(rebasing: fileName[versionStart..<colon]), max: Int64(Int32.max))
            else { return nil }
            epoch = Int32(value)
            versionStart = colon + 1
        } else {
            epoch = 0
        }
        name = UnsafeBufferPointer(rebasing: fileName[..<versionDash])
        version = UnsafeBufferPointer(rebasing: fileName[versionStart..<releaseDash])
        release = UnsafeBufferPointer(rebasing: fileName[(releaseDash + 1)..<dot])
        architecture = UnsafeBufferPointer(rebasing: fileName[(dot + 1)..<end])
    }
}

/// A Maven artifact: distribution segments `repo/group…/artifact/version` (at least four) and a
/// file name `artifact-version.PACKAGING` or `artifact-version-CLASSIFIER.PACKAGING`, where
/// PACKAGING is what follows the file name's last `.` (so in the first form the rest after
/// `artifact-version` is one `.` and a part without `.`). CLASSIFIER may be empty.
struct MavenName {
    var repository: UnsafeBufferPointer<UInt8>
    /// The group segments, still joined by `/` (the column joins them by `.`).
    var groupPath: UnsafeBufferPointer<UInt8>
    var artifact: UnsafeBufferPointer<UInt8>
    var version: UnsafeBufferPointer<UInt8>
    var classifier: UnsafeBufferPointer<UInt8>?
    var packaging: UnsafeBufferPointer<UInt8>

    enum Problem: Error { case path, fileName }

    init(path: ContentPath) throws(Problem) {
        guard path.distributionSegments >= 4 else { throw .path }
        let segments = path.distribution
        let slash = UInt8(ascii: "/")
        var repositoryEnd = 0
        while segments[repositoryEnd] != slash { repositoryEnd += 1 }
        var versionStart = segments.count
        while segments[versionStart - 1] != slash { versionStart -= 1 }
        var artifactStart = versionStart - 1
        while segments[artifactStart - 1] != slash { artifactStart -= 1 }
        repository = UnsafeBufferPointer(rebasing: segments[..<repositoryEnd])
        groupPath = UnsafeBufferPointer(rebasing: segments[(repositoryEnd + 1)..<(artifactStart - 1)])
        artifact = UnsafeBufferPointer(rebasing: segments[artifactStart..<(versionStart - 1)])
        version = UnsafeBufferPointer(rebasing: segments[versionStart...])

        // The file name: "artifact-version", then ".P" or "-C.P".
        let file = path.fileName
        let stem = artifact.count + 1 + version.count
        guard file.count > stem, UnsafeBufferPointer(rebasing: file[..<artifact.count]).equals(artifact),
            file[artifact.count] == UInt8(ascii: "-"),
            UnsafeBufferPointer(rebasing: file[(artifact.count + 1)..<stem]).equals(version)
        else { throw .fileName }
        var lastDot = file.count - 1
        while lastDot >= stem, file[lastDot] != UInt8(ascii: ".") { lastDot -= 1 }
        guard lastDot >= stem else { throw .fileName }
        packaging = UnsafeBufferPointer(rebasing: file[(lastDot + 1)...])
        switch file[stem] {
        case UInt8(ascii: "."):
            guard lastDot == stem else { throw .fileName }
            classifier = nil
        case UInt8(ascii: "-"):
            classifier = UnsafeBufferPointer(rebasing: file[(stem + 1)..<lastDot])
        default:
            throw .fileName
        }
    }
}

/// The numeric fields of the content rules.
enum ContentNumbers {
    /// `^[0-9]+$` (ASCII digits only, leading zeros allowed) with a value ≤ `max`, else nil.
    static func digits(_ text: UnsafeBufferPointer<UInt8>, max: Int64) -> Int64? {
        guard !text.isEmpty else { return nil }
        var value: Int64 = 0
        for byte in text {
            let digit = byte &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            let (times10, overflow) = value.multipliedReportingOverflow(by: 10)
            guard !overflow else { return nil }
            let (sum, overflowAdd) = times10.addingReportingOverflow(Int64(digit))
            guard !overflowAdd else { return nil }
            value = sum
        }
        return value <= max ? value : nil
    }

    /// The status token as a status code: `^[0-9]+$` in 100…599, else nil.
    static func statusCode(_ text: UnsafeBufferPointer<UInt8>) -> Int16? {
        guard let value = digits(text, max: Int64.max), (100...599).contains(value) else { return nil }
        return Int16(value)
    }

    /// `request_time` seconds as whole milliseconds, as Python computes
    /// `round(float(v) * 1000)`: the decimal read as the nearest double, multiplied by 1000.0 in
    /// double arithmetic, rounded half to even. Only for `^[0-9]+(\.[0-9]*)?$`; nil otherwise
    /// and when the result does not fit int32.
    static func requestTimeMillis(_ text: UnsafeBufferPointer<UInt8>) -> Int32? {
        // Shape, and the digits as one integer mantissa with `scale` digits after the point.
        var index = 0
        var mantissa: UInt64 = 0
        var exact = true  // the mantissa fits 2^53 (so the double below is exact)
        var scale = 0
        while index < text.count, text[index] &- UInt8(ascii: "0") < 10 { index += 1 }
        let integerEnd = index
        guard integerEnd > 0 else { return nil }
        var fractionEnd = integerEnd
        if index < text.count {
            guard text[index] == UInt8(ascii: ".") else { return nil }
            index += 1
            while index < text.count, text[index] &- UInt8(ascii: "0") < 10 { index += 1 }
            guard index == text.count else { return nil }
            // Trailing zeros of the fraction change nothing.
            fractionEnd = index
            while fractionEnd > integerEnd + 1, text[fractionEnd - 1] == UInt8(ascii: "0") { fractionEnd -= 1 }
        }
        for position in 0..<fractionEnd where position != integerEnd {
            let digit = UInt64(text[position] &- UInt8(ascii: "0"))
            if position > integerEnd { scale += 1 }
            if mantissa > (1 << 53) / 10 { exact = false; break }
            mantissa = mantissa * 10 + digit
            if mantissa > 1 << 53 { exact = false; break }
        }
        let seconds: Double
        if exact, scale <= 22 {
            // Both operands are exact doubles, so the one rounding of the division gives the
            // correctly rounded value of the decimal, as Python's float() does.
            seconds = Double(mantissa) / powersOfTen[scale]
        } else {
            // Rare (more than 15 significant digits): the standard library's correctly
            // rounded conversion.
            guard let parsed = Double(String(decoding: text, as: UTF8.self)) else { return nil }
            seconds = parsed
        }
        let millis = (seconds * 1000).rounded(.toNearestOrEven)
        guard millis <= Double(Int32.max) else { return nil }
        return Int32(millis)
    }

    private static let powersOfTen: [Double] = (0...22).map { exponent in
        var value = 1.0
        for _ in 0..<exponent { value *= 10 }
        return value
    }
}

extension UnsafeBufferPointer<UInt8> {
    func hasSuffix(_ suffix: StaticString) -> Bool {
        let length = suffix.utf8CodeUnitCount
        guard count >= length else { return false }
        let expected = suffix.utf8Start
        for offset in 0..<length where self[count - length + offset] != expected[offset] { return false }
        return true
    }

    func equals(_ text: StaticString) -> Bool {
        count == text.utf8CodeUnitCount && hasPrefix(text)
    }

    func equals(_ other: UnsafeBufferPointer<UInt8>) -> Bool {
        guard count == other.count else { return false }
        for offset in 0..<count where self[offset] != other[offset] { return false }
        return true
    }
}
