-- track schema, version 4: integer keys of a run's job and user, for the
-- reports (docs/schema.md "Report keys", docs/performance.md "## report").
-- Idempotent like every migration; on an existing database the ALTER
-- rebuilds track_run once (about 10 s per million runs).
--
-- Why: the reports count distinct jobs and users per executable, library,
-- module and variable value. Over a 30-day window of a million runs,
-- MariaDB spends most of its time on the strings: every grouping or join
-- copies syshost, job_id and user into fixed-width (256-byte utf8mb4)
-- temporary rows and compares them with a collation. A 64-bit integer per
-- run makes those steps 2-3x cheaper.
--
-- job_key = the first 64 bits of MD5(syshost || 0x00 || job_id), NULL for a
-- run outside a job (COUNT(DISTINCT) skips NULL, as it skips a NULL job_id);
-- user_key = the first 64 bits of MD5(user). Computed by the server on every
-- insert and update (STORED generated columns), so no writer can get them
-- wrong and track-ingest needs no change. Two distinct jobs (or users) share
-- a key only by a 64-bit collision: for a window of a million jobs the
-- chance that any two collide is about 3e-8, the only inexactness of the
-- counts. 8 bytes per key per run, no index.
ALTER TABLE track_run
  ADD COLUMN IF NOT EXISTS job_key BIGINT UNSIGNED
    AS (CAST(CONV(LEFT(MD5(CONCAT(syshost, 0x00, job_id)), 16), 16, 10) AS UNSIGNED)) STORED,
  ADD COLUMN IF NOT EXISTS user_key BIGINT UNSIGNED
    AS (CAST(CONV(LEFT(MD5(user), 16), 16, 10) AS UNSIGNED)) STORED;

DELETE FROM track_schema_version;
INSERT INTO track_schema_version (version) VALUES (4);
