-- track schema, version 10: the compiler driver behind each link
-- (docs/watermarks.md "Compiler", docs/record-format.md): the link record's
-- optional "compiler" object. NULL when the record has none (older wrappers,
-- a linker run directly); version and wrapper NULL when unknown. Idempotent.
ALTER TABLE track_link
  ADD COLUMN IF NOT EXISTS compiler VARCHAR(64) NULL,
  ADD COLUMN IF NOT EXISTS compiler_version VARCHAR(64) NULL,
  ADD COLUMN IF NOT EXISTS compiler_wrapper VARCHAR(64) NULL,
  ADD COLUMN IF NOT EXISTS compiler_path VARBINARY(4096) NULL,
  ADD KEY IF NOT EXISTS k_link_compiler (compiler, compiler_version);

DELETE FROM track_schema_version;
INSERT INTO track_schema_version (version) VALUES (10);
