-- pulp-backfill ddl --engine athena --dataset access --timestamp-unit ms --layout flat
-- Athena: an external table over the hourly Parquet files.
-- timestamp: the files hold TIMESTAMP(MILLIS) (--timestamp-unit ms): Athena reads it as TIMESTAMP,
-- exactly. (--timestamp-unit us is the recommended unit: Spark reads it natively too.)
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
