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
