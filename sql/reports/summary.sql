-- summary: runs, jobs, users, accounts and core-hours in the window; runs of
-- system vs user-built executables; runs that ended abnormally.
--
-- Core-hours = run_time x num_cores / 3600 (num_cores = num_tasks x
-- cpus_per_task, at least 1); a run without an end record counts 0.
-- Tallied runs (track_tally, migration 0014: runs past a job's
-- job_max_records, counted instead of recorded) count in runs, jobs, users,
-- executables, core-hours and abnormal runs (class other than ok), each
-- tally row in the window of its first start; tallied_runs says how many of
-- the runs were tallied. A tally row's account and partition are its job's
-- (migration 0016; NULL for rows loaded before: those match no --account or
-- --partition).
-- Abnormal = ended on a signal, or with a non-zero exit status, or has no end
-- record -- unless a tracked run with the same pid names it as parent: then
-- the process image was replaced by exec, not killed.
-- @system_prefixes: comma-separated path prefixes of "system" executables
-- (config key system_prefixes); the others are user-built.
-- Jobs' allocations (track_jobs_prepare, migration 0011; docs/reports.md
-- "Core-hours"): alloc_core_hours = the jobs' elapsed x allocated CPUs,
-- tracked_core_hours = what their applications explain (never more than
-- the allocation), tracked_percent = their ratio, job_source = where the job
-- facts came from: slurm (Slurm accounting), records, or slurm+records.
-- @not_applications: globs of executable file names that are not
-- applications (config key not_applications).
-- Parameters: session variables, NULL (unset) = not given.
--   @since, @until   'YYYY-MM-DD' in the session time zone, @until exclusive;
--                    default @until = tomorrow, @since = @until - 30 days
--   @syshost, @user, @account, @partition   exact matches
--   @limit           rows per ranking (default 20)
-- track_report_setup (sql/migrations/0003) sets @t0/@t1, the window in epoch
-- seconds (track-report reads them back), the @f_ filters and @lim.
CALL track_report_setup(20, 1);

-- The run counts come from the daily roll-up (track_rollup_day, migration
-- 0012) when it can answer exactly, as in the libraries report: no
-- --syshost/--user/--account/--partition filter, the roll-up made in this
-- session's time zone, and no day of the window waiting for a refresh; then
-- only the distinct jobs are counted from the runs, on the index
-- k_run_start (start_time, job_key) alone. Otherwise one scan of the window
-- counts everything (rp_sum_exe, rp_sum_tally; empty when the roll-up
-- answers, and rp_sum_roll empty when it does not).
SET @sum_rollup := @f_none
  AND EXISTS (SELECT 1 FROM track_rollup_info WHERE id = 1 AND time_zone = @@session.time_zone)
  AND NOT EXISTS (SELECT 1 FROM track_rollup_dirty
                  WHERE day >= DATE(FROM_UNIXTIME(@t0)) AND day < DATE(FROM_UNIXTIME(@t1)));

-- Per executable first (a session temporary table, dropped at the end: a CTE
-- would be evaluated again at each reference), then the distinct counts in one
-- scan of the window.
DROP TEMPORARY TABLE IF EXISTS rp_sum_exe;
CREATE TEMPORARY TABLE rp_sum_exe AS
  SELECT r.exe_object_id, COUNT(*) AS n,
         -- core-seconds: divided by 3600 once at the end (a DECIMAL division
         -- per run was a third of this statement at 1M runs, and less exact)
         SUM(COALESCE(r.run_time, 0) * GREATEST(r.num_cores, 1)) AS cs,
         SUM(CASE WHEN r.term_signal IS NOT NULL OR COALESCE(r.exit_status, 0) <> 0 THEN 1
                  WHEN r.has_end = 0 AND NOT EXISTS (SELECT 1 FROM track_run c
                         WHERE c.parent_uuid = r.run_uuid AND c.pid = r.pid) THEN 1
                  ELSE 0 END) AS abnormal
  -- Not k_run_exe_scan for the grouping: reading the window in executable order
  -- is one random row lookup per run (1M runs: 1.4 s, a scan and a hash
  -- grouping 0.7 s); the window's own index stays usable.
  FROM track_run r IGNORE INDEX FOR GROUP BY (k_run_exe_scan)
  WHERE r.start_time >= @t0 AND r.start_time < @t1 AND NOT @sum_rollup
    AND (@f_syshost IS NULL OR r.syshost = @f_syshost)
    AND (@f_user IS NULL OR r.user = @f_user)
    AND (@f_account IS NULL OR r.account = @f_account)
    AND (@f_partition IS NULL OR r.`partition` = @f_partition)
  GROUP BY r.exe_object_id;

