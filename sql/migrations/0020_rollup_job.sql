-- track schema, version 20: the per-job roll-up (docs/schema.md "Per-job
-- roll-up", docs/reports.md "Core-hours"), so that the job reports (jobs,
-- utilisation, the job lines of summary) no longer aggregate every run of
-- the window's jobs on each call (5-7 s at 1,000,000 runs,
-- docs/performance.md "Issue 18").
--
-- A job's facts as its records tell them do not depend on the report's
-- window: first start, span, CPUs, failed runs, the first run's user,
-- account, partition, state and exit (or the smallest of each when the runs
-- disagree), and its core-seconds per executable file name. track-ingest
-- keeps them, for the jobs each batch touches, as it keeps the daily
-- roll-up for the days:
-- - track_rollup_job: one row per job that has runs or tally rows,
-- - track_rollup_job_name: per job and executable file name (of a run's
--   executable or a tallied path; not the tallies' overflow entry ''), the
--   core-seconds; which names are applications is the reader's setting
--   (not_applications), so every name is kept,
-- - track_exe_name: the file name of each name_key (the first 64 bits of
--   its MD5, as in track_rollup_name),
-- - track_rollup_job_dirty: jobs whose rows a batch changed (runs, tally
--   rows, Slurm's facts: a run without an end counts until the job's end),
--   recomputed by track_rollup_jobs_refresh (track-ingest after each load,
--   --refresh-rollup) in steps of 5,000 jobs.
-- The one definition is track_rollup_jobs_compute: the refresh stores what
-- it computes; track_jobs_prepare reads the stored rows and computes the
-- window's jobs still marked (after this migration: all of them, until the
-- next refresh) on the fly, so a report is never older than the runs.
-- track_rollup_jobs_verify recomputes every job and compares
-- (track-ingest --verify-rollup).
--
-- The window's own jobs are found on new indexes: k_run_start and
-- k_tally_start gain job_key, so the job keys of the window's runs are read
-- from the index alone.
--
-- Statements inside bodies start with ';' at the beginning of a line:
-- track-ingest --migrate splits this file at lines that END with ';'.

ALTER TABLE track_run DROP KEY IF EXISTS k_run_start,
  ADD KEY k_run_start (start_time, job_key);
ALTER TABLE track_tally DROP KEY IF EXISTS k_tally_start,
  ADD KEY k_tally_start (first_start, job_key);

