-- pulp-backfill ddl --engine spark --dataset access --timestamp-unit ns --layout hive
-- Spark SQL: a table over the hourly Parquet files where they are, partitioned by their date=/hour= folders.
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
  x_forwarded_for STRING,
  `date` STRING,
  hour INT
)
USING parquet
PARTITIONED BY (`date`, hour)
LOCATION 's3://analytics/pulp/access-logs';
-- Registers the hours present now (as MSCK REPAIR TABLE does); run it again after new hours land.
ALTER TABLE pulp_access_logs RECOVER PARTITIONS;
