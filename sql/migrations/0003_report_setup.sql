-- track_report_setup: the parameters every report in sql/reports/ shares,
-- from the session variables a caller sets (track-report binds them; by hand:
-- SET @since = '2026-11-01'; ... then SOURCE the report):
--   @t0, @t1      the window in epoch seconds: @since/@until ('YYYY-MM-DD' in
--                 the session time zone, @until exclusive); with
--                 default_window, @until defaults to tomorrow and @since to
--                 30 days before @until, else unset dates stay NULL
--   @f_syshost, @f_user, @f_account, @f_partition   exact (binary) filters
--   @lim          @limit, else default_limit
-- and lifts the session's in-memory temporary table size to 1 GiB: grouping
-- a month of runs spills to disk at the 16 MiB default (3-5x slower).
-- The report account needs EXECUTE on it (docs/reports.md).
--
-- The migration runner ends a statement at a line ending in ';', so inside
-- the body the separators lead the lines.
DROP PROCEDURE IF EXISTS track_report_setup;
CREATE PROCEDURE track_report_setup(IN default_limit BIGINT, IN default_window TINYINT)
BEGIN
  SET @t1 := COALESCE(UNIX_TIMESTAMP(@until),
                      IF(default_window, UNIX_TIMESTAMP(CURDATE() + INTERVAL 1 DAY), NULL))
  ; SET @t0 := COALESCE(UNIX_TIMESTAMP(@since),
                        IF(default_window,
                           UNIX_TIMESTAMP(DATE(FROM_UNIXTIME(@t1)) - INTERVAL 30 DAY), NULL))
  ; SET @f_syshost := CONVERT(@syshost USING utf8mb4) COLLATE utf8mb4_bin
  ; SET @f_user := CONVERT(@user USING utf8mb4) COLLATE utf8mb4_bin
  ; SET @f_account := CONVERT(@account USING utf8mb4) COLLATE utf8mb4_bin
  ; SET @f_partition := CONVERT(@partition USING utf8mb4) COLLATE utf8mb4_bin
  ; SET @lim := COALESCE(@limit, default_limit)
  ; SET SESSION tmp_table_size = GREATEST(@@tmp_table_size, 1073741824),
                max_heap_table_size = GREATEST(@@max_heap_table_size, 1073741824)
  ; END;

DELETE FROM track_schema_version;
INSERT INTO track_schema_version (version) VALUES (3);
