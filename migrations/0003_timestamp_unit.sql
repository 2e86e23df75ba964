-- pulp-backfill catalog, version 3: the unit of a backfill's timestamp column.
-- 'ns' (the seed exporter's TIMESTAMP(NANOS)), 'us' or 'ms'. Part of the identity (when not
-- 'ns', so backfills planned before this version keep theirs): one backfill never mixes units.
ALTER TABLE backfill ADD COLUMN timestamp_unit TEXT NOT NULL DEFAULT 'ns';
