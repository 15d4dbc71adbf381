-- users: per user the runs, jobs, core-hours and distinct executables (paths)
-- in the window; top @limit by core-hours. Tallied runs (track_tally,
-- migration 0014) count too, in the window of their first start (with
-- --account or --partition by their job's, migration 0016); tallied_runs
-- says how many of a user's runs were tallied.
-- Parameters: session variables, NULL (unset) = not given.
--   @since, @until   'YYYY-MM-DD' in the session time zone, @until exclusive;
--                    default @until = tomorrow, @since = @until - 30 days
--   @syshost, @user, @account, @partition   exact matches
--   @limit           rows per ranking (default 20)
-- track_report_setup (sql/migrations/0003) sets @t0/@t1, the window in epoch
-- seconds (track-report reads them back), the @f_ filters and @lim.
CALL track_report_setup(20, 1);

-- Two groupings of the window instead of one by (user, executable, job): per
-- (user, job) the runs and core-seconds, per (user, executable object) nothing
-- but the pair. Each has few, narrow groups (one grouping by all four keys was
-- ~1.5x the cost of both at 1M runs, docs/performance.md "## report").
-- Users and jobs by their integer keys (migration 0004); the (user, executable)
-- pairs also carry the name of each user key.
WITH
uj AS (
  SELECT r.user_key, r.job_key, COUNT(*) AS n, SUM(COALESCE(r.run_time, 0) * GREATEST(r.num_cores, 1)) AS cs
  FROM track_run r
  WHERE r.start_time >= @t0 AND r.start_time < @t1
    AND (@f_syshost IS NULL OR r.syshost = @f_syshost)
    AND (@f_user IS NULL OR r.user = @f_user)
    AND (@f_account IS NULL OR r.account = @f_account)
    AND (@f_partition IS NULL OR r.`partition` = @f_partition)
  GROUP BY r.user_key, r.job_key
),
ut AS (
  SELECT t.user_key, t.job_key, SUM(t.runs) AS n, SUM(t.core_seconds) AS cs
  FROM track_tally t
  WHERE t.first_start >= @t0 AND t.first_start < @t1
    AND (@f_syshost IS NULL OR t.syshost = @f_syshost)
    AND (@f_user IS NULL OR t.user = @f_user)
    AND (@f_account IS NULL OR t.account = @f_account)
    AND (@f_partition IS NULL OR t.`partition` = @f_partition)
  GROUP BY t.user_key, t.job_key
),
ujt AS (
  SELECT x.user_key, x.job_key, SUM(x.n) AS n, SUM(x.cs) AS cs, SUM(x.tn) AS tn
  FROM (SELECT user_key, job_key, n, cs, 0 AS tn FROM uj
        UNION ALL SELECT user_key, job_key, n, cs, n FROM ut) x
  GROUP BY x.user_key, x.job_key
),
-- distinct executables on the object id first, their paths after (the
-- path in the DISTINCT put 4 KiB per row in the temporary table: 1.1 s more
-- at 1,000,000 runs), then the tallied paths
ue AS (
  SELECT DISTINCT r.user_key, r.user, r.exe_object_id
  FROM track_run r
  WHERE r.start_time >= @t0 AND r.start_time < @t1
    AND (@f_syshost IS NULL OR r.syshost = @f_syshost)
    AND (@f_user IS NULL OR r.user = @f_user)
    AND (@f_account IS NULL OR r.account = @f_account)
    AND (@f_partition IS NULL OR r.`partition` = @f_partition)
),
up AS (
  SELECT e.user_key, e.user, o.path
  FROM ue e JOIN track_object o ON o.id = e.exe_object_id
  UNION ALL
  SELECT DISTINCT t.user_key, t.user, NULLIF(t.exe_path, '')
  FROM track_tally t
  WHERE t.first_start >= @t0 AND t.first_start < @t1
    AND (@f_syshost IS NULL OR t.syshost = @f_syshost)
    AND (@f_user IS NULL OR t.user = @f_user)
    AND (@f_account IS NULL OR t.account = @f_account)
    AND (@f_partition IS NULL OR t.`partition` = @f_partition)
),
-- jobs = distinct (syshost, job_id) with a job id: one uj group each
-- (job_key is NULL outside a job)
agg AS (
  SELECT j.user_key, SUM(j.n) AS runs, COUNT(j.job_key) AS jobs, SUM(j.cs) AS cs,
         SUM(j.tn) AS tallied_runs
  FROM ujt j
  GROUP BY j.user_key
),
exes AS (
  SELECT e.user_key, MIN(e.user) AS user, COUNT(DISTINCT e.path) AS executables
  FROM up e
  GROUP BY e.user_key
),
ranked AS (
  SELECT a.*, x.user, x.executables, ROW_NUMBER() OVER (ORDER BY a.cs DESC, a.runs DESC, x.user) AS rk
  FROM agg a JOIN exes x ON x.user_key = a.user_key
)
SELECT x.rk AS `rank`, x.user, x.runs, x.jobs, ROUND(x.cs / 3600, 2) AS core_hours, x.executables,
       x.tallied_runs
FROM ranked x
WHERE x.rk <= @lim
ORDER BY x.rk;
