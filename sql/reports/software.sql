-- software: core-hours by software package and version (docs/software.md),
-- one section for executables (what ran) and one for libraries (what the
-- runs loaded). Attribution is a join done here, at report time: each
-- object's path goes through the site rules and Lmod's reverse map that
-- track-report loaded into rp_sw_prefix / rp_sw_exe (track_sw_attribute,
-- migration 0007); raw paths stay what the records said.
-- Columns: section, rank, package, version, source (rule, name, lmod or
-- unattributed; a comma list when several), runs, jobs, users, core_hours,
-- objects (distinct paths). Objects nothing claims are one row with package
-- NULL and source 'unattributed', always shown. Top @limit per section by
-- core-hours. A run counts once per package in the libraries section
-- however many of its libraries the package has.
-- Parameters: session variables, NULL (unset) = not given.
--   @since, @until   'YYYY-MM-DD' in the session time zone, @until exclusive;
--                    default @until = tomorrow, @since = @until - 30 days
--   @syshost, @user, @account, @partition   exact matches
--   @limit           rows per section (default 20)
-- track_report_setup (sql/migrations/0003) sets @t0/@t1, the window in epoch
-- seconds (track-report reads them back), the @f_ filters and @lim.
CALL track_report_setup(20, 1);

DROP TEMPORARY TABLE IF EXISTS rp_sw_ej, rp_sw_lj, rp_sw_sets, rp_sw_mem, rp_sw_objs, rp_sw_apv, rp_sw_pvn, rp_sw_lk,
                                 rp_sw_st, rp_sw_su, rp_sw_l1, rp_sw_ltop, rp_sw_lkt, rp_sw_l2, rp_sw_l3, rp_sw_used, rp_sw_src,
                                 rp_sw_out, rp_sw_ahk, rp_sw_aobj, rp_sw_nat, rp_sw_s1, rp_sw_s2, rp_sw_stop, rp_sw_sj,
                                 rp_sw_su2;
