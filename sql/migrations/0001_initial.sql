-- track schema, version 1 (docs/schema.md). Forward migration: applied by
-- `track-ingest --migrate` (statements split at a ';' that ends a line) or by
-- `mariadb DB < 0001_initial.sql`. Idempotent: safe to run again after a
-- failure half way (DDL is not transactional in MariaDB).
--
-- Bytes per run: a run row references an object SET, a module SET and an env
-- SET; each distinct list is stored once with a SHA-256 key, so repeated
-- executables cost one track_run row per run (no per-library join rows).
-- Strings from records that may hold any byte (paths, cmdline, cwd, env
-- values, module names) are VARBINARY/BLOB: exact bytes, reversible.

CREATE TABLE IF NOT EXISTS track_schema_version (
  version INT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One row per distinct (path, build_id, signature). hkey = SHA-256 of
-- path || 0x00 || build_id || 0x00 || signature (paths exceed index limits).
CREATE TABLE IF NOT EXISTS track_object (
  id        INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  hkey      BINARY(32) NOT NULL,
  path      VARBINARY(4096) NOT NULL,
  build_id  VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT '',
  signature CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT '',
  UNIQUE KEY uk_object_hkey (hkey),
  KEY k_object_build_id (build_id),
  KEY k_object_signature (signature)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- A distinct object list (as a set: sorted, duplicates removed).
-- skey = SHA-256 of the sorted member ids, each as 4 big-endian bytes.
CREATE TABLE IF NOT EXISTS track_object_set (
  id        INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  skey      BINARY(32) NOT NULL,
  nobjects  INT UNSIGNED NOT NULL,
  UNIQUE KEY uk_object_set_skey (skey)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS track_object_set_member (
  set_id    INT UNSIGNED NOT NULL,
  object_id INT UNSIGNED NOT NULL,
  PRIMARY KEY (set_id, object_id),
  KEY k_object_set_member_object (object_id, set_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Modules (LOADEDMODULES entries). hkey = SHA-256 of the name.
CREATE TABLE IF NOT EXISTS track_module (
  id        INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  hkey      BINARY(32) NOT NULL,
  name      VARBINARY(4096) NOT NULL,
  UNIQUE KEY uk_module_hkey (hkey)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS track_module_set (
  id        INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  skey      BINARY(32) NOT NULL,
  nmodules  INT UNSIGNED NOT NULL,
  UNIQUE KEY uk_module_set_skey (skey)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS track_module_set_member (
  set_id    INT UNSIGNED NOT NULL,
  module_id INT UNSIGNED NOT NULL,
  PRIMARY KEY (set_id, module_id),
  KEY k_module_set_member_module (module_id, set_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Environment: names, (name, value) pairs, and sets of pairs.
CREATE TABLE IF NOT EXISTS track_env_name (
  id        INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  hkey      BINARY(32) NOT NULL,
  name      VARBINARY(4096) NOT NULL,
  UNIQUE KEY uk_env_name_hkey (hkey)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- hkey = SHA-256 of name_id (4 bytes big-endian) || value.
CREATE TABLE IF NOT EXISTS track_env_pair (
  id        INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  hkey      BINARY(32) NOT NULL,
  name_id   INT UNSIGNED NOT NULL,
  value     VARBINARY(4096) NOT NULL,
  UNIQUE KEY uk_env_pair_hkey (hkey),
  KEY k_env_pair_name (name_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS track_env_set (
  id        INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  skey      BINARY(32) NOT NULL,
  nvars     INT UNSIGNED NOT NULL,
  UNIQUE KEY uk_env_set_skey (skey)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS track_env_set_member (
  set_id    INT UNSIGNED NOT NULL,
  pair_id   INT UNSIGNED NOT NULL,
  PRIMARY KEY (set_id, pair_id),
  KEY k_env_set_member_pair (pair_id, set_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- One row per run_uuid; start and end records merged (docs/schema.md, "Merge").
-- Times are epoch seconds with microseconds. cmdline is argv joined with NUL
-- bytes (args cannot contain NUL): exact and reversible;
-- REPLACE(cmdline, CHAR(0), ' ') for display.
CREATE TABLE IF NOT EXISTS track_run (
  id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  run_uuid      BINARY(16) NOT NULL,
  parent_uuid   BINARY(16) NULL,
  has_start     TINYINT NOT NULL DEFAULT 0,
  has_end       TINYINT NOT NULL DEFAULT 0,
  job_id        VARCHAR(64) NULL,
  step_id       VARCHAR(64) NULL,
  array_job_id  VARCHAR(64) NULL,
  array_task_id VARCHAR(64) NULL,
  `partition`   VARCHAR(128) NULL,
  account       VARCHAR(128) NULL,
  uid           INT UNSIGNED NOT NULL,
  gid           INT UNSIGNED NOT NULL,
  user          VARCHAR(64) NOT NULL,
  user_claimed  VARCHAR(64) NULL,
  syshost       VARCHAR(64) NOT NULL,
  host          VARCHAR(255) NOT NULL,
  exe_path      VARBINARY(4096) NOT NULL,
  exe_object_id INT UNSIGNED NOT NULL,
  pid           INT UNSIGNED NOT NULL,
  ppid          INT UNSIGNED NOT NULL,
  cwd           VARBINARY(4096) NOT NULL,
  cmdline       BLOB NOT NULL,
  start_time    DECIMAL(17,6) NOT NULL,
  end_time      DECIMAL(17,6) NULL,
  run_time      DECIMAL(16,6) NULL,
  exit_status   INT NULL,
  term_signal   INT NULL,
  utime         DECIMAL(16,6) NULL,
  stime         DECIMAL(16,6) NULL,
  maxrss_kb     BIGINT UNSIGNED NULL,
  num_nodes     INT UNSIGNED NULL,
  num_tasks     INT UNSIGNED NOT NULL DEFAULT 1,
  cpus_per_task INT UNSIGNED NOT NULL DEFAULT 1,
  num_cores     INT UNSIGNED NOT NULL DEFAULT 1,
  task_rank     INT UNSIGNED NULL,
  truncated     TINYINT NOT NULL DEFAULT 0,
  object_set_id INT UNSIGNED NOT NULL,
  module_set_id INT UNSIGNED NULL,
  env_set_id    INT UNSIGNED NULL,
  UNIQUE KEY uk_run_uuid (run_uuid),
  KEY k_run_start (start_time),
  KEY k_run_user_start (user, start_time),
  KEY k_run_job (job_id),
  KEY k_run_exe (exe_object_id),
  KEY k_run_object_set (object_set_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Link records (watermarks): one row per link_uuid; its input objects as a set.
CREATE TABLE IF NOT EXISTS track_link (
  id              BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  link_uuid       CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  syshost         VARCHAR(64) NOT NULL,
  host            VARCHAR(255) NOT NULL,
  user            VARCHAR(64) NOT NULL,
  uid             INT UNSIGNED NOT NULL,
  gid             INT UNSIGNED NULL,
  time            DECIMAL(17,6) NOT NULL,
  cwd             VARBINARY(4096) NOT NULL,
  output          VARBINARY(4096) NOT NULL,
  output_build_id VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT '',
  linker          VARBINARY(4096) NOT NULL,
  cmdline         BLOB NOT NULL,
  object_set_id   INT UNSIGNED NOT NULL,
  truncated       TINYINT NOT NULL DEFAULT 0,
  UNIQUE KEY uk_link_uuid (link_uuid),
  KEY k_link_time (time),
  KEY k_link_user (user, time),
  KEY k_link_build_id (output_build_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The per-run lists the spec names, as views over the sets.
CREATE OR REPLACE VIEW track_run_object AS
  SELECT r.id AS run_id, m.object_id AS object_id
  FROM track_run r JOIN track_object_set_member m ON m.set_id = r.object_set_id;

CREATE OR REPLACE VIEW track_run_module AS
  SELECT r.id AS run_id, m.module_id AS module_id
  FROM track_run r JOIN track_module_set_member m ON m.set_id = r.module_set_id;

CREATE OR REPLACE VIEW track_run_env AS
  SELECT r.id AS run_id, p.name_id AS name_id, p.value AS value
  FROM track_run r JOIN track_env_set_member m ON m.set_id = r.env_set_id
  JOIN track_env_pair p ON p.id = m.pair_id;

CREATE OR REPLACE VIEW track_link_object AS
  SELECT l.id AS link_id, m.object_id AS object_id
  FROM track_link l JOIN track_object_set_member m ON m.set_id = l.object_set_id;

DELETE FROM track_schema_version;
INSERT INTO track_schema_version (version) VALUES (1);