-- Tallied runs per executable path ('' = the overflow entry: other paths).
DROP TEMPORARY TABLE IF EXISTS rp_sum_tally;
CREATE TEMPORARY TABLE rp_sum_tally AS
  SELECT t.exe_path AS path, SUM(t.runs) AS n, SUM(t.core_seconds) AS cs,
         SUM(IF(t.exit_class = 'ok', 0, t.runs)) AS abnormal
  FROM track_tally t
  WHERE t.first_start >= @t0 AND t.first_start < @t1 AND NOT @sum_rollup
    AND (@f_syshost IS NULL OR t.syshost = @f_syshost)
    AND (@f_user IS NULL OR t.user = @f_user)
    AND (@f_account IS NULL OR t.account = @f_account)
    AND (@f_partition IS NULL OR t.`partition` = @f_partition)
  GROUP BY t.exe_path;

-- The same from the roll-up, per path key; the path is its object's, or for
-- a path only tallies ran (no object) the window's tally row's
DROP TEMPORARY TABLE IF EXISTS rp_sum_roll, rp_sum_tpath;
CREATE TEMPORARY TABLE rp_sum_roll (PRIMARY KEY (exe_key)) AS
  SELECT d.exe_key, MIN(d.exe_object_id) AS exe_object_id, SUM(d.runs) AS n,
         SUM(d.core_seconds) AS cs, SUM(d.failures) AS abnormal
  FROM track_rollup_day d
  WHERE d.day >= DATE(FROM_UNIXTIME(@t0)) AND d.day < DATE(FROM_UNIXTIME(@t1)) AND @sum_rollup
  GROUP BY d.exe_key;
CREATE TEMPORARY TABLE rp_sum_tpath (PRIMARY KEY (exe_key)) AS
  SELECT CAST(CONV(LEFT(MD5(p.path), 16), 16, 10) AS UNSIGNED) AS exe_key, MIN(p.path) AS path
  FROM (SELECT DISTINCT t.exe_path AS path FROM track_tally t
        WHERE t.first_start >= @t0 AND t.first_start < @t1 AND @sum_rollup) p
  GROUP BY 1;

CALL track_jobs_prepare(@not_applications);
DROP TEMPORARY TABLE IF EXISTS rp_sum_job;
CREATE TEMPORARY TABLE rp_sum_job AS
  SELECT COALESCE(SUM(j.alloc_cs), 0) AS a, COALESCE(SUM(j.tracked_cs), 0) AS t,
         COALESCE(GROUP_CONCAT(DISTINCT j.source ORDER BY j.source DESC SEPARATOR '+'), '-') AS src
  FROM rp_job j
  WHERE (@f_syshost IS NULL OR j.syshost = @f_syshost)
    AND (@f_user IS NULL OR j.user = @f_user)
    AND (@f_account IS NULL OR j.account = @f_account)
    AND (@f_partition IS NULL OR j.`partition` = @f_partition);

