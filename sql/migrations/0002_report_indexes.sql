-- track schema, version 2: indexes the reports need (docs/reports.md,
-- docs/performance.md "## report"). Idempotent like every migration.
--
-- k_run_parent: "replaced by exec, not killed" looks up runs by parent_uuid
-- (failures, summary, job); without it each run lacking an end record
-- scans track_run.
ALTER TABLE track_run ADD KEY IF NOT EXISTS k_run_parent (parent_uuid);

DELETE FROM track_schema_version;
INSERT INTO track_schema_version (version) VALUES (2);
