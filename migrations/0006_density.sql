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
