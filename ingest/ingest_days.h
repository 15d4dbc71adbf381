/* ingest_days: marks, inside a batch's own transaction, the days of the
 * daily roll-up (sql/migrations/0012) and the jobs of the per-job roll-up
 * (0020) that the batch's run rows can change, so that track_rollup_refresh
 * and track_rollup_jobs_refresh recompute exactly those (docs/ingest.md
 * "Daily roll-up"). One statement per call, whatever the batch's size: the
 * days come from the rows themselves (track_run, looked up by run_uuid), not
 * from the records, because a row's start time and parent are the first
 * start's, which an end record need not repeat. */
#ifndef TRACK_INGEST_DAYS_H
#define TRACK_INGEST_DAYS_H

#include <stddef.h>

#include "ingest_load.h"

/* Adds to track_rollup_dirty the day of every run row named by a record of
 * recs[0..n) and the day of the run that row names as its parent (an exec
 * child with the parent's pid turns a run without an end from failed into
 * exec), and to track_rollup_job_dirty the job of every such row. Called twice per batch: before its rows are sent with starts_only
 * = 1 (a start merging into a row loaded from its end record may move the
 * row to another day or parent: the old ones must be recomputed too; only a
 * start changes those columns), and after with starts_only = 0 (the days the
 * rows have now). Runs two statements, in the caller's transaction; uses
 * L->sql. 0 (also when there is nothing to mark), or -1 with the reason in
 * L->db->err. */
int ingest_days_mark(struct ingest_loader *L, struct rec *const *recs, size_t n,
                     int starts_only);

#endif
