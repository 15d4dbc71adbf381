-- users: per user the runs, jobs, core-hours and distinct executables (paths)
-- in the window; top @limit by core-hours.
-- Parameters: session variables, NULL (unset) = not given.
--   @since, @until   'YYYY-MM-DD' in the session time zone, @until exclusive;
--                    default @until = tomorrow, @since = @until - 30 days
--   @syshost, @user, @account, @partition   exact matches
--   @limit           rows per ranking (default 20)
-- track_report_setup (sql/migrations/0003) sets @t0/@t1, the window in epoch
-- seconds (track-report reads them back), the @f_ filters and @lim.
CALL track_report_setup(20, 1);

WITH
base AS (
  SELECT r.user, r.exe_object_id, r.syshost, r.job_id,
         COUNT(*) AS n, SUM(COALESCE(r.run_time, 0) * GREATEST(r.num_cores, 1)) AS cs
  FROM track_run r
  WHERE r.start_time >= @t0 AND r.start_time < @t1
    AND (@f_syshost IS NULL OR r.syshost = @f_syshost)
    AND (@f_user IS NULL OR r.user = @f_user)
    AND (@f_account IS NULL OR r.account = @f_account)
    AND (@f_partition IS NULL OR r.`partition` = @f_partition)
  GROUP BY r.user, r.exe_object_id, r.syshost, r.job_id
),
agg AS (
  SELECT b.user, SUM(b.n) AS runs, COUNT(DISTINCT b.syshost, b.job_id) AS jobs, SUM(b.cs) AS cs,
         COUNT(DISTINCT o.path) AS executables
  FROM base b JOIN track_object o ON o.id = b.exe_object_id
  GROUP BY b.user
),
ranked AS (
  SELECT a.*, ROW_NUMBER() OVER (ORDER BY a.cs DESC, a.runs DESC, a.user) AS rk FROM agg a
)
SELECT x.rk AS `rank`, x.user, x.runs, x.jobs, ROUND(x.cs / 3600, 2) AS core_hours, x.executables
FROM ranked x
WHERE x.rk <= @lim
ORDER BY x.rk;
