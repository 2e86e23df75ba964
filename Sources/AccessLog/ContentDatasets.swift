/// The three datasets cut from the content app's download lines: one definition each, the
/// columns in the upstream exporter's order (common columns, then the dataset's own).
public enum ContentDatasets {
    /// The columns every content dataset starts with.
    static let common: [DatasetColumn] = [
        DatasetColumn("timestamp", .timestamp),
        DatasetColumn("domain", .string),
        DatasetColumn("distribution", .string),
        DatasetColumn("package_name", .string),
        DatasetColumn("package_version", .string),
        DatasetColumn("architecture", .string),
        DatasetColumn("artifact_path", .string),
        DatasetColumn("artifact_size", .int64),
        DatasetColumn("status_code", .int16),
        DatasetColumn("cache_hit", .bool),
        DatasetColumn("user_agent", .string),
        DatasetColumn("org_id", .string),
        DatasetColumn("x_forwarded_for", .string),
        DatasetColumn("request_time_ms", .int32),
    ]

    static let skipReasons: [SkipReason] = [.lineShape, .contentPath, .otherDataset, .fileName]

    /// A superset of the rules for the server: the content path prefix, and one of the file
    /// suffixes somewhere in the event (`.whl` also covers `.whl.metadata`).
    static func serverFilter(suffixes: [String]) -> String? {
        guard let path = InsightsFilterText.anyPrefix(["/api/pulp-content/"]),
              let names = InsightsFilterText.anyPrefix(suffixes) else { return nil }
        return "(\(path)) and (\(names))"
    }

    public static let python = Dataset(
        name: "content-python", fileStem: "pulp_content_python",
        columns: common + [DatasetColumn("build_tag", .string), DatasetColumn("pyver", .string), DatasetColumn("abi", .string)],
        skipReasons: skipReasons, rules: ContentRowRules(kind: .python), serverFilter: serverFilter(suffixes: [".whl"]))

    public static let rpm = Dataset(
        name: "content-rpm", fileStem: "pulp_content_rpm",
        columns: common + [DatasetColumn("epoch", .int32), DatasetColumn("release", .string)],
        skipReasons: skipReasons, rules: ContentRowRules(kind: .rpm), serverFilter: serverFilter(suffixes: [".rpm"]))

    public static let maven = Dataset(
        name: "content-maven", fileStem: "pulp_content_maven",
        columns: common + [DatasetColumn("group_id", .string), DatasetColumn("classifier", .string), DatasetColumn("packaging", .string)],
        skipReasons: skipReasons, rules: ContentRowRules(kind: .maven), serverFilter: serverFilter(suffixes: [".jar", ".pom"]))
}

/// The content datasets' rules: one content-app download line → one row of the dataset its
/// file belongs to. In order (the first that applies decides):
/// 1. the line is extracted from `@message` as for the access dataset (JSON `message`, else
///    `log`, else `@message`; trailing `\r`/`\n` dropped; invalid UTF-8 read as U+FFFD);
/// 2. it must have the content app's shape (`ContentLine`), else `.lineShape`;
/// 3. the path must be `/api/pulp-content/<domain>/<distribution…>/<file>` (`ContentPath`),
///    else `.contentPath`;
/// 4. the file must belong to this dataset by its suffix, else `.otherDataset`;
/// 5. the file name must be a wheel, NEVRA or Maven name (`WheelName`, `RPMName`, `MavenName`;
///    Maven also needs four distribution segments, else `.contentPath`), else `.fileName`;
/// 6. only then: no readable timestamp (`@timestamp`, else the line's time field
///    `[dd/Mon/yyyy:HH:MM:SS ±hhmm]`) makes the row malformed.
/// Values are slices of the line (nothing is unescaped), except the Maven group id, whose `/`
/// become `.` in scratch memory.
struct ContentRowRules: RowRules {
    enum Kind: Sendable { case python, rpm, maven }
    let kind: Kind

    func parse(
        timestamp: UnsafeBufferPointer<UInt8>?, message: UnsafeBufferPointer<UInt8>, ptr: UnsafeBufferPointer<UInt8>,
        kept: (KeptRow) -> Void
    ) -> RowVerdict {
        let kind = self.kind
        return UTF8Repair.withValid(message) { message in
            AccessLogParser.withAccessLine(of: message) { line in
                Self.parse(line: line, kind: kind, timestamp: timestamp, ptr: ptr, kept: kept)
            }
        }
    }