WITH
exe AS (
  SELECT x.n, x.cs, x.abnormal, o.path,
         track_path_is_system(o.path, @system_prefixes) AS is_system  -- migration 0005
  FROM rp_sum_exe x JOIN track_object o ON o.id = x.exe_object_id
  UNION ALL
  SELECT t.n, t.cs, t.abnormal, NULLIF(t.path, ''), track_path_is_system(t.path, @system_prefixes)
  FROM rp_sum_tally t
  UNION ALL
  SELECT r.n, r.cs, r.abnormal, NULLIF(COALESCE(o.path, p.path), ''),
         track_path_is_system(COALESCE(o.path, p.path), @system_prefixes)
  FROM rp_sum_roll r
  LEFT JOIN track_object o ON o.id = r.exe_object_id
  LEFT JOIN rp_sum_tpath p ON p.exe_key = r.exe_key
),
cls AS (
  SELECT COALESCE(SUM(n), 0) AS runs, COALESCE(SUM(cs), 0) AS cs,
         COALESCE(SUM(IF(is_system, n, 0)), 0) AS system_runs,
         COALESCE(SUM(IF(is_system, 0, n)), 0) AS user_built_runs,
         COALESCE(SUM(IF(is_system, cs, 0)), 0) AS system_cs,
         COALESCE(SUM(IF(is_system, 0, cs)), 0) AS user_built_cs,
         COALESCE(SUM(abnormal), 0) AS abnormal_runs,
         COUNT(DISTINCT path) AS executables  -- by path: a rebuilt program is one executable
  FROM exe
),
dist AS (
  -- jobs and users on the integer keys of migration 0004 (cheaper to compare),
  -- over the recorded and the tallied runs; accounts from the distinct
  -- accounts of each: with the account in the union the server kept every
  -- run's 512-byte string in a temporary table (0.4 s of 0.5 s at 100,000
  -- runs, docs/performance.md "Issue 18")
  SELECT COUNT(DISTINCT k.job_key) AS jobs, COUNT(DISTINCT k.user_key) AS users,
         (SELECT COUNT(DISTINCT a.account) FROM (
            SELECT DISTINCT r.account
            FROM track_run r
            WHERE r.start_time >= @t0 AND r.start_time < @t1 AND NOT @sum_rollup
              AND (@f_syshost IS NULL OR r.syshost = @f_syshost)
              AND (@f_user IS NULL OR r.user = @f_user)
              AND (@f_account IS NULL OR r.account = @f_account)
              AND (@f_partition IS NULL OR r.`partition` = @f_partition)
            UNION ALL
            SELECT DISTINCT t.account
            FROM track_tally t
            WHERE t.first_start >= @t0 AND t.first_start < @t1 AND NOT @sum_rollup
              AND (@f_syshost IS NULL OR t.syshost = @f_syshost)
              AND (@f_user IS NULL OR t.user = @f_user)
              AND (@f_account IS NULL OR t.account = @f_account)
              AND (@f_partition IS NULL OR t.`partition` = @f_partition)) a) AS accounts
  FROM (SELECT r.job_key, r.user_key
        FROM track_run r
        WHERE r.start_time >= @t0 AND r.start_time < @t1
          AND (@f_syshost IS NULL OR r.syshost = @f_syshost)
          AND (@f_user IS NULL OR r.user = @f_user)
          AND (@f_account IS NULL OR r.account = @f_account)
          AND (@f_partition IS NULL OR r.`partition` = @f_partition)
        UNION ALL
        SELECT t.job_key, t.user_key
        FROM track_tally t
        WHERE t.first_start >= @t0 AND t.first_start < @t1
          AND (@f_syshost IS NULL OR t.syshost = @f_syshost)
          AND (@f_user IS NULL OR t.user = @f_user)
          AND (@f_account IS NULL OR t.account = @f_account)
          AND (@f_partition IS NULL OR t.`partition` = @f_partition)) k
  WHERE NOT @sum_rollup
  HAVING NOT @sum_rollup  -- (an aggregate without rows still makes one row)
  UNION ALL
  -- from the roll-up: users and accounts from its groups, jobs from the
  -- window's index entries
  SELECT (SELECT COUNT(DISTINCT u.job_key) FROM (
            SELECT r.job_key FROM track_run r
            WHERE r.start_time >= @t0 AND r.start_time < @t1 AND @sum_rollup
            UNION ALL
            SELECT t.job_key FROM track_tally t
            WHERE t.first_start >= @t0 AND t.first_start < @t1 AND @sum_rollup) u),
         COUNT(DISTINCT g.user), COUNT(DISTINCT g.account)
  FROM track_rollup_group g
  WHERE g.day >= DATE(FROM_UNIXTIME(@t0)) AND g.day < DATE(FROM_UNIXTIME(@t1)) AND @sum_rollup
  HAVING @sum_rollup
),
tal AS (
  SELECT COALESCE(SUM(t.runs), 0) AS tallied_runs
  FROM track_tally t
  WHERE t.first_start >= @t0 AND t.first_start < @t1
    AND (@f_syshost IS NULL OR t.syshost = @f_syshost)
    AND (@f_user IS NULL OR t.user = @f_user)
    AND (@f_account IS NULL OR t.account = @f_account)
    AND (@f_partition IS NULL OR t.`partition` = @f_partition)
)
SELECT c.runs, d.jobs, d.users, d.accounts, c.executables,
       ROUND(c.cs / 3600, 2) AS core_hours, c.system_runs, c.user_built_runs,
       ROUND(c.system_cs / 3600, 2) AS system_core_hours,
       ROUND(c.user_built_cs / 3600, 2) AS user_built_core_hours,
       c.abnormal_runs,
       ROUND(sj.a / 3600, 2) AS alloc_core_hours, ROUND(sj.t / 3600, 2) AS tracked_core_hours,
       ROUND(IF(sj.a > 0, 100 * sj.t / sj.a, NULL), 1) AS tracked_percent,
       sj.src AS job_source, tl.tallied_runs
FROM cls c JOIN dist d JOIN rp_sum_job sj JOIN tal tl;
DROP TEMPORARY TABLE IF EXISTS rp_sum_exe, rp_sum_tally, rp_sum_roll, rp_sum_tpath, rp_sum_job,
  rp_job;
