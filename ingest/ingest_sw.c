/* ingest_sw: the software map to the server, and the software roll-up's
 * refresh (see ingest_sw.h). */
#include "ingest_sw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest_buf.h"

#define Q(s) s, sizeof s - 1
#define ROWS_PER_INSERT 500
/* days per transaction of the refresh (a day of 33,000 runs: about 1.5 s) */
#define DAYS_PER_STEP "7"

/* One row of rp_sw_prefix (prefix, src, package, version, module, line) or
 * rp_sw_exe (ord, pattern, package, version, line), values as
 * report/rp_swload.c binds them: paths and patterns are bytes (X'..'),
 * names validated UTF-8 text. */
static int add_row(struct ingest_buf *b, const struct sw_entry *e, long ord)
{
    if (e->kind == SW_PREFIX) {
        ingest_buf_add(b, "(", 1);
        ingest_buf_hex(b, e->key, e->keylen);
        ingest_buf_fmt(b, ",%d,", e->src);
    } else {
        size_t ll;
        char *like = sw_like(e->key, e->keylen, &ll);
        if (!like)
            return -1;
        ingest_buf_fmt(b, "(%ld,", ord);
        ingest_buf_hex(b, like, ll);
        ingest_buf_add(b, ",", 1);
        free(like);
    }
    ingest_buf_text(b, e->package, strlen(e->package));
    ingest_buf_add(b, ",", 1);
    ingest_buf_text_or_null(b, e->version, e->version ? strlen(e->version) : 0);
    if (e->kind == SW_PREFIX) {
        ingest_buf_add(b, ",", 1);
        ingest_buf_text_or_null(b, e->module, e->module ? strlen(e->module) : 0);
    }
    ingest_buf_fmt(b, ",%d)", e->line);
    return 0;
}

/* The entries of one kind as multi-row INSERTs. */
static int send_kind(struct ingest_db *db, const struct sw_map *map, int kind)
{
    static const char pre[] = "INSERT INTO rp_sw_prefix (prefix, src, package, version, module, line) VALUES ";
    static const char exe[] = "INSERT INTO rp_sw_exe (ord, pattern, package, version, line) VALUES ";
    struct ingest_buf b = { 0 };
    long rows = 0, ord = 0;
    int rc = -1;
    for (size_t i = 0; i < map->n; i++) {
        const struct sw_entry *e = &map->e[i];
        if (e->kind != kind)
            continue;
        if (rows == 0)
            ingest_buf_str(&b, kind == SW_PREFIX ? pre : exe);
        else
            ingest_buf_add(&b, ",", 1);
        if (add_row(&b, e, ord++) < 0) {
            ingest_db_oom(db);
            goto out;
        }
        if (++rows == ROWS_PER_INSERT) {
            if (ingest_db_exec_buf(db, &b) < 0)
                goto out;
            ingest_buf_reset(&b);
            rows = 0;
        }
    }
    if (rows && ingest_db_exec_buf(db, &b) < 0)
        goto out;
    rc = 0;
out:
    ingest_buf_free(&b);
    return rc;
}

int ingest_sw_send(struct ingest_db *db, const struct sw_map *map)
{
    if (ingest_db_exec(db, Q("DROP TEMPORARY TABLE IF EXISTS rp_sw_prefix, rp_sw_exe")) < 0 ||
        ingest_db_exec(db, Q("CALL track_sw_tables()")) < 0 ||
        send_kind(db, map, SW_PREFIX) < 0 || send_kind(db, map, SW_EXE) < 0 ||
        ingest_db_exec(db, Q("UPDATE rp_sw_prefix SET hk = UNHEX(MD5(prefix))")) < 0)
        return -1;
    return 0;
}

/* db->err prefixed with what was being done. */
static void say(struct ingest_db *db, const char *what)
{
    char why[sizeof db->err];
    memcpy(why, db->err, sizeof why);
    snprintf(db->err, sizeof db->err, "%s: %.*s", what, (int)(sizeof db->err - 64), why);
}

int ingest_sw_refresh(struct ingest_db *db, const struct sw_map *map, long *days, int *all)
{
    long v[3] = { 0, 0, 1 };
    *days = 0;
    *all = 0;
    if (ingest_sw_send(db, map) < 0)
        goto fail;
    while (v[2] > 0) {   /* @sw_left */
        if (ingest_db_exec(db, Q("CALL track_sw_refresh(" DAYS_PER_STEP ")")) < 0 ||
            ingest_db_ints(db, Q("SELECT @sw_refreshed, @sw_recomputed, @sw_left"), v, 3) < 0 ||
            ingest_db_commit(db) < 0)
            goto fail;
        *days += v[0];
        *all |= v[1] != 0;
        if (v[0] == 0)
            break;   /* nothing done: do not spin on marks another session holds */
    }
    return 0;
fail:
    say(db, "refreshing the software roll-up");
    ingest_db_rollback(db);
    return -1;
}
