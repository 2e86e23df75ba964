-- pulp-backfill ddl --engine duckdb --dataset access --timestamp-unit ms --layout hive
-- DuckDB: a view over the hourly Parquet files, with date (VARCHAR) and hour (INTEGER) from their date=/hour= folders.
-- timestamp: the files hold TIMESTAMP(MILLIS), which DuckDB reads as TIMESTAMP.
-- (s3:// locations need the httpfs extension and a secret: CREATE SECRET (TYPE s3, PROVIDER credential_chain);)
CREATE VIEW pulp_access_logs AS
SELECT
  "timestamp",
  message,
  "user",
  org_id,
  domain,
  distribution,
  package,
  status_code,
  user_agent,
  x_forwarded_for,
  "date",
  hour
FROM read_parquet(
  's3://analytics/pulp/access-logs/date=*/hour=*/*.parquet',
  hive_partitioning = true,
  hive_types = {'date': VARCHAR, 'hour': INTEGER}
);
