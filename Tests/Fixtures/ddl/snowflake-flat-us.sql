-- pulp-backfill ddl --engine snowflake --dataset access --timestamp-unit us --layout flat
-- Snowflake: a stage over the hourly Parquet files, a table with their exact columns, and the load.
-- Credentials: give the stage a storage integration (CREATE STORAGE INTEGRATION …, then add
-- STORAGE_INTEGRATION = <name> to CREATE STAGE) or CREDENTIALS = (AWS_KEY_ID = '…' AWS_SECRET_KEY = '…').
-- timestamp: the files hold TIMESTAMP(MICROS); USE_LOGICAL_TYPE = TRUE loads it as TIMESTAMP_NTZ(6).
CREATE STAGE pulp_access_logs_stage
  URL = 's3://analytics/pulp/access-logs/'
  FILE_FORMAT = (TYPE = PARQUET USE_LOGICAL_TYPE = TRUE);
CREATE TABLE pulp_access_logs (
  timestamp TIMESTAMP_NTZ(6),
  message VARCHAR,
  user VARCHAR,
  org_id VARCHAR,
  domain VARCHAR,
  distribution VARCHAR,
  package VARCHAR,
  status_code SMALLINT,
  user_agent VARCHAR,
  x_forwarded_for VARCHAR
);
-- Loads every file not loaded yet (Snowflake remembers loaded files for 64 days): run it again
-- after new hours land.
COPY INTO pulp_access_logs
  FROM @pulp_access_logs_stage
  PATTERN = '.*[.]parquet'
  FILE_FORMAT = (TYPE = PARQUET USE_LOGICAL_TYPE = TRUE)
  MATCH_BY_COLUMN_NAME = CASE_INSENSITIVE;
