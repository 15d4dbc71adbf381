-- track schema, version 22: track_report_setup also sets @f_none, 1 when
-- no --syshost/--user/--account/--partition filter is given. The reports
-- that read a wide window from an index alone without a filter (migration
-- 0021), or answer from the roll-ups, each spelled that condition out
-- (docs/reports.md). Otherwise as migration 0003.
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
  ; SET @f_none := @f_syshost IS NULL AND @f_user IS NULL AND @f_account IS NULL
                   AND @f_partition IS NULL
  ; SET @lim := COALESCE(@limit, default_limit)
  ; SET SESSION tmp_table_size = GREATEST(@@tmp_table_size, 1073741824),
                max_heap_table_size = GREATEST(@@max_heap_table_size, 1073741824)
  ; END;

DELETE FROM track_schema_version;
INSERT INTO track_schema_version (version) VALUES (22);
