-- daily: one row per day (and per group with @by): runs, jobs, users,
-- core-hours, CPU hours and failed runs of the runs that started that day,
-- from the daily roll-up that track-ingest keeps (track_rollup_day and
-- track_rollup_group, migration 0012), so a year costs about what a day does.
-- Parameters: session variables, NULL (unset) = not given.
--   @since, @until   'YYYY-MM-DD', @until exclusive; default @until =
--                    tomorrow, @since = @until - 30 days. Days are those of
--                    the roll-up: the time zone of the session that refreshed
--                    it (track-ingest's; normally the server's)
--   @syshost, @user, @account, @partition   exact matches
--   @by              NULL (one row per day), 'user', 'account', 'partition',
--                    'syshost', 'executable' (the path) or 'application'
--                    (the executable's file name, only names that are
--                    applications: runs of shells, srun, mpirun... are
--                    left out, as in the jobs report)
--   @not_applications  globs of executable file names that are not
--                    applications (config key not_applications)
--   @limit           groups per day, those with the most core-hours (default all)
-- Definitions are the other reports' (docs/reports.md): jobs and users are
-- distinct per row; a failed run ended on a signal, a non-zero status, or
-- has no end record and was not replaced by exec. Jobs are summed over
-- roll-up rows of one (cluster, user, account, partition), which a job never
-- spans; users are counted by name.
CALL track_report_setup(1000000000, 1);
SET @d0 := DATE(FROM_UNIXTIME(@t0)), @d1 := DATE(FROM_UNIXTIME(@t1));
-- @by is checked by track-report; here it only picks one of fixed texts
SET @dby := CASE @by WHEN 'user' THEN 'user' WHEN 'account' THEN 'account'
                     WHEN 'partition' THEN 'partition' WHEN 'syshost' THEN 'syshost'
                     WHEN 'executable' THEN 'executable'
                     WHEN 'application' THEN 'application' ELSE NULL END;

DROP TEMPORARY TABLE IF EXISTS rp_daily, rp_daily_app;
-- executables from track_rollup_day (one row per path), the rest from
-- track_rollup_group (no executable column: fewer rows)
CREATE TEMPORARY TABLE rp_daily (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  day DATE NOT NULL, gk BIGINT UNSIGNED NULL, exe_object_id INT UNSIGNED NULL,
  tp VARBINARY(4096) NULL,
  g VARCHAR(128) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL,
  runs BIGINT UNSIGNED NOT NULL, jobs BIGINT UNSIGNED NOT NULL, users BIGINT UNSIGNED NOT NULL,
  cs DECIMAL(30,6) NOT NULL, cpu DECIMAL(30,6) NOT NULL, failures BIGINT UNSIGNED NOT NULL);
INSERT INTO rp_daily (day, gk, exe_object_id, g, runs, jobs, users, cs, cpu, failures)
  SELECT d.day, d.exe_key, MIN(d.exe_object_id), NULL,
         SUM(d.runs), SUM(d.jobs), COUNT(DISTINCT d.user),
         SUM(d.core_seconds), SUM(d.cpu_seconds), SUM(d.failures)
  FROM track_rollup_day d
  WHERE @dby = 'executable' AND d.day >= @d0 AND d.day < @d1
    AND (@f_syshost IS NULL OR d.syshost = @f_syshost)
    AND (@f_user IS NULL OR d.user = @f_user)
    AND (@f_account IS NULL OR d.account = @f_account)
    AND (@f_partition IS NULL OR d.`partition` = @f_partition)
  GROUP BY d.day, d.exe_key;
INSERT INTO rp_daily (day, gk, exe_object_id, g, runs, jobs, users, cs, cpu, failures)
  SELECT d.day, NULL, NULL,
         CASE @dby WHEN 'user' THEN d.user WHEN 'account' THEN d.account
                   WHEN 'partition' THEN d.`partition` WHEN 'syshost' THEN d.syshost END,
         SUM(d.runs), SUM(d.jobs), COUNT(DISTINCT d.user), SUM(d.core_seconds),
         SUM(d.cpu_seconds), SUM(d.failures)
  FROM track_rollup_group d
  WHERE NOT (@dby <=> 'executable') AND NOT (@dby <=> 'application')
    AND d.day >= @d0 AND d.day < @d1
    AND (@f_syshost IS NULL OR d.syshost = @f_syshost)
    AND (@f_user IS NULL OR d.user = @f_user)
    AND (@f_account IS NULL OR d.account = @f_account)
    AND (@f_partition IS NULL OR d.`partition` = @f_partition)
  GROUP BY d.day, 4;
