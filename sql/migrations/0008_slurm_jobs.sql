-- track schema, version 8: Slurm's own accounting as a source (docs/schema.md
-- "Jobs from Slurm accounting"). track-ingest fills these from sacct when
-- the config says slurm_accounting = yes; without slurmdbd they stay empty
-- and the reports take the job facts from the records. Idempotent like
-- every migration.
--
-- One row per finished job, keyed like track_run's jobs: (syshost, job_id)
-- with job_id = Slurm's JobIDRaw (what SLURM_JOB_ID says inside the job, so
-- an array task is its own id, not 12_3). Loaded again, a job's row takes
-- the newer facts (ON DUPLICATE KEY UPDATE): sacct is the authority.
-- Times are epoch seconds (NULL when Slurm says Unknown/None); elapsed in
-- seconds; exit_code/exit_signal are sacct's ExitCode "exit:signal".
CREATE TABLE IF NOT EXISTS track_job (
  id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  syshost       VARCHAR(64) NOT NULL,
  job_id        VARCHAR(64) NOT NULL,
  job_display   VARCHAR(64) NOT NULL,
  user          VARCHAR(64) NOT NULL,
  account       VARCHAR(128) NULL,
  `partition`   VARCHAR(128) NULL,
  state         VARCHAR(32) NOT NULL,
  exit_code     INT NULL,
  exit_signal   INT NULL,
  submit_time   BIGINT NULL,
  start_time    BIGINT NULL,
  end_time      BIGINT NULL,
  elapsed       BIGINT UNSIGNED NOT NULL DEFAULT 0,
  alloc_cpus    INT UNSIGNED NOT NULL DEFAULT 0,
  alloc_nodes   INT UNSIGNED NOT NULL DEFAULT 0,
  job_key       BIGINT UNSIGNED
    AS (CAST(CONV(LEFT(MD5(CONCAT(syshost, 0x00, job_id)), 16), 16, 10) AS UNSIGNED)) STORED,
  UNIQUE KEY uk_job (syshost, job_id),
  KEY k_job_end (end_time),
  KEY k_job_key (job_key)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The job's steps: "batch", "extern", "0", "1", ... with their task counts.
CREATE TABLE IF NOT EXISTS track_job_step (
  syshost       VARCHAR(64) NOT NULL,
  job_id        VARCHAR(64) NOT NULL,
  step_id       VARCHAR(64) NOT NULL,
  state         VARCHAR(32) NOT NULL,
  exit_code     INT NULL,
  exit_signal   INT NULL,
  start_time    BIGINT NULL,
  end_time      BIGINT NULL,
  elapsed       BIGINT UNSIGNED NOT NULL DEFAULT 0,
  alloc_cpus    INT UNSIGNED NOT NULL DEFAULT 0,
  ntasks        INT UNSIGNED NULL,
  nnodes        INT UNSIGNED NULL,
  PRIMARY KEY (syshost, job_id, step_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Where the next incremental load starts: the latest end time loaded per
-- syshost (track-ingest asks sacct from a margin before it).
CREATE TABLE IF NOT EXISTS track_slurm_sync (
  syshost       VARCHAR(64) NOT NULL PRIMARY KEY,
  last_end      BIGINT NOT NULL,
  last_run      BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

DELETE FROM track_schema_version;
INSERT INTO track_schema_version (version) VALUES (8);
