-- track schema, version 16: a tally row's account and partition (docs/schema.md
-- "Tallies"). The Epilog writes the job's account and partition as root
-- knows them (Slurm's) into the tally record; track-ingest stores them here
-- so that --account and --partition select tallied runs as they select
-- recorded ones (rows loaded before this version keep NULL: those counted
-- under no account or partition, as before). The day computation of the
-- roll-up (migration 0014) is the same but for the tallies' account and
-- partition in place of NULL.
--
-- Statements inside bodies start with ';' at the beginning of a line:
-- track-ingest --migrate splits this file at lines that END with ';'.
ALTER TABLE track_tally
  ADD COLUMN IF NOT EXISTS account VARCHAR(128) NULL AFTER job_id,
  ADD COLUMN IF NOT EXISTS `partition` VARCHAR(128) NULL AFTER account;

DROP PROCEDURE IF EXISTS track_rollup_day_compute;
CREATE PROCEDURE track_rollup_day_compute(IN d DATE)
BEGIN
  DECLARE t0 DECIMAL(17,6) DEFAULT UNIX_TIMESTAMP(d)
  ; DECLARE t1 DECIMAL(17,6) DEFAULT UNIX_TIMESTAMP(d + INTERVAL 1 DAY)
  ; DELETE FROM track_rollup_day WHERE day = d
  ; DELETE FROM track_rollup_group WHERE day = d
  ; DELETE FROM track_rollup_lib WHERE day = d
  ; DROP TEMPORARY TABLE IF EXISTS rl_run, rl_set
  ; CREATE TEMPORARY TABLE rl_run AS
      SELECT r.syshost, r.user, r.account, r.`partition`, r.job_key, r.object_set_id,
             CAST(CONV(LEFT(MD5(o.path), 16), 16, 10) AS UNSIGNED) AS exe_key, r.exe_object_id,
             COALESCE(r.run_time, 0) * GREATEST(r.num_cores, 1) AS cs,
             COALESCE(r.utime, 0) + COALESCE(r.stime, 0) AS cpu,
             CASE WHEN r.term_signal IS NOT NULL OR COALESCE(r.exit_status, 0) <> 0 THEN 1
                  WHEN r.has_end = 0 AND NOT EXISTS (SELECT 1 FROM track_run c
                         WHERE c.parent_uuid = r.run_uuid AND c.pid = r.pid) THEN 1
                  ELSE 0 END AS failed,
             CAST(1 AS UNSIGNED) AS n
      FROM track_run r JOIN track_object o ON o.id = r.exe_object_id
      WHERE r.start_time >= t0 AND r.start_time < t1
      UNION ALL
      -- tallied runs (runs past a job's job_max_records): n runs per row,
      -- in the day of their first start, with their job's account and
      -- partition (NULL when the record had none); no objects
      SELECT t.syshost, t.user, t.account, t.`partition`, t.job_key, NULL,
             CAST(CONV(LEFT(MD5(t.exe_path), 16), 16, 10) AS UNSIGNED),
             COALESCE((SELECT MIN(o.id) FROM track_object o WHERE o.path = t.exe_path), 0),
             t.core_seconds, t.utime + t.stime, IF(t.exit_class = 'ok', 0, t.runs), t.runs
      FROM track_tally t
      WHERE t.first_start >= t0 AND t.first_start < t1
  ; INSERT INTO track_rollup_day (day, syshost, user, account, `partition`, exe_key,
                                  exe_object_id, runs, jobs, core_seconds, cpu_seconds, failures)
      SELECT d, syshost, user, account, `partition`, exe_key, MIN(exe_object_id), SUM(n),
             COUNT(DISTINCT job_key), SUM(cs), SUM(cpu), SUM(failed)
      FROM rl_run GROUP BY syshost, user, account, `partition`, exe_key
  ; INSERT INTO track_rollup_group (day, syshost, user, account, `partition`, runs, jobs,
                                    core_seconds, cpu_seconds, failures)
      SELECT d, syshost, user, account, `partition`, SUM(n), COUNT(DISTINCT job_key),
             SUM(cs), SUM(cpu), SUM(failed)
      FROM rl_run GROUP BY syshost, user, account, `partition`
  ; CREATE TEMPORARY TABLE rl_set (PRIMARY KEY (set_id)) AS
      SELECT object_set_id AS set_id, COUNT(*) AS n, SUM(cs) AS cs FROM rl_run
      WHERE object_set_id IS NOT NULL GROUP BY object_set_id
  -- sets seen for the first time get their path and family keys (once per
  -- set, ever: a set never changes)
  ; DROP TEMPORARY TABLE IF EXISTS rl_new
  ; CREATE TEMPORARY TABLE rl_new (PRIMARY KEY (set_id)) AS
      SELECT s.set_id FROM rl_set s
      WHERE NOT EXISTS (SELECT 1 FROM track_object_set_key x WHERE x.set_id = s.set_id)
  ; INSERT IGNORE INTO track_object_set_key (set_id, ord, k)
      SELECT m.set_id, 1, om.pkey FROM rl_new s
      JOIN track_object_set_member m ON m.set_id = s.set_id JOIN rl_om om ON om.id = m.object_id
  ; INSERT IGNORE INTO track_object_set_key (set_id, ord, k)
      SELECT m.set_id, 2, om.fkey FROM rl_new s
      JOIN track_object_set_member m ON m.set_id = s.set_id JOIN rl_om om ON om.id = m.object_id
  ; INSERT INTO track_rollup_lib (day, ord, k, runs, core_seconds)
      SELECT d, x.ord, x.k, SUM(s.n), SUM(s.cs)
      FROM rl_set s JOIN track_object_set_key x ON x.set_id = s.set_id
      GROUP BY x.ord, x.k
  ; DROP TEMPORARY TABLE IF EXISTS rl_run, rl_set, rl_new
  ; END;

DELETE FROM track_schema_version;
INSERT INTO track_schema_version (version) VALUES (16);
