-- pulp-backfill ddl --engine trino --dataset access --timestamp-unit us --layout hive
-- Trino (Hive connector): a table over the hourly Parquet files where they are, partitioned by their date=/hour= folders.
-- timestamp: the files hold TIMESTAMP(MICROS); the Hive connector reads timestamps at the
-- session's timestamp_precision (default MILLISECONDS), and a timestamp(6) column needs it set.
-- `hive` is the Hive catalog's name: use yours. Set it again in each session that reads the table.
SET SESSION hive.timestamp_precision = 'MICROSECONDS';
CREATE TABLE pulp_access_logs (
  "timestamp" timestamp(6),
  message varchar,
  "user" varchar,
  org_id varchar,
  domain varchar,
  distribution varchar,
  package varchar,
  status_code smallint,
  user_agent varchar,
  x_forwarded_for varchar,
  "date" varchar,
  hour integer
)
WITH (
  external_location = 's3://analytics/pulp/access-logs',
  format = 'PARQUET',
  partitioned_by = ARRAY['date', 'hour']
);
-- Registers the hours present now; run it again after new hours land.
CALL hive.system.sync_partition_metadata(schema_name => 'default', table_name => 'pulp_access_logs', mode => 'ADD');