-- Without a filter, and with the daily roll-up current for the window (as
-- in libraries), the sets' members are never all read: the libraries the
-- window's runs used come from the roll-up's path keys, only the members
-- that some package claims are read (through the members' object index),
-- and a set holds an unclaimed member exactly when it has more members
-- (nobjects, which track-ingest writes as the number of member rows) than
-- claimed ones. Every set had to be expanded before: 4 million member rows
-- at 1,000,000 runs with 10 % of them holding a set of their own
-- (docs/performance.md "Issue 18, round 10").
SET @sw_fast := @f_none
  AND EXISTS (SELECT 1 FROM track_rollup_info WHERE id = 1 AND time_zone = @@session.time_zone)
  AND NOT EXISTS (SELECT 1 FROM track_rollup_dirty
                  WHERE day >= DATE(FROM_UNIXTIME(@t0)) AND day < DATE(FROM_UNIXTIME(@t1)));
-- Better still, the software roll-up (migration 0023): track-ingest keeps,
-- per day and package, what this script computes, for the map it read.
-- It serves when that map is the one track-report loaded (the same
-- fingerprint) and no day of the window, and no job, waits for its refresh;
-- then only the printed packages' jobs and users are read, and the objects
-- and sources come from the roll-ups' keys as above.
CALL track_sw_fingerprint();
SET @sw_store := @sw_fast
  AND EXISTS (SELECT 1 FROM track_sw_info
              WHERE id = 1 AND fingerprint = @sw_fp AND time_zone = @@session.time_zone)
  AND NOT EXISTS (SELECT 1 FROM track_sw_dirty
                  WHERE day >= DATE(FROM_UNIXTIME(@t0)) AND day < DATE(FROM_UNIXTIME(@t1)))
  AND NOT EXISTS (SELECT 1 FROM track_sw_job_dirty);
-- runs reduced to (executable, job, user) and (object set, job, user)
-- groups on the integer keys of migration 0004, as in executables/libraries
-- Without a filter each statement names no column but those of
-- k_run_set_scan or k_run_exe_scan (migration 0021), so that a wide window
-- is read from the index alone, already in (set or executable, job, user)
-- order: 0.6-0.8 s each against 1.9-2.3 s at 1,000,000 runs
-- (docs/performance.md "Issue 18, round 8"). With a filter each grouping
-- keeps its own statement naming the filter's columns, so that the server
-- can read only the filtered runs (--user through k_run_user_start: 0.16 s
-- at 1,000,000 runs; picking them first by id and filtering the index scan
-- took 1.0-1.7 s).
CREATE TEMPORARY TABLE rp_sw_lj (KEY (set_id)) ENGINE=MEMORY AS
  SELECT r.object_set_id AS set_id, r.job_key, r.user_key, COUNT(*) AS n,
         SUM(COALESCE(r.run_time, 0) * GREATEST(r.num_cores, 1)) AS cs
  FROM track_run r
  WHERE @f_none AND NOT @sw_store AND r.start_time >= @t0 AND r.start_time < @t1
  GROUP BY r.object_set_id, r.job_key, r.user_key;
INSERT INTO rp_sw_lj (set_id, job_key, user_key, n, cs)
  SELECT r.object_set_id, r.job_key, r.user_key, COUNT(*),
         SUM(COALESCE(r.run_time, 0) * GREATEST(r.num_cores, 1))
  FROM track_run r
  WHERE NOT @f_none AND r.start_time >= @t0 AND r.start_time < @t1
    AND (@f_syshost IS NULL OR r.syshost = @f_syshost)
    AND (@f_user IS NULL OR r.user = @f_user)
    AND (@f_account IS NULL OR r.account = @f_account)
    AND (@f_partition IS NULL OR r.`partition` = @f_partition)
  GROUP BY r.object_set_id, r.job_key, r.user_key;
CREATE TEMPORARY TABLE rp_sw_ej (KEY (object_id)) ENGINE=MEMORY AS
  SELECT r.exe_object_id AS object_id, r.job_key, r.user_key, COUNT(*) AS n,
         SUM(COALESCE(r.run_time, 0) * GREATEST(r.num_cores, 1)) AS cs
  FROM track_run r
  WHERE @f_none AND NOT @sw_store AND r.start_time >= @t0 AND r.start_time < @t1
  GROUP BY r.exe_object_id, r.job_key, r.user_key;
INSERT INTO rp_sw_ej (object_id, job_key, user_key, n, cs)
  SELECT r.exe_object_id, r.job_key, r.user_key, COUNT(*),
         SUM(COALESCE(r.run_time, 0) * GREATEST(r.num_cores, 1))
  FROM track_run r
  WHERE NOT @f_none AND r.start_time >= @t0 AND r.start_time < @t1
    AND (@f_syshost IS NULL OR r.syshost = @f_syshost)
    AND (@f_user IS NULL OR r.user = @f_user)
    AND (@f_account IS NULL OR r.account = @f_account)
    AND (@f_partition IS NULL OR r.`partition` = @f_partition)
  GROUP BY r.exe_object_id, r.job_key, r.user_key;
-- the window's object sets, once
CREATE TEMPORARY TABLE rp_sw_sets (PRIMARY KEY (set_id)) ENGINE=MEMORY AS
  SELECT DISTINCT set_id FROM rp_sw_lj WHERE NOT @sw_fast AND set_id IS NOT NULL;
-- the sets' members, once: both the objects below and the (package, set)
-- pairs further down come from them (two expansions of the same members
-- were two of the slowest steps with diverse object sets)
CREATE TEMPORARY TABLE rp_sw_mem ENGINE=MEMORY AS
  SELECT STRAIGHT_JOIN m.set_id, m.object_id
  FROM rp_sw_sets s JOIN track_object_set_member m ON m.set_id = s.set_id;
-- the objects those runs used (is_lib: a member of one of the sets; with
-- the roll-up, one object per library path: the roll-up's key, the path's
-- smallest object id; with the software roll-up the executables too, from
-- the daily roll-up's), then their attribution (rp_sw_attr)
CREATE TEMPORARY TABLE rp_sw_objs (PRIMARY KEY (id)) AS
  SELECT o.id, o.path, x.is_exe, x.is_lib
  FROM (SELECT u.id, MAX(u.is_exe) AS is_exe, MAX(u.is_lib) AS is_lib
        FROM (SELECT DISTINCT object_id AS id, 1 AS is_exe, 0 AS is_lib FROM rp_sw_ej
              UNION ALL
              SELECT DISTINCT object_id, 0, 1 FROM rp_sw_mem
              UNION ALL
              SELECT DISTINCT k, 0, 1 FROM track_rollup_lib
              WHERE @sw_fast AND ord = 1
                AND day >= DATE(FROM_UNIXTIME(@t0)) AND day < DATE(FROM_UNIXTIME(@t1))
              UNION ALL
              SELECT DISTINCT exe_object_id, 1, 0 FROM track_rollup_day
              WHERE @sw_store
                AND day >= DATE(FROM_UNIXTIME(@t0)) AND day < DATE(FROM_UNIXTIME(@t1))) u
        GROUP BY u.id) x
  JOIN track_object o ON o.id = x.id;
CALL track_sw_attribute();
-- (package, version) as a number (NULL package: unattributed), so that the
-- per-set step below groups integers: with the two 255-character names in
-- its DISTINCT it took 8 s at 1,000,000 runs with 10 % of them holding a
-- set of their own (docs/performance.md "Issue 18")
CREATE TEMPORARY TABLE rp_sw_apv (PRIMARY KEY (id)) ENGINE=MEMORY AS
  SELECT a.id, DENSE_RANK() OVER (ORDER BY a.package, a.version) AS pv FROM rp_sw_attr a;
CREATE TEMPORARY TABLE rp_sw_pvn (PRIMARY KEY (pv)) AS
  SELECT p.pv, MIN(a.package) AS package, MIN(a.version) AS version
  FROM rp_sw_apv p JOIN rp_sw_attr a ON a.id = p.id GROUP BY p.pv;
-- (package, set) once each: a run counts once per package. From the sets
-- to their members in key order (the optimizer's own plan went from the
-- objects through the members' object index: 6.4 s against 2.8 s at
-- 1,000,000 runs with 10 % of them holding a set of their own). ORDER BY
-- NULL on this and the other large groupings: MariaDB sorts a GROUP BY's
-- result unless told not to, a sort nothing here needs (docs/performance.md
-- "Issue 18, round 10").
CREATE TEMPORARY TABLE rp_sw_lk ENGINE=MEMORY AS
  SELECT STRAIGHT_JOIN m.set_id, a.pv, COUNT(*) AS n
  FROM rp_sw_mem m
  JOIN rp_sw_apv a ON a.id = m.object_id
  GROUP BY m.set_id, a.pv ORDER BY NULL;
CREATE TEMPORARY TABLE rp_sw_st (PRIMARY KEY (set_id)) ENGINE=MEMORY AS
  SELECT set_id, SUM(n) AS n, SUM(cs) AS cs FROM rp_sw_lj GROUP BY set_id ORDER BY NULL;
-- With the roll-up: the claimed library paths, then every object of those
-- paths (a path can have several builds; the key is one of them) with the
-- key's package, then their memberships in the window's sets, counted per
-- (set, package) straight into the pairs
CREATE TEMPORARY TABLE rp_sw_ahk (PRIMARY KEY (hk)) ENGINE=MEMORY AS
  SELECT UNHEX(MD5(o.path)) AS hk, MIN(p.pv) AS pv
  FROM rp_sw_objs o JOIN rp_sw_attr a ON a.id = o.id JOIN rp_sw_apv p ON p.id = o.id
  WHERE @sw_fast AND NOT @sw_store AND o.is_lib = 1 AND a.package IS NOT NULL
  GROUP BY UNHEX(MD5(o.path));
CREATE TEMPORARY TABLE rp_sw_aobj (PRIMARY KEY (id)) ENGINE=MEMORY AS
  SELECT o.id, h.pv FROM track_object o JOIN rp_sw_ahk h ON h.hk = UNHEX(MD5(o.path))
  WHERE @sw_fast;
INSERT INTO rp_sw_lk (set_id, pv, n)
  SELECT STRAIGHT_JOIN m.set_id, a.pv, COUNT(*)
  FROM rp_sw_aobj a
  JOIN track_object_set_member m FORCE INDEX (k_object_set_member_object) ON m.object_id = a.id
  JOIN rp_sw_st s ON s.set_id = m.set_id
  GROUP BY m.set_id, a.pv ORDER BY NULL;
CREATE TEMPORARY TABLE rp_sw_nat (PRIMARY KEY (set_id)) ENGINE=MEMORY AS
  SELECT set_id, SUM(n) AS n FROM rp_sw_lk WHERE @sw_fast GROUP BY set_id ORDER BY NULL;
-- the unclaimed package (package NULL) in every set with an unclaimed member
INSERT INTO rp_sw_lk (set_id, pv, n)
  SELECT s.set_id, u.pv, os.nobjects - COALESCE(c.n, 0)
  FROM rp_sw_st s
  JOIN track_object_set os ON os.id = s.set_id
  LEFT JOIN rp_sw_nat c ON c.set_id = s.set_id
  JOIN rp_sw_pvn u ON u.package IS NULL
  WHERE @sw_fast AND os.nobjects > COALESCE(c.n, 0);
-- runs, jobs, users per package on the integers: executables (ord 1) and
-- libraries (ord 2, each (package, set) once); then sources and distinct
-- paths from the objects of each section. Each in a statement of its own
-- and distinct paths counted by their MD5 (the paths themselves in the
-- COUNT(DISTINCT) were 0.14 of this step's 0.22 s at 100,000 runs with 10 %
-- of them holding a set of their own; docs/performance.md "Issue 18, round
-- 5"). Two distinct paths share an MD5 only by a 128-bit collision.
CREATE TEMPORARY TABLE rp_sw_used ENGINE=MEMORY AS
  SELECT 1 AS ord, p.pv, SUM(j.n) AS runs, COUNT(DISTINCT j.job_key) AS jobs,
         COUNT(DISTINCT j.user_key) AS users, SUM(j.cs) AS cs
  FROM rp_sw_ej j JOIN rp_sw_apv p ON p.id = j.object_id
  GROUP BY p.pv;
-- The libraries: runs and core-seconds from per-set totals for every
-- package (they rank the rows), then the distinct jobs and users only for
-- the packages printed (the top @lim and the unattributed row), each its
-- own pass over their (package, set) pairs. The package of a set is
-- counted once per job of the set: with a site's rules (many packages per
-- set) that join is millions of rows at 1,000,000 runs for all packages,
-- and one pass with the three counts was slower still (docs/performance.md
-- "Issue 18, round 5" and "round 7").
CREATE TEMPORARY TABLE rp_sw_su (KEY (set_id)) ENGINE=MEMORY AS
  SELECT set_id, user_key FROM rp_sw_lj GROUP BY set_id, user_key ORDER BY NULL;
CREATE TEMPORARY TABLE rp_sw_l1 (PRIMARY KEY (pv)) ENGINE=MEMORY AS
  SELECT k.pv, SUM(t.n) AS runs, SUM(t.cs) AS cs
  FROM rp_sw_lk k JOIN rp_sw_st t ON t.set_id = k.set_id GROUP BY k.pv ORDER BY NULL;
-- the rows printed: the same order as rp_sw_out below
CREATE TEMPORARY TABLE rp_sw_ltop (PRIMARY KEY (pv)) ENGINE=MEMORY AS
  SELECT x.pv FROM (
    SELECT l.pv, n.package, ROW_NUMBER() OVER (ORDER BY l.cs DESC, l.runs DESC, n.package IS NULL,
                                                n.package, n.version) AS rk
    FROM rp_sw_l1 l JOIN rp_sw_pvn n ON n.pv = l.pv) x
  WHERE x.rk <= @lim OR x.package IS NULL;
-- their (package, set) pairs in package order, so that the two counts
-- below group without a temporary table
CREATE TEMPORARY TABLE rp_sw_lkt (KEY kp USING BTREE (pv)) ENGINE=MEMORY AS
  SELECT k.set_id, k.pv FROM rp_sw_lk k JOIN rp_sw_ltop t ON t.pv = k.pv;
CREATE TEMPORARY TABLE rp_sw_l2 (PRIMARY KEY (pv)) ENGINE=MEMORY AS
  SELECT k.pv, COUNT(DISTINCT j.job_key) AS jobs
  FROM rp_sw_lkt k FORCE INDEX (kp) STRAIGHT_JOIN rp_sw_lj j ON j.set_id = k.set_id GROUP BY k.pv;
CREATE TEMPORARY TABLE rp_sw_l3 (PRIMARY KEY (pv)) ENGINE=MEMORY AS
  SELECT k.pv, COUNT(DISTINCT u.user_key) AS users
  FROM rp_sw_lkt k FORCE INDEX (kp) STRAIGHT_JOIN rp_sw_su u ON u.set_id = k.set_id GROUP BY k.pv;
-- jobs and users 0 for the rows not printed (never shown)
INSERT INTO rp_sw_used
  SELECT 2, a.pv, a.runs, COALESCE(b.jobs, 0), COALESCE(c.users, 0), a.cs
  FROM rp_sw_l1 a LEFT JOIN rp_sw_l2 b ON b.pv = a.pv LEFT JOIN rp_sw_l3 c ON c.pv = a.pv;
-- With the software roll-up: the window's sums per (section, stored
-- package), each stored package as one of this script's numbers (a
-- package the window's objects do not name gets a number of its own), the
-- printed rows, then their distinct jobs (the days' counts less the
-- repeats of the jobs that span days) and users, over the window's days
CREATE TEMPORARY TABLE rp_sw_s1 (PRIMARY KEY (ord, spv)) ENGINE=MEMORY AS
  SELECT r.ord, r.pv AS spv, SUM(r.runs) AS runs, SUM(r.core_seconds) AS cs, SUM(r.jobs) AS jobs
  FROM track_rollup_sw r
  WHERE @sw_store AND r.day >= DATE(FROM_UNIXTIME(@t0)) AND r.day < DATE(FROM_UNIXTIME(@t1))
  GROUP BY r.ord, r.pv;
SET @sw_pvmax := (SELECT COALESCE(MAX(pv), 0) FROM rp_sw_pvn);
INSERT INTO rp_sw_pvn (pv, package, version)
  SELECT @sw_pvmax + ROW_NUMBER() OVER (ORDER BY p.pv), p.package, p.version
  FROM track_sw_pv p
  WHERE p.pv IN (SELECT spv FROM rp_sw_s1)
    AND NOT EXISTS (SELECT 1 FROM rp_sw_pvn n WHERE n.package <=> p.package AND n.version <=> p.version);
CREATE TEMPORARY TABLE rp_sw_s2 (PRIMARY KEY (ord, spv)) AS
  SELECT s.ord, s.spv, n.pv, n.package, n.version, s.runs, s.cs, s.jobs
  FROM rp_sw_s1 s JOIN track_sw_pv p ON p.pv = s.spv
  JOIN rp_sw_pvn n ON n.package <=> p.package AND n.version <=> p.version;
CREATE TEMPORARY TABLE rp_sw_stop (PRIMARY KEY (ord, spv)) ENGINE=MEMORY AS
  SELECT x.ord, x.spv FROM (
    SELECT s.ord, s.spv, s.package, ROW_NUMBER() OVER (PARTITION BY s.ord ORDER BY s.cs DESC, s.runs DESC,
                                                        s.package IS NULL, s.package, s.version) AS rk
    FROM rp_sw_s2 s) x
  WHERE x.rk <= @lim OR x.package IS NULL;
CREATE TEMPORARY TABLE rp_sw_sj (PRIMARY KEY (ord, spv)) ENGINE=MEMORY AS
  SELECT t.ord, t.spv, COUNT(*) - COUNT(DISTINCT j.job_key) AS rep
  FROM rp_sw_stop t STRAIGHT_JOIN track_rollup_sw_job j
    ON j.ord = t.ord AND j.pv = t.spv
   AND j.day >= DATE(FROM_UNIXTIME(@t0)) AND j.day < DATE(FROM_UNIXTIME(@t1))
  GROUP BY t.ord, t.spv;
CREATE TEMPORARY TABLE rp_sw_su2 (PRIMARY KEY (ord, spv)) ENGINE=MEMORY AS
  SELECT t.ord, t.spv, COUNT(DISTINCT u.user_key) AS users
  FROM rp_sw_stop t STRAIGHT_JOIN track_rollup_sw_user u
    ON u.ord = t.ord AND u.pv = t.spv
   AND u.day >= DATE(FROM_UNIXTIME(@t0)) AND u.day < DATE(FROM_UNIXTIME(@t1))
  GROUP BY t.ord, t.spv;
-- jobs and users 0 for the rows not printed (never shown), as above
INSERT INTO rp_sw_used (ord, pv, runs, jobs, users, cs)
  SELECT s.ord, s.pv, s.runs, IF(t.spv IS NULL, 0, s.jobs - COALESCE(j.rep, 0)),
         COALESCE(u.users, 0), s.cs
  FROM rp_sw_s2 s
  LEFT JOIN rp_sw_stop t ON t.ord = s.ord AND t.spv = s.spv
  LEFT JOIN rp_sw_sj j ON j.ord = s.ord AND j.spv = s.spv
  LEFT JOIN rp_sw_su2 u ON u.ord = s.ord AND u.spv = s.spv;
CREATE TEMPORARY TABLE rp_sw_src AS
    SELECT s.ord, p.pv,
           GROUP_CONCAT(DISTINCT COALESCE(a.src, 'unattributed') ORDER BY COALESCE(a.src, 'unattributed')) AS source,
           COUNT(DISTINCT UNHEX(MD5(o.path))) AS objects
    FROM rp_sw_objs o JOIN rp_sw_attr a ON a.id = o.id JOIN rp_sw_apv p ON p.id = o.id
    JOIN (SELECT 1 AS ord UNION ALL SELECT 2) s ON IF(s.ord = 1, o.is_exe, o.is_lib) = 1
    GROUP BY s.ord, p.pv;
CREATE TEMPORARY TABLE rp_sw_out AS
  WITH
  allrows AS (
    SELECT u.ord, n.package, n.version, s.source, u.runs, u.jobs, u.users, u.cs, COALESCE(s.objects, 0) AS objects
    FROM rp_sw_used u LEFT JOIN rp_sw_src s ON s.ord = u.ord AND s.pv = u.pv JOIN rp_sw_pvn n ON n.pv = u.pv
  )
  SELECT x.*, ROW_NUMBER() OVER (PARTITION BY x.ord ORDER BY x.cs DESC, x.runs DESC,
                                 x.package IS NULL, x.package, x.version) AS rk
  FROM allrows x;

SELECT IF(x.ord = 1, 'executables', 'libraries') AS section, x.rk AS `rank`, x.package, x.version,
       x.source, x.runs, x.jobs, x.users, ROUND(x.cs / 3600, 2) AS core_hours, x.objects
FROM rp_sw_out x
WHERE x.rk <= @lim OR x.package IS NULL
ORDER BY x.ord, x.rk;
DROP TEMPORARY TABLE IF EXISTS rp_sw_ej, rp_sw_lj, rp_sw_sets, rp_sw_mem, rp_sw_objs, rp_sw_apv, rp_sw_pvn, rp_sw_lk,
                                 rp_sw_st, rp_sw_su, rp_sw_l1, rp_sw_ltop, rp_sw_lkt, rp_sw_l2, rp_sw_l3, rp_sw_used, rp_sw_src,
                                 rp_sw_out, rp_sw_attr, rp_sw_ahk, rp_sw_aobj, rp_sw_nat, rp_sw_s1, rp_sw_s2, rp_sw_stop,
                                 rp_sw_sj, rp_sw_su2;
