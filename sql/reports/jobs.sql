-- jobs: one row per job that started in the window, with Slurm's facts when
-- Slurm accounting has the job (source = slurm), else the records' (source =
-- records); the allocated core-hours (elapsed x alloc_cpus / 3600), the
-- core-hours the job's applications explain (never more than the
-- allocation), the job type (the application with the most core-hours) and
-- the runs that failed. Definitions: track_jobs_prepare (migration 0011),
-- docs/reports.md "Core-hours". Most allocated core-hours first.
-- Parameters: session variables, NULL (unset) = not given.
--   @since, @until   'YYYY-MM-DD' in the session time zone, @until exclusive;
--                    default @until = tomorrow, @since = @until - 30 days
--   @syshost, @user, @account, @partition   exact matches (on the job's facts)
--   @limit           rows (default 1000)
--   @not_applications  globs of executable file names that are not
--                    applications (config key not_applications; NULL = default)
CALL track_report_setup(1000, 1);
CALL track_jobs_prepare(@not_applications);

-- ranked on the sort columns only: with every column (job_type is a
-- VARBINARY(4096)) the server sorted 4 KiB rows (0.8 s of 2 s at 10,000
-- jobs, docs/performance.md "Issue 18"); the top rows are joined back
WITH ranked AS (
  SELECT j.job_key, ROW_NUMBER() OVER (ORDER BY j.alloc_cs DESC, j.start_time, j.syshost, j.job_id) AS rk
  FROM rp_job j
  WHERE (@f_syshost IS NULL OR j.syshost = @f_syshost)
    AND (@f_user IS NULL OR j.user = @f_user)
    AND (@f_account IS NULL OR j.account = @f_account)
    AND (@f_partition IS NULL OR j.`partition` = @f_partition)
)
SELECT j.syshost, j.job_id, j.user, j.account, j.`partition`, j.state, j.exit_code,
       j.elapsed, j.alloc_cpus,
       ROUND(j.alloc_cs / 3600, 4) AS alloc_core_hours,
       ROUND(j.tracked_cs / 3600, 4) AS tracked_core_hours,
       j.job_type, j.failures, j.source
FROM ranked r JOIN rp_job j ON j.job_key = r.job_key
WHERE r.rk <= @lim
ORDER BY r.rk;
DROP TEMPORARY TABLE IF EXISTS rp_job;
