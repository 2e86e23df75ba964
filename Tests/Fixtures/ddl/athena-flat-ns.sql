-- pulp-backfill ddl --engine athena --dataset access --timestamp-unit ns --layout flat
-- Athena: an external table over the hourly Parquet files.
-- timestamp: the files hold TIMESTAMP(NANOS) (--timestamp-unit ns, the seed's schema). Athena's
-- TIMESTAMP keeps milliseconds and its engines read nanosecond Parquet timestamps unreliably
-- (Glue crawlers type them bigint). Insights timestamps carry milliseconds, so a backfill
-- written with --timestamp-unit us loses nothing and reads exactly: prefer it for Athena.
CREATE EXTERNAL TABLE pulp_access_logs (
  `timestamp` timestamp,
  message string,
  `user` string,
  org_id string,
  domain string,
  distribution string,
  package string,
  status_code smallint,
  user_agent string,
  x_forwarded_for string
)
STORED AS PARQUET
LOCATION 's3://analytics/pulp/access-logs/';
