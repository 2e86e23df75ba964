-- pulp-backfill ddl --engine spark --dataset access --timestamp-unit ns --layout flat
-- Spark SQL: a table over the hourly Parquet files where they are.
-- (Open-source Spark reads S3 through s3a:// locations.)
-- timestamp: the files hold TIMESTAMP(NANOS), a type Spark cannot read as a timestamp; this
-- setting reads it as BIGINT nanoseconds since 1970-01-01 (UTC), and every session that reads
-- the table needs it. timestamp_micros(div(`timestamp`, 1000)) turns it into a TIMESTAMP.
-- A backfill written with --timestamp-unit us is read natively (TIMESTAMP_NTZ), with no setting.
SET spark.sql.legacy.parquet.nanosAsLong=true;
CREATE TABLE pulp_access_logs (
  `timestamp` BIGINT,
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
