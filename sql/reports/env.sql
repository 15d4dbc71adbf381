-- env: the distribution of one recorded environment variable (@env_name,
-- e.g. OMP_NUM_THREADS; only variables allowed by the config's env key are
-- recorded) per executable (path): for each value (NULL = not set) the runs,
-- their share of the executable's runs in percent, users and jobs. The top
-- @limit executables by runs.
-- Parameters: session variables, NULL (unset) = not given.
--   @since, @until   'YYYY-MM-DD' in the session time zone, @until exclusive;
--                    default @until = tomorrow, @since = @until - 30 days
--   @syshost, @user, @account, @partition   exact matches
--   @limit           rows per ranking (default 20)
-- track_report_setup (sql/migrations/0003) sets @t0/@t1, the window in epoch
-- seconds (track-report reads them back), the @f_ filters and @lim.
CALL track_report_setup(20, 1);
SET @f_env_name := CONVERT(@env_name USING utf8mb4) COLLATE utf8mb4_bin;

-- Plan (1M runs in the window, docs/performance.md "## report"): one scan of
-- the window grouped on integers only: the path key of the executable (its
-- smallest object id, from the small in-memory map rp_env_obj), the value's
-- (name, value) pair id (rp_env_val: env set -> pair of @env_name), and the
-- distinct jobs and users counted on the integer keys of migration 0004.
-- Paths and values are joined to the few hundred result rows afterwards.
-- The aggregate is read twice (per value and per executable total): session
-- temporary tables (MariaDB would evaluate a CTE again at each reference),
-- dropped at the end.
DROP TEMPORARY TABLE IF EXISTS rp_env_obj, rp_env_val, rp_env_agg;
CREATE TEMPORARY TABLE rp_env_obj (PRIMARY KEY (id)) ENGINE=MEMORY AS
  SELECT o.id, MIN(o.id) OVER (PARTITION BY o.path) AS pkey
  FROM track_object o
  WHERE EXISTS (SELECT 1 FROM track_run r WHERE r.exe_object_id = o.id);
CREATE TEMPORARY TABLE rp_env_val (PRIMARY KEY (set_id)) ENGINE=MEMORY AS
  SELECT m.set_id, MIN(p.id) AS pair_id  -- one value per name in a set
  FROM track_env_name nm
  JOIN track_env_pair p ON p.name_id = nm.id
  JOIN track_env_set_member m ON m.pair_id = p.id
  WHERE nm.name = @f_env_name
  GROUP BY m.set_id;
CREATE TEMPORARY TABLE rp_env_agg AS
WITH
agg AS (
  SELECT x.pkey, v.pair_id, COUNT(*) AS runs, COUNT(DISTINCT r.user_key) AS users,
         COUNT(DISTINCT r.job_key) AS jobs
  FROM track_run r STRAIGHT_JOIN rp_env_obj x ON x.id = r.exe_object_id
  LEFT JOIN rp_env_val v ON v.set_id = r.env_set_id
  WHERE r.start_time >= @t0 AND r.start_time < @t1
    AND (@f_syshost IS NULL OR r.syshost = @f_syshost)
    AND (@f_user IS NULL OR r.user = @f_user)
    AND (@f_account IS NULL OR r.account = @f_account)
    AND (@f_partition IS NULL OR r.`partition` = @f_partition)
    AND @env_name IS NOT NULL
  GROUP BY x.pkey, v.pair_id
)
SELECT o.path, p.value, a.runs, a.users, a.jobs
FROM agg a JOIN track_object o ON o.id = a.pkey
LEFT JOIN track_env_pair p ON p.id = a.pair_id;

WITH
tot AS (
  SELECT t.path, t.total, ROW_NUMBER() OVER (ORDER BY t.total DESC, t.path) AS rk
  FROM (SELECT path, SUM(runs) AS total FROM rp_env_agg GROUP BY path) t
)
SELECT t.rk AS `rank`, a.path AS executable, a.value, a.runs,
       ROUND(100 * a.runs / t.total, 1) AS percent, a.users, a.jobs
FROM rp_env_agg a JOIN tot t ON t.path = a.path
WHERE t.rk <= @lim
ORDER BY t.rk, a.runs DESC, a.value;
DROP TEMPORARY TABLE IF EXISTS rp_env_obj, rp_env_val, rp_env_agg;