-- applications from track_rollup_name (migration 0019: jobs counted per
-- file name, so a job that ran two builds of one program counts once),
-- grouped on the name's 64-bit key; each name of the window is tested once
-- by track_is_application, the jobs report's test ('' is the tallies'
-- overflow entry: no application)
DROP TEMPORARY TABLE IF EXISTS rp_daily_app;
CREATE TEMPORARY TABLE rp_daily_app (PRIMARY KEY (name_key)) AS
  SELECT n.name_key, n.exe_name
  FROM (SELECT k.name_key, (SELECT x.exe_name FROM track_rollup_name x
                            WHERE x.name_key = k.name_key LIMIT 1) AS exe_name
        FROM (SELECT DISTINCT d.name_key FROM track_rollup_name d
              WHERE @dby = 'application' AND d.day >= @d0 AND d.day < @d1) k) n
  WHERE n.exe_name <> '' AND track_is_application(n.exe_name, @not_applications);
-- From the window's days to the names, not the other way: the server's
-- own plan went from each application to its rows through
-- k_rollup_name_key, twice as slow (docs/performance.md "Issue 18, round 4")
INSERT INTO rp_daily (day, gk, exe_object_id, tp, g, runs, jobs, users, cs, cpu, failures)
  SELECT STRAIGHT_JOIN d.day, d.name_key, NULL, NULL, NULL,
         SUM(d.runs), SUM(d.jobs), COUNT(DISTINCT d.user), SUM(d.core_seconds),
         SUM(d.cpu_seconds), SUM(d.failures)
  FROM track_rollup_name d JOIN rp_daily_app a ON a.name_key = d.name_key
  WHERE @dby = 'application' AND d.day >= @d0 AND d.day < @d1
    AND (@f_syshost IS NULL OR d.syshost = @f_syshost)
    AND (@f_user IS NULL OR d.user = @f_user)
    AND (@f_account IS NULL OR d.account = @f_account)
    AND (@f_partition IS NULL OR d.`partition` = @f_partition)
  GROUP BY d.day, d.name_key;
-- A path only ever tallied (past job_max_records) has no object (the
-- roll-up's exe_object_id 0): its path comes from the tally rows of the
-- same key (a handful of rows per tallied job).
UPDATE rp_daily r
  SET r.tp = (SELECT t.exe_path FROM track_tally t
              WHERE CAST(CONV(LEFT(MD5(t.exe_path), 16), 16, 10) AS UNSIGNED) = r.gk LIMIT 1)
  WHERE @dby = 'executable' AND r.exe_object_id = 0;

-- the group column is named after @by (one of the fixed texts above)
SET @q := CONCAT(
  'SELECT DATE_FORMAT(x.day, ''%Y-%m-%d'') AS day, ',
  IF(@dby IS NULL, '', CONCAT(CASE @dby WHEN 'executable' THEN 'COALESCE(o.path, x.tp)'
                                        WHEN 'application' THEN 'p.exe_name' ELSE 'x.g' END,
                               ' AS `', @dby, '`, ')),
  'x.runs, x.jobs, x.users, ROUND(x.cs / 3600, 2) AS core_hours, ',
  'ROUND(x.cpu / 3600, 2) AS cpu_hours, x.failures ',
  -- ranked on the narrow columns, the wide ones (tp: 4 KiB) joined to the
  -- kept rows only: sorting whole rows was most of the report's time
  'FROM (SELECT k.id, k.rk FROM (SELECT r.id, ROW_NUMBER() OVER (PARTITION BY r.day ',
  '      ORDER BY r.cs DESC, r.runs DESC, r.g, r.exe_object_id, r.gk) AS rk ',
  '      FROM rp_daily r) k WHERE k.rk <= @lim) y ',
  'JOIN rp_daily x ON x.id = y.id ',
  'LEFT JOIN track_object o ON o.id = x.exe_object_id ',
  'LEFT JOIN rp_daily_app p ON @dby = ''application'' AND p.name_key = x.gk ',
  'ORDER BY x.day, y.rk');
PREPARE rp_daily_q FROM @q;
EXECUTE rp_daily_q;
DEALLOCATE PREPARE rp_daily_q;
DROP TEMPORARY TABLE IF EXISTS rp_daily, rp_daily_app;
