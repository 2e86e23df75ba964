-- pulp-backfill ddl --engine duckdb --dataset access --timestamp-unit ms --layout flat
-- DuckDB: a view over the hourly Parquet files.
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
  x_forwarded_for
FROM read_parquet('s3://analytics/pulp/access-logs/*.parquet', hive_partitioning = false);
