-- track schema, version 19: the daily roll-up per executable file name
-- (docs/schema.md "Daily roll-up", docs/reports.md "daily"), for
-- `track-report daily --by application`.
--
-- track_rollup_name holds, per day and (syshost, user, account, partition,
-- file name of the executable), the same totals as track_rollup_day holds
-- per path: runs, jobs, core-seconds, CPU seconds, failures. Which names
-- are applications is the reader's setting (not_applications), not
-- the roll-up's: it keeps every name ('' for the tallies' overflow entry),
-- and the report tests each name of the window once. Jobs are counted per
-- name here because a job that ran /a/lmp and /b/lmp is one lmp job: summing
-- the per-path rows of track_rollup_day would count it twice.
--
-- The three procedures of 0014/0016 again, each with the new table: day
-- compute (its rows from the same rl_run), refresh (a time zone change
-- clears it too) and verify (compared like the others). track_rollup_info
-- is cleared so that the next refresh (the next track-ingest run, or
-- track-ingest --refresh-rollup) recomputes every day and fills the table
-- for the runs loaded before this version.
--
-- Statements inside bodies start with ';' at the beginning of a line:
-- track-ingest --migrate splits this file at lines that END with ';'.
CREATE TABLE IF NOT EXISTS track_rollup_name (
  day           DATE NOT NULL,
  syshost       VARCHAR(64) NOT NULL,
  user          VARCHAR(64) NOT NULL,
  account       VARCHAR(128) NULL,
  `partition`   VARCHAR(128) NULL,
  exe_name      VARBINARY(4096) NOT NULL,
  runs          BIGINT UNSIGNED NOT NULL,
  jobs          BIGINT UNSIGNED NOT NULL,
  core_seconds  DECIMAL(26,6) NOT NULL,
  cpu_seconds   DECIMAL(26,6) NOT NULL,
  failures      BIGINT UNSIGNED NOT NULL,
  -- the first 64 bits of MD5(exe_name): the report groups on it, not on
  -- the name (up to 4 KiB per row in a temporary table)
  name_key      BIGINT UNSIGNED
    AS (CAST(CONV(LEFT(MD5(exe_name), 16), 16, 10) AS UNSIGNED)) STORED,
  KEY k_rollup_name_day (day),
  KEY k_rollup_name_key (name_key)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

DROP PROCEDURE IF EXISTS track_rollup_day_compute;
CREATE PROCEDURE track_rollup_day_compute(IN d DATE)
BEGIN
  DECLARE t0 DECIMAL(17,6) DEFAULT UNIX_TIMESTAMP(d)
  ; DECLARE t1 DECIMAL(17,6) DEFAULT UNIX_TIMESTAMP(d + INTERVAL 1 DAY)
  ; DELETE FROM track_rollup_day WHERE day = d
  ; DELETE FROM track_rollup_group WHERE day = d
  ; DELETE FROM track_rollup_lib WHERE day = d
  ; DELETE FROM track_rollup_name WHERE day = d
  ; DROP TEMPORARY TABLE IF EXISTS rl_run, rl_set
  ; CREATE TEMPORARY TABLE rl_run AS
      SELECT r.syshost, r.user, r.account, r.`partition`, r.job_key, r.object_set_id,
             CAST(CONV(LEFT(MD5(o.path), 16), 16, 10) AS UNSIGNED) AS exe_key, r.exe_object_id,
             SUBSTRING_INDEX(o.path, '/', -1) AS exe_name,
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
      -- in the day of their first start, with their job's account and
      -- partition (NULL when the record had none); no objects
      SELECT t.syshost, t.user, t.account, t.`partition`, t.job_key, NULL,
             CAST(CONV(LEFT(MD5(t.exe_path), 16), 16, 10) AS UNSIGNED),
             COALESCE((SELECT MIN(o.id) FROM track_object o WHERE o.path = t.exe_path), 0),
             SUBSTRING_INDEX(t.exe_path, '/', -1),
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
  ; INSERT INTO track_rollup_name (day, syshost, user, account, `partition`, exe_name,
                                   runs, jobs, core_seconds, cpu_seconds, failures)
      SELECT d, syshost, user, account, `partition`, exe_name, SUM(n), COUNT(DISTINCT job_key),
             SUM(cs), SUM(cpu), SUM(failed)
      FROM rl_run GROUP BY syshost, user, account, `partition`, exe_name
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
      ; DELETE FROM track_rollup_name
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
  DROP TEMPORARY TABLE IF EXISTS rl_pend, rv_day, rv_group, rv_lib, rv_name, rl_verify
  ; CREATE TEMPORARY TABLE rl_pend (day DATE NOT NULL PRIMARY KEY)
      SELECT day FROM track_rollup_dirty
  ; SET @rollup_pending := (SELECT COUNT(*) FROM rl_pend)
  ; CREATE TEMPORARY TABLE rv_day AS SELECT * FROM track_rollup_day
      WHERE day NOT IN (SELECT day FROM rl_pend)
  ; CREATE TEMPORARY TABLE rv_group AS SELECT * FROM track_rollup_group
      WHERE day NOT IN (SELECT day FROM rl_pend)
  ; CREATE TEMPORARY TABLE rv_lib AS SELECT * FROM track_rollup_lib
      WHERE day NOT IN (SELECT day FROM rl_pend)
  ; CREATE TEMPORARY TABLE rv_name AS SELECT * FROM track_rollup_name
      WHERE day NOT IN (SELECT day FROM rl_pend)
  ; INSERT INTO track_rollup_dirty (day)
      SELECT DATE(FROM_UNIXTIME(start_time)) FROM track_run
      UNION SELECT DATE(FROM_UNIXTIME(first_start)) FROM track_tally
      UNION SELECT day FROM track_rollup_group
      UNION SELECT day FROM track_rollup_lib
      UNION SELECT day FROM track_rollup_name
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
      UNION ALL
      SELECT 'track_rollup_name', day, COUNT(*) FROM (
        SELECT day FROM (
          SELECT day, syshost, user, account, `partition`, exe_name, runs, jobs, core_seconds,
                 cpu_seconds, failures FROM rv_name
          UNION ALL
          SELECT day, syshost, user, account, `partition`, exe_name, runs, jobs, core_seconds,
                 cpu_seconds, failures FROM track_rollup_name
          WHERE day NOT IN (SELECT day FROM rl_pend)) u
        GROUP BY day, syshost, user, account, `partition`, exe_name, runs, jobs, core_seconds,
                 cpu_seconds, failures
        HAVING COUNT(*) <> 2) x GROUP BY day
  ; SET @rollup_bad := (SELECT COUNT(*) FROM rl_verify)
  ; DROP TEMPORARY TABLE IF EXISTS rl_pend, rv_day, rv_group, rv_lib, rv_name
  ; END;

DELETE FROM track_rollup_info;

DELETE FROM track_schema_version;
INSERT INTO track_schema_version (version) VALUES (19);
