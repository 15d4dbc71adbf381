#include "ingest_jobs.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ingest_buf.h"
#include "ingest_sacct.h"
#include "spool_err.h"
#include "spool_log.h"

/* Jobs may reach slurmdbd out of end-time order (an agent queue drains
 * late): each sync looks back this far before the last end it loaded, and
 * loading a job again changes nothing. */
#define MARGIN_S 3600
#define ROWS_PER_STATEMENT 500

struct collect {
    struct ingest_sacct_row *rows;
    size_t n, cap;
    int oom;
    size_t bad;
};

static int keep_row(void *ctx, const struct ingest_sacct_row *r)
{
    struct collect *c = ctx;
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 1024;
        void *p = realloc(c->rows, cap * sizeof *c->rows);
        if (!p) {
            c->oom = 1;
            return -1;
        }
        c->rows = p;
        c->cap = cap;
    }
    c->rows[c->n++] = *r;
    return 0;
}

static void bad_row(void *ctx, size_t lineno, const char *reason)
{
    struct collect *c = ctx;
    c->bad++;
    spool_log_warn("sacct output line %zu skipped: %s", lineno, reason);
}

static int by_job(const void *a, const void *b)
{
    const struct ingest_sacct_row *x = a, *y = b;
    int d = strcmp(x->cluster, y->cluster);
    if (!d)
        d = strcmp(x->job_id, y->job_id);
    if (!d)   /* the job's own row ("" step) first */
        d = strcmp(x->step_id, y->step_id);
    return d;
}

static void add_int(struct ingest_buf *b, int has, int64_t v)
{
    if (has)
        ingest_buf_fmt(b, ",%" PRId64, v);
    else
        ingest_buf_add(b, ",NULL", 5);
}

static const char JOB_SQL[] =
    "INSERT INTO track_job (syshost,job_id,job_display,user,account,`partition`,state,"
    "exit_code,exit_signal,submit_time,start_time,end_time,elapsed,alloc_cpus,alloc_nodes) "
    "VALUES ";
static const char JOB_UPDATE[] =
    " ON DUPLICATE KEY UPDATE job_display=VALUES(job_display),user=VALUES(user),"
    "account=VALUES(account),`partition`=VALUES(`partition`),state=VALUES(state),"
    "exit_code=VALUES(exit_code),exit_signal=VALUES(exit_signal),"
    "submit_time=VALUES(submit_time),start_time=VALUES(start_time),end_time=VALUES(end_time),"
    "elapsed=VALUES(elapsed),alloc_cpus=VALUES(alloc_cpus),alloc_nodes=VALUES(alloc_nodes)";
static const char STEP_SQL[] =
    "INSERT INTO track_job_step (syshost,job_id,step_id,state,exit_code,exit_signal,"
    "start_time,end_time,elapsed,alloc_cpus,ntasks,nnodes) VALUES ";
static const char STEP_UPDATE[] =
    " ON DUPLICATE KEY UPDATE state=VALUES(state),exit_code=VALUES(exit_code),"
    "exit_signal=VALUES(exit_signal),start_time=VALUES(start_time),end_time=VALUES(end_time),"
    "elapsed=VALUES(elapsed),alloc_cpus=VALUES(alloc_cpus),ntasks=VALUES(ntasks),"
    "nnodes=VALUES(nnodes)";

static void job_values(struct ingest_buf *b, const char *host, const struct ingest_sacct_row *r)
{
    ingest_buf_add(b, "(", 1);
    ingest_buf_text(b, host, strlen(host));
    ingest_buf_add(b, ",", 1);
    ingest_buf_text(b, r->job_id, strlen(r->job_id));
    ingest_buf_add(b, ",", 1);
    ingest_buf_text(b, r->job_display, strlen(r->job_display));
    ingest_buf_add(b, ",", 1);
    ingest_buf_text(b, r->user, strlen(r->user));
    ingest_buf_add(b, ",", 1);
    ingest_buf_text_or_null(b, r->account, strlen(r->account));
    ingest_buf_add(b, ",", 1);
    ingest_buf_text_or_null(b, r->partition, strlen(r->partition));
    ingest_buf_add(b, ",", 1);
    ingest_buf_text(b, r->state, strlen(r->state));
    add_int(b, r->has_exit, r->exit_code);
    add_int(b, r->has_exit, r->exit_signal);
    add_int(b, r->submit >= 0, r->submit);
    add_int(b, r->start >= 0, r->start);
    add_int(b, r->end >= 0, r->end);
    ingest_buf_fmt(b, ",%" PRId64 ",%" PRId64 ",%" PRId64 ")", r->elapsed > 0 ? r->elapsed : 0,
                   r->alloc_cpus > 0 ? r->alloc_cpus : 0, r->nnodes > 0 ? r->nnodes : 0);
}

