// GENERATED from migrations/*.sql — do not edit by hand.
// Regenerate: PULP_BACKFILL_REGENERATE_MIGRATIONS=1 swift test --filter EmbeddedMigrationsTests
// (EmbeddedMigrationsTests fails whenever this file and migrations/ differ by a byte.)

extension EmbeddedMigrations {
    public static let all: [Migration] = [
        Migration(version: 1, fileName: "0001_initial.sql", sql: #"""
-- pulp-backfill catalog, version 1.
-- Times are integers: *_ms = milliseconds since the Unix epoch (UTC), *_ns = nanoseconds.
-- The migrator sets PRAGMA application_id / user_version and records each applied file in
-- schema_migration; this file only holds the schema itself.

-- A backfill: one log group/region/stream with one set of filters and destinations.
-- `identity` is the canonical text of those settings, so re-planning the same settings
-- finds the same backfill.
CREATE TABLE backfill (
    id              INTEGER PRIMARY KEY,
    identity        TEXT    NOT NULL UNIQUE,
    log_group       TEXT    NOT NULL,
    aws_region      TEXT    NOT NULL,
    log_stream      TEXT,
    filter_paths    TEXT    NOT NULL,               -- JSON array of path prefixes to keep
    exclude_paths   TEXT    NOT NULL,               -- JSON array of path prefixes to skip
    compression     TEXT    NOT NULL DEFAULT 'snappy',
    layout          TEXT    NOT NULL DEFAULT 'hive', -- 'hive' (date=/hour=/file) or 'flat'
    created_at_ms   INTEGER NOT NULL
);

-- Destinations of a backfill (local directory or s3://bucket/prefix), in the order given.
CREATE TABLE backfill_destination (
    backfill_id     INTEGER NOT NULL REFERENCES backfill(id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    uri             TEXT    NOT NULL,
    PRIMARY KEY (backfill_id, position),
    UNIQUE (backfill_id, uri)
);

-- Every `plan` invocation's requested range, kept as history (the chunks are the truth).
CREATE TABLE backfill_range (
    id              INTEGER PRIMARY KEY,
    backfill_id     INTEGER NOT NULL REFERENCES backfill(id) ON DELETE CASCADE,
    start_ms        INTEGER NOT NULL,
    end_ms          INTEGER NOT NULL CHECK (end_ms > start_ms),
    planned_at_ms   INTEGER NOT NULL
);
CREATE INDEX backfill_range_by_backfill ON backfill_range(backfill_id);

-- A chunk: half-open [start_ms, end_ms) inside one 5-minute UTC cell (so inside one hour).
-- `running` is only real while lease_expires_ms is in the future; an expired lease makes
-- the chunk claimable again.
CREATE TABLE chunk (
    id               INTEGER PRIMARY KEY,
    backfill_id      INTEGER NOT NULL REFERENCES backfill(id) ON DELETE CASCADE,
    start_ms         INTEGER NOT NULL,
    end_ms           INTEGER NOT NULL CHECK (end_ms > start_ms),
    hour_ms          INTEGER NOT NULL,
    state            TEXT    NOT NULL DEFAULT 'pending'
                     CHECK (state IN ('pending', 'running', 'done', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    last_error       TEXT,
    lease_owner      TEXT,
    lease_expires_ms INTEGER,
    queries          INTEGER NOT NULL DEFAULT 0,  -- StartQuery calls spent on this chunk
    records_matched  INTEGER NOT NULL DEFAULT 0,
    bytes_scanned    INTEGER NOT NULL DEFAULT 0,
    rows             INTEGER NOT NULL DEFAULT 0,  -- rows staged when the chunk completed
    skipped          INTEGER NOT NULL DEFAULT 0,
    malformed        INTEGER NOT NULL DEFAULT 0,
    started_at_ms    INTEGER,
    finished_at_ms   INTEGER,
    compacted        INTEGER NOT NULL DEFAULT 0 CHECK (compacted IN (0, 1)),
    UNIQUE (backfill_id, start_ms)
);
CREATE INDEX chunk_by_state ON chunk(state, start_ms);
CREATE INDEX chunk_by_hour ON chunk(backfill_id, hour_ms);
CREATE INDEX chunk_by_finished ON chunk(finished_at_ms) WHERE finished_at_ms IS NOT NULL;

-- Rows of done chunks whose hour is not compacted yet. The primary key is the order the
-- compactor reads (timestamp, @ptr) and drops duplicate events of one hour.
CREATE TABLE staged_row (
    backfill_id     INTEGER NOT NULL,
    hour_ms         INTEGER NOT NULL,
    timestamp_ns    INTEGER NOT NULL,
    ptr             TEXT    NOT NULL,
    chunk_id        INTEGER NOT NULL REFERENCES chunk(id) ON DELETE CASCADE,
    message         TEXT    NOT NULL,
    user            TEXT,
    org_id          TEXT,
    domain          TEXT    NOT NULL,
    distribution    TEXT    NOT NULL,
    package         TEXT    NOT NULL,
    status_code     INTEGER,
    user_agent      TEXT,
    x_forwarded_for TEXT,
    PRIMARY KEY (backfill_id, hour_ms, timestamp_ns, ptr)
) WITHOUT ROWID;
CREATE INDEX staged_row_by_chunk ON staged_row(chunk_id);

-- One exported hourly file per backfill and hour; re-exporting replaces it.
CREATE TABLE partition (
    id              INTEGER PRIMARY KEY,
    backfill_id     INTEGER NOT NULL REFERENCES backfill(id) ON DELETE CASCADE,
    hour_ms         INTEGER NOT NULL,
    rows            INTEGER NOT NULL,
    bytes           INTEGER NOT NULL,
    sha256          TEXT    NOT NULL,
    min_timestamp_ns INTEGER,
    max_timestamp_ns INTEGER,
    exported_at_ms  INTEGER NOT NULL,
    writer_version  TEXT    NOT NULL,
    UNIQUE (backfill_id, hour_ms)
);
CREATE INDEX partition_by_hour ON partition(hour_ms);

-- Where a partition's file was written: one row per destination.
CREATE TABLE partition_file (
    partition_id    INTEGER NOT NULL REFERENCES partition(id) ON DELETE CASCADE,
    destination     TEXT    NOT NULL,
    uri             TEXT    NOT NULL,
    PRIMARY KEY (partition_id, destination)
);

"""#),
        Migration(version: 2, fileName: "0002_resume.sql", sql: #"""
-- pulp-backfill catalog, version 2: leases that know their owner, byte-exact staging,
-- hours that fail alone, and the cost of every attempt.

-- Who holds a running chunk: the host, the process id and that process's start time
-- (boot id and start tick, from /proc). A run on the same host takes over at once the
-- chunks of an owner that is gone, or whose pid now belongs to another process.
ALTER TABLE chunk ADD COLUMN lease_host TEXT;
ALTER TABLE chunk ADD COLUMN lease_pid INTEGER;
ALTER TABLE chunk ADD COLUMN lease_process_start TEXT;

-- GetQueryResults calls spent on the chunk (every attempt's), beside `queries` (StartQuery).
ALTER TABLE chunk ADD COLUMN polls INTEGER NOT NULL DEFAULT 0;

-- Staged strings are stored as BLOBs of their UTF-8 bytes: SQLite's text functions stop
-- at U+0000, blobs carry every byte. Rows staged before this version are converted, so an
-- hour's (timestamp, @ptr) order compares like with like.
UPDATE staged_row SET ptr = CAST(ptr AS BLOB), message = CAST(message AS BLOB), user = CAST(user AS BLOB),
                      org_id = CAST(org_id AS BLOB), domain = CAST(domain AS BLOB),
                      distribution = CAST(distribution AS BLOB), package = CAST(package AS BLOB),
                      user_agent = CAST(user_agent AS BLOB), x_forwarded_for = CAST(x_forwarded_for AS BLOB);

-- An hour whose file could not be written or stored after its attempts. The hour stays
-- unexported (its staged rows are kept); the next run tries it again, and a successful
-- export deletes this row.
CREATE TABLE hour_failure (
    backfill_id     INTEGER NOT NULL REFERENCES backfill(id) ON DELETE CASCADE,
    hour_ms         INTEGER NOT NULL,
    attempts        INTEGER NOT NULL,
    last_error      TEXT    NOT NULL,
    failed_at_ms    INTEGER NOT NULL,
    PRIMARY KEY (backfill_id, hour_ms)
);

"""#),
        Migration(version: 3, fileName: "0003_timestamp_unit.sql", sql: #"""
-- pulp-backfill catalog, version 3: the unit of a backfill's timestamp column.
-- 'ns' (the seed exporter's TIMESTAMP(NANOS)), 'us' or 'ms'. Part of the identity (when not
-- 'ns', so backfills planned before this version keep theirs): one backfill never mixes units.
ALTER TABLE backfill ADD COLUMN timestamp_unit TEXT NOT NULL DEFAULT 'ns';

"""#),
        Migration(version: 4, fileName: "0004_found_hours.sql", sql: #"""
-- pulp-backfill catalog, version 4: hours found at their destinations.
-- A partition with found = 1 was not exported by this catalog: its file already existed at
-- every destination when the run started (`--if-exists skip`), and its rows, size and
-- timestamps were read from that file's footer. Its sha256 is '' unless the file was read.
ALTER TABLE partition ADD COLUMN found INTEGER NOT NULL DEFAULT 0 CHECK (found IN (0, 1));

"""#),
        Migration(version: 5, fileName: "0005_datasets.sql", sql: #"""
-- pulp-backfill catalog, version 5: datasets.
-- A backfill belongs to one dataset ('access', 'content-python', 'content-rpm',
-- 'content-maven'); part of the identity when not 'access', so backfills planned before
-- datasets existed keep theirs.
ALTER TABLE backfill ADD COLUMN dataset TEXT NOT NULL DEFAULT 'access';

-- Staged rows no longer name columns: `record` holds the row's values in its dataset's
-- column order (see StagedRecord.swift). Rows staged before this version are converted by
-- the migrator right after this file (the access columns, in their order), then the old
-- table is dropped.
ALTER TABLE staged_row RENAME TO staged_row_v4;
DROP INDEX staged_row_by_chunk;
CREATE TABLE staged_row (
    backfill_id     INTEGER NOT NULL,
    hour_ms         INTEGER NOT NULL,
    timestamp_ns    INTEGER NOT NULL,
    ptr             BLOB    NOT NULL,
    chunk_id        INTEGER NOT NULL REFERENCES chunk(id) ON DELETE CASCADE,
    record          BLOB    NOT NULL,
    PRIMARY KEY (backfill_id, hour_ms, timestamp_ns, ptr)
) WITHOUT ROWID;
CREATE INDEX staged_row_by_chunk ON staged_row(chunk_id);

-- Skipped rows of a done chunk by reason (labels such as 'path-not-pypi', 'file-name'),
-- beside chunk.skipped (their total).
CREATE TABLE chunk_skip (
    chunk_id        INTEGER NOT NULL REFERENCES chunk(id) ON DELETE CASCADE,
    reason          TEXT    NOT NULL,
    rows            INTEGER NOT NULL,
    PRIMARY KEY (chunk_id, reason)
) WITHOUT ROWID;

"""#),
        Migration(version: 6, fileName: "0006_density.sql", sql: #"""
-- pulp-backfill catalog, version 6: density-aware queries.
-- Expected rows of a chunk: what a `stats count(*) by bin(1m)` query with the backfill's
-- filter counted in the chunk's minutes. NULL = not counted yet. A run uses it to let
-- adjacent sparse chunks share one query and to split dense ones before querying them.
ALTER TABLE chunk ADD COLUMN expected_rows INTEGER;

-- Events the queries returned in the chunk (kept, skipped and malformed rows alike), set when
-- a chunk is fetched: with `expected_rows`, what `status` compares; NULL for chunks done
-- before this version or found at their destinations.
ALTER TABLE chunk ADD COLUMN fetched_events INTEGER;

-- Days of a backfill whose chunks were counted, with what the counting cost, so a killed run
-- never counts a day again and `status` can tell the queries spent on counting.
CREATE TABLE density_day (
    backfill_id     INTEGER NOT NULL REFERENCES backfill(id) ON DELETE CASCADE,
    day_ms          INTEGER NOT NULL,
    events          INTEGER NOT NULL,
    queries         INTEGER NOT NULL DEFAULT 0,
    polls           INTEGER NOT NULL DEFAULT 0,
    records_matched INTEGER NOT NULL DEFAULT 0,
    bytes_scanned   INTEGER NOT NULL DEFAULT 0,
    counted_at_ms   INTEGER NOT NULL,
    PRIMARY KEY (backfill_id, day_ms)
);

-- The counted events per minute (minutes without events are absent): where a run cuts the
-- queries of a claim whose chunks hold more than one query should carry.
CREATE TABLE density_minute (
    backfill_id     INTEGER NOT NULL REFERENCES backfill(id) ON DELETE CASCADE,
    minute_ms       INTEGER NOT NULL,
    events          INTEGER NOT NULL,
    PRIMARY KEY (backfill_id, minute_ms)
) WITHOUT ROWID;

"""#),
    ]
}
