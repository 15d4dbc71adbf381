-- track schema, version 12: the daily roll-up (docs/schema.md "Daily
-- roll-up", docs/reports.md "daily"). Idempotent like every migration.
--
-- Per day (in the time zone of the session that refreshed it, recorded in
-- track_rollup_info), totals of the runs that STARTED that day:
--   track_rollup_day    per (syshost, user, account, partition, executable
--                       path): runs, jobs, core-seconds, CPU seconds, failures
--   track_rollup_group  the same per (syshost, user, account, partition):
--                       a job belongs to one (cluster, user, account,
--                       partition), so summing its jobs over groups of
--                       these columns counts each job once; summing
--                       track_rollup_day's jobs over executables would not
--   track_rollup_lib    per library path (ord 1) and family (ord 2), keyed
--                       like the libraries report (smallest object id of the
--                       path / family): runs and core-seconds (a run counts
--                       once per path and family), for its ranking
-- Definitions are the reports' (docs/reports.md): core-seconds = run_time x
-- num_cores (0 without an end record), CPU = utime + stime, failure =
-- signal, non-zero exit, or no end record unless replaced by exec.
--
-- Exactness: a roll-up day is always recomputed whole from track_run, never
-- adjusted. track-ingest marks the days a batch can change in
-- track_rollup_dirty inside the batch's own transaction, so a crash loses no
-- mark (ingest/ingest_days.c: one statement before the batch's rows, one
-- after, over the batch's run uuids: each row's day before and after, and
-- the day of the run it names as parent: a child with the same pid turns a
-- run without an end from "failed" into "exec"). No row triggers: two
-- statements per batch instead of work per row (docs/performance.md
-- "## ingest", "Daily roll-up (issue 18)").
-- Whoever else writes track_run marks the days it changes the same way, or
-- clears track_rollup_info (every day is then recomputed).
-- track_rollup_refresh() recomputes the marked days and clears their marks
-- (its caller commits). Loading a file twice, in any order, or an end before
-- its start, therefore leaves the roll-up equal to one recomputed from
-- scratch (track_rollup_verify).
--
-- Statements inside bodies start with ';' at the beginning of a line:
-- track-ingest --migrate splits this file at lines that END with ';'.

CREATE TABLE IF NOT EXISTS track_rollup_dirty (
  day DATE NOT NULL PRIMARY KEY
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS track_rollup_info (
  id        TINYINT NOT NULL PRIMARY KEY,
  time_zone VARCHAR(64) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- exe_key: the first 64 bits of MD5(exe_path), like track_run.job_key;
-- exe_object_id: the smallest object of that path among the day's runs.
CREATE TABLE IF NOT EXISTS track_rollup_day (
  day           DATE NOT NULL,
  syshost       VARCHAR(64) NOT NULL,
  user          VARCHAR(64) NOT NULL,
  account       VARCHAR(128) NULL,
  `partition`   VARCHAR(128) NULL,
  exe_key       BIGINT UNSIGNED NOT NULL,
  exe_object_id INT UNSIGNED NOT NULL,
  runs          BIGINT UNSIGNED NOT NULL,
  jobs          BIGINT UNSIGNED NOT NULL,
  core_seconds  DECIMAL(26,6) NOT NULL,
  cpu_seconds   DECIMAL(26,6) NOT NULL,
  failures      BIGINT UNSIGNED NOT NULL,
  KEY k_rollup_day (day)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS track_rollup_group (
  day           DATE NOT NULL,
  syshost       VARCHAR(64) NOT NULL,
  user          VARCHAR(64) NOT NULL,
  account       VARCHAR(128) NULL,
  `partition`   VARCHAR(128) NULL,
  runs          BIGINT UNSIGNED NOT NULL,
  jobs          BIGINT UNSIGNED NOT NULL,
  core_seconds  DECIMAL(26,6) NOT NULL,
  cpu_seconds   DECIMAL(26,6) NOT NULL,
  failures      BIGINT UNSIGNED NOT NULL,
  KEY k_rollup_group_day (day)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS track_rollup_lib (
  day           DATE NOT NULL,
  ord           TINYINT NOT NULL,
  k             INT UNSIGNED NOT NULL,
  runs          BIGINT UNSIGNED NOT NULL,
  core_seconds  DECIMAL(26,6) NOT NULL,
  PRIMARY KEY (day, ord, k)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The libraries of each object set as path keys (ord 1) and family keys
-- (ord 2), each once: the smallest object id among the objects with that
-- path / family. Ids only grow, so a key never changes once given. Filled by
-- track_rollup_day_compute for the sets of the days it computes.
CREATE TABLE IF NOT EXISTS track_object_set_key (
  set_id  INT UNSIGNED NOT NULL,
  ord     TINYINT NOT NULL,
  k       INT UNSIGNED NOT NULL,
  PRIMARY KEY (set_id, ord, k),
  KEY k_object_set_key_key (ord, k, set_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Recomputes one day from track_run (the caller removes its mark). Needs
-- the session temporary table rl_om (object id -> path key, family key).
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
                  ELSE 0 END AS failed
      FROM track_run r JOIN track_object o ON o.id = r.exe_object_id
      WHERE r.start_time >= t0 AND r.start_time < t1
  ; INSERT INTO track_rollup_day (day, syshost, user, account, `partition`, exe_key,
                                  exe_object_id, runs, jobs, core_seconds, cpu_seconds, failures)
      SELECT d, syshost, user, account, `partition`, exe_key, MIN(exe_object_id), COUNT(*),
             COUNT(DISTINCT job_key), SUM(cs), SUM(cpu), SUM(failed)
      FROM rl_run GROUP BY syshost, user, account, `partition`, exe_key
  ; INSERT INTO track_rollup_group (day, syshost, user, account, `partition`, runs, jobs,
                                    core_seconds, cpu_seconds, failures)
      SELECT d, syshost, user, account, `partition`, COUNT(*), COUNT(DISTINCT job_key),
             SUM(cs), SUM(cpu), SUM(failed)
      FROM rl_run GROUP BY syshost, user, account, `partition`
  ; CREATE TEMPORARY TABLE rl_set (PRIMARY KEY (set_id)) AS
      SELECT object_set_id AS set_id, COUNT(*) AS n, SUM(cs) AS cs FROM rl_run GROUP BY object_set_id
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

-- Recomputes every marked day and clears its mark; sets @rollup_refreshed (days done) and @rollup_left
-- (marks left). No COMMIT inside: the caller's transaction makes a day's
-- new rows and the removal of its mark one atomic change. When the session
-- time zone differs from the one the roll-up was made in, every day is
-- marked and recomputed (a day is a different interval there).
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

-- From-scratch check: copies the roll-up of the days not waiting for a
-- refresh, recomputes every day that has runs or roll-up rows, and leaves
-- in the session table rl_verify one row per (table, day) whose rows differ.
-- Sets @rollup_pending (days marked before the check, not compared),
-- @rollup_checked (days compared) and @rollup_bad (rows of rl_verify).
-- The caller ROLLS BACK afterwards: the check changes nothing.
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
INSERT INTO track_schema_version (version) VALUES (12);
