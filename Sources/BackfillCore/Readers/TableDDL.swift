import AccessLog
import Parquet

/// `pulp-backfill ddl`: the table definition each query engine needs to read a dataset's hourly
/// files in place, generated from the very schema the writer uses (so a column added to a
/// dataset appears in every engine's DDL). Pure text: nothing here touches a file or a network.
///
/// Partitions (`--layout hive`): the folders `date=YYYY-MM-DD/hour=HH/` become two columns,
/// `date` (a string, `2026-02-04`) and `hour` (an integer, 0…23), after the file columns.
/// `--layout flat` has neither: the same table without partitions.
///
/// Identifiers are quoted where the dialect reserves them, and `timestamp`, `date` and `user`
/// always (type names or functions in every dialect, so quoting them never hurts) — except in
/// Snowflake, where a quoted name becomes case-sensitive and none of these words is reserved.
public enum TableDDL {
    public enum Engine: String, Sendable, CaseIterable {
        case athena, trino, spark, duckdb, snowflake
    }

    /// Why no DDL can be generated for what was asked: a usage error.
    public struct Failure: Error, Equatable, Sendable {
        public let message: String
    }

    /// The datasets `ddl` knows, by their `--dataset` name.
    public static let datasets = Dataset.names

    /// The one place a dataset's columns come from: exactly what the writer writes.
    public static func schema(for dataset: String, unit: TimestampUnit) -> ParquetSchema? {
        switch Dataset.named(dataset) {
        case let dataset?: DatasetParquet.schema(dataset, timestampUnit: unit)
        default: nil
        }
    }

    /// The table name used when `--table` is not given.
    static func defaultTable(for dataset: String) -> String {
        Dataset.named(dataset)?.fileStem ?? "pulp_" + dataset.replacingOccurrences(of: "-", with: "_")
    }

