-- Bench data for the reports: bulk-loaded straight into the schema's real
-- tables (track-ingest's tables and sets, not a copy). Parameters:
--   @nruns (1000000), @t_start (epoch of the first run), @days (30),
--   @diverse (0): percent of runs with an object set of their own
-- Shape: 3 clusters, 500 users, 20 accounts, 100,000 jobs of ~10 runs,
-- 500 executables (1/3 under /usr), 2,000 library objects (400 families x
-- 5 builds/versions), 3,000 object sets of 40 libraries each (so 40 run-object
-- rows per run through track_run_object), 200 modules in 500 sets of 5,
-- OMP_NUM_THREADS in 4 values; 5% of runs without an end (half of those
-- replaced by exec), 3% killed by a signal, 5% non-zero exit.
-- With @diverse = P, P % of the runs (those with (n * 37) % 100 < P) each
-- have a distinct object set (id 3000 + n) of ~40 members: 25 libraries of
-- the 2,000 and 15 of 3,000 Python extension modules, drawn by hash; that is
-- what Python runs loading different extension modules look like (issue 18).
-- Needs the Sequence engine (seq_1_to_N tables), built into MariaDB.
SET @nruns := COALESCE(@nruns, 1000000);
SET @days := COALESCE(@days, 30);
SET @t_start := COALESCE(@t_start, UNIX_TIMESTAMP('2024-03-01'));
SET @diverse := COALESCE(@diverse, 0);
SET SESSION unique_checks = 0, foreign_key_checks = 0;

INSERT INTO track_object (id, hkey, path, build_id, signature)
SELECT seq, UNHEX(SHA2(CONCAT('lib', seq), 256)),
       CONCAT('/opt/sw/pkg', seq % 400, '/lib/libfam', seq % 400, '.so.', seq DIV 400),
       SUBSTRING(SHA1(CONCAT('b', seq)), 1, 40), ''
FROM seq_1_to_2000;
INSERT INTO track_object (id, hkey, path, build_id, signature)
SELECT 2000 + seq, UNHEX(SHA2(CONCAT('exe', seq), 256)),
       IF(seq % 3 = 0, CONCAT('/usr/bin/tool', seq), CONCAT('/home/u', seq % 500, '/bin/app', seq)),
       SUBSTRING(SHA1(CONCAT('e', seq)), 1, 40), ''
FROM seq_1_to_500;

INSERT INTO track_object (id, hkey, path, build_id, signature)
SELECT 2500 + seq, UNHEX(SHA2(CONCAT('ext', seq), 256)),
       CONCAT('/opt/py/site/pkg', seq % 300, '/_ext', seq, '.cpython-311-x86_64-linux-gnu.so'),
       SUBSTRING(SHA1(CONCAT('x', seq)), 1, 40), ''
FROM seq_1_to_3000;

INSERT INTO track_object_set (id, skey, nobjects)
SELECT seq, UNHEX(SHA2(CONCAT('set', seq), 256)), 40 FROM seq_1_to_3000;
-- set s holds 40 distinct objects: (s*7 + k*53) mod 2000 + 1 for k = 0..39
INSERT IGNORE INTO track_object_set_member (set_id, object_id)
SELECT s.seq, ((s.seq * 7 + k.seq * 53) % 2000) + 1 FROM seq_1_to_3000 s JOIN seq_0_to_39 k;
-- the diverse runs' own sets (none when @diverse = 0)
INSERT INTO track_object_set (id, skey, nobjects)
SELECT 3000 + seq, UNHEX(SHA2(CONCAT('dset', seq), 256)), 40
FROM seq_1_to_1000000 WHERE seq <= @nruns AND (seq * 37) % 100 < @diverse;
INSERT IGNORE INTO track_object_set_member (set_id, object_id)
SELECT 3000 + s.seq,
       IF(k.seq < 25, CONV(LEFT(MD5(CONCAT(s.seq, ':', k.seq)), 8), 16, 10) % 2000 + 1,
          2500 + CONV(LEFT(MD5(CONCAT(s.seq, ':', k.seq)), 8), 16, 10) % 3000 + 1)
FROM seq_1_to_1000000 s JOIN seq_0_to_39 k
WHERE s.seq <= @nruns AND (s.seq * 37) % 100 < @diverse;
-- two draws of the same object are one member (INSERT IGNORE): nobjects is
-- the number of member rows, as track-ingest writes it (software relies on it)
UPDATE track_object_set s
SET s.nobjects = (SELECT COUNT(*) FROM track_object_set_member m WHERE m.set_id = s.id)
WHERE s.id > 3000;

INSERT INTO track_module (id, hkey, name)
SELECT seq, UNHEX(SHA2(CONCAT('mod', seq), 256)), CONCAT('pkg', seq % 50, '/', seq DIV 50) FROM seq_1_to_200;
INSERT INTO track_module_set (id, skey, nmodules)
SELECT seq, UNHEX(SHA2(CONCAT('mset', seq), 256)), 5 FROM seq_1_to_500;
INSERT IGNORE INTO track_module_set_member (set_id, module_id)
SELECT s.seq, ((s.seq * 11 + k.seq * 37) % 200) + 1 FROM seq_1_to_500 s JOIN seq_0_to_4 k;

INSERT INTO track_env_name (id, hkey, name) VALUES (1, UNHEX(SHA2('OMP_NUM_THREADS', 256)), 'OMP_NUM_THREADS');
INSERT INTO track_env_pair (id, hkey, name_id, value)
SELECT seq, UNHEX(SHA2(CONCAT('omp', seq), 256)), 1, POW(2, seq - 1) FROM seq_1_to_4;
INSERT INTO track_env_set (id, skey, nvars)
SELECT seq, UNHEX(SHA2(CONCAT('eset', seq), 256)), 1 FROM seq_1_to_4;
INSERT INTO track_env_set_member (set_id, pair_id) SELECT seq, seq FROM seq_1_to_4;

-- Runs: run n belongs to job n DIV 10 (its runs start seconds apart).
INSERT INTO track_run (run_uuid, parent_uuid, has_start, has_end, job_id, `partition`, account,
  uid, gid, user, syshost, host, exe_path, exe_object_id, pid, ppid, cwd, cmdline,
  start_time, end_time, run_time, exit_status, term_signal, utime, stime, maxrss_kb,
  num_nodes, num_tasks, cpus_per_task, num_cores, object_set_id, module_set_id, env_set_id)
SELECT UNHEX(MD5(n)),
       CASE WHEN n % 10 = 0 THEN NULL ELSE UNHEX(MD5(n - 1)) END,
       1, IF(n % 20 = 7, 0, 1),
       CAST(n DIV 10 AS CHAR), IF(j % 4 = 0, 'gpu', 'cpu'), CONCAT('acct', j % 20),
       10000 + j % 500, 10000, CONCAT('user', j % 500), CONCAT('cluster', j % 3), CONCAT('node', n % 997),
       o.path, o.id,
       -- exec: a run n with n % 40 = 7 (no end) is replaced by run n + 1 with the same pid
       IF(n % 40 = 8, 1000 + (n - 1) % 30000, 1000 + n % 30000), 999, '/home/x', 'app',
       t, IF(n % 20 = 7, NULL, t + rt), IF(n % 20 = 7, NULL, rt),
       CASE WHEN n % 20 = 7 OR n % 33 = 5 THEN NULL WHEN n % 20 = 3 THEN 1 ELSE 0 END,
       IF(n % 33 = 5 AND n % 20 <> 7, 11, NULL),
       IF(n % 20 = 7, NULL, rt / 2), IF(n % 20 = 7, NULL, 0), 1000,
       1, nt, cpt, nt * cpt,
       IF((n * 37) % 100 < @diverse, 3000 + n, (j * 17 + n % 3) % 3000 + 1), j % 500 + 1, IF(n % 5 = 0, NULL, n % 4 + 1)
FROM (
  SELECT seq AS n, seq DIV 10 AS j,
         @t_start + (seq * 86400 * @days DIV @nruns) + (seq % 7) / 10 AS t,
         (seq * 7919) % 3600 + 0.5 AS rt,
         IF((seq DIV 10) % 5 = 0, 16, 1) AS nt, IF((seq DIV 10) % 3 = 0, 2, 1) AS cpt,
         2000 + ((seq DIV 10) * 13 + seq % 4) % 500 + 1 AS exe
  FROM seq_1_to_1000000 WHERE seq <= @nruns
) g JOIN track_object o ON o.id = g.exe;
SET SESSION unique_checks = 1, foreign_key_checks = 1;
ANALYZE TABLE track_run, track_object, track_object_set_member, track_module_set_member,
  track_env_set_member, track_env_pair;

-- A writer of track_run other than track-ingest marks the jobs it wrote for
-- the per-job roll-up (docs/schema.md "Per-job roll-up"); the days need no
-- mark here: the first refresh of a new database computes every day.
INSERT INTO track_rollup_job_dirty (job_key)
  SELECT DISTINCT job_key FROM track_run WHERE job_key IS NOT NULL
  ON DUPLICATE KEY UPDATE job_key = VALUES(job_key);
