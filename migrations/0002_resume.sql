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
