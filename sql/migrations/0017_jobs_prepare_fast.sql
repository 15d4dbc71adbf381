-- track schema, version 17: track_jobs_prepare (migrations 0011, 0015: the
-- one definition of a job's allocated and tracked core-hours,
-- docs/reports.md "Core-hours") again, the same rows in fewer and narrower
-- passes (docs/performance.md "Issue 18": summary, jobs and utilisation
-- at 100,000 runs):
-- - one grouped scan of the window's runs per (job_key, executable), into
--   a MEMORY table of numbers: core-seconds, first start, last end, CPUs,
--   failures, the first run (start and id packed in one DECIMAL), and
--   whether all runs agree on user, account and partition (user_key and
--   two 32-bit checksums); 0015 copied every run of every job with its
--   strings into an InnoDB temporary table and read it six times,
-- - the window's jobs from that table, not an INSERT IGNORE per run,
-- - each job's runs outside the window through the new index
--   k_run_job_start (job_key, start_time), not every run of every job
--   through k_run_job (one row lookup per run),
-- - user, account and partition read from the job's first run when all its
--   runs agree, else MIN() over its runs as before,
-- - the first run by its packed (start, id), not a window function over
--   every run (of runs starting in the same microsecond: the one loaded
--   first; 0015 took any of them),
-- - the application test: one native LIKE per glob and executable, not a
--   stored function looping over the globs per executable,
-- - per job and application name on integer name ids (ordered as the
--   names), the names joined back at the end.
-- A job is its job_key (docs/schema.md "Report keys"), as everywhere else
-- in the reports.
--
-- Statements inside bodies start with ';' at the beginning of a line:
-- track-ingest --migrate splits this file at lines that END with ';'.

ALTER TABLE track_run ADD KEY IF NOT EXISTS k_run_job_start (job_key, start_time);

-- track_app_globs(globs): the globs of executable file names that are not
-- applications, globs NULL = the default of the config key
-- not_applications (spool/spool_config.h repeats it). One copy here for
-- track_is_application and track_jobs_prepare.
DROP FUNCTION IF EXISTS track_app_globs;
CREATE FUNCTION track_app_globs(globs TEXT) RETURNS TEXT DETERMINISTIC
  RETURN COALESCE(globs, 'sh,bash,dash,zsh,ksh,mksh,csh,tcsh,fish,busybox,env,time,timeout,nohup,setsid,srun,sbatch,salloc,sattach,mpirun,mpiexec,orterun,orted,prte,prted,prterun,mpirun.*,mpiexec.*,hydra_pmi_proxy,hydra_nameserver,track-*');

-- track_app_glob_like(glob): a glob ('*' any run of bytes, '?' one byte)
-- as a LIKE pattern with escape character '|'.
DROP FUNCTION IF EXISTS track_app_glob_like;
CREATE FUNCTION track_app_glob_like(g TEXT) RETURNS VARBINARY(4096) DETERMINISTIC
  RETURN CAST(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(g, '|', '||'), '%', '|%'), '_', '|_'), '*', '%'), '?', '_') AS BINARY);

-- track_is_application(path, globs) as in migration 0011, on the shared
-- default and pattern.
DROP FUNCTION IF EXISTS track_is_application;
CREATE FUNCTION track_is_application(p VARBINARY(4096), globs TEXT)
RETURNS TINYINT DETERMINISTIC
BEGIN
  DECLARE base VARBINARY(4096) DEFAULT SUBSTRING_INDEX(p, '/', -1)
  ; DECLARE rest TEXT DEFAULT track_app_globs(globs)
  ; DECLARE g TEXT
  ; WHILE rest <> '' DO
      SET g = TRIM(SUBSTRING_INDEX(rest, ',', 1))
      ; SET rest = IF(LOCATE(',', rest) > 0, SUBSTRING(rest, LOCATE(',', rest) + 1), '')
      ; IF g <> '' AND base LIKE track_app_glob_like(g) ESCAPE '|' THEN
          RETURN 0
        ; END IF
    ; END WHILE
  ; RETURN 1
  ; END;

