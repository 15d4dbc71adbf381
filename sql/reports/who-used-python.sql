-- who-used --python-package NAME[==VERSION]: the jobs (or runs outside a
-- job) and users whose Python runs imported a distribution
-- (docs/python.md), one row per job, user and version: runs, core-hours,
-- the sources (system, user, venv, conda, path), the interpreter versions,
-- first and last start. NAME matches as pip compares names (case, runs of
-- '-', '_' and '.' alike); VERSION exactly, or as a prefix when it ends in
-- '*' (numpy==1.*). A package record counts only with its run (joined on
-- run_uuid, uid and syshost); the window and the filters apply to the run.
-- Parameters: session variables, NULL (unset) = not given.
--   @py_package, @py_version   the package (required) and its version
--   @since, @until   'YYYY-MM-DD' in the session time zone, @until exclusive;
--                    default @until = tomorrow, @since = @until - 30 days
--   @syshost, @user, @account, @partition   exact matches
--   @limit           rows at most (default: all)
CALL track_report_setup(1000000000, 1);
SET @f_py_name := LOWER(REGEXP_REPLACE(CONVERT(@py_package USING utf8mb4), '[-_.]+', '-'));
SET @f_py_version := CONVERT(@py_version USING utf8mb4) COLLATE utf8mb4_bin;
-- "1.*" -> LIKE '1.%' with '|' as the escape character
SET @f_py_like := IF(@py_version LIKE '%*',
    CONCAT(REPLACE(REPLACE(REPLACE(LEFT(CONVERT(@py_version USING utf8mb4), CHAR_LENGTH(@py_version) - 1),
                                   '|', '||'), '%', '|%'), '_', '|_'), '%'), NULL);

WITH
pk AS (
  SELECT k.id, k.name, k.version FROM track_py_package k
  WHERE LOWER(REGEXP_REPLACE(k.name, '[-_.]+', '-')) = @f_py_name
    AND (@py_version IS NULL
         OR (@f_py_like IS NULL AND k.version = @f_py_version)
         OR (@f_py_like IS NOT NULL AND k.version LIKE @f_py_like ESCAPE '|'))
),
hits AS (
  SELECT STRAIGHT_JOIN pk.id AS package_id, r.id AS run_id, r.syshost, r.job_id, r.user, r.account,
         r.start_time, COALESCE(r.run_time, 0) * GREATEST(r.num_cores, 1) AS cs,
         m.source, p.py_version
  FROM pk JOIN track_py_package_set_member m ON m.package_id = pk.id
  JOIN track_py_run p ON p.package_set_id = m.set_id
  JOIN track_run r ON r.run_uuid = p.run_uuid AND r.uid = p.uid AND r.syshost = p.syshost
  WHERE r.start_time >= @t0 AND r.start_time < @t1
    AND (@f_syshost IS NULL OR r.syshost = @f_syshost)
    AND (@f_user IS NULL OR r.user = @f_user)
    AND (@f_account IS NULL OR r.account = @f_account)
    AND (@f_partition IS NULL OR r.`partition` = @f_partition)
),
-- one row per (package, run) whatever the number of sources
pr AS (
  SELECT h.package_id, h.run_id, MAX(h.syshost) AS syshost, MAX(h.job_id) AS job_id,
         MAX(h.user) AS user, MAX(h.account) AS account, MAX(h.start_time) AS start_time,
         MAX(h.cs) AS cs, GROUP_CONCAT(DISTINCT h.source ORDER BY h.source) AS sources,
         MAX(h.py_version) AS py_version
  FROM hits h GROUP BY h.package_id, h.run_id
),
agg AS (
  SELECT pr.syshost, pr.job_id, pr.user, pr.account, pr.package_id,
         -- outside a job each run is its own row
         IF(pr.job_id IS NULL, pr.run_id, 0) AS lone,
         COUNT(*) AS runs, SUM(pr.cs) AS cs, MIN(pr.start_time) AS first_start,
         MAX(pr.start_time) AS last_start,
         GROUP_CONCAT(DISTINCT pr.sources ORDER BY pr.sources) AS sources,
         GROUP_CONCAT(DISTINCT pr.py_version ORDER BY pr.py_version SEPARATOR ',') AS pythons
  FROM pr GROUP BY pr.syshost, pr.job_id, pr.user, pr.account, pr.package_id, lone
),
ranked AS (
  SELECT a.*, k.name, k.version,
         ROW_NUMBER() OVER (ORDER BY a.first_start, a.syshost, a.job_id, a.user, k.name, k.version) AS rk
  FROM agg a JOIN track_py_package k ON k.id = a.package_id
)
SELECT x.user, x.syshost, x.job_id, x.account, x.name AS package, x.version, x.sources,
       x.pythons, x.runs, ROUND(x.cs / 3600, 2) AS core_hours,
       DATE_FORMAT(FROM_UNIXTIME(x.first_start), '%Y-%m-%d %H:%i:%s') AS first_start,
       DATE_FORMAT(FROM_UNIXTIME(x.last_start), '%Y-%m-%d %H:%i:%s') AS last_start
FROM ranked x
WHERE x.rk <= @lim
ORDER BY x.rk;
