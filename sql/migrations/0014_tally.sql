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

-- The daily roll-up (migration 0012) counts tallied runs too: the day of a
-- tally row is the day of its first start, its runs count n each, its
-- failures are its runs of a class other than ok; it has no account,
-- partition or objects (track_rollup_lib counts recorded runs only), and
-- its exe_object_id is the smallest object of its path when one exists,
-- else 0. track-ingest marks the days of the tally rows it inserts
-- (ingest/ingest_tally.c). The three procedures of 0012, with tallies:
-- day compute (tally rows in rl_run with their run count), refresh (a
-- time zone change marks the tallies' days too) and verify (idem).
-- Statements inside bodies start with ';' at the beginning of a line.

DROP PROCEDURE IF EXISTS track_rollup_day_compute;
CREATE PROCEDURE track_rollup_day_compute(IN d DATE)
BEGIN
  DECLARE t0 DECIMAL(17,6) DEFAULT UNIX_TIMESTAMP(d)
  ; DECLARE t1 DECIMAL(17,6) DEFAULT UNIX_TIMESTAMP(d + INTERVAL 1 DAY)
  ; DELETE FROM track_rollup_day WHERE day = d
  ; DELETE FROM track_rollup_group WHERE day = d
  ; DELETE FROM track_rollup_lib WHERE day = d
  ; DROP TEMPORARY TABLE IF EXISTS rl_run, rl_set
  ; CREATE TEMPORARY TABLE rl_run AS
      SELECT r.syshost, r.user, r.account, r.`partition`, r.job_key, r.object_set_id,
             CAST(CONV(LEFT(MD5(o.path), 16), 16, 10) AS UNSIGNED) AS exe_key, r.exe_object_id,
             COALESCE(r.run_time, 0) * GREATEST(r.num_cores, 1) AS cs,
             COALESCE(r.utime, 0) + COALESCE(r.stime, 0) AS cpu,
             CASE WHEN r.term_signal IS NOT NULL OR COALESCE(r.exit_status, 0) <> 0 THEN 1
                  WHEN r.has_end = 0 AND NOT EXISTS (SELECT 1 FROM track_run c
                         WHERE c.parent_uuid = r.run_uuid AND c.pid = r.pid) THEN 1
                  ELSE 0 END AS failed,
             CAST(1 AS UNSIGNED) AS n
      FROM track_run r JOIN track_object o ON o.id = r.exe_object_id
      WHERE r.start_time >= t0 AND r.start_time < t1
      UNION ALL
      -- tallied runs (runs past a job's job_max_records): n runs per row,
      -- in the day of their first start; no account, partition or objects
      SELECT t.syshost, t.user, NULL, NULL, t.job_key, NULL,
             CAST(CONV(LEFT(MD5(t.exe_path), 16), 16, 10) AS UNSIGNED),
             COALESCE((SELECT MIN(o.id) FROM track_object o WHERE o.path = t.exe_path), 0),
             t.core_seconds, t.utime + t.stime, IF(t.exit_class = 'ok', 0, t.runs), t.runs
      FROM track_tally t
      WHERE t.first_start >= t0 AND t.first_start < t1
  ; INSERT INTO track_rollup_day (day, syshost, user, account, `partition`, exe_key,
                                  exe_object_id, runs, jobs, core_seconds, cpu_seconds, failures)
      SELECT d, syshost, user, account, `partition`, exe_key, MIN(exe_object_id), SUM(n),
             COUNT(DISTINCT job_key), SUM(cs), SUM(cpu), SUM(failed)
      FROM rl_run GROUP BY syshost, user, account, `partition`, exe_key
  ; INSERT INTO track_rollup_group (day, syshost, user, account, `partition`, runs, jobs,
                                    core_seconds, cpu_seconds, failures)
      SELECT d, syshost, user, account, `partition`, SUM(n), COUNT(DISTINCT job_key),
             SUM(cs), SUM(cpu), SUM(failed)
      FROM rl_run GROUP BY syshost, user, account, `partition`
  ; CREATE TEMPORARY TABLE rl_set (PRIMARY KEY (set_id)) AS
      SELECT object_set_id AS set_id, COUNT(*) AS n, SUM(cs) AS cs FROM rl_run
      WHERE object_set_id IS NOT NULL GROUP BY object_set_id
  -- sets seen for the first time get their path and family keys (once per
  -- set, ever: a set never changes)
  ; DROP TEMPORARY TABLE IF EXISTS rl_new
  ; CREATE TEMPORARY TABLE rl_new (PRIMARY KEY (set_id)) AS
      SELECT s.set_id FROM rl_set s
      WHERE NOT EXISTS (SELECT 1 FROM track_object_set_key x WHERE x.set_id = s.set_id)
  ; INSERT IGNORE INTO track_object_set_key (set_id, ord, k)
      SELECT m.set_id, 1, om.pkey FROM rl_new s
      JOIN track_object_set_member m ON m.set_id = s.set_id JOIN rl_om om ON om.id = m.object_id
  ; INSERT IGNORE INTO track_object_set_key (set_id, ord, k)
      SELECT m.set_id, 2, om.fkey FROM rl_new s
      JOIN track_object_set_member m ON m.set_id = s.set_id JOIN rl_om om ON om.id = m.object_id
  ; INSERT INTO track_rollup_lib (day, ord, k, runs, core_seconds)
      SELECT d, x.ord, x.k, SUM(s.n), SUM(s.cs)
      FROM rl_set s JOIN track_object_set_key x ON x.set_id = s.set_id
      GROUP BY x.ord, x.k
  ; DROP TEMPORARY TABLE IF EXISTS rl_run, rl_set, rl_new
  ; END;

DROP PROCEDURE IF EXISTS track_rollup_refresh;
CREATE PROCEDURE track_rollup_refresh()
BEGIN
  DECLARE d DATE
  ; DECLARE done INT DEFAULT 0
  ; DECLARE n INT DEFAULT 0
  ; DECLARE cur CURSOR FOR SELECT day FROM rl_days ORDER BY day
  ; DECLARE CONTINUE HANDLER FOR NOT FOUND SET done = 1
  ; IF NOT EXISTS (SELECT 1 FROM track_rollup_info WHERE id = 1 AND time_zone = @@session.time_zone) THEN
      DELETE FROM track_rollup_day
      ; DELETE FROM track_rollup_group
      ; DELETE FROM track_rollup_lib
      ; INSERT INTO track_rollup_dirty (day)
          SELECT DISTINCT DATE(FROM_UNIXTIME(start_time)) FROM track_run
          UNION SELECT DATE(FROM_UNIXTIME(first_start)) FROM track_tally
          ON DUPLICATE KEY UPDATE day = VALUES(day)
      ; REPLACE INTO track_rollup_info (id, time_zone) VALUES (1, @@session.time_zone)
    ; END IF
  ; DROP TEMPORARY TABLE IF EXISTS rl_days, rl_om
  ; CREATE TEMPORARY TABLE rl_days (day DATE NOT NULL PRIMARY KEY)
  ; INSERT INTO rl_days (day)
      SELECT day FROM track_rollup_dirty FOR UPDATE
  ; IF EXISTS (SELECT 1 FROM rl_days) THEN
      -- path and family keys as the libraries report computes them
      CREATE TEMPORARY TABLE rl_om (PRIMARY KEY (id)) AS
        SELECT f.id, MIN(f.id) OVER (PARTITION BY f.path) AS pkey,
               MIN(f.id) OVER (PARTITION BY f.family) AS fkey
        FROM (SELECT o.id, o.path,
                     REGEXP_REPLACE(SUBSTRING_INDEX(o.path, '/', -1), '[.]so([.][0-9]+)+$', '.so') AS family
              FROM track_object o) f
      ; OPEN cur
      ; rd: LOOP
          FETCH cur INTO d
          ; IF done THEN LEAVE rd; END IF
          ; CALL track_rollup_day_compute(d)
          ; DELETE FROM track_rollup_dirty WHERE day = d
          ; SET n = n + 1
        ; END LOOP
      ; CLOSE cur
    ; END IF
  ; DROP TEMPORARY TABLE IF EXISTS rl_days, rl_om
  ; SET @rollup_refreshed := n
  ; SET @rollup_left := (SELECT COUNT(*) FROM track_rollup_dirty)
  ; END;

DROP PROCEDURE IF EXISTS track_rollup_verify;
CREATE PROCEDURE track_rollup_verify()
BEGIN
  DROP TEMPORARY TABLE IF EXISTS rl_pend, rv_day, rv_group, rv_lib, rl_verify
  ; CREATE TEMPORARY TABLE rl_pend (day DATE NOT NULL PRIMARY KEY)
      SELECT day FROM track_rollup_dirty
  ; SET @rollup_pending := (SELECT COUNT(*) FROM rl_pend)
  ; CREATE TEMPORARY TABLE rv_day AS SELECT * FROM track_rollup_day
      WHERE day NOT IN (SELECT day FROM rl_pend)
  ; CREATE TEMPORARY TABLE rv_group AS SELECT * FROM track_rollup_group
      WHERE day NOT IN (SELECT day FROM rl_pend)
  ; CREATE TEMPORARY TABLE rv_lib AS SELECT * FROM track_rollup_lib
      WHERE day NOT IN (SELECT day FROM rl_pend)
  ; INSERT INTO track_rollup_dirty (day)
      SELECT DATE(FROM_UNIXTIME(start_time)) FROM track_run
      UNION SELECT DATE(FROM_UNIXTIME(first_start)) FROM track_tally
      UNION SELECT day FROM track_rollup_group
      UNION SELECT day FROM track_rollup_lib
      ON DUPLICATE KEY UPDATE day = VALUES(day)
  ; SET @rollup_checked := (SELECT COUNT(*) FROM track_rollup_dirty) - @rollup_pending
  ; CALL track_rollup_refresh()
  ; CREATE TEMPORARY TABLE rl_verify AS
      SELECT 'track_rollup_day' AS tbl, day, COUNT(*) AS rows_differing FROM (
        SELECT day FROM (
          SELECT day, syshost, user, account, `partition`, exe_key, exe_object_id, runs, jobs,
                 core_seconds, cpu_seconds, failures FROM rv_day
          UNION ALL
          SELECT day, syshost, user, account, `partition`, exe_key, exe_object_id, runs, jobs,
                 core_seconds, cpu_seconds, failures FROM track_rollup_day
          WHERE day NOT IN (SELECT day FROM rl_pend)) u
        GROUP BY day, syshost, user, account, `partition`, exe_key, exe_object_id, runs, jobs,
                 core_seconds, cpu_seconds, failures
        HAVING COUNT(*) <> 2) x GROUP BY day
      UNION ALL
      SELECT 'track_rollup_group', day, COUNT(*) FROM (
        SELECT day FROM (
          SELECT day, syshost, user, account, `partition`, runs, jobs, core_seconds,
                 cpu_seconds, failures FROM rv_group
          UNION ALL
          SELECT day, syshost, user, account, `partition`, runs, jobs, core_seconds,
                 cpu_seconds, failures FROM track_rollup_group
          WHERE day NOT IN (SELECT day FROM rl_pend)) u
        GROUP BY day, syshost, user, account, `partition`, runs, jobs, core_seconds,
                 cpu_seconds, failures
        HAVING COUNT(*) <> 2) x GROUP BY day
      UNION ALL
      SELECT 'track_rollup_lib', day, COUNT(*) FROM (
        SELECT day FROM (
          SELECT day, ord, k, runs, core_seconds FROM rv_lib
          UNION ALL
          SELECT day, ord, k, runs, core_seconds FROM track_rollup_lib
          WHERE day NOT IN (SELECT day FROM rl_pend)) u
        GROUP BY day, ord, k, runs, core_seconds
        HAVING COUNT(*) <> 2) x GROUP BY day
  ; SET @rollup_bad := (SELECT COUNT(*) FROM rl_verify)
  ; DROP TEMPORARY TABLE IF EXISTS rl_pend, rv_day, rv_group, rv_lib
  ; END;

DELETE FROM track_schema_version;
INSERT INTO track_schema_version (version) VALUES (14);
