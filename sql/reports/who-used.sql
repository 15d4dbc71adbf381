-- who-used: the runs, jobs and users that loaded a matching object in the
-- window ("which jobs used the broken BLAS build?"). Match on any of
--   @library    a glob (* ? ; no brackets) on the object's full path or on
--               its file name (libopenblas*, /opt/*/libmpi.so*)
--   @build_id   the GNU build-id, lowercase hex, exactly
--   @signature  the watermark uuid (track-stamp), canonical lowercase
--   @package, @pkg_version   objects attributed to the package (and that
--               version when given) by the site rules or Lmod's reverse map
--               (docs/software.md; track-report loads them; by hand, without
--               the tables, nothing is attributed)
-- (all given ones must match). Both libraries and executables are searched
-- (column loaded_as). One row per job (or run outside a job), user and
-- matching object, with the object's package and version (NULL when
-- unattributed; only computed with @package); @limit rows at most (default:
-- all).
-- Parameters: session variables, NULL (unset) = not given.
--   @since, @until   'YYYY-MM-DD' in the session time zone, @until exclusive;
--                    default @until = tomorrow, @since = @until - 30 days
--   @syshost, @user, @account, @partition   exact matches
--   @limit           rows at most (default: all)
-- track_report_setup (sql/migrations/0003) sets @t0/@t1, the window in epoch
-- seconds (track-report reads them back), the @f_ filters and @lim.
CALL track_report_setup(1000000000, 1);
-- glob -> LIKE pattern with '|' as the escape character
SET @lib_like := REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(
                   CONVERT(@library USING utf8mb4), '|', '||'), '%', '|%'), '_', '|_'), '*', '%'), '?', '_');
SET @f_build_id := CONVERT(LOWER(@build_id) USING ascii) COLLATE ascii_bin;
SET @f_signature := CONVERT(LOWER(@signature) USING ascii) COLLATE ascii_bin;
SET @f_package := CONVERT(@package USING utf8mb4) COLLATE utf8mb4_bin;
SET @f_pkg_version := CONVERT(@pkg_version USING utf8mb4) COLLATE utf8mb4_bin;

-- --package: attribute the objects of the window's runs (migration 0007);
-- without it rp_sw_objs stays empty and this costs nothing
DROP TEMPORARY TABLE IF EXISTS rp_sw_objs, rp_sw_attr;
CREATE TEMPORARY TABLE rp_sw_objs (PRIMARY KEY (id)) AS
  WITH w AS (
    SELECT DISTINCT r.exe_object_id, r.object_set_id FROM track_run r
    WHERE @package IS NOT NULL AND r.start_time >= @t0 AND r.start_time < @t1
      AND (@f_syshost IS NULL OR r.syshost = @f_syshost)
      AND (@f_user IS NULL OR r.user = @f_user)
      AND (@f_account IS NULL OR r.account = @f_account)
      AND (@f_partition IS NULL OR r.`partition` = @f_partition)
  )
  SELECT o.id, o.path, x.is_exe
  FROM (SELECT u.id, MAX(u.is_exe) AS is_exe
        FROM (SELECT DISTINCT exe_object_id AS id, 1 AS is_exe FROM w
              UNION ALL
              SELECT DISTINCT m.object_id, 0
              FROM (SELECT DISTINCT object_set_id FROM w) s
              JOIN track_object_set_member m ON m.set_id = s.object_set_id) u
        GROUP BY u.id) x
  JOIN track_object o ON o.id = x.id;
CALL track_sw_attribute();

WITH
obj AS (
  SELECT o.id, o.path, o.build_id, o.signature FROM track_object o
  WHERE (@library IS NOT NULL OR @build_id IS NOT NULL OR @signature IS NOT NULL OR @package IS NOT NULL)
    AND (@library IS NULL OR o.path LIKE @lib_like ESCAPE '|'
         OR SUBSTRING_INDEX(o.path, '/', -1) LIKE @lib_like ESCAPE '|')
    AND (@build_id IS NULL OR o.build_id = @f_build_id)
    AND (@signature IS NULL OR o.signature = @f_signature)
    AND (@package IS NULL OR o.id IN (SELECT a.id FROM rp_sw_attr a WHERE a.package = @f_package
                                      AND (@pkg_version IS NULL OR a.version = @f_pkg_version)))
),
hits AS (
  SELECT STRAIGHT_JOIN 'library' AS loaded_as, obj.id AS object_id, r.syshost, r.job_id, r.user, r.account,
         r.start_time, r.start_time AS last_start, CAST(1 AS UNSIGNED) AS n,
         COALESCE(r.run_time, 0) * GREATEST(r.num_cores, 1) AS cs, CAST(NULL AS BINARY(1)) AS tpath
  FROM obj JOIN track_object_set_member m ON m.object_id = obj.id
  JOIN track_run r ON r.object_set_id = m.set_id
  WHERE r.start_time >= @t0 AND r.start_time < @t1
    AND (@f_syshost IS NULL OR r.syshost = @f_syshost)
    AND (@f_user IS NULL OR r.user = @f_user)
    AND (@f_account IS NULL OR r.account = @f_account)
    AND (@f_partition IS NULL OR r.`partition` = @f_partition)
  UNION ALL
  SELECT STRAIGHT_JOIN 'executable', obj.id, r.syshost, r.job_id, r.user, r.account, r.start_time,
         r.start_time, 1, COALESCE(r.run_time, 0) * GREATEST(r.num_cores, 1), NULL
  FROM obj JOIN track_run r ON r.exe_object_id = obj.id
  WHERE r.start_time >= @t0 AND r.start_time < @t1
    AND (@f_syshost IS NULL OR r.syshost = @f_syshost)
    AND (@f_user IS NULL OR r.user = @f_user)
    AND (@f_account IS NULL OR r.account = @f_account)
    AND (@f_partition IS NULL OR r.`partition` = @f_partition)
  UNION ALL
  -- Tallied runs (past a job's job_max_records; track_tally, migration
  -- 0014) keep only the executable's path: they match --library alone
  -- (no build-id, signature or package to compare), as 'executable
  -- (tallied)' with an empty build_id.
  SELECT 'executable (tallied)', NULL, t.syshost, t.job_id, t.user, t.account, t.first_start,
         t.last_start, t.runs, t.core_seconds, t.exe_path
  FROM track_tally t
  WHERE @library IS NOT NULL AND @build_id IS NULL AND @signature IS NULL AND @package IS NULL
    AND t.overflow = 0
    AND (t.exe_path LIKE @lib_like ESCAPE '|'
         OR SUBSTRING_INDEX(t.exe_path, '/', -1) LIKE @lib_like ESCAPE '|')
    AND t.first_start >= @t0 AND t.first_start < @t1
    AND (@f_syshost IS NULL OR t.syshost = @f_syshost)
    AND (@f_user IS NULL OR t.user = @f_user)
    AND (@f_account IS NULL OR t.account = @f_account)
    AND (@f_partition IS NULL OR t.`partition` = @f_partition)
),
agg AS (
  SELECT h.syshost, h.job_id, h.user, h.account, h.loaded_as, h.object_id, h.tpath,
         SUM(h.n) AS runs, SUM(h.cs) AS cs, MIN(h.start_time) AS first_start,
         MAX(h.last_start) AS last_start
  FROM hits h
  GROUP BY h.syshost, h.job_id, h.user, h.account, h.loaded_as, h.object_id, h.tpath
),
ranked AS (
  SELECT a.*, COALESCE(o.path, a.tpath) AS path, COALESCE(o.build_id, '') AS build_id,
         COALESCE(o.signature, '') AS signature, sw.package, sw.version,
         ROW_NUMBER() OVER (ORDER BY a.first_start, a.syshost, a.job_id, a.user,
                                     COALESCE(o.path, a.tpath), o.build_id, a.loaded_as) AS rk
  FROM agg a LEFT JOIN track_object o ON o.id = a.object_id
  LEFT JOIN rp_sw_attr sw ON sw.id = a.object_id
)
SELECT x.user, x.syshost, x.job_id, x.account, x.path AS object, x.build_id, x.signature, x.loaded_as,
       x.runs, ROUND(x.cs / 3600, 2) AS core_hours,
       DATE_FORMAT(FROM_UNIXTIME(x.first_start), '%Y-%m-%d %H:%i:%s') AS first_start,
       DATE_FORMAT(FROM_UNIXTIME(x.last_start), '%Y-%m-%d %H:%i:%s') AS last_start,
       x.package, x.version
FROM ranked x
WHERE x.rk <= @lim
ORDER BY x.rk;
DROP TEMPORARY TABLE IF EXISTS rp_sw_objs, rp_sw_attr;