CREATE TABLE IF NOT EXISTS track_rollup_job (
  job_key       BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  syshost       VARCHAR(64) NULL,
  job_id        VARCHAR(64) NULL,
  user          VARCHAR(64) NULL,
  account       VARCHAR(128) NULL,
  `partition`   VARCHAR(128) NULL,
  state         VARCHAR(32) NOT NULL,
  exit_code     INT NULL,
  first_start   DECIMAL(17,6) NOT NULL,
  elapsed       BIGINT UNSIGNED NOT NULL,
  alloc_cpus    BIGINT UNSIGNED NULL,
  failures      BIGINT UNSIGNED NOT NULL,
  -- for the globs of track_rollup_job_info: the applications' core-seconds
  -- and the job type's name_key (NULL: no application)
  app_cs        DECIMAL(36,6) NOT NULL,
  type_key      BIGINT UNSIGNED NULL,
  KEY k_rollup_job_start (first_start)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS track_rollup_job_name (
  job_key       BIGINT UNSIGNED NOT NULL,
  name_key      BIGINT UNSIGNED NOT NULL,
  core_seconds  DECIMAL(36,6) NOT NULL,
  PRIMARY KEY (job_key, name_key)
) ENGINE=InnoDB;

CREATE TABLE IF NOT EXISTS track_exe_name (
  name_key      BIGINT UNSIGNED NOT NULL PRIMARY KEY,
  exe_name      VARBINARY(4096) NOT NULL
) ENGINE=InnoDB;

CREATE TABLE IF NOT EXISTS track_rollup_job_info (
  id                TINYINT NOT NULL PRIMARY KEY,
  not_applications  TEXT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS track_rollup_job_dirty (
  job_key       BIGINT UNSIGNED NOT NULL PRIMARY KEY
) ENGINE=InnoDB;

-- The jobs of the caller's temporary table rj_keys (job_key) computed into
-- the temporary tables rj_job (as track_rollup_job, app_cs and type_key for
-- the not_applications globs `globs`), rj_name (as track_rollup_job_name)
-- and rj_names (as track_exe_name). Jobs without runs and tally rows get no
-- rows. Reads only.
DROP PROCEDURE IF EXISTS track_rollup_jobs_compute;
CREATE PROCEDURE track_rollup_jobs_compute(IN globs TEXT)
BEGIN
  DROP TEMPORARY TABLE IF EXISTS rj_jend, rj_x, rj_t, rj_agg, rj_str, rj_o, rj_oid, rj_app, rj_type,
                                 rj_job, rj_name, rj_names
  -- a run without an end counts until its job's end when Slurm has it
  ; CREATE TEMPORARY TABLE rj_jend (PRIMARY KEY (job_key)) ENGINE=MEMORY AS
      SELECT k.job_key, (SELECT j.end_time FROM track_job j WHERE j.job_key = k.job_key
                         ORDER BY j.id LIMIT 1) AS jend
      FROM rj_keys k
  -- per job and executable (numbers only: user, account and partition are
  -- compared as user_key and two checksums); root = the first run (start,
  -- then id) packed in one number
  ; CREATE TEMPORARY TABLE rj_x ENGINE=MEMORY AS
      SELECT STRAIGHT_JOIN r.job_key, r.exe_object_id,
             SUM(COALESCE(r.run_time, GREATEST(k.jend - r.start_time, 0), 0) * r.num_cores) AS cs,
             MIN(r.start_time) AS s, MAX(COALESCE(r.end_time, r.start_time)) AS e,
             MAX(r.alloc_cpus) AS ac, MAX(r.num_cores) AS nc,
             SUM(r.exit_status <> 0 OR r.term_signal IS NOT NULL) AS failures,
             MIN(r.start_time * 100000000000000000000000000 + r.id) AS root,
             MIN(r.user_key) AS u0, MAX(r.user_key) AS u1,
             MIN(CRC32(CONCAT(COALESCE(CONCAT('+', r.account), '-'), 0x00,
                              COALESCE(CONCAT('+', r.`partition`), '-')))) AS a0,
             MAX(CRC32(CONCAT(COALESCE(CONCAT('+', r.account), '-'), 0x00,
                              COALESCE(CONCAT('+', r.`partition`), '-')))) AS a1,
             MIN(CRC32C(CONCAT(COALESCE(CONCAT('+', r.account), '-'), 0x00,
                               COALESCE(CONCAT('+', r.`partition`), '-')))) AS b0,
             MAX(CRC32C(CONCAT(COALESCE(CONCAT('+', r.account), '-'), 0x00,
                               COALESCE(CONCAT('+', r.`partition`), '-')))) AS b1
      FROM rj_jend k JOIN track_run r FORCE INDEX (k_run_job_start) ON r.job_key = k.job_key
      GROUP BY r.job_key, r.exe_object_id
  -- the same per job and tallied path (few rows: no MEMORY table, whose
  -- rows would be 4 KiB wide for the path)
  ; CREATE TEMPORARY TABLE rj_t AS
      SELECT STRAIGHT_JOIN t.job_key, t.exe_path AS path, SUM(t.core_seconds) AS cs,
             MIN(t.first_start) AS s, MAX(t.last_start) AS e,
             MAX(IF(t.wall_time > 0, CAST(GREATEST(ROUND(t.core_seconds / t.wall_time), 1) AS UNSIGNED), NULL)) AS nc,
             SUM(IF(t.exit_class = 'ok', 0, t.runs)) AS failures,
             MIN(t.user_key) AS u0, MAX(t.user_key) AS u1,
             MIN(CRC32(CONCAT(COALESCE(CONCAT('+', t.account), '-'), 0x00,
                              COALESCE(CONCAT('+', t.`partition`), '-')))) AS a0,
             MAX(CRC32(CONCAT(COALESCE(CONCAT('+', t.account), '-'), 0x00,
                              COALESCE(CONCAT('+', t.`partition`), '-')))) AS a1,
             MIN(CRC32C(CONCAT(COALESCE(CONCAT('+', t.account), '-'), 0x00,
                               COALESCE(CONCAT('+', t.`partition`), '-')))) AS b0,
             MAX(CRC32C(CONCAT(COALESCE(CONCAT('+', t.account), '-'), 0x00,
                               COALESCE(CONCAT('+', t.`partition`), '-')))) AS b1
      FROM rj_keys k JOIN track_tally t FORCE INDEX (k_tally_job_start) ON t.job_key = k.job_key
      GROUP BY t.job_key, t.exe_path
  -- per job; rid = its first recorded run (NULL: all tallied); same = all
  -- its runs, recorded and tallied, agree on user, account and partition
  ; CREATE TEMPORARY TABLE rj_agg (PRIMARY KEY (job_key)) ENGINE=MEMORY AS
      SELECT x.job_key, MIN(x.s) AS first_start,
             CAST(GREATEST(MAX(x.e) - MIN(x.s), 0) AS UNSIGNED) AS elapsed,
             COALESCE(MAX(x.ac), MAX(x.nc)) AS alloc_cpus, COALESCE(SUM(x.failures), 0) AS failures,
             CAST(MOD(MIN(x.root), 100000000000000000000) AS UNSIGNED) AS rid,
             MIN(x.u0) = MAX(x.u1) AND MIN(x.a0) = MAX(x.a1) AND MIN(x.b0) = MAX(x.b1) AS same
      FROM (
        SELECT job_key, s, e, ac, nc, failures, root, u0, u1, a0, a1, b0, b1 FROM rj_x
        UNION ALL
        SELECT job_key, s, e, NULL, nc, failures, NULL, u0, u1, a0, a1, b0, b1 FROM rj_t
      ) x
      GROUP BY x.job_key
  -- user, account and partition (and for a job of tallies only: cluster and
  -- job id) when the first run cannot tell them: the smallest of each
  ; CREATE TEMPORARY TABLE rj_str (PRIMARY KEY (job_key)) AS
      SELECT u.job_key, MIN(u.syshost) AS syshost, MIN(u.job_id) AS job_id, MIN(u.user) AS user,
             MIN(u.account) AS account, MIN(u.`partition`) AS `partition`
      FROM (
        SELECT STRAIGHT_JOIN a.job_key, r.syshost, r.job_id, r.user, r.account, r.`partition`
        FROM rj_agg a JOIN track_run r FORCE INDEX (k_run_job_start) ON r.job_key = a.job_key
        WHERE a.same = 0 OR a.same IS NULL OR a.rid IS NULL
        UNION ALL
        SELECT STRAIGHT_JOIN a.job_key, t.syshost, t.job_id, t.user, t.account, t.`partition`
        FROM rj_agg a JOIN track_tally t FORCE INDEX (k_tally_job_start) ON t.job_key = a.job_key
        WHERE a.same = 0 OR a.same IS NULL OR a.rid IS NULL) u
      GROUP BY u.job_key
  -- core-seconds per job and file name; the overflow entry ('') has no
  -- name. The names once per executable object and tallied path (rj_o),
  -- not per row: a 4 KiB name in every (job, executable) row was a quarter
  -- of this procedure
  ; CREATE TEMPORARY TABLE rj_o AS
      SELECT n.id, n.path, CAST(CONV(LEFT(MD5(n.name), 16), 16, 10) AS UNSIGNED) AS name_key,
             n.name
      FROM (SELECT o.id, NULL AS path, SUBSTRING_INDEX(o.path, '/', -1) AS name
            FROM (SELECT DISTINCT exe_object_id FROM rj_x) d
            JOIN track_object o ON o.id = d.exe_object_id
            UNION ALL
            SELECT NULL, p.path, SUBSTRING_INDEX(p.path, '/', -1)
            FROM (SELECT DISTINCT path FROM rj_t WHERE path <> '') p) n
  ; CREATE TEMPORARY TABLE rj_oid (PRIMARY KEY (id)) ENGINE=MEMORY AS
      SELECT id, name_key FROM rj_o WHERE id IS NOT NULL
  ; CREATE TEMPORARY TABLE rj_name (PRIMARY KEY (job_key, name_key)) ENGINE=MEMORY AS
      SELECT u.job_key, u.name_key, SUM(u.cs) AS core_seconds
      FROM (SELECT x.job_key, o.name_key, x.cs
            FROM rj_x x JOIN rj_oid o ON o.id = x.exe_object_id
            UNION ALL
            SELECT t.job_key, o.name_key, t.cs
            FROM rj_t t JOIN rj_o o ON o.path = t.path) u
      GROUP BY u.job_key, u.name_key
  ; CREATE TEMPORARY TABLE rj_names (PRIMARY KEY (name_key)) AS
      SELECT name_key, MIN(name) AS exe_name FROM rj_o GROUP BY name_key
  -- the applications among the names (track_is_application, migration
  -- 0017) numbered in name order, and per job their core-seconds and the
  -- type: the application with the most, ties to the smallest name, packed
  -- with its number in one value (core-seconds have 6 decimals: x 10^16
  -- leaves 10 digits free)
  ; CREATE TEMPORARY TABLE rj_app (PRIMARY KEY (name_key), KEY (nid)) ENGINE=MEMORY AS
      SELECT name_key, DENSE_RANK() OVER (ORDER BY exe_name) AS nid
      FROM rj_names WHERE track_is_application(exe_name, globs)
  ; CREATE TEMPORARY TABLE rj_type (PRIMARY KEY (job_key)) ENGINE=MEMORY AS
      SELECT n.job_key, SUM(n.core_seconds) AS app_cs,
             1000000000 - MOD(MAX(n.core_seconds * 10000000000000000 + 1000000000 - a.nid),
                              10000000000) AS nid
      FROM rj_name n JOIN rj_app a ON a.name_key = n.name_key
      GROUP BY n.job_key
  ; CREATE TEMPORARY TABLE rj_job (PRIMARY KEY (job_key)) AS
      SELECT a.job_key, COALESCE(ro.syshost, s.syshost) AS syshost,
             COALESCE(ro.job_id, s.job_id) AS job_id,
             IF(a.same AND ro.id IS NOT NULL, ro.user, s.user) AS user,
             IF(a.same AND ro.id IS NOT NULL, ro.account, s.account) AS account,
             IF(a.same AND ro.id IS NOT NULL, ro.`partition`, s.`partition`) AS `partition`,
             CASE WHEN ro.has_end = 0 OR ro.has_end IS NULL THEN 'UNKNOWN'
                  WHEN ro.term_signal IS NOT NULL THEN 'SIGNALED'
                  WHEN ro.exit_status = 0 THEN 'COMPLETED'
                  ELSE 'FAILED' END AS state,
             ro.exit_status AS exit_code, a.first_start, a.elapsed, a.alloc_cpus, a.failures,
             COALESCE(t.app_cs, 0) AS app_cs, ta.name_key AS type_key
      FROM rj_agg a
      LEFT JOIN track_run ro ON ro.id = a.rid
      LEFT JOIN rj_str s ON s.job_key = a.job_key
      LEFT JOIN rj_type t ON t.job_key = a.job_key
      LEFT JOIN rj_app ta ON ta.nid = t.nid
  ; DROP TEMPORARY TABLE rj_jend, rj_x, rj_t, rj_agg, rj_str, rj_o, rj_oid, rj_app, rj_type
  ; END;

-- Recomputes the marked jobs (track_rollup_job_dirty), at most 5,000 per
-- step so that a large backlog (after this migration) does not build one
-- huge temporary table; @rollup_jobs = how many. apps: the config's
-- not_applications (NULL: the default); when it is not the one the rows
-- were computed for (track_rollup_job_info), every job is recomputed.
DROP PROCEDURE IF EXISTS track_rollup_jobs_refresh;
CREATE PROCEDURE track_rollup_jobs_refresh(IN apps TEXT)
BEGIN
  DECLARE n INT DEFAULT 0
  ; DECLARE k INT DEFAULT 1
  ; DECLARE globs TEXT DEFAULT track_app_globs(apps)
  ; IF NOT EXISTS (SELECT 1 FROM track_rollup_job_info
                   WHERE id = 1 AND not_applications = globs) THEN
      INSERT INTO track_rollup_job_dirty (job_key) SELECT job_key FROM track_rollup_job
        ON DUPLICATE KEY UPDATE job_key = VALUES(job_key)
      ; REPLACE INTO track_rollup_job_info (id, not_applications) VALUES (1, globs)
    ; END IF
  ; WHILE k > 0 DO
      DROP TEMPORARY TABLE IF EXISTS rj_keys
      ; CREATE TEMPORARY TABLE rj_keys (PRIMARY KEY (job_key)) ENGINE=MEMORY AS
          SELECT job_key FROM track_rollup_job_dirty ORDER BY job_key LIMIT 5000 FOR UPDATE
      ; SET k = (SELECT COUNT(*) FROM rj_keys)
      ; IF k > 0 THEN
          CALL track_rollup_jobs_compute(globs)
          ; DELETE r FROM track_rollup_job r JOIN rj_keys k ON k.job_key = r.job_key
          ; DELETE r FROM track_rollup_job_name r JOIN rj_keys k ON k.job_key = r.job_key
          ; INSERT INTO track_rollup_job SELECT * FROM rj_job
          ; INSERT INTO track_rollup_job_name SELECT * FROM rj_name
          ; INSERT IGNORE INTO track_exe_name SELECT * FROM rj_names
          ; DELETE d FROM track_rollup_job_dirty d JOIN rj_keys k ON k.job_key = d.job_key
          ; SET n = n + k
        ; END IF
    ; END WHILE
  ; DROP TEMPORARY TABLE IF EXISTS rj_keys, rj_job, rj_name, rj_names
  ; SET @rollup_jobs := n
  ; END;

-- Recomputes every job with records (for the globs the rows were computed
-- for) and compares with the stored rows (jobs still marked are not
-- compared); @rollup_jobs_checked, @rollup_jobs_pending, @rollup_jobs_bad;
-- rl_verify_jobs lists the differing (table, job_key or name_key). Reads
-- only.
DROP PROCEDURE IF EXISTS track_rollup_jobs_verify;
CREATE PROCEDURE track_rollup_jobs_verify()
BEGIN
  DECLARE globs TEXT DEFAULT COALESCE((SELECT not_applications FROM track_rollup_job_info
                                       WHERE id = 1), track_app_globs(NULL))
  ; DROP TEMPORARY TABLE IF EXISTS rj_keys, rl_verify_jobs
  ; SET @rollup_jobs_pending := (SELECT COUNT(*) FROM track_rollup_job_dirty)
  ; CREATE TEMPORARY TABLE rj_keys (PRIMARY KEY (job_key)) ENGINE=MEMORY AS
      SELECT u.job_key FROM (
        SELECT DISTINCT job_key FROM track_run WHERE job_key IS NOT NULL
        UNION SELECT job_key FROM track_tally WHERE job_key IS NOT NULL
        UNION SELECT job_key FROM track_rollup_job
        UNION SELECT job_key FROM track_rollup_job_name) u
      WHERE NOT EXISTS (SELECT 1 FROM track_rollup_job_dirty d WHERE d.job_key = u.job_key)
  ; SET @rollup_jobs_checked := (SELECT COUNT(*) FROM rj_keys)
  ; CALL track_rollup_jobs_compute(globs)
  ; CREATE TEMPORARY TABLE rl_verify_jobs AS
      SELECT 'track_rollup_job' AS tbl, job_key AS k FROM (
        SELECT job_key, syshost, job_id, user, account, `partition`, state, exit_code,
               first_start, elapsed, alloc_cpus, failures, app_cs, type_key FROM rj_job
        UNION ALL
        SELECT r.job_key, r.syshost, r.job_id, r.user, r.account, r.`partition`, r.state,
               r.exit_code, r.first_start, r.elapsed, r.alloc_cpus, r.failures, r.app_cs,
               r.type_key
        FROM track_rollup_job r JOIN rj_keys k ON k.job_key = r.job_key) u
      GROUP BY job_key, syshost, job_id, user, account, `partition`, state, exit_code,
               first_start, elapsed, alloc_cpus, failures, app_cs, type_key
      HAVING COUNT(*) <> 2
      UNION
      SELECT 'track_rollup_job_name', job_key FROM (
        SELECT job_key, name_key, core_seconds FROM rj_name
        UNION ALL
        SELECT r.job_key, r.name_key, r.core_seconds
        FROM track_rollup_job_name r JOIN rj_keys k ON k.job_key = r.job_key) u
      GROUP BY job_key, name_key, core_seconds
      HAVING COUNT(*) <> 2
      UNION
      SELECT 'track_exe_name', n.name_key FROM rj_names n
      LEFT JOIN track_exe_name e ON e.name_key = n.name_key
      WHERE e.exe_name IS NULL OR e.exe_name <> n.exe_name
  ; SET @rollup_jobs_bad := (SELECT COUNT(*) FROM rl_verify_jobs)
  ; DROP TEMPORARY TABLE IF EXISTS rj_keys, rj_job, rj_name, rj_names
  ; END;

-- The job reports' definition of a job (migrations 0011-0018, docs/reports.md
-- "Core-hours") from the roll-up: the window's jobs are Slurm's that started
-- (or, without a start, ended) in it, and those Slurm does not know whose
-- first run (recorded or tallied) started in it; their records' facts come
-- from track_rollup_job, or are computed now for jobs still marked. The
-- applications' core-seconds and the job type are the stored ones when the
-- stored rows were computed for the same globs (the config's, as a rule),
-- else computed from the per-name rows. Fills rp_job.
DROP PROCEDURE IF EXISTS track_jobs_prepare;
CREATE PROCEDURE track_jobs_prepare(IN apps TEXT)
BEGIN
  DECLARE globs TEXT DEFAULT track_app_globs(apps)
  ; DECLARE stored TINYINT DEFAULT EXISTS (SELECT 1 FROM track_rollup_job_info
                                           WHERE id = 1 AND not_applications = globs)
  ; DROP TEMPORARY TABLE IF EXISTS rp_jk, rj_keys, rp_jnk, rp_jnm, rp_jtype, rp_job
  -- fresh = 1: the job is still marked, its rows come from rj_job/rj_name
  ; CREATE TEMPORARY TABLE rp_jk (job_key BIGINT UNSIGNED NOT NULL PRIMARY KEY,
                                  jid BIGINT UNSIGNED NULL,
                                  fresh TINYINT NOT NULL DEFAULT 0) ENGINE=MEMORY
  ; INSERT IGNORE INTO rp_jk (job_key, jid)
      SELECT j.job_key, j.id FROM track_job j
      WHERE COALESCE(j.start_time, j.end_time) >= @t0 AND COALESCE(j.start_time, j.end_time) < @t1
  ; CREATE TEMPORARY TABLE rj_keys (job_key BIGINT UNSIGNED NOT NULL PRIMARY KEY) ENGINE=MEMORY
  -- marked jobs that can be the window's: Slurm's, and those with a run or
  -- tally row in the window (a first start in it is one of them)
  ; IF EXISTS (SELECT 1 FROM track_rollup_job_dirty) THEN
      INSERT IGNORE INTO rj_keys
        SELECT d.job_key FROM track_rollup_job_dirty d JOIN rp_jk k ON k.job_key = d.job_key
      ; INSERT IGNORE INTO rj_keys
          SELECT w.job_key FROM (
            SELECT DISTINCT r.job_key FROM track_run r
            WHERE r.start_time >= @t0 AND r.start_time < @t1 AND r.job_key IS NOT NULL
            UNION
            SELECT DISTINCT t.job_key FROM track_tally t
            WHERE t.first_start >= @t0 AND t.first_start < @t1 AND t.job_key IS NOT NULL) w
          JOIN track_rollup_job_dirty d ON d.job_key = w.job_key
    ; END IF
  ; CALL track_rollup_jobs_compute(globs)
  -- (anti-joins as LEFT JOIN ... IS NULL: NOT EXISTS ran as a dependent
  -- subquery per row inside INSERT ... SELECT, 1.2 s for 100,000 jobs)
  ; INSERT IGNORE INTO rp_jk (job_key)
      SELECT r.job_key FROM track_rollup_job r
      LEFT JOIN track_job j ON j.job_key = r.job_key
      LEFT JOIN track_rollup_job_dirty d ON d.job_key = r.job_key
      WHERE r.first_start >= @t0 AND r.first_start < @t1 AND j.id IS NULL AND d.job_key IS NULL
  ; INSERT IGNORE INTO rp_jk (job_key, fresh)
      SELECT r.job_key, 1 FROM rj_job r LEFT JOIN track_job j ON j.job_key = r.job_key
      WHERE r.first_start >= @t0 AND r.first_start < @t1 AND j.id IS NULL
  ; UPDATE rp_jk k JOIN rj_keys d ON d.job_key = k.job_key SET k.fresh = 1
  -- other globs than the stored rows': the applications of the stored jobs
  -- from their per-name rows, as track_rollup_jobs_compute does (the fresh
  -- ones were computed for these globs)
  ; CREATE TEMPORARY TABLE rp_jtype (job_key BIGINT UNSIGNED NOT NULL PRIMARY KEY,
                                     app_cs DECIMAL(36,6) NOT NULL,
                                     type_key BIGINT UNSIGNED NULL) ENGINE=MEMORY
  ; IF NOT stored THEN
      CREATE TEMPORARY TABLE rp_jnk (PRIMARY KEY (name_key)) ENGINE=MEMORY AS
        SELECT DISTINCT r.name_key FROM rp_jk k
        JOIN track_rollup_job_name r ON r.job_key = k.job_key
        WHERE k.fresh = 0
      ; CREATE TEMPORARY TABLE rp_jnm (PRIMARY KEY (name_key), KEY (nid)) ENGINE=MEMORY AS
          SELECT k.name_key, DENSE_RANK() OVER (ORDER BY n.exe_name) AS nid
          FROM rp_jnk k JOIN track_exe_name n ON n.name_key = k.name_key
          WHERE track_is_application(n.exe_name, globs)
      ; INSERT INTO rp_jtype
          SELECT t.job_key, t.app_cs, m.name_key
          FROM (SELECT r.job_key, SUM(r.core_seconds) AS app_cs,
                       1000000000 - MOD(MAX(r.core_seconds * 10000000000000000 + 1000000000 - a.nid),
                                        10000000000) AS nid
                FROM rp_jk k JOIN track_rollup_job_name r ON r.job_key = k.job_key
                JOIN rp_jnm a ON a.name_key = r.name_key
                WHERE k.fresh = 0
                GROUP BY r.job_key) t
          JOIN rp_jnm m ON m.nid = t.nid
      ; DROP TEMPORARY TABLE rp_jnk, rp_jnm
    ; END IF
  ; CREATE TEMPORARY TABLE rp_job AS
      SELECT COALESCE(j.syshost, x.syshost) AS syshost, COALESCE(j.job_id, x.job_id) AS job_id,
             x.job_key, IF(j.id IS NULL, 'records', 'slurm') AS source,
             COALESCE(j.user, x.user) AS user,
             IF(j.id IS NULL, x.account, j.account) AS account,
             IF(j.id IS NULL, x.`partition`, j.`partition`) AS `partition`,
             COALESCE(j.state, x.state, 'UNKNOWN') AS state,
             IF(j.id IS NULL, x.exit_code, j.exit_code) AS exit_code,
             COALESCE(j.elapsed, x.elapsed, 0) AS elapsed,
             COALESCE(j.alloc_cpus, x.alloc_cpus, 0) AS alloc_cpus,
             COALESCE(j.start_time, x.first_start) AS start_time,
             CAST(COALESCE(j.elapsed, x.elapsed, 0) * COALESCE(j.alloc_cpus, x.alloc_cpus, 0)
                  AS DECIMAL(24,6)) AS alloc_cs,
             CAST(LEAST(COALESCE(x.app_cs, 0),
                        COALESCE(j.elapsed, x.elapsed, 0) * COALESCE(j.alloc_cpus, x.alloc_cpus, 0))
                  AS DECIMAL(24,6)) AS tracked_cs,
             COALESCE(fn.exe_name, sn.exe_name) AS job_type, COALESCE(x.app_cs, 0) AS app_cs,
             COALESCE(x.failures, 0) AS failures
      FROM (
        -- each job's records' facts: stored, fresh (computed above) or none
        SELECT k.job_key, k.jid, k.fresh,
               IF(k.fresh, d.syshost, a.syshost) AS syshost,
               IF(k.fresh, d.job_id, a.job_id) AS job_id,
               IF(k.fresh, d.user, a.user) AS user,
               IF(k.fresh, d.account, a.account) AS account,
               IF(k.fresh, d.`partition`, a.`partition`) AS `partition`,
               IF(k.fresh, d.state, a.state) AS state,
               IF(k.fresh, d.exit_code, a.exit_code) AS exit_code,
               IF(k.fresh, d.elapsed, a.elapsed) AS elapsed,
               IF(k.fresh, d.alloc_cpus, a.alloc_cpus) AS alloc_cpus,
               IF(k.fresh, d.first_start, a.first_start) AS first_start,
               IF(k.fresh, d.failures, a.failures) AS failures,
               IF(k.fresh, d.app_cs, IF(stored, a.app_cs, t.app_cs)) AS app_cs,
               IF(k.fresh, d.type_key, IF(stored, a.type_key, t.type_key)) AS type_key
        FROM rp_jk k
        LEFT JOIN track_rollup_job a ON a.job_key = k.job_key AND k.fresh = 0
        LEFT JOIN rj_job d ON d.job_key = k.job_key AND k.fresh = 1
        LEFT JOIN rp_jtype t ON t.job_key = k.job_key) x
      LEFT JOIN track_job j ON j.id = x.jid
      LEFT JOIN track_exe_name sn ON sn.name_key = x.type_key AND x.fresh = 0
      LEFT JOIN rj_names fn ON fn.name_key = x.type_key AND x.fresh = 1
  ; DROP TEMPORARY TABLE rp_jk, rj_keys, rp_jtype, rj_job, rj_name, rj_names
  ; END;

-- every job with records waits for its first computation (the next
-- track-ingest run, or track-ingest --refresh-rollup); until then the
-- reports compute them as they need them
INSERT INTO track_rollup_job_dirty (job_key)
  SELECT job_key FROM track_run WHERE job_key IS NOT NULL
  UNION SELECT job_key FROM track_tally WHERE job_key IS NOT NULL
  ON DUPLICATE KEY UPDATE job_key = VALUES(job_key);

DELETE FROM track_schema_version;
INSERT INTO track_schema_version (version) VALUES (20);
