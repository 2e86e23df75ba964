-- pulp-backfill ddl --engine athena --dataset access --timestamp-unit us --layout flat
-- Athena: an external table over the hourly Parquet files.
-- timestamp: the files hold TIMESTAMP(MICROS) (--timestamp-unit us, recommended): Athena reads
-- it as TIMESTAMP (milliseconds, all that Insights timestamps carry).
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
