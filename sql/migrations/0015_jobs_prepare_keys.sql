-- track schema, version 15: track_jobs_prepare (migration 0011, the one
-- definition of a job's allocated and tracked core-hours, docs/reports.md
-- "Core-hours") again, the same statements with a primary key on each
-- session table that a later statement joins on (rp_jexe by executable,
-- rp_jmax, rp_jtype and rp_jroot by job). Without them the server joined
-- those tables by scanning one for each row of the other: summary, jobs and
-- utilisation grew with the square of the window's jobs (117-140 s at
-- 100,000 runs and 10,000 jobs; docs/performance.md "Issue 18"). The
-- result is the same table, row for row.
--
-- Statements inside bodies start with ';' at the beginning of a line:
-- track-ingest --migrate splits this file at lines that END with ';'.

DROP PROCEDURE IF EXISTS track_jobs_prepare;
CREATE PROCEDURE track_jobs_prepare(IN apps TEXT)
BEGIN
  DROP TEMPORARY TABLE IF EXISTS rp_jk, rp_jrun, rp_jexe, rp_japp, rp_jmax, rp_jtype, rp_jroot, rp_job
  ; CREATE TEMPORARY TABLE rp_jk (job_key BIGINT UNSIGNED NOT NULL PRIMARY KEY,
                                  syshost VARCHAR(64) NOT NULL, job_id VARCHAR(64) NOT NULL)
  ; INSERT IGNORE INTO rp_jk
      SELECT j.job_key, j.syshost, j.job_id FROM track_job j
      WHERE COALESCE(j.start_time, j.end_time) >= @t0 AND COALESCE(j.start_time, j.end_time) < @t1
  ; INSERT IGNORE INTO rp_jk
      SELECT r.job_key, r.syshost, r.job_id FROM track_run r
      WHERE r.start_time >= @t0 AND r.start_time < @t1 AND r.job_key IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM track_job j WHERE j.job_key = r.job_key
                        AND j.syshost = r.syshost AND j.job_id = r.job_id)
  ; CREATE TEMPORARY TABLE rp_jrun AS
      SELECT r.job_key, r.user, r.account, r.`partition`, r.exe_object_id, r.start_time,
             r.end_time, r.run_time, r.num_cores, r.alloc_cpus, r.exit_status, r.term_signal,
             r.has_end, r.step_id
      FROM rp_jk k JOIN track_run r ON r.job_id = k.job_id AND r.syshost = k.syshost
  ; CREATE TEMPORARY TABLE rp_jexe (PRIMARY KEY (exe_object_id)) AS
      SELECT e.exe_object_id, SUBSTRING_INDEX(o.path, '/', -1) AS name,
             track_is_application(o.path, apps) AS is_app
      FROM (SELECT DISTINCT exe_object_id FROM rp_jrun) e
      JOIN track_object o ON o.id = e.exe_object_id
  ; CREATE TEMPORARY TABLE rp_japp AS
      SELECT r.job_key, x.name,
             SUM(COALESCE(r.run_time,
                          GREATEST(j.end_time - r.start_time, 0), 0) * r.num_cores) AS cs
      FROM rp_jrun r JOIN rp_jexe x ON x.exe_object_id = r.exe_object_id AND x.is_app = 1
      JOIN rp_jk k ON k.job_key = r.job_key
      LEFT JOIN track_job j ON j.job_key = k.job_key AND j.syshost = k.syshost AND j.job_id = k.job_id
      GROUP BY r.job_key, x.name
  ; CREATE TEMPORARY TABLE rp_jmax (PRIMARY KEY (job_key)) AS
      SELECT job_key, MAX(cs) AS m, SUM(cs) AS app_cs FROM rp_japp GROUP BY job_key
  ; CREATE TEMPORARY TABLE rp_jtype (PRIMARY KEY (job_key)) AS
      SELECT a.job_key, MIN(a.name) AS job_type, MAX(x.app_cs) AS app_cs
      FROM rp_japp a JOIN rp_jmax x ON x.job_key = a.job_key AND a.cs = x.m
      GROUP BY a.job_key
  ; CREATE TEMPORARY TABLE rp_jroot (PRIMARY KEY (job_key)) AS
      SELECT job_key, exit_status, term_signal, has_end FROM (
        SELECT job_key, exit_status, term_signal, has_end,
               ROW_NUMBER() OVER (PARTITION BY job_key ORDER BY start_time) AS n
        FROM rp_jrun) f WHERE n = 1
  ; CREATE TEMPORARY TABLE rp_job AS
      SELECT k.syshost, k.job_id, k.job_key,
             IF(j.id IS NULL, 'records', 'slurm') AS source,
             COALESCE(j.user, rr.user) AS user,
             IF(j.id IS NULL, rr.account, j.account) AS account,
             IF(j.id IS NULL, rr.`partition`, j.`partition`) AS `partition`,
             COALESCE(j.state, CASE WHEN ro.has_end = 0 OR ro.has_end IS NULL THEN 'UNKNOWN'
                                    WHEN ro.term_signal IS NOT NULL THEN 'SIGNALED'
                                    WHEN ro.exit_status = 0 THEN 'COMPLETED'
                                    ELSE 'FAILED' END) AS state,
             IF(j.id IS NULL, ro.exit_status, j.exit_code) AS exit_code,
             COALESCE(j.elapsed, rr.elapsed, 0) AS elapsed,
             COALESCE(j.alloc_cpus, rr.alloc_cpus, 0) AS alloc_cpus,
             COALESCE(j.start_time, rr.first_start) AS start_time,
             CAST(0 AS DECIMAL(24,6)) AS alloc_cs,
             CAST(0 AS DECIMAL(24,6)) AS tracked_cs,
             t.job_type, COALESCE(t.app_cs, 0) AS app_cs,
             COALESCE(rr.failures, 0) AS failures
      FROM rp_jk k
      LEFT JOIN track_job j ON j.job_key = k.job_key AND j.syshost = k.syshost AND j.job_id = k.job_id
      LEFT JOIN (
        SELECT r.job_key, MIN(r.user) AS user, MIN(r.account) AS account,
               MIN(r.`partition`) AS `partition`, MIN(r.start_time) AS first_start,
               CAST(GREATEST(MAX(COALESCE(r.end_time, r.start_time)) - MIN(r.start_time), 0)
                    AS UNSIGNED) AS elapsed,
               COALESCE(MAX(r.alloc_cpus), MAX(r.num_cores)) AS alloc_cpus,
               SUM(r.exit_status <> 0 OR r.term_signal IS NOT NULL) AS failures
        FROM rp_jrun r GROUP BY r.job_key) rr ON rr.job_key = k.job_key
      LEFT JOIN rp_jtype t ON t.job_key = k.job_key
      LEFT JOIN rp_jroot ro ON ro.job_key = k.job_key
  ; UPDATE rp_job SET alloc_cs = elapsed * alloc_cpus
  ; UPDATE rp_job SET tracked_cs = LEAST(app_cs, alloc_cs)
  ; DROP TEMPORARY TABLE rp_jk, rp_jrun, rp_jexe, rp_japp, rp_jmax, rp_jtype, rp_jroot
  ; END;

DELETE FROM track_schema_version;
INSERT INTO track_schema_version (version) VALUES (15);
