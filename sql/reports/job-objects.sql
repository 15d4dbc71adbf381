-- job-objects: the libraries and modules of one job's runs (@job, with
-- @syshost when job ids repeat across clusters; the other filters and the
-- window as in job.sql), for the job page (track-report job N --format
-- html). One row per (kind, name, build_id): kind 'library' or 'module',
-- runs = the job's runs that loaded it.
CALL track_report_setup(1000000000, 0);
SET @f_job := CONVERT(@job USING utf8mb4) COLLATE utf8mb4_bin;

WITH jr AS (
  SELECT r.object_set_id, r.module_set_id FROM track_run r
  WHERE r.job_id = @f_job
    AND (@t0 IS NULL OR r.start_time >= @t0) AND (@t1 IS NULL OR r.start_time < @t1)
    AND (@f_syshost IS NULL OR r.syshost = @f_syshost)
    AND (@f_user IS NULL OR r.user = @f_user)
    AND (@f_account IS NULL OR r.account = @f_account)
    AND (@f_partition IS NULL OR r.`partition` = @f_partition)
)
SELECT 'library' AS kind, o.path AS name, NULLIF(o.build_id, '') AS build_id, COUNT(*) AS runs
FROM jr JOIN track_object_set_member m ON m.set_id = jr.object_set_id
JOIN track_object o ON o.id = m.object_id
GROUP BY o.id
UNION ALL
SELECT 'module', md.name, NULL, COUNT(*)
FROM jr JOIN track_module_set_member mm ON mm.set_id = jr.module_set_id
JOIN track_module md ON md.id = mm.module_id
GROUP BY md.id
ORDER BY 1, 4 DESC, 2;
