-- pulp-backfill catalog, version 4: hours found at their destinations.
-- A partition with found = 1 was not exported by this catalog: its file already existed at
-- every destination when the run started (`--if-exists skip`), and its rows, size and
-- timestamps were read from that file's footer. Its sha256 is '' unless the file was read.
ALTER TABLE partition ADD COLUMN found INTEGER NOT NULL DEFAULT 0 CHECK (found IN (0, 1));