    /// The DDL for `engine`: SQL statements separated by `;` lines, with `--` comments that say
    /// what each unit maps to and what to run again when new hours land.
    public static func text(
        engine: Engine, location: String, table: String? = nil, dataset: String = "access",
        unit: TimestampUnit = .ns, layout: HourFileLayout = .hive
    ) throws(Failure) -> String {
        guard let schema = schema(for: dataset, unit: unit) else {
            throw Failure(message: "--dataset \(dataset): unknown dataset (expected \(datasets.joined(separator: ", ")))")
        }
        let table = table ?? defaultTable(for: dataset)
        let parts = table.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...3).contains(parts.count), parts.allSatisfy({ isPlainIdentifier($0) }) else {
            throw Failure(message: "--table \(table): expected NAME, SCHEMA.NAME or CATALOG.SCHEMA.NAME of letters, digits and _")
        }
        guard !location.isEmpty, !location.contains(where: { $0.isNewline || $0 == "\0" }) else {
            throw Failure(message: "--location must be a non-empty URI or path on one line")
        }
        var base = location
        while base.count > 1, base.hasSuffix("/") { base.removeLast() }
        switch engine {
        case .athena where !base.hasPrefix("s3://"):
            throw Failure(message: "--location \(location): Athena reads tables from S3 only (s3://bucket/prefix)")
        case .snowflake where !["s3://", "gcs://", "azure://"].contains(where: { base.hasPrefix($0) }):
            throw Failure(message: "--location \(location): a Snowflake stage needs an s3://, gcs:// or azure:// URL")
        default: break
        }
        let spec = Spec(
            engine: engine, base: base, table: table, tableParts: parts.map(String.init), dataset: dataset,
            unit: unit, layout: layout, columns: schema.columns)
        var out = "-- pulp-backfill ddl --engine \(engine.rawValue) --dataset \(dataset) --timestamp-unit \(unit.rawValue) --layout \(layout.rawValue)\n"
        switch engine {
        case .athena: out += spec.athena()
        case .trino: out += spec.trino()
        case .spark: out += spec.spark()
        case .duckdb: out += spec.duckdb()
        case .snowflake: out += spec.snowflake()
        }
        return out
    }

    static func isPlainIdentifier(_ name: Substring) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || ("a"..."z").contains(first) || ("A"..."Z").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) }
    }

    /// Words quoted in every dialect but Snowflake: SQL type names or functions.
    static let alwaysQuoted: Set<String> = ["timestamp", "date", "user"]

    /// Reserved words of each dialect (lower case) among those a column name could plausibly be:
    /// Athena's DDL (Hive) list, Trino's, Spark's ANSI list, DuckDB's `duckdb_keywords()`
    /// "reserved" category, Snowflake's.
    static func reserved(_ engine: Engine) -> Set<String> {
        switch engine {
        case .athena:
            [
                "all", "alter", "and", "array", "as", "authorization", "between", "bigint", "binary", "boolean", "both", "by", "case",
                "cast", "char", "column", "commit", "conf", "constraint", "create", "cross", "cube", "current", "current_date",
                "current_timestamp", "cursor", "database", "date", "dayofweek", "decimal", "delete", "describe", "distinct", "div",
                "double", "drop", "else", "end", "exchange", "exists", "extended", "external", "extract", "false", "fetch", "float",
                "floor", "following", "for", "foreign", "from", "full", "function", "grant", "group", "grouping", "having", "if",
                "import", "in", "inner", "insert", "int", "integer", "intersect", "interval", "into", "is", "join", "lateral", "left",
                "less", "like", "local", "macro", "map", "more", "none", "not", "null", "numeric", "of", "on", "only", "or", "order",
                "out", "outer", "over", "partialscan", "partition", "percent", "preceding", "precision", "preserve", "primary",
                "procedure", "range", "reads", "reduce", "references", "regexp", "revoke", "right", "rlike", "rollback", "rollup",
                "row", "rows", "select", "set", "smallint", "start", "table", "tablesample", "then", "time", "timestamp", "to",
                "transform", "trigger", "true", "truncate", "unbounded", "union", "uniquejoin", "update", "user", "using",
                "utc_timestamp", "values", "varchar", "views", "when", "where", "window", "with",
            ]
        case .trino:
            [
                "alter", "and", "as", "between", "by", "case", "cast", "constraint", "create", "cross", "cube", "current_catalog",
                "current_date", "current_path", "current_role", "current_schema", "current_time", "current_timestamp", "current_user",
                "deallocate", "delete", "describe", "distinct", "drop", "else", "end", "escape", "except", "execute", "exists",
                "extract", "false", "for", "from", "full", "group", "grouping", "having", "in", "inner", "insert", "intersect", "into",
                "is", "join", "json_array", "json_exists", "json_object", "json_query", "json_table", "json_value", "left", "like",
                "listagg", "localtime", "localtimestamp", "natural", "normalize", "not", "null", "on", "or", "order", "outer",
                "prepare", "recursive", "right", "rollup", "select", "skip", "table", "then", "trim", "true", "uescape", "union",
                "unnest", "using", "values", "when", "where", "with",
            ]
        case .spark:
            [
                "all", "and", "any", "as", "authorization", "both", "case", "cast", "check", "collate", "column", "constraint",
                "create", "cross", "current_date", "current_time", "current_timestamp", "current_user", "distinct", "else", "end",
                "escape", "except", "false", "fetch", "filter", "for", "foreign", "from", "full", "grant", "group", "having", "in",
                "inner", "intersect", "into", "is", "join", "lateral", "leading", "left", "natural", "not", "null", "offset", "on",
                "only", "or", "order", "outer", "overlaps", "primary", "references", "right", "select", "session_user", "some",
                "table", "then", "time", "to", "trailing", "union", "unique", "unknown", "user", "using", "when", "where", "with",
            ]
        case .duckdb:
            [
                "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "both", "case", "cast", "check",
                "collate", "column", "constraint", "create", "default", "deferrable", "desc", "describe", "distinct", "do", "else",
                "end", "except", "false", "fetch", "for", "foreign", "from", "group", "having", "in", "initially", "intersect", "into",
                "lambda", "lateral", "leading", "limit", "not", "null", "offset", "on", "only", "or", "order", "pivot",
                "pivot_longer", "pivot_wider", "placing", "primary", "qualify", "references", "returning", "select", "show", "some",
                "summarize", "symmetric", "table", "then", "to", "trailing", "true", "union", "unique", "unpivot", "using",
                "variadic", "when", "where", "window", "with",
            ]
        case .snowflake:
            [
                "account", "all", "alter", "and", "any", "as", "between", "by", "case", "cast", "check", "column", "connect",
                "connection", "constraint", "create", "cross", "current", "current_date", "current_time", "current_timestamp",
                "current_user", "database", "delete", "distinct", "drop", "else", "exists", "false", "following", "for", "from",
                "full", "grant", "group", "gscluster", "having", "ilike", "in", "increment", "inner", "insert", "intersect", "into",
                "is", "issue", "join", "lateral", "left", "like", "localtime", "localtimestamp", "minus", "natural", "not", "null",
                "of", "on", "or", "order", "organization", "qualify", "regexp", "revoke", "right", "rlike", "row", "rows", "sample",
                "schema", "select", "set", "some", "start", "table", "tablesample", "then", "to", "trigger", "true", "try_cast",
                "union", "unique", "update", "using", "values", "view", "when", "whenever", "where", "window", "with",
            ]
        }
    }

    /// `name` as `engine` needs it written.
    public static func identifier(_ name: String, engine: Engine) -> String {
        let plain = isPlainIdentifier(Substring(name)) && name == name.lowercased()
        let quote = !plain || reserved(engine).contains(name) || (engine != .snowflake && alwaysQuoted.contains(name))
        guard quote else { return name }
        switch engine {
        case .athena, .spark: return "`" + name.replacingOccurrences(of: "`", with: "``") + "`"
        case .trino, .duckdb, .snowflake: return "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
    }

    /// A string literal: Hive/Spark and Snowflake read `\` as an escape, Trino and DuckDB do not.
    static func literal(_ text: String, engine: Engine) -> String {
        switch engine {
        case .athena, .spark:
            return "'" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
        case .snowflake:
            return "'" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "''") + "'"
        case .trino, .duckdb:
            return "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
        }
    }

    /// Everything one engine's text is made of.
    struct Spec {
        let engine: Engine
        let base: String  // the location without trailing slashes
        let table: String
        let tableParts: [String]
        let dataset: String
        let unit: TimestampUnit
        let layout: HourFileLayout
        let columns: [ParquetColumn]

        var hive: Bool { layout == .hive }

        func id(_ name: String) -> String { TableDDL.identifier(name, engine: engine) }
        func lit(_ text: String) -> String { TableDDL.literal(text, engine: engine) }

        /// What the files hold for `timestamp`, for the comments.
        var parquetTimestamp: String {
            switch unit {
            case .ns: "TIMESTAMP(NANOS)"
            case .us: "TIMESTAMP(MICROS)"
            case .ms: "TIMESTAMP(MILLIS)"
            }
        }

        /// An engine's SQL type for each column kind; `timestamp` is already the type for `unit`
        /// (the timestamp column's kind follows the unit).
        struct ColumnTypes {
            let timestamp: String, string: String, int16: String, bool: String, int32: String, int64: String

            func name(_ kind: ParquetColumnKind) -> String {
                switch kind {
                case .timestampNanos, .timestampMicros, .timestampMillis: timestamp
                case .string: string
                case .int16: int16
                case .bool: bool
                case .int32: int32
                case .int64: int64
                }
            }
        }

        /// `  name type,` lines: the file columns, then (hive layout) the partition columns.
        func columnLines(_ types: ColumnTypes, partitions: [(String, String)] = []) -> String {
            let all = columns.map { (id($0.name), types.name($0.kind)) } + partitions.map { (id($0.0), $0.1) }
            return all.map { "  \($0.0) \($0.1)" }.joined(separator: ",\n")
        }

        // MARK: Athena

        func athena() -> String {
            var out = "-- Athena: an external table over the hourly Parquet files"
            out += hive ? ", partitions projected from date=/hour= folders (no MSCK REPAIR, no crawler).\n" : ".\n"
            switch unit {
            case .ns:
                out += """
                    -- timestamp: the files hold \(parquetTimestamp) (--timestamp-unit ns, the seed's schema). Athena's
                    -- TIMESTAMP keeps milliseconds and its engines read nanosecond Parquet timestamps unreliably
                    -- (Glue crawlers type them bigint). Insights timestamps carry milliseconds, so a backfill
                    -- written with --timestamp-unit us loses nothing and reads exactly: prefer it for Athena.

                    """
            case .us:
                out += """
                    -- timestamp: the files hold \(parquetTimestamp) (--timestamp-unit us, recommended): Athena reads
                    -- it as TIMESTAMP (milliseconds, all that Insights timestamps carry).

                    """
            case .ms:
                out += """
                    -- timestamp: the files hold \(parquetTimestamp) (--timestamp-unit ms): Athena reads it as TIMESTAMP,
                    -- exactly. (--timestamp-unit us is the recommended unit: Spark reads it natively too.)

                    """
            }
            if hive {
                out += """
                    -- projection.date.range: the first day to look at; narrow it to your backfill's first day
                    -- (a query without a date filter lists every projected hour).

                    """
            }
            out += "CREATE EXTERNAL TABLE \(table) (\n"
            out += columnLines(ColumnTypes(timestamp: "timestamp", string: "string", int16: "smallint", bool: "boolean",
                                           int32: "int", int64: "bigint"))
            out += "\n)\n"
            if hive { out += "PARTITIONED BY (\n  \(id("date")) string,\n  \(id("hour")) int\n)\n" }
            out += "STORED AS PARQUET\nLOCATION \(lit(base + "/"))"
            if hive {
                out += """

                    TBLPROPERTIES (
                      'projection.enabled' = 'true',
                      'projection.date.type' = 'date',
                      'projection.date.format' = 'yyyy-MM-dd',
                      'projection.date.range' = '2020-01-01,NOW',
                      'projection.date.interval' = '1',
                      'projection.date.interval.unit' = 'DAYS',
                      'projection.hour.type' = 'integer',
                      'projection.hour.range' = '0,23',
                      'projection.hour.digits' = '2',
                      'storage.location.template' = \(lit(base + "/date=${date}/hour=${hour}/"))
                    )
                    """
            }
            return out + ";\n"
        }

        // MARK: Trino

        /// The catalog of a `CATALOG.SCHEMA.NAME` table, else the usual `hive`.
        var trinoCatalog: String { tableParts.count == 3 ? tableParts[0] : "hive" }
        var trinoSchema: String { tableParts.count >= 2 ? tableParts[tableParts.count - 2] : "default" }

        func trino() -> String {
            let precision: (name: String, digits: Int) =
                switch unit {
                case .ns: ("NANOSECONDS", 9)
                case .us: ("MICROSECONDS", 6)
                case .ms: ("MILLISECONDS", 3)
                }
            var out = "-- Trino (Hive connector): a table over the hourly Parquet files where they are"
            out += hive ? ", partitioned by their date=/hour= folders.\n" : ".\n"
            out += """
                -- timestamp: the files hold \(parquetTimestamp); the Hive connector reads timestamps at the
                -- session's timestamp_precision (default MILLISECONDS), and a timestamp(\(precision.digits)) column needs it set.
                -- `\(trinoCatalog)` is the Hive catalog's name: use yours. Set it again in each session that reads the table.
                SET SESSION \(trinoCatalog).timestamp_precision = '\(precision.name)';

                """
            out += "CREATE TABLE \(table) (\n"
            out += columnLines(
                ColumnTypes(timestamp: "timestamp(\(precision.digits))", string: "varchar", int16: "smallint", bool: "boolean",
                            int32: "integer", int64: "bigint"),
                partitions: hive ? [("date", "varchar"), ("hour", "integer")] : [])
            out += "\n)\nWITH (\n  external_location = \(lit(base)),\n  format = 'PARQUET'"
            if hive { out += ",\n  partitioned_by = ARRAY['date', 'hour']" }
            out += "\n);\n"
            if hive {
                out += """
                    -- Registers the hours present now; run it again after new hours land.
                    CALL \(trinoCatalog).system.sync_partition_metadata(schema_name => \(lit(trinoSchema)), table_name => \(lit(tableParts.last!)), mode => 'ADD');

                    """
            }
            return out
        }

        // MARK: Spark

        func spark() -> String {
            var out = "-- Spark SQL: a table over the hourly Parquet files where they are"
            out += hive ? ", partitioned by their date=/hour= folders.\n" : ".\n"
            out += "-- (Open-source Spark reads S3 through s3a:// locations.)\n"
            switch unit {
            case .ns:
                out += """
                    -- timestamp: the files hold \(parquetTimestamp), a type Spark cannot read as a timestamp; this
                    -- setting reads it as BIGINT nanoseconds since 1970-01-01 (UTC), and every session that reads
                    -- the table needs it. timestamp_micros(div(`timestamp`, 1000)) turns it into a TIMESTAMP.
                    -- A backfill written with --timestamp-unit us is read natively (TIMESTAMP_NTZ), with no setting.
                    SET spark.sql.legacy.parquet.nanosAsLong=true;

                    """
            case .us, .ms:
                out += "-- timestamp: the files hold \(parquetTimestamp) (not UTC-adjusted), which Spark reads natively as TIMESTAMP_NTZ.\n"
            }
            out += "CREATE TABLE \(table) (\n"
            // Nanoseconds are read as BIGINT (the setting above); micro- and milliseconds natively.
            out += columnLines(
                ColumnTypes(timestamp: unit == .ns ? "BIGINT" : "TIMESTAMP_NTZ", string: "STRING", int16: "SMALLINT",
                            bool: "BOOLEAN", int32: "INT", int64: "BIGINT"),
                partitions: hive ? [("date", "STRING"), ("hour", "INT")] : [])
            out += "\n)\nUSING parquet\n"
            if hive { out += "PARTITIONED BY (\(id("date")), \(id("hour")))\n" }
            out += "LOCATION \(lit(base));\n"
            if hive {
                out += """
                    -- Registers the hours present now (as MSCK REPAIR TABLE does); run it again after new hours land.
                    ALTER TABLE \(table) RECOVER PARTITIONS;

                    """
            }
            return out
        }

        // MARK: DuckDB

        func duckdb() -> String {
            let type =
                switch unit {
                case .ns: "TIMESTAMP_NS"
                case .us: "TIMESTAMP"
                case .ms: "TIMESTAMP"  // DuckDB widens milliseconds to microseconds
                }
            var out = "-- DuckDB: a view over the hourly Parquet files"
            out += hive ? ", with date (VARCHAR) and hour (INTEGER) from their date=/hour= folders.\n" : ".\n"
            out += """
                -- timestamp: the files hold \(parquetTimestamp), which DuckDB reads as \(type).
                -- (s3:// locations need the httpfs extension and a secret: CREATE SECRET (TYPE s3, PROVIDER credential_chain);)
                CREATE VIEW \(table) AS
                SELECT

                """
            let names = columns.map(\.name) + (hive ? ["date", "hour"] : [])
            out += names.map { "  " + id($0) }.joined(separator: ",\n")
            if hive {
                out += """

                    FROM read_parquet(
                      \(lit(base + "/date=*/hour=*/*.parquet")),
                      hive_partitioning = true,
                      hive_types = {'date': VARCHAR, 'hour': INTEGER}
                    );

                    """
            } else {
                out += "\nFROM read_parquet(\(lit(base + "/*.parquet")), hive_partitioning = false);\n"
            }
            return out
        }

        // MARK: Snowflake

        func snowflake() -> String {
            let digits =
                switch unit {
                case .ns: 9
                case .us: 6
                case .ms: 3
                }
            let stage = (tableParts.dropLast() + [tableParts.last! + "_stage"]).joined(separator: ".")
            var out = """
                -- Snowflake: a stage over the hourly Parquet files, a table with their exact columns, and the load.
                -- Credentials: give the stage a storage integration (CREATE STORAGE INTEGRATION …, then add
                -- STORAGE_INTEGRATION = <name> to CREATE STAGE) or CREDENTIALS = (AWS_KEY_ID = '…' AWS_SECRET_KEY = '…').
                -- timestamp: the files hold \(parquetTimestamp); USE_LOGICAL_TYPE = TRUE loads it as TIMESTAMP_NTZ(\(digits)).
                CREATE STAGE \(stage)
                  URL = \(lit(base + "/"))
                  FILE_FORMAT = (TYPE = PARQUET USE_LOGICAL_TYPE = TRUE);
                CREATE TABLE \(table) (

                """
            out += columnLines(ColumnTypes(timestamp: "TIMESTAMP_NTZ(\(digits))", string: "VARCHAR", int16: "SMALLINT",
                                           bool: "BOOLEAN", int32: "INTEGER", int64: "BIGINT"))
            let pattern = hive ? ".*date=[0-9-]+/hour=[0-9]+/[^/]+[.]parquet" : ".*[.]parquet"
            out += """

                );
                -- Loads every file not loaded yet (Snowflake remembers loaded files for 64 days): run it again
                -- after new hours land.\(hive ? " The hour of a row is in its timestamp (no date/hour columns)." : "")
                COPY INTO \(table)
                  FROM @\(stage)
                  PATTERN = \(lit(pattern))
                  FILE_FORMAT = (TYPE = PARQUET USE_LOGICAL_TYPE = TRUE)
                  MATCH_BY_COLUMN_NAME = CASE_INSENSITIVE;

                """
            return out
        }
    }
}
