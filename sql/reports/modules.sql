-- modules: per module (LOADEDMODULES entry) the users, jobs and runs that had
-- it loaded in the window, and their core-hours; top @limit by users, jobs,
-- runs. Runs without modules are not counted.
-- file_runs: runs in the window (loaded it or not) whose executable or a
-- loaded library lies in a directory Lmod's reverse map gives to the module
-- (docs/software.md; the site rules do not change it); NULL when the map
-- names no directory of the module (or no map is configured).
-- Two sections: "loaded" (the ranking) and "files unused" (every module
-- loaded in the window that has directories in the map but file_runs = 0:
-- candidates for retirement; not limited).
-- Parameters: session variables, NULL (unset) = not given.
--   @since, @until   'YYYY-MM-DD' in the session time zone, @until exclusive;
--                    default @until = tomorrow, @since = @until - 30 days
--   @syshost, @user, @account, @partition   exact matches
--   @limit           rows per ranking (default 20)
-- track_report_setup (sql/migrations/0003) sets @t0/@t1, the window in epoch
-- seconds (track-report reads them back), the @f_ filters and @lim.
CALL track_report_setup(20, 1);

DROP TEMPORARY TABLE IF EXISTS rp_md_agg, rp_md_es, rp_md_files, rp_sw_objs, rp_sw_attr;
CREATE TEMPORARY TABLE rp_md_agg (PRIMARY KEY (module_id)) AS
  WITH base AS (
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
  )
  SELECT m.module_id, COUNT(DISTINCT b.user_key) AS users, COUNT(DISTINCT b.job_key) AS jobs,
         SUM(b.n) AS runs, SUM(b.cs) AS cs
  FROM base b JOIN track_module_set_member m ON m.set_id = b.module_set_id
  GROUP BY m.module_id;
-- file_runs, only with a reverse map (else the WHERE is false up front):
-- every run of the window (modules loaded or not) as (executable, object
-- set) groups, their objects attributed (migration 0007)
CREATE TEMPORARY TABLE rp_md_es ENGINE=MEMORY AS
  SELECT r.exe_object_id, r.object_set_id, COUNT(*) AS n
  FROM track_run r
  WHERE COALESCE(@sw_lmod, 0) > 0 AND r.start_time >= @t0 AND r.start_time < @t1
    AND (@f_syshost IS NULL OR r.syshost = @f_syshost)
    AND (@f_user IS NULL OR r.user = @f_user)
    AND (@f_account IS NULL OR r.account = @f_account)
    AND (@f_partition IS NULL OR r.`partition` = @f_partition)
  GROUP BY r.exe_object_id, r.object_set_id;
CREATE TEMPORARY TABLE rp_sw_objs (PRIMARY KEY (id)) AS
  SELECT o.id, o.path, x.is_exe
  FROM (SELECT u.id, MAX(u.is_exe) AS is_exe
        FROM (SELECT DISTINCT exe_object_id AS id, 1 AS is_exe FROM rp_md_es
              UNION ALL
              SELECT DISTINCT m.object_id, 0
              FROM (SELECT DISTINCT object_set_id FROM rp_md_es) s
              JOIN track_object_set_member m ON m.set_id = s.object_set_id) u
        GROUP BY u.id) x
  JOIN track_object o ON o.id = x.id;
CALL track_sw_attribute();
-- runs per module of the map, each run once (its executable and its
-- libraries may all be the module's)
CREATE TEMPORARY TABLE rp_md_files (PRIMARY KEY (module)) AS
  WITH k AS (
    SELECT DISTINCT a.module, g.exe_object_id, g.object_set_id
    FROM rp_md_es g JOIN rp_sw_attr a ON a.id = g.exe_object_id
    WHERE a.module IS NOT NULL
    UNION
    SELECT DISTINCT a.module, g.exe_object_id, g.object_set_id
    FROM rp_md_es g
    JOIN track_object_set_member m ON m.set_id = g.object_set_id
    JOIN rp_sw_attr a ON a.id = m.object_id
    WHERE a.module IS NOT NULL
  )
  SELECT CONVERT(k.module USING binary) AS module, SUM(g.n) AS runs
  FROM k JOIN rp_md_es g ON g.exe_object_id = k.exe_object_id AND g.object_set_id = k.object_set_id
  GROUP BY k.module;

WITH
known AS (  -- modules the map names at least one directory of
  SELECT DISTINCT CONVERT(p.module USING binary) AS module FROM rp_sw_prefix p
  WHERE p.src = 1 AND p.module IS NOT NULL
),
rows_ AS (
  SELECT a.*, md.name,
         IF(kn.module IS NULL, NULL, COALESCE(f.runs, 0)) AS file_runs,
         ROW_NUMBER() OVER (ORDER BY a.users DESC, a.jobs DESC, a.runs DESC, md.name) AS rk
  FROM rp_md_agg a JOIN track_module md ON md.id = a.module_id
  LEFT JOIN known kn ON kn.module = md.name
  LEFT JOIN rp_md_files f ON f.module = md.name
),
unused AS (
  SELECT x.*, ROW_NUMBER() OVER (ORDER BY x.users DESC, x.jobs DESC, x.runs DESC, x.name) AS rk2
  FROM rows_ x WHERE x.file_runs = 0
)
SELECT 'loaded' AS section, x.rk AS `rank`, x.name AS module, x.users, x.jobs, x.runs,
       ROUND(x.cs / 3600, 2) AS core_hours, x.file_runs
FROM rows_ x
WHERE x.rk <= @lim
UNION ALL
SELECT 'files unused (retirement candidates)', u.rk2, u.name, u.users, u.jobs, u.runs,
       ROUND(u.cs / 3600, 2), u.file_runs
FROM unused u
ORDER BY (section = 'loaded') DESC, 2;
DROP TEMPORARY TABLE IF EXISTS rp_md_agg, rp_md_es, rp_md_files, rp_sw_objs, rp_sw_attr;
