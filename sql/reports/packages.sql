-- packages: the Python distributions that tracked runs imported
-- (docs/python.md), one row per package and version: runs, jobs, users and
-- the core-hours of those runs, the sources it came from (system, user,
-- venv, conda, path) and the interpreter versions, ranked by core-hours.
-- A package record counts only with its run: joined on run_uuid, uid and
-- syshost (docs/schema.md "Python packages"); the window and the filters
-- apply to the run.
-- Parameters: session variables, NULL (unset) = not given.
--   @since, @until   'YYYY-MM-DD' in the session time zone, @until exclusive;
--                    default @until = tomorrow, @since = @until - 30 days
--   @syshost, @user, @account, @partition   exact matches
--   @limit           rows at most (default 20)
CALL track_report_setup(20, 1);

WITH
runs AS (
  SELECT STRAIGHT_JOIN r.id, r.job_key, r.user, p.package_set_id, p.py_version,
         COALESCE(r.run_time, 0) * GREATEST(r.num_cores, 1) AS cs
  FROM track_run r
  JOIN track_py_run p ON p.run_uuid = r.run_uuid AND p.uid = r.uid AND p.syshost = r.syshost
  WHERE r.start_time >= @t0 AND r.start_time < @t1
    AND (@f_syshost IS NULL OR r.syshost = @f_syshost)
    AND (@f_user IS NULL OR r.user = @f_user)
    AND (@f_account IS NULL OR r.account = @f_account)
    AND (@f_partition IS NULL OR r.`partition` = @f_partition)
),
-- one row per (package, run) whatever the number of sources it came from
pr AS (
  SELECT m.package_id, x.id, MAX(x.job_key) AS job_key, MAX(x.user) AS user, MAX(x.cs) AS cs,
         GROUP_CONCAT(DISTINCT m.source ORDER BY m.source) AS sources, MAX(x.py_version) AS py_version
  FROM runs x JOIN track_py_package_set_member m ON m.set_id = x.package_set_id
  GROUP BY m.package_id, x.id
),
agg AS (
  SELECT pr.package_id, COUNT(*) AS runs, COUNT(DISTINCT pr.job_key) AS jobs,
         COUNT(DISTINCT pr.user) AS users, SUM(pr.cs) AS cs,
         GROUP_CONCAT(DISTINCT pr.sources ORDER BY pr.sources) AS sources,
         GROUP_CONCAT(DISTINCT SUBSTRING_INDEX(pr.py_version, '.', 2)
                      ORDER BY pr.py_version SEPARATOR ',') AS pythons
  FROM pr GROUP BY pr.package_id
),
ranked AS (
  SELECT a.*, k.name, k.version,
         ROW_NUMBER() OVER (ORDER BY a.cs DESC, a.runs DESC, k.name, k.version) AS rk
  FROM agg a JOIN track_py_package k ON k.id = a.package_id
)
SELECT x.name AS package, x.version, x.runs, x.jobs, x.users, ROUND(x.cs / 3600, 2) AS core_hours,
       x.sources, x.pythons
FROM ranked x
WHERE x.rk <= @lim
ORDER BY x.rk;