    private static func parse(
        line: UnsafeBufferPointer<UInt8>, kind: Kind, timestamp: UnsafeBufferPointer<UInt8>?, ptr: UnsafeBufferPointer<UInt8>,
        kept: (KeptRow) -> Void
    ) -> RowVerdict {
        guard let fields = ContentLine(line) else { return .skipped(.lineShape) }
        guard let path = ContentPath(fields.path) else { return .skipped(.contentPath) }
        guard Kind(fileName: path.fileName) == kind else { return .skipped(.otherDataset) }

        /// Checks the timestamp, then hands over the common columns and the dataset's own
        /// (`extra` initializes them from index 13 and returns how many it wrote).
        func keep(
            distribution: UnsafeBufferPointer<UInt8>, name: UnsafeBufferPointer<UInt8>, version: UnsafeBufferPointer<UInt8>,
            architecture: UnsafeBufferPointer<UInt8>?, extra: (UnsafeMutableBufferPointer<ColumnValue>) -> Int
        ) -> RowVerdict {
            guard let nanos = timestampNanos(timestamp, time: fields.time) else { return .malformed(timestampProblem(timestamp)) }
            return withUnsafeTemporaryAllocation(of: ColumnValue.self, capacity: 16) { values in
                // Element by element, in `ContentDatasets.common` order: an array literal here
                // would allocate once per row.
                values.initializeElement(at: 0, to: .text(path.domain))
                values.initializeElement(at: 1, to: .text(distribution))
                values.initializeElement(at: 2, to: .text(name))
                values.initializeElement(at: 3, to: .text(version))
                values.initializeElement(at: 4, to: architecture.map { .text($0) } ?? .null)
                values.initializeElement(at: 5, to: .text(fields.path))
                values.initializeElement(at: 6, to: ContentNumbers.digits(fields.artifactSize, max: Int64.max).map { .int($0) } ?? .null)
                values.initializeElement(at: 7, to: ContentNumbers.statusCode(fields.status).map { .int(Int64($0)) } ?? .null)
                values.initializeElement(at: 8, to: cacheHit(fields.cache))
                values.initializeElement(at: 9, to: .text(fields.userAgent))
                values.initializeElement(at: 10, to: AccessLine.nonPlaceholder(fields.orgID).map { .text($0) } ?? .null)
                values.initializeElement(at: 11, to: .text(fields.forwardedFor))
                values.initializeElement(
                    at: 12, to: fields.requestTime.flatMap(ContentNumbers.requestTimeMillis).map { .int(Int64($0)) } ?? .null)
                let count = 13 + extra(values)
                UTF8Repair.withValid(ptr) { ptr in
                    kept(KeptRow(timestampNanos: nanos, ptr: ptr, values: UnsafeBufferPointer(rebasing: values[..<count])))
                }
                return .kept
            }
        }

        switch kind {
        case .python:
            guard let wheel = WheelName(path.fileName) else { return .skipped(.fileName) }
            return keep(distribution: path.distribution, name: wheel.name, version: wheel.version, architecture: wheel.platform) {
                $0.initializeElement(at: 13, to: wheel.build.map { .text($0) } ?? .null)
                $0.initializeElement(at: 14, to: .text(wheel.pyver))
                $0.initializeElement(at: 15, to: .text(wheel.abi))
                return 3
            }
        case .rpm:
            guard let rpm = RPMName(path.fileName) else { return .skipped(.fileName) }
            return keep(distribution: path.distribution, name: rpm.name, version: rpm.version, architecture: rpm.architecture) {
                $0.initializeElement(at: 13, to: .int(Int64(rpm.epoch)))
                $0.initializeElement(at: 14, to: .text(rpm.release))
                return 2
            }
        case .maven:
            let maven: MavenName
            do { maven = try MavenName(path: path) } catch .path { return .skipped(.contentPath) } catch {
                return .skipped(.fileName)
            }
            // group_id: the group segments joined by "." instead of "/".
            return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: maven.groupPath.count) { group in
                for (index, byte) in maven.groupPath.enumerated() {
                    group.initializeElement(at: index, to: byte == UInt8(ascii: "/") ? UInt8(ascii: ".") : byte)
                }
                let groupID = UnsafeBufferPointer(group)
                return keep(distribution: maven.repository, name: maven.artifact, version: maven.version, architecture: nil) {
                    $0.initializeElement(at: 13, to: .text(groupID))
                    $0.initializeElement(at: 14, to: maven.classifier.map { .text($0) } ?? .null)
                    $0.initializeElement(at: 15, to: .text(maven.packaging))
                    return 3
                }
            }
        }
    }

    private static func cacheHit(_ text: UnsafeBufferPointer<UInt8>) -> ColumnValue {
        if text.equals("HIT") { return .bool(true) }
        if text.equals("MISS") { return .bool(false) }
        return .null
    }

    // MARK: - Timestamp

    /// `@timestamp` as the access dataset reads it, else the line's own time field (the
    /// `[…]` after the host, which the line shape has already found) as `dd/Mon/yyyy:HH:MM:SS ±hhmm`.
    /// Unlike the access dataset, no other bracketed text in the line is tried: a content line
    /// always has its time field in one place.
    private static func timestampNanos(_ timestamp: UnsafeBufferPointer<UInt8>?, time: UnsafeBufferPointer<UInt8>) -> Int64? {
        if let timestamp, let nanos = InsightsTimestamp.parseNanos(timestamp) { return nanos }
        return InsightsTimestamp.parseCommonLogNanos(time)
    }

    private static func timestampProblem(_ timestamp: UnsafeBufferPointer<UInt8>?) -> String {
        let field = "[dd/Mon/yyyy:HH:MM:SS ±hhmm] time field in the line"
        guard let timestamp else { return "no @timestamp and no readable \(field)" }
        let text = String(decoding: timestamp, as: UTF8.self)
        let shown = text.count > 64 ? String(text.prefix(64)) + "…" : text
        return "unreadable @timestamp \"\(shown)\" and no readable \(field)"
    }
}
