-- who-used: the runs, jobs and users that loaded a matching object in the
-- window ("which jobs used the broken BLAS build?"). Match on any of
--   @library    a glob (* ? ; no brackets) on the object's full path or on
--               its file name (libopenblas*, /opt/*/libmpi.so*)
--   @build_id   the GNU build-id, lowercase hex, exactly
--   @signature  the watermark uuid (track-stamp), canonical lowercase
--   @package, @pkg_version   objects attributed to the package (and that
--               version when given) by the site rules or Lmod's reverse map
--               (docs/software.md; track-report loads them; by hand, without
--               the tables, nothing is attributed)
-- (all given ones must match). Both libraries and executables are searched
-- (column loaded_as). One row per job (or run outside a job), user and
-- matching object, with the object's package and version (NULL when
-- unattributed; only computed with @package); @limit rows at most (default:
-- all).
-- Parameters: session variables, NULL (unset) = not given.
--   @since, @until   'YYYY-MM-DD' in the session time zone, @until exclusive;
--                    default @until = tomorrow, @since = @until - 30 days
--   @syshost, @user, @account, @partition   exact matches
--   @limit           rows at most (default: all)
-- track_report_setup (sql/migrations/0003) sets @t0/@t1, the window in epoch
-- seconds (track-report reads them back), the @f_ filters and @lim.
CALL track_report_setup(1000000000, 1);
-- glob -> LIKE pattern with '|' as the escape character
SET @lib_like := REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(
                   CONVERT(@library USING utf8mb4), '|', '||'), '%', '|%'), '_', '|_'), '*', '%'), '?', '_');
SET @f_build_id := CONVERT(LOWER(@build_id) USING ascii) COLLATE ascii_bin;
SET @f_signature := CONVERT(LOWER(@signature) USING ascii) COLLATE ascii_bin;
SET @f_package := CONVERT(@package USING utf8mb4) COLLATE utf8mb4_bin;
SET @f_pkg_version := CONVERT(@pkg_version USING utf8mb4) COLLATE utf8mb4_bin;

-- --package: attribute the objects that can belong to the package (migration
-- 0007); without it rp_sw_objs stays empty and this costs nothing. Only
-- these can: an object below (or equal to) one of the package's prefixes,
-- site rule or Lmod directory, or, as the executable of a run in the window,
-- one whose file name a name rule of the package matches. They are
-- attributed against all the rules (a longer prefix of another package
-- still wins). Attributing every object of the window's runs instead
-- expanded every object set of the window: 3.1 s of 4.9 s at 1,000,000 runs
-- with 10 % of them holding a set of their own (docs/performance.md "Issue
-- 18, round 9"). The first call, on no objects, only creates the rule
-- tables when track-report did not load them (a session by hand).
DROP TEMPORARY TABLE IF EXISTS rp_sw_objs, rp_sw_attr;
CREATE TEMPORARY TABLE rp_sw_objs (id INT UNSIGNED NOT NULL PRIMARY KEY, path VARBINARY(4096) NOT NULL,
                                   is_exe TINYINT NOT NULL);
CALL track_sw_attribute();
DROP TEMPORARY TABLE rp_sw_objs, rp_sw_attr;
-- the package's own prefixes and name patterns, a few rows to hold each
-- object against (not the whole map, which Lmod makes thousands of rows);
-- the server's default engine, as rp_sw_prefix: in MEMORY each 4 KiB
-- prefix takes its full width, and a package of many prefixes would not fit
DROP TEMPORARY TABLE IF EXISTS rp_wu_pfx, rp_wu_pat;
CREATE TEMPORARY TABLE rp_wu_pfx AS
  SELECT DISTINCT p.prefix FROM rp_sw_prefix p WHERE @package IS NOT NULL AND p.package = @f_package;
CREATE TEMPORARY TABLE rp_wu_pat AS
  SELECT DISTINCT e.pattern FROM rp_sw_exe e WHERE @package IS NOT NULL AND e.package = @f_package;
CREATE TEMPORARY TABLE rp_sw_objs (PRIMARY KEY (id)) AS
  SELECT o.id, o.path,
         EXISTS (SELECT 1 FROM track_run r
                 WHERE r.exe_object_id = o.id AND r.start_time >= @t0 AND r.start_time < @t1
                   AND (@f_syshost IS NULL OR r.syshost = @f_syshost)
                   AND (@f_user IS NULL OR r.user = @f_user)
                   AND (@f_account IS NULL OR r.account = @f_account)
                   AND (@f_partition IS NULL OR r.`partition` = @f_partition)) AS is_exe
  FROM track_object o
  WHERE @package IS NOT NULL
    AND (EXISTS (SELECT 1 FROM rp_wu_pfx p WHERE LEFT(o.path, LENGTH(p.prefix)) = p.prefix)
         OR EXISTS (SELECT 1 FROM rp_wu_pat e
                    WHERE SUBSTRING_INDEX(o.path, '/', -1) LIKE e.pattern ESCAPE '|'));
CALL track_sw_attribute();

-- The matching objects, then their runs materialized step by step: the
-- same joins as one statement of derived tables took 3.3 s at 1,000,000
-- runs for a library in 6,500 object sets (96,000 runs), 1.1 s this way
-- (docs/performance.md "Issue 18, round 5"). loaded_as as a number in the
-- session tables: 1 library, 2 executable.
DROP TEMPORARY TABLE IF EXISTS rp_wu_obj, rp_wu_set, rp_wu_hit, rp_wu_grp, rp_wu_tal, rp_wu_pr, rp_wu_out;
CREATE TEMPORARY TABLE rp_wu_obj (PRIMARY KEY (id)) ENGINE=MEMORY AS
  SELECT o.id FROM track_object o
  WHERE (@library IS NOT NULL OR @build_id IS NOT NULL OR @signature IS NOT NULL OR @package IS NOT NULL)
    AND (@library IS NULL OR o.path LIKE @lib_like ESCAPE '|'
         OR SUBSTRING_INDEX(o.path, '/', -1) LIKE @lib_like ESCAPE '|')
    AND (@build_id IS NULL OR o.build_id = @f_build_id)
    AND (@signature IS NULL OR o.signature = @f_signature)
    AND (@package IS NULL OR o.id IN (SELECT a.id FROM rp_sw_attr a WHERE a.package = @f_package
                                      AND (@pkg_version IS NULL OR a.version = @f_pkg_version)));
-- the object sets that hold them: a run is a hit once per matching object
CREATE TEMPORARY TABLE rp_wu_set (KEY (set_id)) ENGINE=MEMORY AS
  SELECT STRAIGHT_JOIN m.set_id, m.object_id
  FROM rp_wu_obj x JOIN track_object_set_member m ON m.object_id = x.id;
-- Their runs in the window, by one of two plans chosen on the count of all
-- their runs (the index k_run_set_scan alone, a few ms): up to 200,000,
-- from the sets to the runs (a row lookup each: 0.33 s for 96,000 hits at
-- 1,000,000 runs, where the server's own plan read the whole window in
-- 0.67 s); beyond that, or with a filter that names a narrower index, the
-- server's own plan (2.1 million hits: 3.8 s against 7.2 s by lookups).
SET @wu_lookup := @f_none
  AND (SELECT COUNT(*) FROM (SELECT 1 FROM rp_wu_set s JOIN track_run r ON r.object_set_id = s.set_id
                             LIMIT 200001) c) <= 200000;
-- A hit keeps numbers only: its run's id and gk, the group's (cluster, job,
-- user, account) as 64 bits of their MD5, as job_key is (migration 0004).
-- With the four strings in its rows and its grouping key, grouping 2.1
-- million hits took 10.7 s (docs/performance.md "Issue 18, round 6").
-- The server's default engine, not MEMORY: a glob as broad as '*' makes
-- tens of millions of hits, past any fixed max_heap_table_size.
CREATE TEMPORARY TABLE rp_wu_hit AS
  SELECT STRAIGHT_JOIN 1 AS loaded_as, s.object_id, r.id AS run_id,
         CAST(CONV(LEFT(MD5(CONCAT_WS(0x00, r.syshost, r.user, COALESCE(r.job_id, ''), COALESCE(r.account, ''),
                   r.job_id IS NULL, r.account IS NULL)), 16), 16, 10) AS UNSIGNED) AS gk, r.start_time,
         COALESCE(r.run_time, 0) * GREATEST(r.num_cores, 1) AS cs
  FROM rp_wu_set s JOIN track_run r ON r.object_set_id = s.set_id
  WHERE @wu_lookup AND r.start_time >= @t0 AND r.start_time < @t1;
INSERT INTO rp_wu_hit
  SELECT 1, s.object_id, r.id,
         CAST(CONV(LEFT(MD5(CONCAT_WS(0x00, r.syshost, r.user, COALESCE(r.job_id, ''), COALESCE(r.account, ''),
                   r.job_id IS NULL, r.account IS NULL)), 16), 16, 10) AS UNSIGNED), r.start_time,
         COALESCE(r.run_time, 0) * GREATEST(r.num_cores, 1)
  FROM rp_wu_set s JOIN track_run r ON r.object_set_id = s.set_id
  WHERE NOT @wu_lookup AND r.start_time >= @t0 AND r.start_time < @t1
    AND (@f_syshost IS NULL OR r.syshost = @f_syshost)
    AND (@f_user IS NULL OR r.user = @f_user)
    AND (@f_account IS NULL OR r.account = @f_account)
    AND (@f_partition IS NULL OR r.`partition` = @f_partition);
INSERT INTO rp_wu_hit
  SELECT STRAIGHT_JOIN 2, x.id, r.id,
         CAST(CONV(LEFT(MD5(CONCAT_WS(0x00, r.syshost, r.user, COALESCE(r.job_id, ''), COALESCE(r.account, ''),
                   r.job_id IS NULL, r.account IS NULL)), 16), 16, 10) AS UNSIGNED), r.start_time,
         COALESCE(r.run_time, 0) * GREATEST(r.num_cores, 1)
  FROM rp_wu_obj x JOIN track_run r ON r.exe_object_id = x.id
  WHERE r.start_time >= @t0 AND r.start_time < @t1
    AND (@f_syshost IS NULL OR r.syshost = @f_syshost)
    AND (@f_user IS NULL OR r.user = @f_user)
    AND (@f_account IS NULL OR r.account = @f_account)
    AND (@f_partition IS NULL OR r.`partition` = @f_partition);

-- The hits grouped in a statement of their own, apart from the tallies: in
-- one grouping with the tallies' 4 KiB path in its key they took 2.5 s for
-- 96,000 hits, inside the final statement's derived table 0.95 s, alone
-- 0.35 s. Each group names one of its runs, for its four strings.
CREATE TEMPORARY TABLE rp_wu_grp AS
  SELECT h.gk, h.loaded_as, h.object_id, MIN(h.run_id) AS run_id, COUNT(*) AS runs,
         SUM(h.cs) AS cs, MIN(h.start_time) AS first_start, MAX(h.start_time) AS last_start
  FROM rp_wu_hit h
  GROUP BY h.gk, h.loaded_as, h.object_id;
-- Tallied runs (past a job's job_max_records; track_tally, migration 0014)
-- keep only the executable's path: they match --library alone (no
-- build-id, signature or package to compare), as 'executable (tallied)'
-- with an empty build_id.
CREATE TEMPORARY TABLE rp_wu_tal AS
  SELECT ROW_NUMBER() OVER () AS id, x.* FROM (
    SELECT t.syshost, t.job_id, t.user, t.account, t.exe_path, SUM(t.runs) AS runs,
           SUM(t.core_seconds) AS cs, MIN(t.first_start) AS first_start, MAX(t.last_start) AS last_start
    FROM track_tally t
    WHERE @library IS NOT NULL AND @build_id IS NULL AND @signature IS NULL AND @package IS NULL
      AND t.overflow = 0
      AND (t.exe_path LIKE @lib_like ESCAPE '|'
           OR SUBSTRING_INDEX(t.exe_path, '/', -1) LIKE @lib_like ESCAPE '|')
      AND t.first_start >= @t0 AND t.first_start < @t1
      AND (@f_syshost IS NULL OR t.syshost = @f_syshost)
      AND (@f_user IS NULL OR t.user = @f_user)
      AND (@f_account IS NULL OR t.account = @f_account)
      AND (@f_partition IS NULL OR t.`partition` = @f_partition)
    GROUP BY t.syshost, t.job_id, t.user, t.account, t.exe_path) x;
-- the rows' order is (first start, cluster, job, user, path, build-id,
-- loaded_as): path and build-id as one rank over the matching objects and
-- the tallies' paths (a tally has no build-id: first among equal paths), so
-- that the ranking below sorts no 4 KiB path per row
CREATE TEMPORARY TABLE rp_wu_pr AS
  SELECT p.object_id, p.tid, DENSE_RANK() OVER (ORDER BY p.path, p.build_id) AS pr FROM (
    SELECT o.id AS object_id, CAST(NULL AS UNSIGNED) AS tid, o.path, o.build_id
    FROM rp_wu_obj x JOIN track_object o ON o.id = x.id
    UNION ALL
    SELECT NULL, t.id, t.exe_path, NULL FROM rp_wu_tal t) p;
-- Only rows that can be among the first @lim are ranked: those that start
-- no later than the @lim-th first start (ties included). Ranking all of
-- them took 17 s for 786,000 groups when 50 were printed. LIMIT takes no
-- variable outside a prepared statement.
SET @wu_cut := NULL, @wu_off := @lim - 1;
PREPARE rp_wu_stmt FROM
  'SELECT x.first_start INTO @wu_cut
   FROM (SELECT first_start FROM rp_wu_grp UNION ALL SELECT first_start FROM rp_wu_tal) x
   ORDER BY x.first_start LIMIT 1 OFFSET ?';
EXECUTE rp_wu_stmt USING @wu_off;
DEALLOCATE PREPARE rp_wu_stmt;
CREATE TEMPORARY TABLE rp_wu_out AS
  SELECT u.*, ROW_NUMBER() OVER (ORDER BY u.first_start, u.syshost, u.job_id, u.user, u.pr, u.loaded_as) AS rk
  FROM (
    SELECT r.syshost, r.job_id, r.user, r.account, ELT(g.loaded_as, 'library', 'executable') AS loaded_as,
           g.object_id, CAST(NULL AS UNSIGNED) AS tid, p.pr, g.runs, g.cs, g.first_start, g.last_start
    FROM rp_wu_grp g JOIN rp_wu_pr p ON p.object_id = g.object_id JOIN track_run r ON r.id = g.run_id
    WHERE @wu_cut IS NULL OR g.first_start <= @wu_cut
    UNION ALL
    SELECT t.syshost, t.job_id, t.user, t.account, 'executable (tallied)', NULL, t.id, p.pr, t.runs, t.cs,
           t.first_start, t.last_start
    FROM rp_wu_tal t JOIN rp_wu_pr p ON p.tid = t.id
    WHERE @wu_cut IS NULL OR t.first_start <= @wu_cut) u;
SELECT x.user, x.syshost, x.job_id, x.account, COALESCE(o.path, t.exe_path) AS object,
       COALESCE(o.build_id, '') AS build_id, COALESCE(o.signature, '') AS signature, x.loaded_as,
       x.runs, ROUND(x.cs / 3600, 2) AS core_hours,
       DATE_FORMAT(FROM_UNIXTIME(x.first_start), '%Y-%m-%d %H:%i:%s') AS first_start,
       DATE_FORMAT(FROM_UNIXTIME(x.last_start), '%Y-%m-%d %H:%i:%s') AS last_start,
       sw.package, sw.version
FROM rp_wu_out x LEFT JOIN track_object o ON o.id = x.object_id
LEFT JOIN rp_wu_tal t ON t.id = x.tid
LEFT JOIN rp_sw_attr sw ON sw.id = x.object_id
WHERE x.rk <= @lim
ORDER BY x.rk;
DROP TEMPORARY TABLE IF EXISTS rp_sw_objs, rp_sw_attr, rp_wu_pfx, rp_wu_pat, rp_wu_obj, rp_wu_set, rp_wu_hit,
                               rp_wu_grp, rp_wu_tal, rp_wu_pr, rp_wu_out;
