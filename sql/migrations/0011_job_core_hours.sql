-- track schema, version 11: one definition of a job's core-hours
-- (docs/reports.md "Core-hours"). Idempotent like every migration; on an
-- existing database the ALTER rebuilds track_run once.
--
-- track_run gains what libtrack records about MPI and the allocation
-- (docs/record-format.md): the MPI launcher, rank and world size of a run,
-- and the job's allocated CPUs as the run saw them. track-ingest computes
-- num_cores from them: the MPI world (mpi_size) when there is one, else the
-- step's tasks, times cpus_per_task.
-- The job tables of 0008 again (IF NOT EXISTS: a no-op after 0008): a
-- database already at version 9 or 10 when 0008 landed never ran it.
CREATE TABLE IF NOT EXISTS track_job (
  id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  syshost       VARCHAR(64) NOT NULL,
  job_id        VARCHAR(64) NOT NULL,
  job_display   VARCHAR(64) NOT NULL,
  user          VARCHAR(64) NOT NULL,
  account       VARCHAR(128) NULL,
  `partition`   VARCHAR(128) NULL,
  state         VARCHAR(32) NOT NULL,
  exit_code     INT NULL,
  exit_signal   INT NULL,
  submit_time   BIGINT NULL,
  start_time    BIGINT NULL,
  end_time      BIGINT NULL,
  elapsed       BIGINT UNSIGNED NOT NULL DEFAULT 0,
  alloc_cpus    INT UNSIGNED NOT NULL DEFAULT 0,
  alloc_nodes   INT UNSIGNED NOT NULL DEFAULT 0,
  job_key       BIGINT UNSIGNED
    AS (CAST(CONV(LEFT(MD5(CONCAT(syshost, 0x00, job_id)), 16), 16, 10) AS UNSIGNED)) STORED,
  UNIQUE KEY uk_job (syshost, job_id),
  KEY k_job_end (end_time),
  KEY k_job_key (job_key)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The job's steps: "batch", "extern", "0", "1", ... with their task counts.
CREATE TABLE IF NOT EXISTS track_job_step (
  syshost       VARCHAR(64) NOT NULL,
  job_id        VARCHAR(64) NOT NULL,
  step_id       VARCHAR(64) NOT NULL,
  state         VARCHAR(32) NOT NULL,
  exit_code     INT NULL,
  exit_signal   INT NULL,
  start_time    BIGINT NULL,
  end_time      BIGINT NULL,
  elapsed       BIGINT UNSIGNED NOT NULL DEFAULT 0,
  alloc_cpus    INT UNSIGNED NOT NULL DEFAULT 0,
  ntasks        INT UNSIGNED NULL,
  nnodes        INT UNSIGNED NULL,
  PRIMARY KEY (syshost, job_id, step_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Where the next incremental load starts: the latest end time loaded per
-- syshost (track-ingest asks sacct from a margin before it).
CREATE TABLE IF NOT EXISTS track_slurm_sync (
  syshost       VARCHAR(64) NOT NULL PRIMARY KEY,
  last_end      BIGINT NOT NULL,
  last_run      BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

ALTER TABLE track_run
  ADD COLUMN IF NOT EXISTS mpi_launcher VARCHAR(16) NULL,
  ADD COLUMN IF NOT EXISTS mpi_rank INT UNSIGNED NULL,
  ADD COLUMN IF NOT EXISTS mpi_size INT UNSIGNED NULL,
  ADD COLUMN IF NOT EXISTS alloc_cpus INT UNSIGNED NULL;

-- track_is_application(path, globs): 0 when the file name of path matches
-- one of the comma-separated globs ('*' any run of bytes, '?' one byte;
-- blanks around a glob ignored), else 1. globs NULL = the default of the
-- config key not_applications (spool/spool_config.h repeats it). Called
-- once per distinct executable of a report, never per run.
DROP FUNCTION IF EXISTS track_is_application;
CREATE FUNCTION track_is_application(p VARBINARY(4096), globs TEXT)
RETURNS TINYINT DETERMINISTIC
BEGIN
  DECLARE base VARBINARY(4096) DEFAULT SUBSTRING_INDEX(p, '/', -1)
  ; DECLARE rest TEXT DEFAULT COALESCE(globs, 'sh,bash,dash,zsh,ksh,mksh,csh,tcsh,fish,busybox,env,time,timeout,nohup,setsid,srun,sbatch,salloc,sattach,mpirun,mpiexec,orterun,orted,prte,prted,prterun,mpirun.*,mpiexec.*,hydra_pmi_proxy,hydra_nameserver,track-*')
  ; DECLARE g TEXT
  ; WHILE rest <> '' DO
      SET g = TRIM(SUBSTRING_INDEX(rest, ',', 1))
      ; SET rest = IF(LOCATE(',', rest) > 0, SUBSTRING(rest, LOCATE(',', rest) + 1), '')
      ; IF g <> '' AND base LIKE CAST(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(g, '|', '||'), '%', '|%'), '_', '|_'), '*', '%'), '?', '_') AS BINARY) ESCAPE '|' THEN
          RETURN 0
        ; END IF
    ; END WHILE
  ; RETURN 1
  ; END;

-- track_jobs_prepare(apps): the session temporary table rp_job, one row per
-- job of the window (@t0/@t1 from track_report_setup) and filters, shared
-- by the jobs, summary and utilisation reports:
--   facts (user, account, partition, state, exit_code, elapsed,
--   alloc_cpus) from track_job when Slurm accounting has the job
--   (source 'slurm'), else from the job's runs (source 'records': elapsed
--   from the first start to the last end, alloc_cpus the runs' alloc_cpus
--   else their largest num_cores, state and exit_code from the job's first
--   run, the batch script: COMPLETED, FAILED, SIGNALED or UNKNOWN);
--   alloc_cs = elapsed x alloc_cpus (core-seconds);
--   app_cs = what the job's application runs used: run_time (a run without
--   an end: until the job's end, when Slurm knows it) x num_cores, summed;
--   runs of executables that are not applications (apps: globs of file
--   names, track_is_application) count nothing;
--   tracked_cs = LEAST(app_cs, alloc_cs): never more than the allocation;
--   job_type = the application with the most core-seconds (file name);
--   failures = runs that ended with a non-zero status or a fatal signal.
-- A job belongs to the window when it started in it (Slurm's start, else
-- its first run's).
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
  ; CREATE TEMPORARY TABLE rp_jexe AS
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
  ; CREATE TEMPORARY TABLE rp_jmax AS
      SELECT job_key, MAX(cs) AS m, SUM(cs) AS app_cs FROM rp_japp GROUP BY job_key
  ; CREATE TEMPORARY TABLE rp_jtype AS
      SELECT a.job_key, MIN(a.name) AS job_type, MAX(x.app_cs) AS app_cs
      FROM rp_japp a JOIN rp_jmax x ON x.job_key = a.job_key AND a.cs = x.m
      GROUP BY a.job_key
  ; CREATE TEMPORARY TABLE rp_jroot AS
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
INSERT INTO track_schema_version (version) VALUES (11);
