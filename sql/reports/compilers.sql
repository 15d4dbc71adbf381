-- compilers: which compiler drivers built what (docs/software.md
-- "compilers"), from the linker wrapper's link records: per (compiler,
-- version, wrapper)
--   links, linkers   link records made in the window and their distinct users
--   runs, jobs, users, core_hours   runs in the window of programs those
--                    compilers built (the run's executable carries the link's
--                    watermark; the link may be older than the window)
-- Two sections ranking the same rows: "by links" and "by core-hours", top
-- @limit each. compiler NULL = links whose record names no compiler (an
-- older wrapper, or the linker run directly).
-- Parameters: session variables, NULL (unset) = not given.
--   @since, @until   'YYYY-MM-DD' in the session time zone, @until exclusive;
--                    default @until = tomorrow, @since = @until - 30 days
--   @syshost, @user  exact matches (links and runs); @account, @partition
--                    runs only (a link record has neither)
--   @limit           rows per section (default 20)
-- track_report_setup (sql/migrations/0003) sets @t0/@t1, the window in epoch
-- seconds (track-report reads them back), the @f_ filters and @lim.
CALL track_report_setup(20, 1);

DROP TEMPORARY TABLE IF EXISTS rp_cc_l, rp_cc_r, rp_cc_k;
CREATE TEMPORARY TABLE rp_cc_l AS
  SELECT l.compiler, l.compiler_version AS version, l.compiler_wrapper AS wrapper,
         COUNT(*) AS links, COUNT(DISTINCT l.user) AS linkers
  FROM track_link l
  WHERE l.time >= @t0 AND l.time < @t1
    AND (@f_syshost IS NULL OR l.syshost = @f_syshost)
    AND (@f_user IS NULL OR l.user = @f_user)
  GROUP BY l.compiler, l.compiler_version, l.compiler_wrapper;
-- runs reduced to (executable, job, user) first; only self-built (signed)
-- executables can lead to a link
CREATE TEMPORARY TABLE rp_cc_r AS
  WITH g AS (
    SELECT r.exe_object_id, r.job_key, r.user_key, COUNT(*) AS n,
           SUM(COALESCE(r.run_time, 0) * GREATEST(r.num_cores, 1)) AS cs
    FROM track_run r
    WHERE r.start_time >= @t0 AND r.start_time < @t1
      AND (@f_syshost IS NULL OR r.syshost = @f_syshost)
      AND (@f_user IS NULL OR r.user = @f_user)
      AND (@f_account IS NULL OR r.account = @f_account)
      AND (@f_partition IS NULL OR r.`partition` = @f_partition)
    GROUP BY r.exe_object_id, r.job_key, r.user_key
  )
  SELECT l.compiler, l.compiler_version AS version, l.compiler_wrapper AS wrapper,
         SUM(g.n) AS runs, COUNT(DISTINCT g.job_key) AS jobs, COUNT(DISTINCT g.user_key) AS users,
         SUM(g.cs) AS cs
  FROM g JOIN track_object o ON o.id = g.exe_object_id AND o.signature <> ''
  JOIN track_link l ON l.link_uuid = o.signature
  GROUP BY l.compiler, l.compiler_version, l.compiler_wrapper;
CREATE TEMPORARY TABLE rp_cc_k AS
  SELECT k.compiler, k.version, k.wrapper, COALESCE(l.links, 0) AS links, COALESCE(l.linkers, 0) AS linkers,
         COALESCE(r.runs, 0) AS runs, COALESCE(r.jobs, 0) AS jobs, COALESCE(r.users, 0) AS users,
         COALESCE(r.cs, 0) AS cs
  FROM (SELECT compiler, version, wrapper FROM rp_cc_l
        UNION SELECT compiler, version, wrapper FROM rp_cc_r) k
  LEFT JOIN rp_cc_l l ON l.compiler <=> k.compiler AND l.version <=> k.version AND l.wrapper <=> k.wrapper
  LEFT JOIN rp_cc_r r ON r.compiler <=> k.compiler AND r.version <=> k.version AND r.wrapper <=> k.wrapper;

WITH ranked AS (
  SELECT 1 AS ord, k.*, ROW_NUMBER() OVER (ORDER BY k.links DESC, k.cs DESC, k.compiler IS NULL,
                                           k.compiler, k.version, k.wrapper) AS rk
  FROM rp_cc_k k WHERE k.links > 0
  UNION ALL
  SELECT 2, k.*, ROW_NUMBER() OVER (ORDER BY k.cs DESC, k.runs DESC, k.compiler IS NULL,
                                    k.compiler, k.version, k.wrapper)
  FROM rp_cc_k k WHERE k.runs > 0
)
SELECT IF(x.ord = 1, 'by links', 'by core-hours') AS section, x.rk AS `rank`, x.compiler, x.version,
       x.wrapper, x.links, x.linkers, x.runs, x.jobs, x.users, ROUND(x.cs / 3600, 2) AS core_hours
FROM ranked x
WHERE x.rk <= @lim
ORDER BY x.ord, x.rk;
DROP TEMPORARY TABLE IF EXISTS rp_cc_l, rp_cc_r, rp_cc_k;
