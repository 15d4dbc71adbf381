-- failures: per executable (path), runs in the window that failed:
--   no_end       no end record, and not replaced by exec (a tracked run with
--                the same pid that names it as parent_uuid)
--   signaled     ended on a fatal signal (signals: which ones)
--   nonzero_exit exit status other than 0
-- failed = their sum (each run counts once). Top @limit by failed runs;
-- executables without failures are not listed. Tallied runs (past a job's
-- job_max_records; track_tally, migration 0014) count by class: error in
-- nonzero_exit, signal in signaled (signals does not say which), unknown
-- (killed during its count) in no_end; executable '' is the tallies'
-- overflow entry (paths that found no slot).
-- Parameters: session variables, NULL (unset) = not given.
--   @since, @until   'YYYY-MM-DD' in the session time zone, @until exclusive;
--                    default @until = tomorrow, @since = @until - 30 days
--   @syshost, @user, @account, @partition   exact matches
--   @limit           rows per ranking (default 20)
-- track_report_setup (sql/migrations/0003) sets @t0/@t1, the window in epoch
-- seconds (track-report reads them back), the @f_ filters and @lim.
CALL track_report_setup(20, 1);

-- Materialized in steps (as one statement of derived tables, the grouping
-- in the scan and the grouping by a 4 KiB path were 2.8 s of 2.8 s at
-- 1,000,000 runs; docs/performance.md "Issue 18, round 5"):
--   rp_fl_all  every run, counted per executable object
--   rp_fl_x    only the runs that may have failed (no end record, a signal, a
--              non-zero exit: ~10 %), one row each, then grouped (rp_fl_bad)
--              by executable, signal, user and job. A run without an end
--              that exec replaced has failed = 0: it counts in neither
--              users nor jobs.
--   rp_fl_hp   the paths (objects' and the window's tallies', rp_fl_tal),
--              grouped by a hash of the path; the path itself is joined
--              back for the ranked rows
-- User and job by their integer keys (migration 0004): narrower groups.
DROP TEMPORARY TABLE IF EXISTS rp_fl_all, rp_fl_x, rp_fl_bad, rp_fl_obj, rp_fl_tal, rp_fl_hp;
-- Without a filter the count names no column but those of k_run_exe_scan
-- (migration 0021): a wide window is read from that index alone, already
-- grouped (0.30-0.33 s against 0.48-0.57 s reading the rows at 1,000,000
-- runs; a 2-day window still goes through k_run_start). With a filter the
-- second statement names the filter's columns; there the server's own plan
-- walked k_run_exe_scan for the grouping, a row lookup per run of the whole
-- table (3x slower than reading the window).
CREATE TEMPORARY TABLE rp_fl_all (PRIMARY KEY (exe_object_id)) ENGINE=MEMORY AS
  SELECT r.exe_object_id, COUNT(*) AS n
  FROM track_run r
  WHERE @f_none AND r.start_time >= @t0 AND r.start_time < @t1
  GROUP BY r.exe_object_id;
INSERT INTO rp_fl_all (exe_object_id, n)
  SELECT r.exe_object_id, COUNT(*)
  FROM track_run r IGNORE INDEX (k_run_exe_scan)
  WHERE NOT @f_none AND r.start_time >= @t0 AND r.start_time < @t1
    AND (@f_syshost IS NULL OR r.syshost = @f_syshost)
    AND (@f_user IS NULL OR r.user = @f_user)
    AND (@f_account IS NULL OR r.account = @f_account)
    AND (@f_partition IS NULL OR r.`partition` = @f_partition)
  GROUP BY r.exe_object_id;
CREATE TEMPORARY TABLE rp_fl_x ENGINE=MEMORY AS
  SELECT r.exe_object_id, r.user_key, r.job_key, r.start_time, r.term_signal,
         CASE WHEN r.has_end = 0 AND NOT EXISTS (SELECT 1 FROM track_run c
                   WHERE c.parent_uuid = r.run_uuid AND c.pid = r.pid) THEN 1 ELSE 0 END AS no_end,
         CASE WHEN r.term_signal IS NOT NULL THEN 1 ELSE 0 END AS sig,
         CASE WHEN COALESCE(r.exit_status, 0) <> 0 THEN 1 ELSE 0 END AS nonzero
  FROM track_run r
  WHERE r.start_time >= @t0 AND r.start_time < @t1
    AND (r.has_end = 0 OR r.term_signal IS NOT NULL OR COALESCE(r.exit_status, 0) <> 0)
    AND (@f_syshost IS NULL OR r.syshost = @f_syshost)
    AND (@f_user IS NULL OR r.user = @f_user)
    AND (@f_account IS NULL OR r.account = @f_account)
    AND (@f_partition IS NULL OR r.`partition` = @f_partition);
CREATE TEMPORARY TABLE rp_fl_bad ENGINE=MEMORY AS
  SELECT x.exe_object_id, x.term_signal, x.user_key, x.job_key,
         SUM(x.no_end) AS no_end, SUM(x.sig) AS sig, SUM(x.nonzero) AS nonzero,
         SUM(GREATEST(x.no_end, x.sig, x.nonzero)) AS failed,
         MAX(IF(GREATEST(x.no_end, x.sig, x.nonzero) = 1, x.start_time, NULL)) AS last_failure
  FROM rp_fl_x x
  GROUP BY x.exe_object_id, x.term_signal, x.user_key, x.job_key;
CREATE TEMPORARY TABLE rp_fl_obj (PRIMARY KEY (id)) ENGINE=MEMORY AS
  SELECT o.id, UNHEX(MD5(o.path)) AS hk FROM rp_fl_all a JOIN track_object o ON o.id = a.exe_object_id;
-- the window's tallies, once: their rows below and their paths here
CREATE TEMPORARY TABLE rp_fl_tal AS
  SELECT UNHEX(MD5(t.exe_path)) AS hk, t.exe_path, t.runs, t.exit_class, t.user_key, t.job_key,
         t.last_start
  FROM track_tally t
  WHERE t.first_start >= @t0 AND t.first_start < @t1
    AND (@f_syshost IS NULL OR t.syshost = @f_syshost)
    AND (@f_user IS NULL OR t.user = @f_user)
    AND (@f_account IS NULL OR t.account = @f_account)
    AND (@f_partition IS NULL OR t.`partition` = @f_partition);
CREATE TEMPORARY TABLE rp_fl_hp (PRIMARY KEY (hk)) AS
  SELECT o.hk, x.path FROM rp_fl_obj o JOIN track_object x ON x.id = o.id
  UNION
  SELECT t.hk, t.exe_path FROM rp_fl_tal t;

WITH
paths AS (
  SELECT o.hk, a.n, 0 AS failed, 0 AS no_end, 0 AS sig, 0 AS nonzero,
         CAST(NULL AS SIGNED) AS term_signal, CAST(NULL AS UNSIGNED) AS f_user,
         CAST(NULL AS UNSIGNED) AS f_job, CAST(NULL AS DECIMAL(17,6)) AS last_failure
  FROM rp_fl_all a JOIN rp_fl_obj o ON o.id = a.exe_object_id
  UNION ALL
  SELECT o.hk, 0, b.failed, b.no_end, b.sig, b.nonzero, b.term_signal,
         IF(b.failed > 0, b.user_key, NULL), IF(b.failed > 0, b.job_key, NULL), b.last_failure
  FROM rp_fl_bad b JOIN rp_fl_obj o ON o.id = b.exe_object_id
  UNION ALL
  -- tallied runs: error = nonzero_exit, signal = signaled (which signal a
  -- tally does not keep), unknown (killed in its update) = no_end
  SELECT t.hk, t.runs, IF(t.exit_class = 'ok', 0, t.runs),
         IF(t.exit_class = 'unknown', t.runs, 0), IF(t.exit_class = 'signal', t.runs, 0),
         IF(t.exit_class = 'error', t.runs, 0), NULL,
         IF(t.exit_class = 'ok', NULL, t.user_key), IF(t.exit_class = 'ok', NULL, t.job_key),
         IF(t.exit_class = 'ok', NULL, t.last_start)
  FROM rp_fl_tal t
),
agg AS (
  SELECT p.hk, SUM(p.n) AS runs, SUM(p.failed) AS failed, SUM(p.no_end) AS no_end,
         SUM(p.sig) AS signaled, SUM(p.nonzero) AS nonzero_exit,
         GROUP_CONCAT(DISTINCT p.term_signal ORDER BY p.term_signal SEPARATOR ',') AS signals,
         COUNT(DISTINCT p.f_user) AS users,
         COUNT(DISTINCT p.f_job) AS jobs,
         MAX(p.last_failure) AS last_failure
  FROM paths p
  GROUP BY p.hk
  HAVING SUM(p.failed) > 0
),
ranked AS (
  SELECT a.*, h.path, ROW_NUMBER() OVER (ORDER BY a.failed DESC, a.runs DESC, h.path) AS rk
  FROM agg a JOIN rp_fl_hp h ON h.hk = a.hk
)
SELECT x.rk AS `rank`, x.path AS executable, x.runs, x.failed, x.no_end, x.signaled, x.nonzero_exit,
       x.signals, x.users, x.jobs,
       DATE_FORMAT(FROM_UNIXTIME(x.last_failure), '%Y-%m-%d %H:%i:%s') AS last_failure
FROM ranked x
WHERE x.rk <= @lim
ORDER BY x.rk;
DROP TEMPORARY TABLE IF EXISTS rp_fl_all, rp_fl_x, rp_fl_bad, rp_fl_obj, rp_fl_tal, rp_fl_hp;
