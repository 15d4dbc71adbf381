/* ingest_days: the roll-up days and jobs a batch can change (ingest_days.h). */
#include "ingest_days.h"

#include "spool_uuid.h"

/* The run's own day, and its parent's: a derived table so that the outer
 * INSERT sees one column and ODKU needs no warning-making IGNORE. */
static const char HEAD[] =
    "INSERT INTO track_rollup_dirty (day) SELECT d FROM ("
    "SELECT DATE(FROM_UNIXTIME(r.start_time)) AS d FROM track_run r WHERE r.run_uuid IN (";
static const char MID[] =
    ") UNION SELECT DATE(FROM_UNIXTIME(p.start_time)) FROM track_run r "
    "JOIN track_run p ON p.run_uuid = r.parent_uuid WHERE r.run_uuid IN (";
static const char TAIL[] = ")) x ON DUPLICATE KEY UPDATE day = VALUES(day)";
/* The run's job (the per-job roll-up, migration 0020). */
static const char JOB_HEAD[] =
    "INSERT INTO track_rollup_job_dirty (job_key) SELECT DISTINCT r.job_key FROM track_run r "
    "WHERE r.job_key IS NOT NULL AND r.run_uuid IN (";
static const char JOB_TAIL[] = ") ON DUPLICATE KEY UPDATE job_key = VALUES(job_key)";

/* The batch's run uuids as X'..' literals, comma-separated; 0 if none. */
static size_t add_uuids(struct ingest_buf *b, struct rec *const *recs, size_t n,
                        int starts_only)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char u[16];
        const struct rec *r = recs[i];
        if (r->kind == SPOOL_KIND_LINK || (starts_only && r->kind != SPOOL_KIND_START) ||
            spool_uuid_parse(r->run_uuid, u) != 0)
            continue;
        if (k++)
            ingest_buf_add(b, ",", 1);
        ingest_buf_hex(b, u, sizeof u);
    }
    return k;
}

int ingest_days_mark(struct ingest_loader *L, struct rec *const *recs, size_t n,
                     int starts_only)
{
    struct ingest_buf *b = &L->sql;

    ingest_buf_reset(b);
    ingest_buf_add(b, HEAD, sizeof HEAD - 1);
    if (add_uuids(b, recs, n, starts_only) == 0)
        return 0;
    ingest_buf_add(b, MID, sizeof MID - 1);
    add_uuids(b, recs, n, starts_only);
    ingest_buf_add(b, TAIL, sizeof TAIL - 1);
    if (ingest_db_exec_buf(L->db, b) < 0)
        return -1;
    ingest_buf_reset(b);
    ingest_buf_add(b, JOB_HEAD, sizeof JOB_HEAD - 1);
    add_uuids(b, recs, n, starts_only);
    ingest_buf_add(b, JOB_TAIL, sizeof JOB_TAIL - 1);
    return ingest_db_exec_buf(L->db, b);
}
