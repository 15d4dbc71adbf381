-- track schema, version 21: the object-set and executable indexes of
-- track_run also hold what the reports group a window's runs by (issue 18,
-- docs/performance.md "Issue 18, round 8").
--
-- libraries and software group the window's runs by (object set, job, user)
-- and software also by (executable, job, user), summing run time x cores.
-- Over a month of a million runs each such scan read every row of
-- track_run and grouped them in a temporary table (1.1-2.3 s with 10 % of
-- runs holding a set of their own). k_run_set_scan and k_run_exe_scan hold
-- those columns in that order: a statement that names no other column
-- reads a wide window from the index alone, already grouped (0.35-0.8 s),
-- and a narrow one still through k_run_start, as the server's own plan
-- chooses. They replace k_run_object_set and k_run_exe, whose lookups by
-- object set (who-used) and executable (executables) they serve the same
-- way, so every insert still maintains one index for each. Idempotent; on
-- an existing database the ALTER builds both in place (a few seconds per
-- million runs).
ALTER TABLE track_run
  ADD KEY IF NOT EXISTS k_run_set_scan (object_set_id, job_key, user_key, start_time, run_time, num_cores),
  ADD KEY IF NOT EXISTS k_run_exe_scan (exe_object_id, job_key, user_key, start_time, run_time, num_cores,
                                        num_tasks),
  DROP KEY IF EXISTS k_run_object_set,
  DROP KEY IF EXISTS k_run_exe;

DELETE FROM track_schema_version;
INSERT INTO track_schema_version (version) VALUES (21);
