-- track schema, version 18: tallied runs (track_tally, migration 0014) in
-- the job reports' one definition of a job (track_jobs_prepare, migrations
-- 0011, 0015, 0017; docs/reports.md "Core-hours"). A tally row (one
-- executable path and exit class of a job on a node) counts like its runs:
-- - a job belongs to the window when a tally row of it starts there too
--   (its first start), so a job whose runs in the window were all tallied
--   is still one of the window's jobs,
-- - its core-seconds count towards the job's tracked core-hours and job
--   type when its path's file name is an application (the same test as
--   for a recorded executable), the overflow entry (path '': runs whose
--   path found no slot) counts for no application,
-- - its runs of a class other than ok are failures,
-- - first start and last start widen the job's span (without Slurm's
--   facts: elapsed), its cores (core-seconds over wall time, rounded, at
--   least 1) count among the runs' num_cores, its user, account and
--   partition (the job's, migration 0016) among the runs'.
-- A job whose runs are all tallied has no first run: without Slurm's facts
-- its state is UNKNOWN and its exit code empty.
-- The index k_tally_job_start (job_key, first_start) finds a job's tally
-- rows outside the window, as k_run_job_start does for its runs.
--
-- Statements inside bodies start with ';' at the beginning of a line:
-- track-ingest --migrate splits this file at lines that END with ';'.

ALTER TABLE track_tally ADD KEY IF NOT EXISTS k_tally_job_start (job_key, first_start);

DROP PROCEDURE IF EXISTS track_jobs_prepare;
CREATE PROCEDURE track_jobs_prepare(IN apps TEXT)
BEGIN
  DECLARE rest TEXT DEFAULT track_app_globs(apps)
  ; DECLARE g TEXT
  ; DROP TEMPORARY TABLE IF EXISTS rp_jk, rp_jx, rp_jt, rp_jw, rp_jagg, rp_jstr, rp_jglob,
                                   rp_jexe, rp_jnm, rp_jtn, rp_japp, rp_jmax, rp_jtype, rp_job
  -- the window's jobs: Slurm's (jid, jend: its row and end; a run without
  -- an end counts until then), then those of the window's runs and tally
  -- rows that Slurm does not know
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
  -- the same per job and tallied path (few rows: no MEMORY table, whose
  -- rows would be 4 KiB wide for the path)
  ; CREATE TEMPORARY TABLE rp_jt AS
      SELECT t.job_key, t.exe_path AS path, SUM(t.core_seconds) AS cs,
             MIN(t.first_start) AS s, MAX(t.last_start) AS e,
             MAX(IF(t.wall_time > 0, CAST(GREATEST(ROUND(t.core_seconds / t.wall_time), 1) AS UNSIGNED), NULL)) AS nc,
             SUM(IF(t.exit_class = 'ok', 0, t.runs)) AS failures,
             MIN(t.user_key) AS u0, MAX(t.user_key) AS u1,
             MIN(CRC32(CONCAT(COALESCE(CONCAT('+', t.account), '-'), 0x00,
                              COALESCE(CONCAT('+', t.`partition`), '-')))) AS a0,
             MAX(CRC32(CONCAT(COALESCE(CONCAT('+', t.account), '-'), 0x00,
                              COALESCE(CONCAT('+', t.`partition`), '-')))) AS a1,
             MIN(CRC32C(CONCAT(COALESCE(CONCAT('+', t.account), '-'), 0x00,
                               COALESCE(CONCAT('+', t.`partition`), '-')))) AS b0,
             MAX(CRC32C(CONCAT(COALESCE(CONCAT('+', t.account), '-'), 0x00,
                               COALESCE(CONCAT('+', t.`partition`), '-')))) AS b1
      FROM track_tally t
      WHERE t.first_start >= @t0 AND t.first_start < @t1 AND t.job_key IS NOT NULL
      GROUP BY t.job_key, t.exe_path
  ; CREATE TEMPORARY TABLE rp_jw (PRIMARY KEY (job_key)) ENGINE=MEMORY AS
      SELECT job_key FROM rp_jx UNION SELECT job_key FROM rp_jt
  ; INSERT IGNORE INTO rp_jk (job_key)
      SELECT w.job_key FROM rp_jw w
      WHERE NOT EXISTS (SELECT 1 FROM track_job j WHERE j.job_key = w.job_key)
  -- the same for those jobs' runs and tally rows outside the window
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
  ; INSERT INTO rp_jt
      SELECT STRAIGHT_JOIN t.job_key, t.exe_path, SUM(t.core_seconds),
             MIN(t.first_start), MAX(t.last_start),
             MAX(IF(t.wall_time > 0, CAST(GREATEST(ROUND(t.core_seconds / t.wall_time), 1) AS UNSIGNED), NULL)),
             SUM(IF(t.exit_class = 'ok', 0, t.runs)), MIN(t.user_key), MAX(t.user_key),
             MIN(CRC32(CONCAT(COALESCE(CONCAT('+', t.account), '-'), 0x00,
                              COALESCE(CONCAT('+', t.`partition`), '-')))),
             MAX(CRC32(CONCAT(COALESCE(CONCAT('+', t.account), '-'), 0x00,
                              COALESCE(CONCAT('+', t.`partition`), '-')))),
             MIN(CRC32C(CONCAT(COALESCE(CONCAT('+', t.account), '-'), 0x00,
                               COALESCE(CONCAT('+', t.`partition`), '-')))),
             MAX(CRC32C(CONCAT(COALESCE(CONCAT('+', t.account), '-'), 0x00,
                               COALESCE(CONCAT('+', t.`partition`), '-'))))
      FROM rp_jk k JOIN track_tally t FORCE INDEX (k_tally_job_start) ON t.job_key = k.job_key
      WHERE t.first_start < @t0 OR t.first_start >= @t1
      GROUP BY t.job_key, t.exe_path
  -- per job; rid = its first recorded run (NULL: all tallied); same = all
  -- its runs, recorded and tallied, agree on user, account and partition
  ; CREATE TEMPORARY TABLE rp_jagg (PRIMARY KEY (job_key)) ENGINE=MEMORY AS
      SELECT x.job_key, MIN(x.s) AS first_start,
             CAST(GREATEST(MAX(x.e) - MIN(x.s), 0) AS UNSIGNED) AS elapsed,
             COALESCE(MAX(x.ac), MAX(x.nc)) AS alloc_cpus, SUM(x.failures) AS failures,
             CAST(MOD(MIN(x.root), 100000000000000000000) AS UNSIGNED) AS rid,
             MIN(x.u0) = MAX(x.u1) AND MIN(x.a0) = MAX(x.a1) AND MIN(x.b0) = MAX(x.b1) AS same
      FROM rp_jk k JOIN (
        SELECT job_key, s, e, ac, nc, failures, root, u0, u1, a0, a1, b0, b1 FROM rp_jx
        UNION ALL
        SELECT job_key, s, e, NULL, nc, failures, NULL, u0, u1, a0, a1, b0, b1 FROM rp_jt
      ) x ON x.job_key = k.job_key
      GROUP BY x.job_key
  -- user, account and partition (and for a job of tallies only: cluster and
  -- job id) when the first run cannot tell them
  ; CREATE TEMPORARY TABLE rp_jstr (PRIMARY KEY (job_key)) AS
      SELECT u.job_key, MIN(u.syshost) AS syshost, MIN(u.job_id) AS job_id, MIN(u.user) AS user,
             MIN(u.account) AS account, MIN(u.`partition`) AS `partition`
      FROM (
        SELECT STRAIGHT_JOIN a.job_key, r.syshost, r.job_id, r.user, r.account, r.`partition`
        FROM rp_jagg a JOIN track_run r FORCE INDEX (k_run_job_start) ON r.job_key = a.job_key
        WHERE a.same = 0 OR a.same IS NULL OR a.rid IS NULL
        UNION ALL
        SELECT STRAIGHT_JOIN a.job_key, t.syshost, t.job_id, t.user, t.account, t.`partition`
        FROM rp_jagg a JOIN track_tally t FORCE INDEX (k_tally_job_start) ON t.job_key = a.job_key
        WHERE a.same = 0 OR a.same IS NULL OR a.rid IS NULL) u
      GROUP BY u.job_key
  -- the application test once per executable and tallied path, natively
  -- (one LIKE per glob)
  ; CREATE TEMPORARY TABLE rp_jglob (pat VARBINARY(4096) NOT NULL)
  ; WHILE rest <> '' DO
      SET g = TRIM(SUBSTRING_INDEX(rest, ',', 1))
      ; SET rest = IF(LOCATE(',', rest) > 0, SUBSTRING(rest, LOCATE(',', rest) + 1), '')
      ; IF g <> '' THEN
          INSERT INTO rp_jglob VALUES (track_app_glob_like(g))
        ; END IF
    ; END WHILE
  -- nid numbers the file names in their order (MIN(nid) is MIN(name)),
  -- exe_object_id NULL: a tallied path (path '': the overflow entry, no
  -- application)
  ; CREATE TEMPORARY TABLE rp_jnm AS
      SELECT e.exe_object_id, e.path, e.name, DENSE_RANK() OVER (ORDER BY e.name) AS nid,
             (e.path IS NULL OR e.path <> '') AND NOT EXISTS (SELECT 1 FROM rp_jglob g
                                          WHERE e.name LIKE g.pat ESCAPE '|') AS is_app
      FROM (SELECT x.exe_object_id, NULL AS path, SUBSTRING_INDEX(o.path, '/', -1) AS name
            FROM (SELECT DISTINCT exe_object_id FROM rp_jx) x
            JOIN track_object o ON o.id = x.exe_object_id
            UNION ALL
            SELECT NULL, p.path, SUBSTRING_INDEX(p.path, '/', -1)
            FROM (SELECT DISTINCT path FROM rp_jt) p) e
  ; CREATE TEMPORARY TABLE rp_jexe (PRIMARY KEY (exe_object_id)) ENGINE=MEMORY AS
      SELECT exe_object_id, nid, is_app FROM rp_jnm WHERE exe_object_id IS NOT NULL
  -- core-seconds per job and application name (nid orders as the name)
  ; CREATE TEMPORARY TABLE rp_japp ENGINE=MEMORY AS
      SELECT u.job_key, u.nid, SUM(u.cs) AS cs
      FROM (SELECT x.job_key, e.nid, x.cs
            FROM rp_jx x JOIN rp_jexe e ON e.exe_object_id = x.exe_object_id AND e.is_app = 1
            UNION ALL
            SELECT t.job_key, n.nid, t.cs
            FROM rp_jt t JOIN rp_jnm n ON n.exe_object_id IS NULL AND n.path = t.path
                                      AND n.is_app = 1) u
      GROUP BY u.job_key, u.nid
  ; CREATE TEMPORARY TABLE rp_jmax (PRIMARY KEY (job_key)) ENGINE=MEMORY AS
      SELECT job_key, MAX(cs) AS m, SUM(cs) AS app_cs FROM rp_japp GROUP BY job_key
  ; CREATE TEMPORARY TABLE rp_jtype (PRIMARY KEY (job_key)) ENGINE=MEMORY AS
      SELECT a.job_key, MIN(a.nid) AS nid, MAX(x.app_cs) AS app_cs
      FROM rp_japp a JOIN rp_jmax x ON x.job_key = a.job_key AND a.cs = x.m
      GROUP BY a.job_key
  ; CREATE TEMPORARY TABLE rp_job AS
      SELECT COALESCE(j.syshost, ro.syshost, s.syshost) AS syshost,
             COALESCE(j.job_id, ro.job_id, s.job_id) AS job_id,
             k.job_key,
             IF(j.id IS NULL, 'records', 'slurm') AS source,
             COALESCE(j.user, IF(a.same AND ro.id IS NOT NULL, ro.user, s.user)) AS user,
             IF(j.id IS NULL, IF(a.same AND ro.id IS NOT NULL, ro.account, s.account),
                j.account) AS account,
             IF(j.id IS NULL, IF(a.same AND ro.id IS NOT NULL, ro.`partition`, s.`partition`),
                j.`partition`) AS `partition`,
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
  ; DROP TEMPORARY TABLE rp_jk, rp_jx, rp_jt, rp_jw, rp_jagg, rp_jstr, rp_jglob, rp_jexe,
                         rp_jnm, rp_japp, rp_jmax, rp_jtype
  ; END;

DELETE FROM track_schema_version;
INSERT INTO track_schema_version (version) VALUES (18);
