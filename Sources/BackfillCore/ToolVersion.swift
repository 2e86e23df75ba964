/// The tool's CalVer version (`YYYY.0M.0D.MICRO`, as the seed exporter numbered its releases).
/// Shown by `pulp-backfill --version` and written into every Parquet file's `created_by`.
public enum ToolVersion {
    public static let version = "2026.11.29.0"
    /// Parquet `created_by`: "<application> version <semver-like> (build <hash>)" is the
    /// form parquet-mr and pyarrow use; readers only parse the first two words.
    public static let createdBy = "pulp-backfill version \(version)"
}
