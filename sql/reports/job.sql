-- job: every tracked run of one job (@job; with @syshost when job ids repeat
-- across clusters) as a process tree: a run's children are the runs that
-- name it as parent_uuid (fork or exec), ordered by start time. Runs whose
-- parent is not in the job are roots. Not limited to a window unless @since /
-- @until are set; @limit rows at most (default: all).
-- end: "exit N", "signal N", "exec" (replaced by exec: a child with the same
-- pid) or "no end" (no end record: killed, or still running).
-- Parameters: @job, @since, @until, @syshost, @user, @account, @partition, @limit.
-- track_report_setup (sql/migrations/0003) sets @t0/@t1, the window in epoch
-- seconds (track-report reads them back), the @f_ filters and @lim.
CALL track_report_setup(1000000000, 0);
SET @f_job := CONVERT(@job USING utf8mb4) COLLATE utf8mb4_bin;

WITH RECURSIVE
jr AS (
  SELECT r.* FROM track_run r
  WHERE r.job_id = @f_job
    AND (@t0 IS NULL OR r.start_time >= @t0) AND (@t1 IS NULL OR r.start_time < @t1)
    AND (@f_syshost IS NULL OR r.syshost = @f_syshost)
    AND (@f_user IS NULL OR r.user = @f_user)
    AND (@f_account IS NULL OR r.account = @f_account)
    AND (@f_partition IS NULL OR r.`partition` = @f_partition)
),
tree AS (
  SELECT jr.id, jr.syshost, jr.run_uuid, 0 AS depth,
         CAST(CONCAT(LPAD(CAST(jr.start_time * 1000000 AS UNSIGNED), 20, '0'), HEX(jr.run_uuid))
              AS CHAR(4000) CHARACTER SET ascii) AS sortkey
  FROM jr
  WHERE jr.parent_uuid IS NULL
     OR NOT EXISTS (SELECT 1 FROM jr p WHERE p.run_uuid = jr.parent_uuid AND p.syshost = jr.syshost)
  UNION ALL
  SELECT c.id, c.syshost, c.run_uuid, t.depth + 1,
         CONCAT(t.sortkey, '/', LPAD(CAST(c.start_time * 1000000 AS UNSIGNED), 20, '0'), HEX(c.run_uuid))
  FROM tree t JOIN jr c ON c.parent_uuid = t.run_uuid AND c.syshost = t.syshost
  WHERE t.depth < 60
),
ranked AS (
  SELECT t.*, ROW_NUMBER() OVER (ORDER BY t.syshost, t.sortkey) AS rk FROM tree t
)
SELECT r.syshost, t.depth,
       CONCAT(REPEAT('  ', t.depth), SUBSTRING_INDEX(r.exe_path, '/', -1)) AS program,
       LOWER(INSERT(INSERT(INSERT(INSERT(HEX(r.run_uuid), 9, 0, '-'), 14, 0, '-'), 19, 0, '-'), 24, 0, '-')) AS run_uuid,
       r.host, r.pid,
       DATE_FORMAT(FROM_UNIXTIME(r.start_time), '%Y-%m-%d %H:%i:%s') AS start,
       r.run_time,
       r.utime + r.stime AS cpu_time,
       CASE WHEN r.term_signal IS NOT NULL THEN CONCAT('signal ', r.term_signal)
            WHEN r.has_end = 1 THEN CONCAT('exit ', COALESCE(r.exit_status, 0))
            WHEN EXISTS (SELECT 1 FROM track_run c WHERE c.parent_uuid = r.run_uuid AND c.pid = r.pid)
              THEN 'exec'
            ELSE 'no end' END AS end,
       r.exe_path, REPLACE(r.cmdline, CHAR(0), ' ') AS cmdline
FROM ranked t JOIN track_run r ON r.id = t.id
WHERE t.rk <= @lim
ORDER BY t.rk;
