/* ingest_tally: tally records into track_tally. The Epilog wrote syshost,
 * host, uid, user and job from what root knows, and rec_tally_parse checked
 * every field; here they become rows, one INSERT IGNORE per record. */
#include "ingest_tally.h"

#include <inttypes.h>
#include <string.h>

#include "rec_tally.h"
#include "spool_uuid.h"

static const char COLS[] =
    "INSERT IGNORE INTO track_tally (tally_uuid,entry,uid,user,syshost,host,job_id,account,"
    "`partition`,exe_path,"
    "overflow,exit_class,runs,wall_time,utime,stime,core_seconds,first_start,last_start) "
    "VALUES ";

/* Not given is NULL, as in track_run. */
static void text_or_null(struct ingest_buf *b, const char *v)
{
    if (*v)
        ingest_buf_text(b, v, strlen(v));
    else
        ingest_buf_add(b, "NULL", 4);
}

static void add_one(struct ingest_buf *b, const struct rec_tally *t, size_t i)
{
    const struct rec_tally_entry *e = &t->e[i];
    unsigned char u[16];
    int unknown = strcmp(e->cls, "unknown") == 0;

    spool_uuid_parse(t->uuid, u);
    ingest_buf_add(b, i ? ",(" : "(", i ? 2 : 1);
    ingest_buf_hex(b, u, 16);
    ingest_buf_fmt(b, ",%zu,%" PRId64 ",", i, t->uid);
    ingest_buf_text(b, t->user, strlen(t->user));
    ingest_buf_add(b, ",", 1);
    ingest_buf_text(b, t->syshost, strlen(t->syshost));
    ingest_buf_add(b, ",", 1);
    ingest_buf_text(b, t->host, strlen(t->host));
    ingest_buf_add(b, ",", 1);
    ingest_buf_text(b, t->job, strlen(t->job));
    ingest_buf_add(b, ",", 1);
    text_or_null(b, t->account);
    ingest_buf_add(b, ",", 1);
    text_or_null(b, t->partition);
    ingest_buf_add(b, ",", 1);
    /* Paths are bytes: a hex literal, exact for any of them. */
    if (e->path_len)
        ingest_buf_hex(b, e->path, e->path_len);
    else
        ingest_buf_add(b, "''", 2);
    ingest_buf_fmt(b, ",%d,", e->overflow);
    ingest_buf_text(b, e->cls, strlen(e->cls));
    ingest_buf_fmt(b, ",%" PRIu64 ",", e->runs);
    ingest_buf_us(b, (int64_t)e->wall_us);
    ingest_buf_add(b, ",", 1);
    ingest_buf_us(b, (int64_t)e->utime_us);
    ingest_buf_add(b, ",", 1);
    ingest_buf_us(b, (int64_t)e->stime_us);
    ingest_buf_add(b, ",", 1);
    ingest_buf_us(b, (int64_t)e->core_us);
    ingest_buf_add(b, ",", 1);
    ingest_buf_us(b, unknown ? t->time_us : e->first_us);
    ingest_buf_add(b, ",", 1);
    ingest_buf_us(b, unknown ? t->time_us : e->last_us);
    ingest_buf_add(b, ")", 1);
}

int ingest_tally_send(struct ingest_loader *L, struct rec *const *recs, size_t n,
                      struct ingest_counts *c)
{
    for (size_t k = 0; k < n; k++) {
        const struct rec_tally *t = recs[k]->tally;
        if (recs[k]->kind != SPOOL_KIND_TALLY || !t || !t->n)
            continue;
        ingest_buf_reset(&L->sql);
        ingest_buf_add(&L->sql, COLS, sizeof COLS - 1);
        for (size_t i = 0; i < t->n; i++)
            add_one(&L->sql, t, i);
        if (ingest_db_exec_buf(L->db, &L->sql) < 0)
            return -1;
        if (ingest_db_affected(L->db) == 0) {
            c->dups++;
            continue;
        }
        c->tallies++;
        /* The roll-up days and job these rows change (migrations 0012,
         * 0014, 0020), in this transaction like the rows (ingest_days.c
         * does the same for runs). */
        unsigned char u[16];
        spool_uuid_parse(t->uuid, u);
        ingest_buf_reset(&L->sql);
        ingest_buf_str(&L->sql, "INSERT INTO track_rollup_dirty (day) SELECT d FROM (SELECT "
                       "DISTINCT DATE(FROM_UNIXTIME(first_start)) AS d FROM track_tally WHERE ");
        ingest_buf_fmt(&L->sql, "uid = %" PRId64 " AND tally_uuid = ", t->uid);
        ingest_buf_hex(&L->sql, u, 16);
        ingest_buf_str(&L->sql, ") x ON DUPLICATE KEY UPDATE day = VALUES(day)");
        if (ingest_db_exec_buf(L->db, &L->sql) < 0)
            return -1;
        /* and the job (the per-job roll-up, migration 0020) */
        ingest_buf_reset(&L->sql);
        ingest_buf_str(&L->sql, "INSERT INTO track_rollup_job_dirty (job_key) SELECT DISTINCT "
                       "job_key FROM track_tally WHERE job_key IS NOT NULL AND ");
        ingest_buf_fmt(&L->sql, "uid = %" PRId64 " AND tally_uuid = ", t->uid);
        ingest_buf_hex(&L->sql, u, 16);
        ingest_buf_str(&L->sql, " ON DUPLICATE KEY UPDATE job_key = VALUES(job_key)");
        if (ingest_db_exec_buf(L->db, &L->sql) < 0)
            return -1;
    }
    return 0;
}