static void step_values(struct ingest_buf *b, const char *host, const struct ingest_sacct_row *r)
{
    ingest_buf_add(b, "(", 1);
    ingest_buf_text(b, host, strlen(host));
    ingest_buf_add(b, ",", 1);
    ingest_buf_text(b, r->job_id, strlen(r->job_id));
    ingest_buf_add(b, ",", 1);
    ingest_buf_text(b, r->step_id, strlen(r->step_id));
    ingest_buf_add(b, ",", 1);
    ingest_buf_text(b, r->state, strlen(r->state));
    add_int(b, r->has_exit, r->exit_code);
    add_int(b, r->has_exit, r->exit_signal);
    add_int(b, r->start >= 0, r->start);
    add_int(b, r->end >= 0, r->end);
    ingest_buf_fmt(b, ",%" PRId64 ",%" PRId64, r->elapsed > 0 ? r->elapsed : 0,
                   r->alloc_cpus > 0 ? r->alloc_cpus : 0);
    add_int(b, r->ntasks >= 0, r->ntasks);
    add_int(b, r->nnodes >= 0, r->nnodes);
    ingest_buf_add(b, ")", 1);
}

/* Sends b (one statement) when it holds rows; 0 or -1 with db->err. */
static int flush(struct ingest_db *db, struct ingest_buf *b, size_t *rows, const char *update)
{
    if (*rows == 0)
        return 0;
    ingest_buf_str(b, update);
    *rows = 0;
    return ingest_db_exec_buf(db, b);
}

/* ingest_db_select row callback: the first column as an integer. */
static int first_int(void *ctx, char **col, const unsigned long *len)
{
    int64_t *v = ctx;
    (void)len;
    if (col[0])
        *v = strtoll(col[0], NULL, 10);
    return 0;
}

/* Upserts the finished jobs of c (sorted by job) and their steps. */
static int write_rows(struct ingest_db *db, const char *syshost, struct collect *c,
                      struct ingest_jobs_stats *st, int64_t *max_end)
{
    struct ingest_buf jb = { 0 }, sb = { 0 };
    size_t nj = 0, ns = 0;
    int64_t min_end = -1;
    int rc = -1, keep = 0;

    for (size_t i = 0; i < c->n; i++) {
        const struct ingest_sacct_row *r = &c->rows[i];
        const char *host = syshost[0] ? syshost : r->cluster;
        if (!host[0])
            continue;   /* no syshost in the config and none from sacct */
        if (r->step_id[0] == '\0') {
            keep = ingest_sacct_final(r->state) && r->end >= 0;
            if (!keep) {
                st->skipped++;
                continue;
            }
            if (nj == 0) {
                ingest_buf_reset(&jb);
                ingest_buf_str(&jb, JOB_SQL);
            } else {
                ingest_buf_add(&jb, ",", 1);
            }
            job_values(&jb, host, r);
            st->jobs++;
            if (min_end < 0 || r->end < min_end)
                min_end = r->end;
            if (r->end > *max_end)
                *max_end = r->end;
            if (++nj == ROWS_PER_STATEMENT && flush(db, &jb, &nj, JOB_UPDATE) < 0)
                goto out;
        } else if (keep && i > 0 && strcmp(c->rows[i - 1].job_id, r->job_id) == 0) {
            /* A step of the job just kept (sorted: the job's row came first). */
            if (ns == 0) {
                ingest_buf_reset(&sb);
                ingest_buf_str(&sb, STEP_SQL);
            } else {
                ingest_buf_add(&sb, ",", 1);
            }
            step_values(&sb, host, r);
            st->steps++;
            if (++ns == ROWS_PER_STATEMENT && flush(db, &sb, &ns, STEP_UPDATE) < 0)
                goto out;
        }
    }
    /* Jobs first: a reader never sees steps of a job it does not have. */
    if (flush(db, &jb, &nj, JOB_UPDATE) < 0 || flush(db, &sb, &ns, STEP_UPDATE) < 0)
        goto out;
    /* A run without an end counts until its job's end: the per-job roll-up
     * (migration 0020) of every job just written that has records is
     * recomputed (every row written ended at or after min_end). */
    if (min_end >= 0) {
        ingest_buf_reset(&jb);
        ingest_buf_fmt(&jb, "INSERT INTO track_rollup_job_dirty (job_key) SELECT j.job_key "
                       "FROM track_job j WHERE j.end_time >= %" PRId64 " AND "
                       "(EXISTS (SELECT 1 FROM track_run r WHERE r.job_key = j.job_key) OR "
                       "EXISTS (SELECT 1 FROM track_tally t WHERE t.job_key = j.job_key)) "
                       "ON DUPLICATE KEY UPDATE job_key = VALUES(job_key)", min_end);
        if (ingest_db_exec_buf(db, &jb) < 0)
            goto out;
    }
    rc = 0;
out:
    ingest_buf_free(&jb);
    ingest_buf_free(&sb);
    return rc;
}