-- track_jobs_prepare(apps): the session table rp_job, as defined in
-- migration 0011 (one row per job of the window).
DROP PROCEDURE IF EXISTS track_jobs_prepare;
CREATE PROCEDURE track_jobs_prepare(IN apps TEXT)
BEGIN
  DECLARE rest TEXT DEFAULT track_app_globs(apps)
  ; DECLARE g TEXT
  ; DROP TEMPORARY TABLE IF EXISTS rp_jk, rp_jx, rp_jw, rp_jagg, rp_jstr, rp_jglob, rp_jexe,
                                   rp_jnm, rp_japp, rp_jmax, rp_jtype, rp_job
  -- the window's jobs: Slurm's (jid, jend: its row and end; a run without
  -- an end counts until then), then those of the window's runs that Slurm
  -- does not know
  ; CREATE TEMPORARY TABLE rp_jk (job_key BIGINT UNSIGNED NOT NULL PRIMARY KEY,
                                  jid BIGINT UNSIGNED NULL, jend BIGINT NULL) ENGINE=MEMORY
  ; INSERT IGNORE INTO rp_jk
      SELECT j.job_key, j.id, j.end_time FROM track_job j
      WHERE COALESCE(j.start_time, j.end_time) >= @t0 AND COALESCE(j.start_time, j.end_time) < @t1
  -- per job and executable, the window's runs in one scan (numbers only:
  -- user, account and partition are compared as user_key and two
  -- checksums); root = the first run (start, then id) packed in one number
  ; CREATE TEMPORARY TABLE rp_jx ENGINE=MEMORY AS
      SELECT r.job_key, r.exe_object_id,
             SUM(COALESCE(r.run_time, GREATEST(k.jend - r.start_time, 0), 0) * r.num_cores) AS cs,
             MIN(r.start_time) AS s, MAX(COALESCE(r.end_time, r.start_time)) AS e,
             MAX(r.alloc_cpus) AS ac, MAX(r.num_cores) AS nc,
             SUM(r.exit_status <> 0 OR r.term_signal IS NOT NULL) AS failures,
             MIN(r.start_time * 100000000000000000000000000 + r.id) AS root,
             MIN(r.user_key) AS u0, MAX(r.user_key) AS u1,
             MIN(CRC32(CONCAT(COALESCE(CONCAT('+', r.account), '-'), 0x00,
                              COALESCE(CONCAT('+', r.`partition`), '-')))) AS a0,
             MAX(CRC32(CONCAT(COALESCE(CONCAT('+', r.account), '-'), 0x00,
                              COALESCE(CONCAT('+', r.`partition`), '-')))) AS a1,
             MIN(CRC32C(CONCAT(COALESCE(CONCAT('+', r.account), '-'), 0x00,
                               COALESCE(CONCAT('+', r.`partition`), '-')))) AS b0,
             MAX(CRC32C(CONCAT(COALESCE(CONCAT('+', r.account), '-'), 0x00,
                               COALESCE(CONCAT('+', r.`partition`), '-')))) AS b1
      FROM track_run r LEFT JOIN rp_jk k ON k.job_key = r.job_key
      WHERE r.start_time >= @t0 AND r.start_time < @t1 AND r.job_key IS NOT NULL
      GROUP BY r.job_key, r.exe_object_id
  ; CREATE TEMPORARY TABLE rp_jw (PRIMARY KEY (job_key)) ENGINE=MEMORY AS
      SELECT DISTINCT job_key FROM rp_jx
  ; INSERT IGNORE INTO rp_jk (job_key)
      SELECT w.job_key FROM rp_jw w
      WHERE NOT EXISTS (SELECT 1 FROM track_job j WHERE j.job_key = w.job_key)
  -- the same for those jobs' runs outside the window (job_key, start_time)
  ; INSERT INTO rp_jx
      SELECT STRAIGHT_JOIN r.job_key, r.exe_object_id,
             SUM(COALESCE(r.run_time, GREATEST(k.jend - r.start_time, 0), 0) * r.num_cores),
             MIN(r.start_time), MAX(COALESCE(r.end_time, r.start_time)),
             MAX(r.alloc_cpus), MAX(r.num_cores),
             SUM(r.exit_status <> 0 OR r.term_signal IS NOT NULL),
             MIN(r.start_time * 100000000000000000000000000 + r.id),
             MIN(r.user_key), MAX(r.user_key),
             MIN(CRC32(CONCAT(COALESCE(CONCAT('+', r.account), '-'), 0x00,
                              COALESCE(CONCAT('+', r.`partition`), '-')))),
             MAX(CRC32(CONCAT(COALESCE(CONCAT('+', r.account), '-'), 0x00,
                              COALESCE(CONCAT('+', r.`partition`), '-')))),
             MIN(CRC32C(CONCAT(COALESCE(CONCAT('+', r.account), '-'), 0x00,
                               COALESCE(CONCAT('+', r.`partition`), '-')))),
             MAX(CRC32C(CONCAT(COALESCE(CONCAT('+', r.account), '-'), 0x00,
                               COALESCE(CONCAT('+', r.`partition`), '-'))))
      FROM rp_jk k JOIN track_run r FORCE INDEX (k_run_job_start) ON r.job_key = k.job_key
      WHERE r.start_time < @t0 OR r.start_time >= @t1
      GROUP BY r.job_key, r.exe_object_id
  -- per job; rid = its first run; same = all its runs agree on user,
  -- account and partition
  ; CREATE TEMPORARY TABLE rp_jagg (PRIMARY KEY (job_key)) ENGINE=MEMORY AS
      SELECT x.job_key, MIN(x.s) AS first_start,
             CAST(GREATEST(MAX(x.e) - MIN(x.s), 0) AS UNSIGNED) AS elapsed,
             COALESCE(MAX(x.ac), MAX(x.nc)) AS alloc_cpus, SUM(x.failures) AS failures,
             CAST(MOD(MIN(x.root), 100000000000000000000) AS UNSIGNED) AS rid,
             MIN(x.u0) = MAX(x.u1) AND MIN(x.a0) = MAX(x.a1) AND MIN(x.b0) = MAX(x.b1) AS same
      FROM rp_jk k JOIN rp_jx x ON x.job_key = k.job_key
      GROUP BY x.job_key
  ; CREATE TEMPORARY TABLE rp_jstr (PRIMARY KEY (job_key)) AS
      SELECT STRAIGHT_JOIN a.job_key, MIN(r.user) AS user, MIN(r.account) AS account,
             MIN(r.`partition`) AS `partition`
      FROM rp_jagg a JOIN track_run r FORCE INDEX (k_run_job_start) ON r.job_key = a.job_key
      WHERE a.same = 0
      GROUP BY a.job_key
  -- the application test once per executable, natively (one LIKE per glob)
  ; CREATE TEMPORARY TABLE rp_jglob (pat VARBINARY(4096) NOT NULL)
  ; WHILE rest <> '' DO
      SET g = TRIM(SUBSTRING_INDEX(rest, ',', 1))
      ; SET rest = IF(LOCATE(',', rest) > 0, SUBSTRING(rest, LOCATE(',', rest) + 1), '')
      ; IF g <> '' THEN
          INSERT INTO rp_jglob VALUES (track_app_glob_like(g))
        ; END IF
    ; END WHILE
  -- nid numbers the file names in their order (MIN(nid) is MIN(name))
  ; CREATE TEMPORARY TABLE rp_jnm (PRIMARY KEY (exe_object_id)) AS
      SELECT e.exe_object_id, e.name, DENSE_RANK() OVER (ORDER BY e.name) AS nid,
             NOT EXISTS (SELECT 1 FROM rp_jglob g WHERE e.name LIKE g.pat ESCAPE '|') AS is_app
      FROM (SELECT x.exe_object_id, SUBSTRING_INDEX(o.path, '/', -1) AS name
            FROM (SELECT DISTINCT exe_object_id FROM rp_jx) x
            JOIN track_object o ON o.id = x.exe_object_id) e
  ; CREATE TEMPORARY TABLE rp_jexe (PRIMARY KEY (exe_object_id)) ENGINE=MEMORY AS
      SELECT exe_object_id, nid, is_app FROM rp_jnm
  -- core-seconds per job and application name (nid orders as the name)
  ; CREATE TEMPORARY TABLE rp_japp ENGINE=MEMORY AS
      SELECT x.job_key, e.nid, SUM(x.cs) AS cs
      FROM rp_jx x JOIN rp_jexe e ON e.exe_object_id = x.exe_object_id AND e.is_app = 1
      GROUP BY x.job_key, e.nid
  ; CREATE TEMPORARY TABLE rp_jmax (PRIMARY KEY (job_key)) ENGINE=MEMORY AS
      SELECT job_key, MAX(cs) AS m, SUM(cs) AS app_cs FROM rp_japp GROUP BY job_key
  ; CREATE TEMPORARY TABLE rp_jtype (PRIMARY KEY (job_key)) ENGINE=MEMORY AS
      SELECT a.job_key, MIN(a.nid) AS nid, MAX(x.app_cs) AS app_cs
      FROM rp_japp a JOIN rp_jmax x ON x.job_key = a.job_key AND a.cs = x.m
      GROUP BY a.job_key
  ; CREATE TEMPORARY TABLE rp_job AS
      SELECT COALESCE(j.syshost, ro.syshost) AS syshost, COALESCE(j.job_id, ro.job_id) AS job_id,
             k.job_key,
             IF(j.id IS NULL, 'records', 'slurm') AS source,
             COALESCE(j.user, IF(a.same, ro.user, s.user)) AS user,
             IF(j.id IS NULL, IF(a.same, ro.account, s.account), j.account) AS account,
             IF(j.id IS NULL, IF(a.same, ro.`partition`, s.`partition`), j.`partition`) AS `partition`,
             COALESCE(j.state, CASE WHEN ro.has_end = 0 OR ro.has_end IS NULL THEN 'UNKNOWN'
                                    WHEN ro.term_signal IS NOT NULL THEN 'SIGNALED'
                                    WHEN ro.exit_status = 0 THEN 'COMPLETED'
                                    ELSE 'FAILED' END) AS state,
             IF(j.id IS NULL, ro.exit_status, j.exit_code) AS exit_code,
             COALESCE(j.elapsed, a.elapsed, 0) AS elapsed,
             COALESCE(j.alloc_cpus, a.alloc_cpus, 0) AS alloc_cpus,
             COALESCE(j.start_time, a.first_start) AS start_time,
             CAST(COALESCE(j.elapsed, a.elapsed, 0) * COALESCE(j.alloc_cpus, a.alloc_cpus, 0)
                  AS DECIMAL(24,6)) AS alloc_cs,
             CAST(LEAST(COALESCE(t.app_cs, 0),
                        COALESCE(j.elapsed, a.elapsed, 0) * COALESCE(j.alloc_cpus, a.alloc_cpus, 0))
                  AS DECIMAL(24,6)) AS tracked_cs,
             n.name AS job_type, COALESCE(t.app_cs, 0) AS app_cs,
             COALESCE(a.failures, 0) AS failures
      FROM rp_jk k
      LEFT JOIN track_job j ON j.id = k.jid
      LEFT JOIN rp_jagg a ON a.job_key = k.job_key
      LEFT JOIN track_run ro ON ro.id = a.rid
      LEFT JOIN rp_jstr s ON s.job_key = k.job_key
      LEFT JOIN rp_jtype t ON t.job_key = k.job_key
      LEFT JOIN (SELECT nid, MIN(name) AS name FROM rp_jnm GROUP BY nid) n ON n.nid = t.nid
  ; DROP TEMPORARY TABLE rp_jk, rp_jx, rp_jw, rp_jagg, rp_jstr, rp_jglob, rp_jexe, rp_jnm,
                         rp_japp, rp_jmax, rp_jtype
  ; END;

DELETE FROM track_schema_version;
INSERT INTO track_schema_version (version) VALUES (17);
