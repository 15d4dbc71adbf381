-- users: per user the runs, jobs, core-hours and distinct executables (paths)
-- in the window; top @limit by core-hours.
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
base AS (
  SELECT r.user, r.exe_object_id, r.syshost, r.job_id,
         COUNT(*) AS n, SUM(COALESCE(r.run_time, 0) * GREATEST(r.num_cores, 1)) AS cs
  FROM track_run r
  WHERE r.start_time >= @t0 AND r.start_time < @t1
    AND (@f_syshost IS NULL OR r.syshost = @f_syshost)
    AND (@f_user IS NULL OR r.user = @f_user)
    AND (@f_account IS NULL OR r.account = @f_account)
    AND (@f_partition IS NULL OR r.`partition` = @f_partition)
  GROUP BY r.user, r.exe_object_id, r.syshost, r.job_id
),
agg AS (
  SELECT b.user, SUM(b.n) AS runs, COUNT(DISTINCT b.syshost, b.job_id) AS jobs, SUM(b.cs) AS cs,
         COUNT(DISTINCT o.path) AS executables
  FROM base b JOIN track_object o ON o.id = b.exe_object_id
  GROUP BY b.user
),
ranked AS (
  SELECT a.*, ROW_NUMBER() OVER (ORDER BY a.cs DESC, a.runs DESC, a.user) AS rk FROM agg a
)
SELECT x.rk AS `rank`, x.user, x.runs, x.jobs, ROUND(x.cs / 3600, 2) AS core_hours, x.executables
FROM ranked x
WHERE x.rk <= @lim
ORDER BY x.rk;
