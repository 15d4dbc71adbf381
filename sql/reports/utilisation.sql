-- utilisation: per user, per account and per partition (three sections) the
-- jobs that started in the window, their allocated core-hours, the
-- core-hours tracked applications explain and that share in percent; most
-- allocated core-hours first, top @limit per section. Job facts and
-- core-hours as in the jobs report (track_jobs_prepare, migration 0011);
-- sources says where the job facts came from (slurm, records or both).
-- Parameters: as jobs.sql; @limit default 20.
CALL track_report_setup(20, 1);
CALL track_jobs_prepare(@not_applications);

DROP TEMPORARY TABLE IF EXISTS rp_util;
CREATE TEMPORARY TABLE rp_util AS
  SELECT j.user, j.account, j.`partition`, j.alloc_cs, j.tracked_cs, j.source
  FROM rp_job j
  WHERE (@f_syshost IS NULL OR j.syshost = @f_syshost)
    AND (@f_user IS NULL OR j.user = @f_user)
    AND (@f_account IS NULL OR j.account = @f_account)
    AND (@f_partition IS NULL OR j.`partition` = @f_partition);

WITH
g AS (
  SELECT 'user' AS section, user AS name, COUNT(*) AS jobs, SUM(alloc_cs) AS a,
         SUM(tracked_cs) AS t, GROUP_CONCAT(DISTINCT source ORDER BY source) AS sources
  FROM rp_util GROUP BY user
  UNION ALL
  SELECT 'account', account, COUNT(*), SUM(alloc_cs), SUM(tracked_cs),
         GROUP_CONCAT(DISTINCT source ORDER BY source)
  FROM rp_util GROUP BY account
  UNION ALL
  SELECT 'partition', `partition`, COUNT(*), SUM(alloc_cs), SUM(tracked_cs),
         GROUP_CONCAT(DISTINCT source ORDER BY source)
  FROM rp_util GROUP BY `partition`
),
ranked AS (
  SELECT g.*, ROW_NUMBER() OVER (PARTITION BY section ORDER BY a DESC, name) AS rk FROM g
)
SELECT section, rk AS `rank`, name, jobs, ROUND(a / 3600, 4) AS alloc_core_hours,
       ROUND(t / 3600, 4) AS tracked_core_hours,
       ROUND(IF(a > 0, 100 * t / a, NULL), 1) AS tracked_percent, sources
FROM ranked
WHERE rk <= @lim
ORDER BY FIELD(section, 'user', 'account', 'partition'), rk;
DROP TEMPORARY TABLE IF EXISTS rp_util, rp_job;
