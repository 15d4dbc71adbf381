/* lt_tally: the per-job budget (config job_max_records) and the tally of
 * the runs past it (docs/libtrack.md "The budget", spool/spool_tally.h).
 *
 * At start, lt_budget_over decides whether this run gets records (start and
 * end, as before) or is tallied: no start record, and at its end one
 * locked, double-buffered update of its executable's slot in the job's
 * tally file instead of the end record. */
#ifndef TRACK_LT_TALLY_H
#define TRACK_LT_TALLY_H

#include "lt_run.h"

/* Counts this run against its job's budget: <jobpath>/tally.count grows by
 * one byte per run admitted as records (O_APPEND), so its size is the count.
 * Judges the job directory into r->jobpath (spool_job_path) when it
 * checks. Returns 1 when the run is past the budget (r->cores set), 0 when
 * it gets records: no budget (0), outside a job (nojob), or anything
 * unusable (the record write then decides). Not async-signal-safe. */
int lt_budget_over(struct lt_run *r);

/* Folds the ended run into the tally file: how is LT_END_EXIT (value = the
 * exit status) or LT_END_SIGNAL (value = the signal). judge: 0 = never judge
 * the job directory again (a small signal stack), else judge it when it has
 * gone. Returns 0, or -1 (no count; TRACK_DEBUG says why when msg is set).
 * Async-signal-safe; no allocation. */
int lt_tally_end(struct lt_run *r, int how, int value, int judge, int msg);

/* lt_tally_end's update with the run's numbers given (the tests' exact
 * sums). Same contract. */
struct spool_tally_run;
int lt_tally_add(struct lt_run *r, const struct spool_tally_run *run, int judge, int msg);

/* The core count of this run as the ingester computes a record's num_cores
 * (docs/reports.md "Core-hours"): the MPI world's size, else the step's
 * tasks, times SLURM_CPUS_PER_TASK. */
unsigned long lt_tally_cores(void);

#endif
