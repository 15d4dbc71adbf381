/* ingest_sacct: Slurm's accounting as track-ingest reads it: runs `sacct
 * --parsable2` for the finished jobs of a window and parses its lines
 * (docs/ingest.md "Jobs from Slurm accounting"). Knows nothing of the
 * database.
 *
 * Why -P columns and not --json: in Slurm 22.05 `sacct --json` reports
 * exit code 0 for a job that exited 3 (signals are right); ExitCode
 * "exit:signal" is right. Times come as epoch seconds (SLURM_TIME_FORMAT=%s
 * in sacct's environment). */
#ifndef TRACK_INGEST_SACCT_H
#define TRACK_INGEST_SACCT_H

#include <stddef.h>
#include <stdint.h>

/* The columns asked for, in this order (sacct --format). */
#define INGEST_SACCT_FORMAT                                                                \
    "JobIDRaw,JobID,Cluster,User,Account,Partition,State,ExitCode,Submit,Start,End,"      \
    "ElapsedRaw,AllocCPUS,NNodes,NTasks"

/* One line: a job (step_id "") or one of its steps. Strings are
 * NUL-terminated, valid UTF-8 without control characters. */
struct ingest_sacct_row {
    char job_id[65];       /* JobIDRaw's job part: the id SLURM_JOB_ID gives inside the job */
    char step_id[65];      /* "batch", "extern", "0", ...; "" for the job itself */
    char job_display[65];  /* JobID's job part ("12_3" for an array task, else = job_id) */
    char cluster[65];
    char user[65];         /* empty on step lines */
    char account[129], partition[129];
    char state[33];        /* first word: "CANCELLED by 1001" -> "CANCELLED" */
    int has_exit;          /* ExitCode was "E:S" */
    int exit_code, exit_signal;
    int64_t submit, start, end;           /* epoch seconds, -1 = Unknown/None */
    int64_t elapsed, alloc_cpus, nnodes;  /* -1 = empty */
    int64_t ntasks;                       /* steps only; -1 = empty */
};

/* 1 when state is final (the job or step ended: COMPLETED, FAILED,
 * TIMEOUT, CANCELLED, NODE_FAIL, OUT_OF_MEMORY, PREEMPTED, DEADLINE,
 * BOOT_FAIL), else 0 (PENDING, RUNNING, REQUEUED, ...). */
int ingest_sacct_final(const char *state);

/* Parses one line of len bytes (no newline) in INGEST_SACCT_FORMAT's
 * order. 0 and *r, or -1 with a one-line reason in err (which field, what is
 * wrong). Hostile input (any bytes) is safe: this is a fuzz target. */
int ingest_sacct_parse(const char *line, size_t len, struct ingest_sacct_row *r, char *err,
                       size_t errlen);

/* Runs `sacct -a -n -P -S <since, local time> -E now --format=...` (sacct
 * from PATH, or $TRACK_SACCT when set: sites with another path)
 * with SLURM_TIME_FORMAT=%s, and calls row(ctx, r) for every line that
 * parses (lineno counts from 1). A line that does not parse is reported
 * through bad(ctx, lineno, reason) and skipped. Returns 0 when sacct ran and
 * exited 0; -1 with err (sacct's first stderr line, or why it could not
 * run) otherwise, after whatever rows it delivered. row returning non-zero
 * stops the read (-1, err set by the caller's callback through its ctx). */
int ingest_sacct_run(int64_t since,
                     int (*row)(void *ctx, const struct ingest_sacct_row *r),
                     void (*bad)(void *ctx, size_t lineno, const char *reason), void *ctx,
                     char *err, size_t errlen);

#endif
