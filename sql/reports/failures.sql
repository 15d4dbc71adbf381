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

-- The window is grouped once by executable object and signal, with the user
-- and job kept only for failed runs (NULL for the others): the ~90 % of runs
-- that did not fail collapse into one group per executable, instead of one per
-- (executable, user, job) (2-3x faster at 1M runs, docs/performance.md).
-- User and job by their integer keys (migration 0004): narrower groups.
WITH
w AS (
  SELECT r.exe_object_id, r.user_key, r.job_key, r.start_time, r.term_signal,
         CASE WHEN r.has_end = 0 AND NOT EXISTS (SELECT 1 FROM track_run c
                   WHERE c.parent_uuid = r.run_uuid AND c.pid = r.pid) THEN 1 ELSE 0 END AS no_end,
         CASE WHEN r.term_signal IS NOT NULL THEN 1 ELSE 0 END AS sig,
         CASE WHEN COALESCE(r.exit_status, 0) <> 0 THEN 1 ELSE 0 END AS nonzero
  FROM track_run r
  WHERE r.start_time >= @t0 AND r.start_time < @t1
    AND (@f_syshost IS NULL OR r.syshost = @f_syshost)
    AND (@f_user IS NULL OR r.user = @f_user)
    AND (@f_account IS NULL OR r.account = @f_account)
    AND (@f_partition IS NULL OR r.`partition` = @f_partition)
),
wf AS (
  SELECT w.*, GREATEST(w.no_end, w.sig, w.nonzero) AS failed FROM w
),
base AS (
  SELECT wf.exe_object_id, wf.term_signal,
         IF(wf.failed = 1, wf.user_key, NULL) AS f_user, IF(wf.failed = 1, wf.job_key, NULL) AS f_job,
         COUNT(*) AS n,
         SUM(wf.no_end) AS no_end, SUM(wf.sig) AS sig, SUM(wf.nonzero) AS nonzero,
         SUM(wf.failed) AS failed,
         MAX(IF(wf.failed = 1, wf.start_time, NULL)) AS last_failure
  FROM wf
  GROUP BY wf.exe_object_id, wf.term_signal, f_user, f_job
),
paths AS (
  SELECT o.path, b.n, b.failed, b.no_end, b.sig, b.nonzero, b.term_signal, b.f_user, b.f_job,
         b.last_failure
  FROM base b JOIN track_object o ON o.id = b.exe_object_id
  UNION ALL
  -- tallied runs: error = nonzero_exit, signal = signaled (which signal a
  -- tally does not keep), unknown (killed in its update) = no_end
  SELECT t.exe_path, t.runs, IF(t.exit_class = 'ok', 0, t.runs),
         IF(t.exit_class = 'unknown', t.runs, 0), IF(t.exit_class = 'signal', t.runs, 0),
         IF(t.exit_class = 'error', t.runs, 0), NULL,
         IF(t.exit_class = 'ok', NULL, t.user_key), IF(t.exit_class = 'ok', NULL, t.job_key),
         IF(t.exit_class = 'ok', NULL, t.last_start)
  FROM track_tally t
  WHERE t.first_start >= @t0 AND t.first_start < @t1
    AND (@f_syshost IS NULL OR t.syshost = @f_syshost)
    AND (@f_user IS NULL OR t.user = @f_user)
    AND (@f_account IS NULL OR t.account = @f_account)
    AND (@f_partition IS NULL OR t.`partition` = @f_partition)
),
agg AS (
  SELECT p.path, SUM(p.n) AS runs, SUM(p.failed) AS failed, SUM(p.no_end) AS no_end,
         SUM(p.sig) AS signaled, SUM(p.nonzero) AS nonzero_exit,
         GROUP_CONCAT(DISTINCT p.term_signal ORDER BY p.term_signal SEPARATOR ',') AS signals,
         COUNT(DISTINCT p.f_user) AS users,
         COUNT(DISTINCT p.f_job) AS jobs,
         MAX(p.last_failure) AS last_failure
  FROM paths p
  GROUP BY p.path
  HAVING SUM(p.failed) > 0
),
ranked AS (
  SELECT a.*, ROW_NUMBER() OVER (ORDER BY a.failed DESC, a.runs DESC, a.path) AS rk FROM agg a
)
SELECT x.rk AS `rank`, x.path AS executable, x.runs, x.failed, x.no_end, x.signaled, x.nonzero_exit,
       x.signals, x.users, x.jobs,
       DATE_FORMAT(FROM_UNIXTIME(x.last_failure), '%Y-%m-%d %H:%i:%s') AS last_failure
FROM ranked x
WHERE x.rk <= @lim
ORDER BY x.rk;
