/* The software map as session temporary tables (see rp_swload.h). */
#include "rp_swload.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int rp_swload_wanted(const char *report)
{
    static const char *const names[] = { "software", "who-used", "modules", NULL };
    for (int i = 0; names[i]; i++)
        if (strcmp(report, names[i]) == 0)
            return 1;
    return 0;
}

/* The tables' one definition is the procedure track_sw_tables (migration
 * 0023), which track-ingest calls too: both must send the same rows. */
static const char ddl[] =
    "DROP TEMPORARY TABLE IF EXISTS rp_sw_prefix, rp_sw_exe;"
    "CALL track_sw_tables()";

static void str_val(struct rp_db_val *v, const char *s, size_t n)
{
    memset(v, 0, sizeof *v);
    v->s = s;
    v->len = n;
}

static void int_val(struct rp_db_val *v, long long i)
{
    memset(v, 0, sizeof *v);
    v->i = i;
    v->is_int = 1;
}

static void opt_val(struct rp_db_val *v, const char *s)
{
    memset(v, 0, sizeof *v);
    if (s) {
        v->s = s;
        v->len = strlen(s);
    }
}

int rp_swload_send(struct rp_db *db, const struct sw_map *map, char *err, size_t errlen)
{
    enum { PCOLS = 6, ECOLS = 5 };
    struct rp_db_val *pv = NULL, *ev = NULL;
    char **likes = NULL;
    size_t np = 0, ne = 0;
    long long nrules = 0, nlmod = 0;
    int rc = -1;
    if (rp_db_exec(db, ddl, err, errlen) < 0)
        return -1;
    pv = calloc(map->n * PCOLS + 1, sizeof *pv);
    ev = calloc(map->n * ECOLS + 1, sizeof *ev);
    likes = calloc(map->n + 1, sizeof *likes);
    if (!pv || !ev || !likes) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < map->n; i++) {
        const struct sw_entry *e = &map->e[i];
        if (e->src == SW_RULE)
            nrules++;
        else
            nlmod++;
        if (e->kind == SW_PREFIX) {
            struct rp_db_val *v = &pv[np++ * PCOLS];
            str_val(&v[0], e->key, e->keylen);
            int_val(&v[1], e->src);
            opt_val(&v[2], e->package);
            opt_val(&v[3], e->version);
            opt_val(&v[4], e->module);
            int_val(&v[5], e->line);
        } else {
            struct rp_db_val *v = &ev[ne * ECOLS];
            size_t ll;
            likes[ne] = sw_like(e->key, e->keylen, &ll);
            if (!likes[ne]) {
                snprintf(err, errlen, "out of memory");
                goto out;
            }
            int_val(&v[0], (long long)ne);
            str_val(&v[1], likes[ne], ll);
            opt_val(&v[2], e->package);
            opt_val(&v[3], e->version);
            int_val(&v[4], e->line);
            ne++;
        }
    }
    if (rp_db_insert(db, "INSERT INTO rp_sw_prefix (prefix, src, package, version, module, line)",
                     PCOLS, np, pv, err, errlen) < 0 ||
        rp_db_insert(db, "INSERT INTO rp_sw_exe (ord, pattern, package, version, line)",
                     ECOLS, ne, ev, err, errlen) < 0 ||
        rp_db_exec(db, "UPDATE rp_sw_prefix SET hk = UNHEX(MD5(prefix))", err, errlen) < 0 ||
        rp_db_set_int(db, "sw_rules", nrules, err, errlen) < 0 ||
        rp_db_set_int(db, "sw_lmod", nlmod, err, errlen) < 0)
        goto out;
    rc = 0;
out:
    if (likes)
        for (size_t i = 0; i < ne; i++)
            free(likes[i]);
    free(likes);
    free(pv);
    free(ev);
    return rc;
}
