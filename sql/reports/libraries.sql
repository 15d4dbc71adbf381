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

-- Plan (1M runs, 40M run-object rows; 10 % of the runs with an object set
-- of their own): one scan of the window reduces the runs to (object set,
-- job, user) groups, on the integer job and user keys of migration 0004.
-- The ranking (runs and core-seconds per library) comes from the daily
-- roll-up (track_rollup_lib, migration 0012) when it can answer exactly: no
-- --syshost/--user/--account/--partition filter, the roll-up made in this
-- session's time zone, and no day of the window waiting for a refresh.
-- Otherwise the window's object sets are expanded through their members
-- (work that grows with distinct sets x members). The exact distinct jobs
-- and users, and the builds, are then counted only for the @limit top
-- libraries of each section. Intermediate results are session temporary
-- tables (MariaDB would evaluate a CTE again at every reference); they are
-- dropped at the end.
DROP TEMPORARY TABLE IF EXISTS rp_lib_sj, rp_lib_set, rp_lib_om, rp_lib_key, rp_lib_rank,
  rp_lib_top, rp_lib_topset;
SET @lib_rollup := @f_none
  AND EXISTS (SELECT 1 FROM track_rollup_info WHERE id = 1 AND time_zone = @@session.time_zone)
  AND NOT EXISTS (SELECT 1 FROM track_rollup_dirty
                  WHERE day >= DATE(FROM_UNIXTIME(@t0)) AND day < DATE(FROM_UNIXTIME(@t1)));
-- (object set, job, user) groups of the window; with the roll-up the runs
-- and core-seconds come from it, so the scan groups without them (1.1 s
-- against 1.6 s at 1,000,000 runs, docs/performance.md "Issue 18, round 7")
CREATE TEMPORARY TABLE rp_lib_sj (KEY (set_id)) ENGINE=MEMORY AS
  SELECT r.object_set_id AS set_id, r.job_key, r.user_key, COUNT(*) AS n,
         SUM(COALESCE(r.run_time, 0) * GREATEST(r.num_cores, 1)) AS cs
  FROM track_run r
  WHERE NOT @lib_rollup AND r.start_time >= @t0 AND r.start_time < @t1
    AND (@f_syshost IS NULL OR r.syshost = @f_syshost)
    AND (@f_user IS NULL OR r.user = @f_user)
    AND (@f_account IS NULL OR r.account = @f_account)
    AND (@f_partition IS NULL OR r.`partition` = @f_partition)
  GROUP BY r.object_set_id, r.job_key, r.user_key;
INSERT INTO rp_lib_sj (set_id, job_key, user_key, n, cs)
  SELECT r.object_set_id, r.job_key, r.user_key, 0, 0
  FROM track_run r
  WHERE @lib_rollup AND r.start_time >= @t0 AND r.start_time < @t1
  GROUP BY r.object_set_id, r.job_key, r.user_key;
CREATE TEMPORARY TABLE rp_lib_set (PRIMARY KEY (set_id)) ENGINE=MEMORY AS
  SELECT set_id, SUM(n) AS n, SUM(cs) AS cs FROM rp_lib_sj GROUP BY set_id;
-- every object's library keys: the smallest object id of its path and of its
-- family (the file name without its version suffix); the roll-up's keys
CREATE TEMPORARY TABLE rp_lib_om (PRIMARY KEY (id), KEY (pkey), KEY (fkey)) ENGINE=MEMORY AS
  SELECT f.id, f.build_id, MIN(f.id) OVER (PARTITION BY f.path) AS pkey,
         MIN(f.id) OVER (PARTITION BY f.family) AS fkey
  FROM (SELECT o.id, o.path, o.build_id,
               REGEXP_REPLACE(SUBSTRING_INDEX(o.path, '/', -1), '[.]so([.][0-9]+)+$', '.so') AS family
        FROM track_object o) f;
-- without the roll-up: (section, library, set) once each, so a run counts
-- once per library (empty when the roll-up answers)
CREATE TEMPORARY TABLE rp_lib_key (KEY (ord, k), KEY (set_id)) ENGINE=MEMORY AS
  WITH objs AS (
    SELECT m.set_id, om.pkey, om.fkey
    FROM rp_lib_set s
    JOIN track_object_set_member m ON m.set_id = s.set_id
    JOIN rp_lib_om om ON om.id = m.object_id
    WHERE NOT @lib_rollup
  )
  SELECT DISTINCT 1 AS ord, pkey AS k, set_id FROM objs
  UNION
  SELECT DISTINCT 2, fkey, set_id FROM objs;
