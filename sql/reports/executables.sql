-- executables: the top executables (by path) by core-hours, by runs and by
-- users; for all runs, parallel runs (num_tasks > 1) and serial runs.
-- One result: `section` ("all runs by core-hours", ...), then the ranking.
-- kind: system (path under @system_prefixes) or user-built; builds: distinct
-- build-ids seen; built_by: users whose link records (track_link) made a
-- build that ran (self-built executables carry the link's uuid as signature).
-- Parameters: session variables, NULL (unset) = not given.
--   @since, @until   'YYYY-MM-DD' in the session time zone, @until exclusive;
--                    default @until = tomorrow, @since = @until - 30 days
--   @syshost, @user, @account, @partition   exact matches
--   @limit           rows per ranking (default 20)
-- track_report_setup (sql/migrations/0003) sets @t0/@t1, the window in epoch
-- seconds (track-report reads them back), the @f_ filters and @lim.
CALL track_report_setup(20, 1);
SET @sp := COALESCE(@system_prefixes, '/usr,/bin,/sbin,/lib,/lib64,/opt/cray,/opt/intel');

WITH RECURSIVE
pfx (p, rest) AS (
  SELECT TRIM(SUBSTRING_INDEX(@sp, ',', 1)), SUBSTRING(@sp, CHAR_LENGTH(SUBSTRING_INDEX(@sp, ',', 1)) + 2)
  UNION ALL
  SELECT TRIM(SUBSTRING_INDEX(rest, ',', 1)), SUBSTRING(rest, CHAR_LENGTH(SUBSTRING_INDEX(rest, ',', 1)) + 2)
  FROM pfx WHERE rest <> ''
),
prefix (np) AS (
  -- "/usr/" is "/usr"; "/" covers every absolute path
  SELECT TRIM(TRAILING '/' FROM p) FROM pfx WHERE p <> ''
),
base AS (
  SELECT r.exe_object_id, r.num_tasks > 1 AS par, r.user, r.syshost, r.job_id,
         COUNT(*) AS n, SUM(COALESCE(r.run_time, 0) * GREATEST(r.num_cores, 1)) AS cs
  FROM track_run r
  WHERE r.start_time >= @t0 AND r.start_time < @t1
    AND (@f_syshost IS NULL OR r.syshost = @f_syshost)
    AND (@f_user IS NULL OR r.user = @f_user)
    AND (@f_account IS NULL OR r.account = @f_account)
    AND (@f_partition IS NULL OR r.`partition` = @f_partition)
  GROUP BY r.exe_object_id, par, r.user, r.syshost, r.job_id
),
cls AS (
  SELECT c.class, c.ord, b.*
  FROM base b JOIN (SELECT 'all' AS class, 1 AS ord UNION ALL SELECT 'parallel', 2
                    UNION ALL SELECT 'serial', 3) c
    ON c.ord = 1 OR c.ord = IF(b.par, 2, 3)
),
agg AS (
  SELECT c.class, c.ord, o.path, SUM(c.n) AS runs, COUNT(DISTINCT c.syshost, c.job_id) AS jobs,
         COUNT(DISTINCT c.user) AS users, SUM(c.cs) AS cs,
         COUNT(DISTINCT NULLIF(o.build_id, '')) AS builds,
         GROUP_CONCAT(DISTINCT l.user ORDER BY l.user SEPARATOR ',') AS built_by
  FROM cls c JOIN track_object o ON o.id = c.exe_object_id
  LEFT JOIN track_link l ON l.link_uuid = o.signature
  GROUP BY c.class, c.ord, o.path
),
ranked AS (
  SELECT a.*,
         ROW_NUMBER() OVER (PARTITION BY a.class ORDER BY a.cs DESC, a.runs DESC, a.path) AS rk_cs,
         ROW_NUMBER() OVER (PARTITION BY a.class ORDER BY a.runs DESC, a.cs DESC, a.path) AS rk_runs,
         ROW_NUMBER() OVER (PARTITION BY a.class ORDER BY a.users DESC, a.cs DESC, a.path) AS rk_users
  FROM agg a
),
out1 AS (
  SELECT CONCAT(x.class, ' runs by ', k.crit) AS section, x.ord, k.kord,
         CASE k.kord WHEN 1 THEN x.rk_cs WHEN 2 THEN x.rk_runs ELSE x.rk_users END AS rk,
         x.path, x.runs, x.jobs, x.users, x.cs, x.builds, x.built_by
  FROM ranked x JOIN (SELECT 'core-hours' AS crit, 1 AS kord UNION ALL SELECT 'runs', 2
                      UNION ALL SELECT 'users', 3) k
)
SELECT o.section, o.rk AS `rank`, o.path AS executable,
       IF(EXISTS (SELECT 1 FROM prefix
                  WHERE (np = '' AND LEFT(o.path, 1) = '/') OR o.path = np
                     OR LEFT(o.path, LENGTH(np) + 1) = CONCAT(np, '/')), 'system', 'user-built') AS kind,
       o.runs, o.jobs, o.users, ROUND(o.cs / 3600, 2) AS core_hours, o.builds, o.built_by
FROM out1 o
WHERE o.rk <= @lim
ORDER BY o.ord, o.kord, o.rk;
