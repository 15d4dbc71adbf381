-- track schema, version 13: Python package records (docs/python.md,
-- docs/schema.md "Python packages"). Idempotent like every migration.
--
-- Names and versions are stored once (track_py_package); each distinct list
-- of (package, source) once (track_py_package_set, SHA-256 key like object
-- sets); each run that wrote a package record is one track_py_run row,
-- first wins. uid, job_id, syshost and host are what the Epilog verified;
-- reports join track_run on run_uuid AND uid AND syshost, so a package
-- record cannot attach itself to another user's run.

-- A distribution as imported: name and version as its metadata says
-- (text, at most 128 and 64 bytes, spool/rec_pkg.c).
CREATE TABLE IF NOT EXISTS track_py_package (
  id        INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name      VARCHAR(128) NOT NULL,
  version   VARCHAR(64) NOT NULL,
  UNIQUE KEY uk_py_package (name, version)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- skey = SHA-256 of the sorted members, each the package id as 4
-- big-endian bytes and the source as one byte (1 system .. 5 path).
CREATE TABLE IF NOT EXISTS track_py_package_set (
  id        INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  skey      BINARY(32) NOT NULL,
  npackages INT UNSIGNED NOT NULL,
  UNIQUE KEY uk_py_package_set_skey (skey)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS track_py_package_set_member (
  set_id     INT UNSIGNED NOT NULL,
  package_id INT UNSIGNED NOT NULL,
  source     ENUM('system','user','venv','conda','path') NOT NULL,
  PRIMARY KEY (set_id, package_id, source),
  KEY k_py_package_set_member_package (package_id, set_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS track_py_run (
  run_uuid          BINARY(16) NOT NULL PRIMARY KEY,
  uid               INT UNSIGNED NOT NULL,
  job_id            VARCHAR(64) NULL,
  syshost           VARCHAR(64) NOT NULL,
  host              VARCHAR(255) NOT NULL,
  time              DECIMAL(17,6) NOT NULL,
  py_version        VARCHAR(64) NOT NULL,
  py_implementation VARCHAR(64) NOT NULL,
  py_environment    VARCHAR(16) NOT NULL,
  py_executable     VARBINARY(4096) NOT NULL,
  py_prefix         VARBINARY(4096) NOT NULL,
  package_set_id    INT UNSIGNED NOT NULL,
  npackages         INT UNSIGNED NOT NULL,
  truncated         TINYINT NOT NULL DEFAULT 0,
  KEY k_py_run_set (package_set_id),
  KEY k_py_run_time (time)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

DELETE FROM track_schema_version;
INSERT INTO track_schema_version (version) VALUES (13);
