-- pulp-backfill ddl --engine spark --dataset access --timestamp-unit us --layout flat
-- Spark SQL: a table over the hourly Parquet files where they are.
-- (Open-source Spark reads S3 through s3a:// locations.)
-- timestamp: the files hold TIMESTAMP(MICROS) (not UTC-adjusted), which Spark reads natively as TIMESTAMP_NTZ.
CREATE TABLE pulp_access_logs (
  `timestamp` TIMESTAMP_NTZ,
  message STRING,
  `user` STRING,
  org_id STRING,
  domain STRING,
  distribution STRING,
  package STRING,
  status_code SMALLINT,
  user_agent STRING,
  x_forwarded_for STRING
)
USING parquet
LOCATION 's3://analytics/pulp/access-logs';
