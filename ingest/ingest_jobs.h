/* ingest_jobs: loads finished jobs and their steps from Slurm accounting
 * (ingest_sacct) into track_job and track_job_step, incrementally and
 * idempotently (docs/ingest.md "Jobs from Slurm accounting"). The SQL goes
 * through ingest_db; nothing here talks to the server directly. */
#ifndef TRACK_INGEST_JOBS_H
#define TRACK_INGEST_JOBS_H

#include <stddef.h>

#include "ingest_db.h"

struct ingest_jobs_stats {
    size_t jobs;      /* finished jobs written (new or updated) */
    size_t steps;     /* their steps */
    size_t skipped;   /* jobs not finished yet (and their steps): a later run loads them */
    size_t bad;       /* lines sacct printed that did not parse (each logged) */
};

/* One sync: asks sacct for the jobs that ended since the last sync of this
 * syshost (minus a margin of an hour; everything the first time) and
 * upserts them, then moves the sync mark, all in one transaction (committed
 * here). syshost: the config's syshost, "" to take sacct's cluster name.
 * Returns 0, or -1 with err (sacct failed or the database did: db->lost
 * says which); on failure nothing of this sync is committed. */
int ingest_jobs_sync(struct ingest_db *db, const char *syshost, struct ingest_jobs_stats *st,
                     char *err, size_t errlen);

/* track-ingest's step after the records: ingest_jobs_sync, then one
 * summary line (info) or one error line naming Slurm accounting. 0 or -1. */
int ingest_jobs_load(struct ingest_db *db, const char *syshost);

#endif
