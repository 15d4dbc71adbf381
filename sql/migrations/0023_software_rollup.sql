-- track schema, version 23: the software roll-up (docs/schema.md "Software
-- roll-up", docs/software.md "How the report counts"), so that `software`
-- without a filter no longer attributes every member of every object set of
-- the window on each call (8.6-10 s at 1,000,000 runs with 10 % of them
-- holding a set of their own and a site's 302 rules, docs/performance.md
-- "Issue 18, round 11").
--
-- Attribution needs the software map (config software_map and
-- lmod_reverse_map): track-ingest reads the same files track-report reads
-- and hands them to the server as the session tables rp_sw_prefix and
-- rp_sw_exe (track_sw_tables below), then calls track_sw_refresh, which
-- keeps:
-- - track_sw_pv: (package, version) as a number; package NULL is the
--   unattributed row;
-- - track_sw_object: per object and role (1 executable: the name rules
--   apply; 2 library: they do not) its package;
-- - track_sw_set: per object set, each package of its members once;
-- - track_rollup_sw: per day (runs that STARTED that day, in
--   track_sw_info's time zone), section (ord 1 executables, 2 libraries) and
--   package: runs, core-seconds (a run counts once per package) and
--   distinct jobs;
-- - track_rollup_sw_job: the keys of those jobs that also have runs on
--   another day (a window's distinct jobs are the days' sums less the
--   repeats these rows show: exact however many days a job spans, without
--   a row per job and day for the jobs that stay within one day, most of
--   them);
-- - track_rollup_sw_user: the (day, section, package) rows' distinct user
--   keys (at most users x packages a day).
-- track_sw_info holds the map's fingerprint (track_sw_fingerprint: counts
-- and sums of each entry's MD5, so the order of the prefixes does not
-- matter and the order of the name rules does) and the time zone. A refresh
-- with another map or time zone empties everything and recomputes every
-- day; track-report uses the store only when its own map has the stored
-- fingerprint and no day of the window is marked, else it attributes at
-- report time as before.
--
-- Which days to recompute: every mark of a day for the daily roll-up
-- (track_rollup_dirty, migration 0012: track-ingest's batches, a time zone
-- change, --verify-rollup) is a mark for the software roll-up too, through
-- a trigger on that small table (one row per day, not per run), kept in
-- track_sw_dirty until track_sw_refresh recomputes the day. So is every day
-- with runs of a job marked for the per-job roll-up (track_rollup_job_dirty,
-- migration 0020; a second trigger keeps the keys in track_sw_job_dirty):
-- a run on a new day can make a job span days, which changes the
-- track_rollup_sw_job rows of its other days. Objects and sets
-- never change once written (content-addressed), so their attribution is
-- computed once per map, when a day first needs it.
--
-- Statements inside bodies start with ';' at the beginning of a line:
-- track-ingest --migrate splits this file at lines that END with ';'.

CREATE TABLE IF NOT EXISTS track_sw_info (
  id          TINYINT NOT NULL PRIMARY KEY,
  fingerprint VARCHAR(255) NOT NULL,
  time_zone   VARCHAR(64) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- hk: MD5 of the pair with NULLs told apart from strings (a UNIQUE key
-- would let two (NULL, NULL) rows in)
CREATE TABLE IF NOT EXISTS track_sw_pv (
  pv       INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  hk       BINARY(16) NOT NULL,
  package  VARCHAR(255) NULL,
  version  VARCHAR(255) NULL,
  UNIQUE KEY k_sw_pv_hk (hk)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS track_sw_object (
  object_id INT UNSIGNED NOT NULL,
  role      TINYINT NOT NULL,
  pv        INT UNSIGNED NOT NULL,
  PRIMARY KEY (object_id, role)
) ENGINE=InnoDB;

CREATE TABLE IF NOT EXISTS track_sw_set (
  set_id INT UNSIGNED NOT NULL,
  pv     INT UNSIGNED NOT NULL,
  PRIMARY KEY (set_id, pv)
) ENGINE=InnoDB;

CREATE TABLE IF NOT EXISTS track_sw_dirty (
  day DATE NOT NULL PRIMARY KEY
) ENGINE=InnoDB;

CREATE TABLE IF NOT EXISTS track_sw_job_dirty (
  job_key BIGINT UNSIGNED NOT NULL PRIMARY KEY
) ENGINE=InnoDB;

CREATE TABLE IF NOT EXISTS track_rollup_sw (
  day          DATE NOT NULL,
  ord          TINYINT NOT NULL,
  pv           INT UNSIGNED NOT NULL,
  runs         BIGINT UNSIGNED NOT NULL,
  core_seconds DECIMAL(26,6) NOT NULL,
  jobs         BIGINT UNSIGNED NOT NULL,
  PRIMARY KEY (day, ord, pv)
) ENGINE=InnoDB;

-- (ord, pv, day, key): a report reads the printed packages' keys over the
-- window's days in one index range each
CREATE TABLE IF NOT EXISTS track_rollup_sw_job (
  ord     TINYINT NOT NULL,
  pv      INT UNSIGNED NOT NULL,
  day     DATE NOT NULL,
  job_key BIGINT UNSIGNED NOT NULL,
  PRIMARY KEY (ord, pv, day, job_key),
  KEY k_rollup_sw_job_day (day)
) ENGINE=InnoDB;

CREATE TABLE IF NOT EXISTS track_rollup_sw_user (
  ord      TINYINT NOT NULL,
  pv       INT UNSIGNED NOT NULL,
  day      DATE NOT NULL,
  user_key BIGINT UNSIGNED NOT NULL,
  PRIMARY KEY (ord, pv, day, user_key),
  KEY k_rollup_sw_user_day (day)
) ENGINE=InnoDB;

DROP TRIGGER IF EXISTS track_rollup_dirty_sw;
CREATE TRIGGER track_rollup_dirty_sw BEFORE INSERT ON track_rollup_dirty FOR EACH ROW
  INSERT INTO track_sw_dirty (day) VALUES (NEW.day) ON DUPLICATE KEY UPDATE day = VALUES(day);

DROP TRIGGER IF EXISTS track_rollup_job_dirty_sw;
CREATE TRIGGER track_rollup_job_dirty_sw BEFORE INSERT ON track_rollup_job_dirty FOR EACH ROW
  INSERT INTO track_sw_job_dirty (job_key) VALUES (NEW.job_key)
  ON DUPLICATE KEY UPDATE job_key = VALUES(job_key);

INSERT INTO track_sw_dirty (day) SELECT day FROM track_rollup_dirty
  ON DUPLICATE KEY UPDATE day = VALUES(day);
INSERT INTO track_sw_job_dirty (job_key) SELECT job_key FROM track_rollup_job_dirty
  ON DUPLICATE KEY UPDATE job_key = VALUES(job_key);

-- The session tables of the software map, empty, unless they exist
-- (track-report's rp_swload.c and track-ingest's ingest_sw.c fill them).
DROP PROCEDURE IF EXISTS track_sw_tables;
CREATE PROCEDURE track_sw_tables()
BEGIN
  CREATE TEMPORARY TABLE IF NOT EXISTS rp_sw_prefix (
    hk BINARY(16) NULL, prefix VARBINARY(4096) NOT NULL, src TINYINT NOT NULL,
    package VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    version VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
    module VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
    line INT NOT NULL, KEY (hk)) ENGINE=InnoDB
  ; CREATE TEMPORARY TABLE IF NOT EXISTS rp_sw_exe (
    ord INT NOT NULL PRIMARY KEY, pattern VARBINARY(1024) NOT NULL,
    package VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    version VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
    line INT NOT NULL) ENGINE=InnoDB
  ; END;

-- @sw_fp: the fingerprint of the map in rp_sw_prefix / rp_sw_exe. What
-- attribution reads counts (prefix, source, package, version, module; the
-- name rules' order); the lines do not.
DROP PROCEDURE IF EXISTS track_sw_fingerprint;
CREATE PROCEDURE track_sw_fingerprint()
BEGIN
  CALL track_sw_tables()
  ; SET @sw_fp := (
      SELECT CONCAT('1:', COUNT(*), ':', COALESCE(SUM(CAST(CONV(LEFT(h, 16), 16, 10) AS UNSIGNED)), 0), ':',
                    COALESCE(SUM(CAST(CONV(RIGHT(h, 16), 16, 10) AS UNSIGNED)), 0))
      FROM (SELECT MD5(CONCAT_WS(0x00, HEX(prefix), src, HEX(package), COALESCE(HEX(version), '-'),
                                 COALESCE(HEX(module), '-'))) AS h
            FROM rp_sw_prefix) p)
  ; SET @sw_fp := CONCAT(@sw_fp, (
      SELECT CONCAT('/', COUNT(*), ':', COALESCE(SUM(CAST(CONV(LEFT(h, 16), 16, 10) AS UNSIGNED)), 0), ':',
                    COALESCE(SUM(CAST(CONV(RIGHT(h, 16), 16, 10) AS UNSIGNED)), 0))
      FROM (SELECT MD5(CONCAT_WS(0x00, ord, HEX(pattern), HEX(package), COALESCE(HEX(version), '-'))) AS h
            FROM rp_sw_exe) e))
  ; END;

-- Attributes the objects of the session table sw_new (id, role) that
-- track_sw_object lacks, with the map in rp_sw_prefix / rp_sw_exe.
DROP PROCEDURE IF EXISTS track_sw_objects_add;
CREATE PROCEDURE track_sw_objects_add()
BEGIN
  DECLARE r INT DEFAULT 1
  ; WHILE r <= 2 DO
      DROP TEMPORARY TABLE IF EXISTS rp_sw_objs
      ; CREATE TEMPORARY TABLE rp_sw_objs (PRIMARY KEY (id)) AS
          SELECT o.id, o.path, IF(r = 1, 1, 0) AS is_exe, IF(r = 2, 1, 0) AS is_lib
          FROM sw_new n JOIN track_object o ON o.id = n.id
          WHERE n.role = r
            AND NOT EXISTS (SELECT 1 FROM track_sw_object s WHERE s.object_id = n.id AND s.role = r)
      ; CALL track_sw_attribute()
      ; INSERT INTO track_sw_pv (hk, package, version)
          SELECT DISTINCT UNHEX(MD5(CONCAT(COALESCE(CONCAT('p', HEX(a.package)), 'n'), '/',
                                           COALESCE(CONCAT('v', HEX(a.version)), 'n')))),
                 a.package, a.version
          FROM rp_sw_attr a
          ON DUPLICATE KEY UPDATE hk = VALUES(hk)
      ; INSERT INTO track_sw_object (object_id, role, pv)
          SELECT a.id, r, p.pv FROM rp_sw_attr a
          JOIN track_sw_pv p ON p.hk = UNHEX(MD5(CONCAT(COALESCE(CONCAT('p', HEX(a.package)), 'n'), '/',
                                                        COALESCE(CONCAT('v', HEX(a.version)), 'n'))))
      ; SET r = r + 1
    ; END WHILE
  ; DROP TEMPORARY TABLE IF EXISTS rp_sw_objs, rp_sw_attr
  ; END;

-- Recomputes one day from track_run, track_sw_set and track_sw_object (the
-- caller has added the day's sets and executables to them).
DROP PROCEDURE IF EXISTS track_sw_day_compute;
CREATE PROCEDURE track_sw_day_compute(IN d DATE)
BEGIN
  DECLARE t0 DECIMAL(17,6) DEFAULT UNIX_TIMESTAMP(d)
  ; DECLARE t1 DECIMAL(17,6) DEFAULT UNIX_TIMESTAMP(d + INTERVAL 1 DAY)
  ; DELETE FROM track_rollup_sw WHERE day = d
  ; DELETE FROM track_rollup_sw_job WHERE day = d
  ; DELETE FROM track_rollup_sw_user WHERE day = d
  ; DROP TEMPORARY TABLE IF EXISTS sw_g, sw_p, sw_mj
  -- per (section, object set or executable, job, user): ord 1 executables
  ; CREATE TEMPORARY TABLE sw_g ENGINE=MEMORY AS
      SELECT 1 AS ord, r.exe_object_id AS k, r.job_key, r.user_key, COUNT(*) AS n,
             SUM(COALESCE(r.run_time, 0) * GREATEST(r.num_cores, 1)) AS cs
      FROM track_run r WHERE r.start_time >= t0 AND r.start_time < t1
      GROUP BY r.exe_object_id, r.job_key, r.user_key ORDER BY NULL
  ; INSERT INTO sw_g
      SELECT 2, r.object_set_id, r.job_key, r.user_key, COUNT(*),
             SUM(COALESCE(r.run_time, 0) * GREATEST(r.num_cores, 1))
      FROM track_run r WHERE r.start_time >= t0 AND r.start_time < t1
      GROUP BY r.object_set_id, r.job_key, r.user_key ORDER BY NULL
  -- each group once per package of its executable or set
  ; CREATE TEMPORARY TABLE sw_p ENGINE=MEMORY AS
      SELECT g.ord, o.pv, g.job_key, g.user_key, g.n, g.cs
      FROM sw_g g JOIN track_sw_object o ON o.object_id = g.k AND o.role = 1
      WHERE g.ord = 1
  ; INSERT INTO sw_p
      SELECT g.ord, s.pv, g.job_key, g.user_key, g.n, g.cs
      FROM sw_g g JOIN track_sw_set s ON s.set_id = g.k
      WHERE g.ord = 2
  ; INSERT INTO track_rollup_sw (day, ord, pv, runs, core_seconds, jobs)
      SELECT d, ord, pv, SUM(n), SUM(cs), COUNT(DISTINCT job_key) FROM sw_p GROUP BY ord, pv
  -- the day's jobs with runs on another day too (k_run_job_start)
  ; CREATE TEMPORARY TABLE sw_mj (PRIMARY KEY (job_key)) ENGINE=MEMORY AS
      SELECT j.job_key
      FROM (SELECT DISTINCT job_key FROM sw_g WHERE job_key IS NOT NULL) j
      WHERE EXISTS (SELECT 1 FROM track_run x WHERE x.job_key = j.job_key AND x.start_time < t0)
         OR EXISTS (SELECT 1 FROM track_run x WHERE x.job_key = j.job_key AND x.start_time >= t1)
  ; INSERT INTO track_rollup_sw_job (ord, pv, day, job_key)
      SELECT DISTINCT p.ord, p.pv, d, p.job_key FROM sw_p p JOIN sw_mj m ON m.job_key = p.job_key
  ; INSERT INTO track_rollup_sw_user (ord, pv, day, user_key)
      SELECT DISTINCT ord, pv, d, user_key FROM sw_p WHERE user_key IS NOT NULL
  ; DROP TEMPORARY TABLE IF EXISTS sw_g, sw_p, sw_mj
  ; END;

-- Recomputes the first max_days days marked in track_sw_dirty (after
-- marking every day of the jobs in track_sw_job_dirty) and clears their
-- marks (the caller commits, and calls again while @sw_left > 0: a year's
-- recomputation after a map change is then many short transactions, and a
-- report falls back to attributing itself for the days still marked), with
-- the map in rp_sw_prefix / rp_sw_exe; with another map or time zone than
-- last time, everything is emptied and marked first. Sets @sw_refreshed
-- (days done), @sw_left (days still marked) and @sw_recomputed (1 when
-- everything was marked).
DROP PROCEDURE IF EXISTS track_sw_refresh;
CREATE PROCEDURE track_sw_refresh(IN max_days INT)
BEGIN
  DECLARE d DATE
  ; DECLARE done INT DEFAULT 0
  ; DECLARE n INT DEFAULT 0
  ; DECLARE cur CURSOR FOR SELECT day FROM sw_days ORDER BY day
  ; DECLARE CONTINUE HANDLER FOR NOT FOUND SET done = 1
  ; CALL track_sw_fingerprint()
  ; SET @sw_recomputed := 0
  -- a day's (set, job, user) groups times their packages stay in memory
  -- (the reports' limit, track_report_setup)
  ; SET @sw_heap := @@session.max_heap_table_size, @sw_tmp := @@session.tmp_table_size
  ; SET SESSION tmp_table_size = GREATEST(@@tmp_table_size, 1073741824),
                max_heap_table_size = GREATEST(@@max_heap_table_size, 1073741824)
  ; IF NOT EXISTS (SELECT 1 FROM track_sw_info
                   WHERE id = 1 AND fingerprint = @sw_fp AND time_zone = @@session.time_zone) THEN
      DELETE FROM track_rollup_sw
      ; DELETE FROM track_rollup_sw_job
      ; DELETE FROM track_rollup_sw_user
      ; DELETE FROM track_sw_set
      ; DELETE FROM track_sw_object
      ; DELETE FROM track_sw_pv
      ; INSERT INTO track_sw_dirty (day)
          SELECT DISTINCT DATE(FROM_UNIXTIME(start_time)) FROM track_run
          ON DUPLICATE KEY UPDATE day = VALUES(day)
      ; REPLACE INTO track_sw_info (id, fingerprint, time_zone) VALUES (1, @sw_fp, @@session.time_zone)
      ; SET @sw_recomputed := 1
    ; END IF
  -- every day of the jobs marked (k_run_job_start)
  ; INSERT INTO track_sw_dirty (day)
      SELECT DISTINCT DATE(FROM_UNIXTIME(r.start_time))
      FROM track_sw_job_dirty k JOIN track_run r ON r.job_key = k.job_key
      ON DUPLICATE KEY UPDATE day = VALUES(day)
  ; DELETE FROM track_sw_job_dirty
  ; DROP TEMPORARY TABLE IF EXISTS sw_days, sw_new, sw_sets
  ; CREATE TEMPORARY TABLE sw_days (day DATE NOT NULL PRIMARY KEY)
  ; INSERT INTO sw_days (day) SELECT day FROM track_sw_dirty ORDER BY day LIMIT max_days FOR UPDATE
  ; IF EXISTS (SELECT 1 FROM sw_days) THEN
      -- the days' sets without their packages yet, then the objects those
      -- sets hold and the days' executables, attributed once
      CREATE TEMPORARY TABLE sw_sets (PRIMARY KEY (set_id)) ENGINE=MEMORY AS
        SELECT DISTINCT r.object_set_id AS set_id
        FROM sw_days w JOIN track_run r
          ON r.start_time >= UNIX_TIMESTAMP(w.day) AND r.start_time < UNIX_TIMESTAMP(w.day + INTERVAL 1 DAY)
        WHERE NOT EXISTS (SELECT 1 FROM track_sw_set s WHERE s.set_id = r.object_set_id)
      ; CREATE TEMPORARY TABLE sw_new (PRIMARY KEY (id, role)) ENGINE=MEMORY AS
          SELECT DISTINCT m.object_id AS id, 2 AS role
          FROM sw_sets s JOIN track_object_set_member m ON m.set_id = s.set_id
      ; INSERT IGNORE INTO sw_new (id, role)
          SELECT DISTINCT r.exe_object_id, 1
          FROM sw_days w JOIN track_run r
            ON r.start_time >= UNIX_TIMESTAMP(w.day) AND r.start_time < UNIX_TIMESTAMP(w.day + INTERVAL 1 DAY)
      ; CALL track_sw_objects_add()
      ; INSERT INTO track_sw_set (set_id, pv)
          SELECT DISTINCT m.set_id, o.pv
          FROM sw_sets s JOIN track_object_set_member m ON m.set_id = s.set_id
          JOIN track_sw_object o ON o.object_id = m.object_id AND o.role = 2
      ; OPEN cur
      ; rd: LOOP
          FETCH cur INTO d
          ; IF done THEN LEAVE rd; END IF
          ; CALL track_sw_day_compute(d)
          ; DELETE FROM track_sw_dirty WHERE day = d
          ; SET n = n + 1
        ; END LOOP
      ; CLOSE cur
    ; END IF
  ; DROP TEMPORARY TABLE IF EXISTS sw_days, sw_new, sw_sets
  ; SET SESSION tmp_table_size = @sw_tmp, max_heap_table_size = @sw_heap
  ; SET @sw_refreshed := n
  ; SET @sw_left := (SELECT COUNT(*) FROM track_sw_dirty)
  ; END;

-- Compares the software roll-up with one recomputed from scratch with the
-- map in rp_sw_prefix / rp_sw_exe (the caller rolls back). @sw_checked
-- days compared, @sw_pending days marked, directly or through a job (not
-- compared), @sw_bad
-- (section, day) pairs differing, listed in rl_verify_sw; @sw_other = 1
-- when the store was made with another map or time zone (nothing compared:
-- the next refresh recomputes it).
DROP PROCEDURE IF EXISTS track_sw_verify;
CREATE PROCEDURE track_sw_verify()
BEGIN
  DROP TEMPORARY TABLE IF EXISTS sw_pend, sv_sw, sv_job, sv_user, rl_verify_sw
  ; CREATE TEMPORARY TABLE rl_verify_sw (tbl VARCHAR(32), day DATE, rows_differing BIGINT)
  ; CALL track_sw_fingerprint()
  ; SET @sw_other := NOT EXISTS (SELECT 1 FROM track_sw_info
                                 WHERE id = 1 AND fingerprint = @sw_fp AND time_zone = @@session.time_zone)
  ; CREATE TEMPORARY TABLE sw_pend (day DATE NOT NULL PRIMARY KEY)
      SELECT day FROM track_sw_dirty
      UNION SELECT DATE(FROM_UNIXTIME(r.start_time))
      FROM track_sw_job_dirty k JOIN track_run r ON r.job_key = k.job_key
  ; SET @sw_pending := (SELECT COUNT(*) FROM sw_pend)
  ; SET @sw_checked := 0, @sw_bad := 0
  ; IF NOT @sw_other THEN
      -- package names, not numbers: the recomputation numbers them anew
      CREATE TEMPORARY TABLE sv_sw AS
        SELECT r.day, r.ord, p.package, p.version, r.runs, r.core_seconds, r.jobs
        FROM track_rollup_sw r JOIN track_sw_pv p ON p.pv = r.pv
        WHERE r.day NOT IN (SELECT day FROM sw_pend)
      ; CREATE TEMPORARY TABLE sv_job AS
          SELECT j.day, j.ord, p.package, p.version, j.job_key AS k
          FROM track_rollup_sw_job j JOIN track_sw_pv p ON p.pv = j.pv
          WHERE j.day NOT IN (SELECT day FROM sw_pend)
      ; INSERT INTO sv_job
          SELECT u.day, u.ord + 2, p.package, p.version, u.user_key
          FROM track_rollup_sw_user u JOIN track_sw_pv p ON p.pv = u.pv
          WHERE u.day NOT IN (SELECT day FROM sw_pend)
      ; DELETE FROM track_sw_info
      ; CALL track_sw_refresh(2147483647)
      ; SET @sw_checked := @sw_refreshed - @sw_pending
      ; INSERT INTO rl_verify_sw
          SELECT 'track_rollup_sw', day, COUNT(*) FROM (
            SELECT day FROM (
              SELECT day, ord, package, version, runs, core_seconds, jobs FROM sv_sw
              UNION ALL
              SELECT r.day, r.ord, p.package, p.version, r.runs, r.core_seconds, r.jobs
              FROM track_rollup_sw r JOIN track_sw_pv p ON p.pv = r.pv
              WHERE r.day NOT IN (SELECT day FROM sw_pend)) u
            GROUP BY day, ord, package, version, runs, core_seconds, jobs
            HAVING COUNT(*) <> 2) x GROUP BY day
      ; INSERT INTO rl_verify_sw
          SELECT 'track_rollup_sw_job/_user', day, COUNT(*) FROM (
            SELECT day FROM (
              SELECT day, ord, package, version, k FROM sv_job
              UNION ALL
              SELECT j.day, j.ord, p.package, p.version, j.job_key
              FROM track_rollup_sw_job j JOIN track_sw_pv p ON p.pv = j.pv
              WHERE j.day NOT IN (SELECT day FROM sw_pend)
              UNION ALL
              SELECT u.day, u.ord + 2, p.package, p.version, u.user_key
              FROM track_rollup_sw_user u JOIN track_sw_pv p ON p.pv = u.pv
              WHERE u.day NOT IN (SELECT day FROM sw_pend)) u
            GROUP BY day, ord, package, version, k
            HAVING COUNT(*) <> 2) x GROUP BY day
      ; SET @sw_bad := (SELECT COUNT(*) FROM rl_verify_sw)
    ; END IF
  ; DROP TEMPORARY TABLE IF EXISTS sw_pend, sv_sw, sv_job
  ; END;

DELETE FROM track_schema_version;
INSERT INTO track_schema_version (version) VALUES (23);
