/* ingest_rollup: refresh and check of the daily roll-up (see ingest_rollup.h). */
#include "ingest_rollup.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ingest_buf.h"
#include "ingest_sw.h"
#include "spool_log.h"

#define Q(s) s, sizeof s - 1

int ingest_rollup_refresh(struct ingest_db *db, const char *apps, long *days, long *jobs)
{
    long v[2] = { 0, 0 };
    struct ingest_buf call = { 0 };
    int rc = -1;

    *days = *jobs = 0;
    ingest_buf_str(&call, "CALL track_rollup_jobs_refresh(");
    ingest_buf_text(&call, apps, strlen(apps));
    ingest_buf_str(&call, ")");
    if (ingest_db_exec(db, Q("CALL track_rollup_refresh()")) < 0 ||
        ingest_db_exec_buf(db, &call) < 0 ||
        ingest_db_ints(db, Q("SELECT @rollup_refreshed, @rollup_jobs"), v, 2) < 0 ||
        ingest_db_commit(db) < 0) {
        char why[sizeof db->err];
        memcpy(why, db->err, sizeof why);
        snprintf(db->err, sizeof db->err, "refreshing the roll-up: %.*s",
                 (int)(sizeof db->err - 40), why);
        ingest_db_rollback(db);
    } else {
        *days = v[0];
        *jobs = v[1];
        rc = 0;
    }
    ingest_buf_free(&call);
    return rc;
}

static int print_diff(void *ctx, char **col, const unsigned long *len)
{
    (void)len;
    fprintf((FILE *)ctx, "  %s %s: %s rows differ\n", col[0], col[1], col[2]);
    return 0;
}

static int print_job_diff(void *ctx, char **col, const unsigned long *len)
{
    (void)len;
    fprintf((FILE *)ctx, "  %s key %s: differs\n", col[0], col[1]);
    return 0;
}

int ingest_rollup_verify(struct ingest_db *db, FILE *out)
{
    long v[3], j[3];
    int rc = -1;
    if (ingest_db_exec(db, Q("CALL track_rollup_verify()")) < 0 ||
        ingest_db_ints(db, Q("SELECT @rollup_checked, @rollup_pending, @rollup_bad"), v, 3) < 0 ||
        ingest_db_exec(db, Q("CALL track_rollup_jobs_verify()")) < 0 ||
        ingest_db_ints(db, Q("SELECT @rollup_jobs_checked, @rollup_jobs_pending, "
                         "@rollup_jobs_bad"), j, 3) < 0)
        goto out;
    fprintf(out, "roll-up: %ld days compared with a recomputation from scratch, %ld days "
            "waiting for a refresh (not compared): %s\n", v[0], v[1],
            v[2] ? "DIFFERENT" : "equal");
    if (ingest_db_select(db, Q("SELECT tbl, day, rows_differing FROM rl_verify "
                               "ORDER BY day, tbl LIMIT 20"), print_diff, out) != 0)
        goto out;
    fprintf(out, "job roll-up: %ld jobs compared with a recomputation from scratch, %ld jobs "
            "waiting for a refresh (not compared): %s\n", j[0], j[1],
            j[2] ? "DIFFERENT" : "equal");
    if (ingest_db_select(db, Q("SELECT tbl, k FROM rl_verify_jobs "
                               "ORDER BY k, tbl LIMIT 20"), print_job_diff, out) != 0)
        goto out;
    rc = v[2] || j[2] ? 1 : 0;
out:
    ingest_db_rollback(db);   /* the check recomputed days in place: undo */
    if (rc >= 0)
        (void)ingest_db_exec(db, Q("DROP TEMPORARY TABLE IF EXISTS rl_verify, rl_verify_jobs"));
    return rc;
}

/* The software roll-up's check, after the others' were rolled back (their
 * recomputation marks every day, and the marks reach the software
 * roll-up's): 0 equal or made with another map (said), 1 differ, -1. */
static int verify_sw(struct ingest_db *db, const struct sw_map *map, FILE *out)
{
    long v[4];
    int rc = -1;
    if (ingest_sw_send(db, map) < 0 || ingest_db_exec(db, Q("CALL track_sw_verify()")) < 0 ||
        ingest_db_ints(db, Q("SELECT @sw_checked, @sw_pending, @sw_bad, @sw_other"), v, 4) < 0)
        goto out;
    if (v[3]) {
        fprintf(out, "software roll-up: made with another software map or time zone than "
                "this configuration's (the next refresh recomputes it): not compared\n");
        rc = 0;
        goto out;
    }
    fprintf(out, "software roll-up: %ld days compared with a recomputation from scratch, %ld "
            "days waiting for a refresh (not compared): %s\n", v[0], v[1],
            v[2] ? "DIFFERENT" : "equal");
    if (ingest_db_select(db, Q("SELECT tbl, day, rows_differing FROM rl_verify_sw "
                               "ORDER BY day, tbl LIMIT 20"), print_diff, out) != 0)
        goto out;
    rc = v[2] ? 1 : 0;
out:
    ingest_db_rollback(db);   /* the check recomputed days in place: undo */
    if (rc >= 0)
        (void)ingest_db_exec(db, Q("DROP TEMPORARY TABLE IF EXISTS rl_verify_sw"));
    return rc;
}

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The software roll-up after the others (it reads their marks); map NULL:
 * the configured map could not be read (said once, at start-up), the
 * software roll-up waits. */
static int sw_after(struct ingest_db *db, const struct sw_map *map, int print)
{
    long days;
    int all;
    double t = mono();
    if (!map)
        return 0;
    if (ingest_sw_refresh(db, map, &days, &all) != 0) {
        spool_log_err("%s (the marked days stay marked: the next run or "
                      "track-ingest --refresh-rollup recomputes them)", db->err);
        return -1;
    }
    if (print)
        printf("software roll-up: %ld days recomputed%s\n", days,
               all ? " (a new software map or time zone: every day)" : "");
    else if (days)
        spool_log_info("software roll-up: %ld days recomputed in %.2f s%s", days, mono() - t,
                       all ? " (a new software map or time zone: every day)" : "");
    return 0;
}

int ingest_rollup_after_load(struct ingest_db *db, const char *apps, const struct sw_map *map)
{
    long days, jobs;
    double t = mono();
    if (ingest_rollup_refresh(db, apps, &days, &jobs) != 0) {
        spool_log_err("%s (the marked days stay marked: the next run or "
                      "track-ingest --refresh-rollup recomputes them)", db->err);
        return -1;
    }
    if (days || jobs)
        spool_log_info("roll-up: %ld days and %ld jobs recomputed in %.2f s", days, jobs,
                       mono() - t);
    return sw_after(db, map, 0);
}

int ingest_rollup_main(struct ingest_db *db, const char *apps, const struct sw_map *map,
                       int verify)
{
    long days, jobs;
    int r, s = 0;
    if (!verify) {
        if (ingest_rollup_refresh(db, apps, &days, &jobs) != 0) {
            spool_log_err("%s", db->err);
            return -1;
        }
        printf("roll-up: %ld days and %ld jobs recomputed\n", days, jobs);
        return sw_after(db, map, 1);
    }
    r = ingest_rollup_verify(db, stdout);
    if (r < 0)
        spool_log_err("--verify-rollup: %s", db->err);
    if (r >= 0 && map) {
        s = verify_sw(db, map, stdout);
        if (s < 0)
            spool_log_err("--verify-rollup: %s", db->err);
    } else if (r >= 0)
        printf("software roll-up: not compared (the software map could not be read)\n");
    return r < 0 || s < 0 ? -1 : r || s ? 1 : 0;
}
