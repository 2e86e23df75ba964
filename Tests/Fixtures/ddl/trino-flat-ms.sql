-- pulp-backfill ddl --engine trino --dataset access --timestamp-unit ms --layout flat
-- Trino (Hive connector): a table over the hourly Parquet files where they are.
-- timestamp: the files hold TIMESTAMP(MILLIS); the Hive connector reads timestamps at the
-- session's timestamp_precision (default MILLISECONDS), and a timestamp(3) column needs it set.
-- `hive` is the Hive catalog's name: use yours. Set it again in each session that reads the table.
SET SESSION hive.timestamp_precision = 'MILLISECONDS';
CREATE TABLE pulp_access_logs (
  "timestamp" timestamp(3),
  message varchar,
  "user" varchar,
  org_id varchar,
  domain varchar,
  distribution varchar,
  package varchar,
  status_code smallint,
  user_agent varchar,
  x_forwarded_for varchar
)
WITH (
  external_location = 's3://analytics/pulp/access-logs',
  format = 'PARQUET'
);
