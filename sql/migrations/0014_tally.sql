-- track schema, version 14: tallied runs (docs/schema.md "Tallies").
--
-- Past a job's budget on a node (config job_max_records) libtrack records
-- no run one by one but folds it into the job's tally file; the Epilog turns
-- that into one tally record (docs/record-format.md "Tally records") and
-- track-ingest loads each of its entries (one executable path and exit
-- class: ok, error, signal, unknown) as one row here. Rows are never
-- updated: (uid, tally_uuid, entry) is unique and a reload is an INSERT
-- IGNORE, so every tally record counts exactly once. syshost, host, uid,
-- user and job_id are root's facts (the Epilog's), as in track_run.
-- job_key/user_key as in track_run (migration 0004): reports count distinct
-- jobs and users over both tables on the same keys.
CREATE TABLE IF NOT EXISTS track_tally (
  id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  tally_uuid    BINARY(16) NOT NULL,
  entry         INT UNSIGNED NOT NULL,
  uid           INT UNSIGNED NOT NULL,
  user          VARCHAR(64) NOT NULL,
  syshost       VARCHAR(64) NOT NULL,
  host          VARCHAR(255) NOT NULL,
  job_id        VARCHAR(64) NULL,
  exe_path      VARBINARY(4096) NOT NULL,
  overflow      TINYINT NOT NULL DEFAULT 0,
  exit_class    VARCHAR(8) NOT NULL,
  runs          BIGINT UNSIGNED NOT NULL,
  wall_time     DECIMAL(20,6) NOT NULL DEFAULT 0,
  utime         DECIMAL(20,6) NOT NULL DEFAULT 0,
  stime         DECIMAL(20,6) NOT NULL DEFAULT 0,
  core_seconds  DECIMAL(24,6) NOT NULL DEFAULT 0,
  first_start   DECIMAL(17,6) NOT NULL,
  last_start    DECIMAL(17,6) NOT NULL,
  job_key       BIGINT UNSIGNED
    AS (CAST(CONV(LEFT(MD5(CONCAT(syshost, 0x00, job_id)), 16), 16, 10) AS UNSIGNED)) STORED,
  user_key      BIGINT UNSIGNED
    AS (CAST(CONV(LEFT(MD5(user), 16), 16, 10) AS UNSIGNED)) STORED,
  UNIQUE KEY uk_tally_entry (uid, tally_uuid, entry),
  KEY k_tally_start (first_start),
  KEY k_tally_job (job_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

DELETE FROM track_schema_version;
INSERT INTO track_schema_version (version) VALUES (14);
