-- track schema, version 5: track_path_is_system(path, prefixes), the "system
-- or user-built" rule that the summary and executables reports share (it was
-- a recursive CTE written out in each). Idempotent like every migration.
--
-- 1 when path lies under one of the comma-separated prefixes at a path
-- component boundary: "/usr" covers "/usr/bin/x" and "/usr" itself, not
-- "/usrx"; a trailing '/' is ignored ("/usr/" is "/usr"); "/" covers every
-- absolute path; blanks around a prefix are ignored. prefixes NULL = the
-- default of the config key system_prefixes (docs/config.md). Compared as
-- bytes (paths are VARBINARY). Called once per executable of a report's
-- result, never per run: a function in a WHERE on track_run would defeat
-- its indexes.
-- Statements inside the body start with ';' at the beginning of a line:
-- track-ingest --migrate splits this file at lines that END with ';'.
DROP FUNCTION IF EXISTS track_path_is_system;
CREATE FUNCTION track_path_is_system(p VARBINARY(4096), prefixes TEXT)
RETURNS TINYINT DETERMINISTIC
BEGIN
  DECLARE rest TEXT DEFAULT COALESCE(prefixes, '/usr,/bin,/sbin,/lib,/lib64,/opt/cray,/opt/intel')
  ; DECLARE np TEXT
  ; WHILE rest <> '' DO
      SET np = TRIM(SUBSTRING_INDEX(rest, ',', 1))
      ; SET rest = IF(LOCATE(',', rest) > 0, SUBSTRING(rest, LOCATE(',', rest) + 1), '')
      ; IF np <> '' THEN
          SET np = TRIM(TRAILING '/' FROM np)
          ; IF (np = '' AND LEFT(p, 1) = '/') OR p = np OR LEFT(p, LENGTH(np) + 1) = CONCAT(np, '/') THEN
              RETURN 1
            ; END IF
        ; END IF
    ; END WHILE
  ; RETURN 0
  ; END;

DELETE FROM track_schema_version;
INSERT INTO track_schema_version (version) VALUES (5);