int ingest_jobs_load(struct ingest_db *db, const char *syshost)
{
    struct ingest_jobs_stats st;
    char err[600];

    if (ingest_jobs_sync(db, syshost, &st, err, sizeof err) < 0) {
        spool_log_err("slurm_accounting: %s (the records are loaded; jobs wait for the next run)",
                      err);
        return -1;
    }
    spool_log_info("slurm accounting: %zu finished jobs, %zu steps loaded; %zu jobs not "
                   "finished yet, %zu lines skipped", st.jobs, st.steps, st.skipped, st.bad);
    return 0;
}

int ingest_jobs_sync(struct ingest_db *db, const char *syshost, struct ingest_jobs_stats *st,
                     char *err, size_t errlen)
{
    struct collect c = { 0 };
    struct ingest_buf q = { 0 };
    int64_t last = -1, since = 0, max_end = 0;
    int rc = -1;

    memset(st, 0, sizeof *st);
    ingest_buf_str(&q, "SELECT last_end FROM track_slurm_sync WHERE syshost=");
    ingest_buf_text(&q, syshost, strlen(syshost));
    if (q.oom) {
        spool_seterr(err, errlen, "out of memory");
        goto out;
    }
    if (ingest_db_select(db, q.s, q.len, first_int, &last) != 0)
        goto db_fail;
    /* The first time (no row): everything slurmdbd keeps (sacct's own
     * default would be since midnight). */
    since = last > MARGIN_S ? last - MARGIN_S : 0;
    if (ingest_sacct_run(since, keep_row, bad_row, &c, err, errlen) < 0) {
        if (c.oom)
            spool_seterr(err, errlen, "out of memory reading sacct's output");
        goto out;
    }
    st->bad = c.bad;
    if (c.n)
        qsort(c.rows, c.n, sizeof *c.rows, by_job);
    if (write_rows(db, syshost, &c, st, &max_end) < 0)
        goto db_fail;
    ingest_buf_reset(&q);
    ingest_buf_str(&q, "INSERT INTO track_slurm_sync (syshost,last_end,last_run) VALUES (");
    ingest_buf_text(&q, syshost, strlen(syshost));
    ingest_buf_fmt(&q, ",%" PRId64 ",%" PRId64 ") ON DUPLICATE KEY UPDATE "
                   "last_end=GREATEST(last_end,VALUES(last_end)),last_run=VALUES(last_run)",
                   max_end > last ? max_end : last, (int64_t)time(NULL));
    if (ingest_db_exec_buf(db, &q) < 0 || ingest_db_commit(db) < 0)
        goto db_fail;
    rc = 0;
    goto out;
db_fail:
    spool_seterr(err, errlen, "%s", db->err);
    ingest_db_rollback(db);
out:
    free(c.rows);
    ingest_buf_free(&q);
    return rc;
}
