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

    public static let python = Dataset(
        name: "content-python", fileStem: "pulp_content_python",
        columns: common + [DatasetColumn("build_tag", .string), DatasetColumn("pyver", .string), DatasetColumn("abi", .string)],
        skipReasons: skipReasons, rules: ContentRowRules(kind: .python), serverFilter: nil)

    public static let rpm = Dataset(
        name: "content-rpm", fileStem: "pulp_content_rpm",
        columns: common + [DatasetColumn("epoch", .int32), DatasetColumn("release", .string)],
        skipReasons: skipReasons, rules: ContentRowRules(kind: .rpm), serverFilter: nil)

    public static let maven = Dataset(
        name: "content-maven", fileStem: "pulp_content_maven",
        columns: common + [DatasetColumn("group_id", .string), DatasetColumn("classifier", .string), DatasetColumn("packaging", .string)],
        skipReasons: skipReasons, rules: ContentRowRules(kind: .maven), serverFilter: nil)
}

/// Placeholder until the content parser lands: skips every line.
struct ContentRowRules: RowRules {
    enum Kind: Sendable { case python, rpm, maven }
    let kind: Kind

    func parse(
        timestamp: UnsafeBufferPointer<UInt8>?, message: UnsafeBufferPointer<UInt8>, ptr: UnsafeBufferPointer<UInt8>,
        kept: (KeptRow) -> Void
    ) -> RowVerdict {
        .skipped(.lineShape)
    }
}
