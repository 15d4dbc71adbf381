-- libraries: shared libraries loaded in the window, by path and by family
-- (the file name without its version suffix: libopenblas.so.0 ->
-- libopenblas.so), each with runs, jobs, users, core-hours of the runs that
-- loaded it, and builds = distinct build-ids seen. One result: `section`
-- ("by path" | "by family"), then the top @limit of each by runs.
-- Parameters: session variables, NULL (unset) = not given.
--   @since, @until   'YYYY-MM-DD' in the session time zone, @until exclusive;
--                    default @until = tomorrow, @since = @until - 30 days
--   @syshost, @user, @account, @partition   exact matches
--   @limit           rows per ranking (default 20)
-- track_report_setup (sql/migrations/0003) sets @t0/@t1, the window in epoch
-- seconds (track-report reads them back), the @f_ filters and @lim.
CALL track_report_setup(20, 1);

-- Plan (1M runs, 40M run-object rows): one scan of the window reduces the
-- runs to (object set, job, user) groups, on the integer job and user keys of
-- migration 0004 (on the strings this step and the last took 4 s); runs and core-seconds per set are
-- expanded through the set members to rank the libraries; the exact distinct
-- jobs and users are then counted only for the @limit top libraries of each
-- section. Intermediate results are session temporary tables (MariaDB would
-- evaluate a CTE again at every reference); they are dropped at the end.
DROP TEMPORARY TABLE IF EXISTS rp_lib_sj, rp_lib_set, rp_lib_key, rp_lib_top, rp_lib_topset;
CREATE TEMPORARY TABLE rp_lib_sj (KEY (set_id)) ENGINE=MEMORY AS
  SELECT r.object_set_id AS set_id, r.job_key, r.user_key, COUNT(*) AS n,
         SUM(COALESCE(r.run_time, 0) * GREATEST(r.num_cores, 1)) AS cs
  FROM track_run r
  WHERE r.start_time >= @t0 AND r.start_time < @t1
    AND (@f_syshost IS NULL OR r.syshost = @f_syshost)
    AND (@f_user IS NULL OR r.user = @f_user)
    AND (@f_account IS NULL OR r.account = @f_account)
    AND (@f_partition IS NULL OR r.`partition` = @f_partition)
  GROUP BY r.object_set_id, r.job_key, r.user_key;
CREATE TEMPORARY TABLE rp_lib_set (PRIMARY KEY (set_id)) ENGINE=MEMORY AS
  SELECT set_id, SUM(n) AS n, SUM(cs) AS cs FROM rp_lib_sj GROUP BY set_id;
-- (section, library, set) once each, so a run counts once per library;
-- libraries by integer keys: the smallest object id of a path or a family
-- (the file name without its version suffix)
CREATE TEMPORARY TABLE rp_lib_key (KEY (ord, k), KEY (set_id)) ENGINE=MEMORY AS
  WITH objmap AS (
    SELECT f.id, MIN(f.id) OVER (PARTITION BY f.path) AS pkey,
           MIN(f.id) OVER (PARTITION BY f.family) AS fkey
    FROM (SELECT o.id, o.path,
                 REGEXP_REPLACE(SUBSTRING_INDEX(o.path, '/', -1), '[.]so([.][0-9]+)+$', '.so') AS family
          FROM track_object o) f
  ),
  objs AS (
    SELECT m.set_id, om.pkey, om.fkey
    FROM rp_lib_set s
    JOIN track_object_set_member m ON m.set_id = s.set_id
    JOIN objmap om ON om.id = m.object_id
  )
  SELECT DISTINCT 1 AS ord, pkey AS k, set_id FROM objs
  UNION
  SELECT DISTINCT 2, fkey, set_id FROM objs;
CREATE TEMPORARY TABLE rp_lib_top (PRIMARY KEY (ord, k)) AS
  WITH agg AS (
    SELECT k.ord, k.k, SUM(s.n) AS runs, SUM(s.cs) AS cs
    FROM rp_lib_key k JOIN rp_lib_set s ON s.set_id = k.set_id
    GROUP BY k.ord, k.k
  ),
  named AS (
    SELECT a.*, IF(a.ord = 1, o.path,
                   REGEXP_REPLACE(SUBSTRING_INDEX(o.path, '/', -1), '[.]so([.][0-9]+)+$', '.so')) AS library
    FROM agg a JOIN track_object o ON o.id = a.k
  ),
  ranked AS (
    SELECT a.*, ROW_NUMBER() OVER (PARTITION BY a.ord ORDER BY a.runs DESC, a.cs DESC, a.library) AS rk
    FROM named a
  )
  SELECT * FROM ranked WHERE rk <= @lim;
CREATE TEMPORARY TABLE rp_lib_topset (KEY (set_id), KEY ok USING BTREE (ord, k)) ENGINE=MEMORY AS
  SELECT DISTINCT kk.set_id, t.ord, t.k FROM rp_lib_top t JOIN rp_lib_key kk ON kk.ord = t.ord AND kk.k = t.k;

WITH
people AS (  -- exact distinct jobs and users, for the top libraries only;
  -- read in (ord, k) order so the grouping needs no temporary table and sort
  -- of the ~700K joined rows (half the time of this step at 1M runs)
  SELECT ts.ord, ts.k, COUNT(DISTINCT g.job_key) AS jobs, COUNT(DISTINCT g.user_key) AS users
  FROM rp_lib_topset ts FORCE INDEX (ok) STRAIGHT_JOIN rp_lib_sj g ON g.set_id = ts.set_id
  GROUP BY ts.ord, ts.k
),
builds AS (  -- distinct build-ids of each top library among the sets that ran
  SELECT ts.ord, ts.k, COUNT(DISTINCT NULLIF(o.build_id, '')) AS builds
  FROM rp_lib_topset ts
  JOIN track_object_set_member m ON m.set_id = ts.set_id
  JOIN track_object o ON o.id = m.object_id
  JOIN track_object ko ON ko.id = ts.k
  WHERE IF(ts.ord = 1, o.path = ko.path,
           REGEXP_REPLACE(SUBSTRING_INDEX(o.path, '/', -1), '[.]so([.][0-9]+)+$', '.so') =
           REGEXP_REPLACE(SUBSTRING_INDEX(ko.path, '/', -1), '[.]so([.][0-9]+)+$', '.so'))
  GROUP BY ts.ord, ts.k
)
SELECT IF(x.ord = 1, 'by path', 'by family') AS section, x.rk AS `rank`, x.library,
       bl.builds, x.runs, p.jobs, p.users, ROUND(x.cs / 3600, 2) AS core_hours
FROM rp_lib_top x JOIN builds bl ON bl.ord = x.ord AND bl.k = x.k
JOIN people p ON p.ord = x.ord AND p.k = x.k
ORDER BY x.ord, x.rk;
DROP TEMPORARY TABLE IF EXISTS rp_lib_sj, rp_lib_set, rp_lib_key, rp_lib_top, rp_lib_topset;