CREATE TEMPORARY TABLE rp_lib_rank (PRIMARY KEY (ord, k)) ENGINE=MEMORY AS
  SELECT k.ord, k.k, SUM(s.n) AS runs, SUM(s.cs) AS cs
  FROM rp_lib_key k JOIN rp_lib_set s ON s.set_id = k.set_id
  WHERE NOT @lib_rollup
  GROUP BY k.ord, k.k;
INSERT INTO rp_lib_rank (ord, k, runs, cs)
  SELECT ord, k, SUM(runs), SUM(core_seconds) FROM track_rollup_lib
  WHERE @lib_rollup AND day >= DATE(FROM_UNIXTIME(@t0)) AND day < DATE(FROM_UNIXTIME(@t1))
  GROUP BY ord, k;
CREATE TEMPORARY TABLE rp_lib_top (PRIMARY KEY (ord, k)) AS
  WITH named AS (
    SELECT a.*, IF(a.ord = 1, o.path,
                   REGEXP_REPLACE(SUBSTRING_INDEX(o.path, '/', -1), '[.]so([.][0-9]+)+$', '.so')) AS library
    FROM rp_lib_rank a JOIN track_object o ON o.id = a.k
  ),
  ranked AS (
    SELECT a.*, ROW_NUMBER() OVER (PARTITION BY a.ord ORDER BY a.runs DESC, a.cs DESC, a.library) AS rk
    FROM named a
  )
  SELECT * FROM ranked WHERE rk <= @lim;
-- the window's sets that hold each top library: through the sets' keys
-- (migration 0012) with the roll-up, else through rp_lib_key
CREATE TEMPORARY TABLE rp_lib_topset (KEY (set_id), KEY ok USING BTREE (ord, k)) ENGINE=MEMORY AS
  SELECT DISTINCT kk.set_id, t.ord, t.k FROM rp_lib_top t JOIN rp_lib_key kk ON kk.ord = t.ord AND kk.k = t.k
  WHERE NOT @lib_rollup;
INSERT INTO rp_lib_topset (set_id, ord, k)
  SELECT x.set_id, t.ord, t.k
  FROM rp_lib_top t
  STRAIGHT_JOIN track_object_set_key x FORCE INDEX (k_object_set_key_key) ON x.ord = t.ord AND x.k = t.k
  STRAIGHT_JOIN rp_lib_set s ON s.set_id = x.set_id
  WHERE @lib_rollup;

WITH
people AS (  -- exact distinct jobs and users, for the top libraries only;
  -- read in (ord, k) order so the grouping needs no temporary table and sort
  -- of the ~700K joined rows (half the time of this step at 1M runs)
  SELECT ts.ord, ts.k, COUNT(DISTINCT g.job_key) AS jobs, COUNT(DISTINCT g.user_key) AS users
  FROM rp_lib_topset ts FORCE INDEX (ok) STRAIGHT_JOIN rp_lib_sj g ON g.set_id = ts.set_id
  GROUP BY ts.ord, ts.k
),
builds AS (  -- distinct build-ids among the top library's objects that some
  -- set of the window holds: per object, not per set member
  SELECT u.ord, u.k, COUNT(DISTINCT NULLIF(u.build_id, '')) AS builds
  FROM (SELECT t.ord, t.k, om.id, om.build_id
        FROM rp_lib_top t JOIN rp_lib_om om ON om.pkey = t.k WHERE t.ord = 1
        UNION ALL
        SELECT t.ord, t.k, om.id, om.build_id
        FROM rp_lib_top t JOIN rp_lib_om om ON om.fkey = t.k WHERE t.ord = 2) u
  WHERE EXISTS (SELECT 1 FROM track_object_set_member m JOIN rp_lib_set s ON s.set_id = m.set_id
                WHERE m.object_id = u.id)
  GROUP BY u.ord, u.k
)
SELECT IF(x.ord = 1, 'by path', 'by family') AS section, x.rk AS `rank`, x.library,
       bl.builds, x.runs, p.jobs, p.users, ROUND(x.cs / 3600, 2) AS core_hours
FROM rp_lib_top x JOIN builds bl ON bl.ord = x.ord AND bl.k = x.k
JOIN people p ON p.ord = x.ord AND p.k = x.k
ORDER BY x.ord, x.rk;
DROP TEMPORARY TABLE IF EXISTS rp_lib_sj, rp_lib_set, rp_lib_om, rp_lib_key, rp_lib_rank,
  rp_lib_top, rp_lib_topset;
