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
-- Sets @t0/@t1 (the window in epoch seconds; track-report reads them back).
SET @t1 := COALESCE(UNIX_TIMESTAMP(@until), UNIX_TIMESTAMP(CURDATE() + INTERVAL 1 DAY));
SET @t0 := COALESCE(UNIX_TIMESTAMP(@since), UNIX_TIMESTAMP(DATE(FROM_UNIXTIME(@t1)) - INTERVAL 30 DAY));
-- Exact (binary-collation) copies of the filters: the schema is utf8mb4_bin.
SET @f_syshost := CONVERT(@syshost USING utf8mb4) COLLATE utf8mb4_bin;
SET @f_user := CONVERT(@user USING utf8mb4) COLLATE utf8mb4_bin;
SET @f_account := CONVERT(@account USING utf8mb4) COLLATE utf8mb4_bin;
SET @f_partition := CONVERT(@partition USING utf8mb4) COLLATE utf8mb4_bin;
SET @lim := COALESCE(@limit, 20);
-- Grouping a month of runs needs in-memory temporary tables larger than the
-- 16 MiB default (beyond it they go to disk and the report is 3-5x slower).
SET SESSION tmp_table_size = GREATEST(@@tmp_table_size, 1073741824),
            max_heap_table_size = GREATEST(@@max_heap_table_size, 1073741824);

WITH
base AS (  -- runs reduced to (object set, user, job): sets are shared by many runs
  SELECT r.object_set_id, r.user, r.syshost, r.job_id,
         COUNT(*) AS n, SUM(COALESCE(r.run_time, 0) * GREATEST(r.num_cores, 1)) AS cs
  FROM track_run r
  WHERE r.start_time >= @t0 AND r.start_time < @t1
    AND (@f_syshost IS NULL OR r.syshost = @f_syshost)
    AND (@f_user IS NULL OR r.user = @f_user)
    AND (@f_account IS NULL OR r.account = @f_account)
    AND (@f_partition IS NULL OR r.`partition` = @f_partition)
  GROUP BY r.object_set_id, r.user, r.syshost, r.job_id
),
objmap AS (  -- every object with integer keys for its path and its family
  SELECT f.id, f.path, f.family, f.build_id,
         MIN(f.id) OVER (PARTITION BY f.path) AS pkey, MIN(f.id) OVER (PARTITION BY f.family) AS fkey
  FROM (SELECT o.id, o.path, o.build_id,
               REGEXP_REPLACE(SUBSTRING_INDEX(o.path, '/', -1), '[.]so([.][0-9]+)+$', '.so') AS family
        FROM track_object o) f
),
objs AS (  -- the objects of the sets that ran
  SELECT m.set_id, om.pkey, om.fkey, om.build_id
  FROM (SELECT DISTINCT object_set_id FROM base) s
  JOIN track_object_set_member m ON m.set_id = s.object_set_id
  JOIN objmap om ON om.id = m.object_id
),
keyed AS (  -- (section, library, set) once each, so a run counts once per library
  SELECT DISTINCT 1 AS ord, pkey AS k, set_id FROM objs
  UNION
  SELECT DISTINCT 2, fkey, set_id FROM objs
),
builds AS (
  SELECT 1 AS ord, pkey AS k, COUNT(DISTINCT NULLIF(build_id, '')) AS builds FROM objs GROUP BY pkey
  UNION ALL
  SELECT 2, fkey, COUNT(DISTINCT NULLIF(build_id, '')) FROM objs GROUP BY fkey
),
agg AS (
  SELECT k.ord, k.k, SUM(b.n) AS runs, COUNT(DISTINCT b.syshost, b.job_id) AS jobs,
         COUNT(DISTINCT b.user) AS users, SUM(b.cs) AS cs
  FROM keyed k JOIN base b ON b.object_set_id = k.set_id
  GROUP BY k.ord, k.k
),
named AS (
  SELECT a.*, IF(a.ord = 1, om.path, om.family) AS library
  FROM agg a JOIN objmap om ON om.id = a.k
),
ranked AS (
  SELECT a.*, ROW_NUMBER() OVER (PARTITION BY a.ord ORDER BY a.runs DESC, a.cs DESC, a.library) AS rk
  FROM named a
)
SELECT IF(x.ord = 1, 'by path', 'by family') AS section, x.rk AS `rank`, x.library,
       bl.builds, x.runs, x.jobs, x.users, ROUND(x.cs / 3600, 2) AS core_hours
FROM ranked x JOIN builds bl ON bl.ord = x.ord AND bl.k = x.k
WHERE x.rk <= @lim
ORDER BY x.ord, x.rk;
