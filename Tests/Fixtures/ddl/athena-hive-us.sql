-- pulp-backfill ddl --engine athena --dataset access --timestamp-unit us --layout hive
-- Athena: an external table over the hourly Parquet files, partitions projected from date=/hour= folders (no MSCK REPAIR, no crawler).
-- timestamp: the files hold TIMESTAMP(MICROS) (--timestamp-unit us, recommended): Athena reads
-- it as TIMESTAMP (milliseconds, all that Insights timestamps carry).
-- projection.date.range: the first day to look at; narrow it to your backfill's first day
-- (a query without a date filter lists every projected hour).
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
PARTITIONED BY (
  `date` string,
  hour int
)
STORED AS PARQUET
LOCATION 's3://analytics/pulp/access-logs/'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.date.type' = 'date',
  'projection.date.format' = 'yyyy-MM-dd',
  'projection.date.range' = '2020-01-01,NOW',
  'projection.date.interval' = '1',
  'projection.date.interval.unit' = 'DAYS',
  'projection.hour.type' = 'integer',
  'projection.hour.range' = '0,23',
  'projection.hour.digits' = '2',
  'storage.location.template' = 's3://analytics/pulp/access-logs/date=${date}/hour=${hour}/'
);
