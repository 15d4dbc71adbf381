-- modules: per module (LOADEDMODULES entry) the users, jobs and runs that had
-- it loaded in the window, and their core-hours; top @limit by users, jobs,
-- runs. Runs without modules are not counted.
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
  -- jobs and users by the integer keys of migration 0004: narrower
  -- temporary rows and cheaper comparisons than the strings
  SELECT r.module_set_id, r.user_key, r.job_key,
         COUNT(*) AS n, SUM(COALESCE(r.run_time, 0) * GREATEST(r.num_cores, 1)) AS cs
  FROM track_run r
  WHERE r.start_time >= @t0 AND r.start_time < @t1
    AND (@f_syshost IS NULL OR r.syshost = @f_syshost)
    AND (@f_user IS NULL OR r.user = @f_user)
    AND (@f_account IS NULL OR r.account = @f_account)
    AND (@f_partition IS NULL OR r.`partition` = @f_partition)
    AND r.module_set_id IS NOT NULL
  GROUP BY r.module_set_id, r.user_key, r.job_key
),
agg AS (
  SELECT m.module_id, COUNT(DISTINCT b.user_key) AS users, COUNT(DISTINCT b.job_key) AS jobs,
         SUM(b.n) AS runs, SUM(b.cs) AS cs
  FROM base b JOIN track_module_set_member m ON m.set_id = b.module_set_id
  GROUP BY m.module_id
),
ranked AS (
  SELECT a.*, md.name,
         ROW_NUMBER() OVER (ORDER BY a.users DESC, a.jobs DESC, a.runs DESC, md.name) AS rk
  FROM agg a JOIN track_module md ON md.id = a.module_id
)
SELECT x.rk AS `rank`, x.name AS module, x.users, x.jobs, x.runs, ROUND(x.cs / 3600, 2) AS core_hours
FROM ranked x
WHERE x.rk <= @lim
ORDER BY x.rk;
