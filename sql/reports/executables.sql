-- executables: the top executables (by path) by core-hours, by runs and by
-- users; for all runs, parallel runs (num_tasks > 1) and serial runs.
-- One result: `section` ("all runs by core-hours", ...), then the ranking.
-- kind: system (path under @system_prefixes) or user-built; builds: distinct
-- build-ids seen; built_by: users whose link records (track_link) made a
-- build that ran (self-built executables carry the link's uuid as signature).
-- Tallied runs (past a job's job_max_records) count in the "all runs"
-- rankings (below: rp_exe_tal).
-- Parameters: session variables, NULL (unset) = not given.
--   @since, @until   'YYYY-MM-DD' in the session time zone, @until exclusive;
--                    default @until = tomorrow, @since = @until - 30 days
--   @syshost, @user, @account, @partition   exact matches
--   @limit           rows per ranking (default 20)
-- track_report_setup (sql/migrations/0003) sets @t0/@t1, the window in epoch
-- seconds (track-report reads them back), the @f_ filters and @lim.
CALL track_report_setup(20, 1);

-- Plan (1M runs in the window, docs/performance.md "## report"): one scan of
-- the window, grouped by (path, parallel) WITH ROLLUP, so the "all" row of
-- each path gets its own exact distinct counts. The path of each run comes
-- from rp_exe_obj, a small in-memory map of the executable objects (a path
-- may have many builds: its smallest object id is its key); distinct jobs and
-- users are counted on the integer keys of migration 0004; builds and the
-- objects with a link record are counted in the same pass (per run only
-- for paths of several builds). Session
-- temporary tables (MariaDB would evaluate a CTE again at each reference),
-- dropped at the end.
DROP TEMPORARY TABLE IF EXISTS rp_exe_obj, rp_exe_agg, rp_exe_tal, rp_exe_tonly;
CREATE TEMPORARY TABLE rp_exe_obj (PRIMARY KEY (id)) ENGINE=MEMORY AS
  -- builds and linked objects are tracked per run only for paths of several
  -- objects (NULL is skipped by COUNT(DISTINCT) before any work); a path of
  -- one object takes them from that object
  SELECT x.id, x.pkey, x.nids, IF(x.nids > 1, x.bkey, NULL) AS mbkey,
         IF(x.nids > 1, x.lk, NULL) AS mlk, x.lk
  FROM (SELECT o.id, MIN(o.id) OVER (PARTITION BY o.path) AS pkey,
               COUNT(*) OVER (PARTITION BY o.path) AS nids,
               IF(o.build_id = '', NULL, MIN(o.id) OVER (PARTITION BY o.path, o.build_id)) AS bkey,
               IF(EXISTS (SELECT 1 FROM track_link l WHERE l.link_uuid = o.signature), o.id, NULL) AS lk
        FROM track_object o
        WHERE EXISTS (SELECT 1 FROM track_run r WHERE r.exe_object_id = o.id)) x;
SET @exe_gcl := @@SESSION.group_concat_max_len;
SET SESSION group_concat_max_len = 1048576 * 64;  -- lk lists: every linked build of a path
-- Without a filter the scan names no column but those of k_run_exe_scan
-- (migration 0021) and reads a wide window from that index alone: 2.1-2.2 s
-- against 2.5-2.7 s for the same grouping reading the rows at 1,000,000
-- runs (docs/performance.md "Issue 18, round 9"). With a filter the second
-- statement names the filter's columns, so that the server can pick only
-- the filtered runs (as in software.sql).
CREATE TEMPORARY TABLE rp_exe_agg (pkey INT UNSIGNED NULL, par INT NULL) AS  -- NULL: rollup rows
  SELECT m.pkey, r.num_tasks > 1 AS par, COUNT(*) AS runs,
         SUM(COALESCE(r.run_time, 0) * GREATEST(r.num_cores, 1)) AS cs,
         COUNT(DISTINCT r.job_key) AS jobs, COUNT(DISTINCT r.user_key) AS users,
         COUNT(DISTINCT m.mbkey) AS builds, GROUP_CONCAT(DISTINCT m.mlk) AS lks
  FROM track_run r STRAIGHT_JOIN rp_exe_obj m ON m.id = r.exe_object_id
  WHERE @f_none AND r.start_time >= @t0 AND r.start_time < @t1
  GROUP BY m.pkey, par WITH ROLLUP;
INSERT INTO rp_exe_agg (pkey, par, runs, cs, jobs, users, builds, lks)
  SELECT m.pkey, r.num_tasks > 1 AS par, COUNT(*),
         SUM(COALESCE(r.run_time, 0) * GREATEST(r.num_cores, 1)),
         COUNT(DISTINCT r.job_key), COUNT(DISTINCT r.user_key),
         COUNT(DISTINCT m.mbkey), GROUP_CONCAT(DISTINCT m.mlk)
  FROM track_run r STRAIGHT_JOIN rp_exe_obj m ON m.id = r.exe_object_id
  WHERE NOT @f_none AND r.start_time >= @t0 AND r.start_time < @t1
    AND (@f_syshost IS NULL OR r.syshost = @f_syshost)
    AND (@f_user IS NULL OR r.user = @f_user)
    AND (@f_account IS NULL OR r.account = @f_account)
    AND (@f_partition IS NULL OR r.`partition` = @f_partition)
  GROUP BY m.pkey, par WITH ROLLUP;
SET SESSION group_concat_max_len = @exe_gcl;

-- Tallied runs (track_tally, migration 0014) per path, for the "all runs"
-- rankings only: a tally holds no task count, so they are neither parallel
-- nor serial. Their jobs and users are counted together with the recorded
-- runs of the same path (a job seen in both counts once); '' is the
-- overflow entry (runs whose path found no tally slot).
DROP TEMPORARY TABLE IF EXISTS rp_exe_tal, rp_exe_tonly;
CREATE TEMPORARY TABLE rp_exe_tal AS
  SELECT u.path, SUM(u.n) AS n, SUM(u.cs) AS cs, COUNT(DISTINCT u.job_key) AS jobs,
         COUNT(DISTINCT u.user_key) AS users
  FROM (SELECT t.exe_path AS path, t.runs AS n, t.core_seconds AS cs, t.job_key, t.user_key
        FROM track_tally t
        WHERE t.first_start >= @t0 AND t.first_start < @t1
          AND (@f_syshost IS NULL OR t.syshost = @f_syshost)
          AND (@f_user IS NULL OR t.user = @f_user)
          AND (@f_account IS NULL OR t.account = @f_account)
          AND (@f_partition IS NULL OR t.`partition` = @f_partition)
        UNION ALL
        SELECT o.path, 0, 0, r.job_key, r.user_key
        FROM track_object o JOIN track_run r ON r.exe_object_id = o.id
        WHERE o.path IN (SELECT t2.exe_path FROM track_tally t2
                         WHERE t2.first_start >= @t0 AND t2.first_start < @t1)
          AND r.start_time >= @t0 AND r.start_time < @t1
          AND (@f_syshost IS NULL OR r.syshost = @f_syshost)
          AND (@f_user IS NULL OR r.user = @f_user)
          AND (@f_account IS NULL OR r.account = @f_account)
          AND (@f_partition IS NULL OR r.`partition` = @f_partition)) u
  GROUP BY u.path
  HAVING SUM(u.n) > 0;
-- Paths only ever tallied in the window (no recorded run: no object).
CREATE TEMPORARY TABLE rp_exe_tonly AS
  SELECT t.* FROM rp_exe_tal t
  WHERE NOT EXISTS (SELECT 1 FROM rp_exe_agg a JOIN track_object o ON o.id = a.pkey
                    WHERE a.par IS NULL AND o.path = t.path);

WITH
agg AS (  -- class 'all' is the rollup row of each path (par NULL), tallies added
  SELECT CASE WHEN a.par IS NULL THEN 'all' WHEN a.par THEN 'parallel' ELSE 'serial' END AS class,
         CASE WHEN a.par IS NULL THEN 1 WHEN a.par THEN 2 ELSE 3 END AS ord,
         o.path, a.runs + COALESCE(t.n, 0) AS runs, COALESCE(t.jobs, a.jobs) AS jobs,
         COALESCE(t.users, a.users) AS users, a.cs + COALESCE(t.cs, 0) AS cs,
         IF(m.nids > 1, a.builds, o.build_id <> '') AS builds,
         (SELECT GROUP_CONCAT(DISTINCT l.user ORDER BY l.user SEPARATOR ',')
          FROM track_object lo JOIN track_link l ON l.link_uuid = lo.signature
          WHERE FIND_IN_SET(lo.id, IF(m.nids > 1, a.lks, m.lk))) AS built_by
  FROM rp_exe_agg a JOIN rp_exe_obj m ON m.id = a.pkey JOIN track_object o ON o.id = a.pkey
       LEFT JOIN rp_exe_tal t ON a.par IS NULL AND t.path = o.path
  WHERE a.pkey IS NOT NULL
  UNION ALL
  SELECT 'all', 1, x.path, x.n, x.jobs, x.users, x.cs, 0, NULL FROM rp_exe_tonly x
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
       IF(track_path_is_system(o.path, @system_prefixes), 'system', 'user-built') AS kind,
       o.runs, o.jobs, o.users, ROUND(o.cs / 3600, 2) AS core_hours, o.builds, o.built_by
FROM out1 o
WHERE o.rk <= @lim
ORDER BY o.ord, o.kord, o.rk;
DROP TEMPORARY TABLE IF EXISTS rp_exe_obj, rp_exe_agg, rp_exe_tal, rp_exe_tonly;
