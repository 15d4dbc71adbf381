/* rec_tally: parsing and checking tally records. Few per job and node, so
 * yajl's own tree parser is plenty. */
#include "rec_tally.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <yajl/yajl_tree.h>

#include "spool_err.h"
#include "spool_json.h"
#include "spool_uuid.h"

static yajl_val get(yajl_val obj, const char *key)
{
    const char *path[] = { key, NULL };
    return yajl_tree_get(obj, path, yajl_t_any);
}

/* A string of at most max bytes (after undoing byte escapes) into dst. */
static int get_str(yajl_val obj, const char *key, char *dst, size_t max, int empty_ok,
                   char *err, size_t errlen)
{
    yajl_val v = get(obj, key);
    size_t n;

    if (!YAJL_IS_STRING(v))
        return spool_seterr(err, errlen, "key '%s': missing or not a string", key);
    n = spool_json_unescape_bytes(v->u.string, strlen(v->u.string));
    v->u.string[n] = '\0';
    if (n > max || (!n && !empty_ok) || memchr(v->u.string, '\0', n))
        return spool_seterr(err, errlen, "key '%s': empty or longer than %zu bytes", key, max);
    memcpy(dst, v->u.string, n + 1);
    return 0;
}

static int get_u64(yajl_val obj, const char *key, uint64_t max, uint64_t *out, char *err,
                   size_t errlen)
{
    yajl_val v = get(obj, key);

    if (!v || !YAJL_IS_INTEGER(v) || YAJL_GET_INTEGER(v) < 0 ||
        (uint64_t)YAJL_GET_INTEGER(v) > max)
        return spool_seterr(err, errlen, "key '%s': missing or not an integer in 0..%llu", key,
                            (unsigned long long)max);
    *out = (uint64_t)YAJL_GET_INTEGER(v);
    return 0;
}

/* Epoch seconds with up to six decimals, from 1970 to 2^33 s. */
static int get_time(yajl_val obj, const char *key, int64_t *us, char *err, size_t errlen)
{
    yajl_val v = get(obj, key);
    double d;

    if (!v || !YAJL_IS_NUMBER(v))
        return spool_seterr(err, errlen, "key '%s': missing or not a number", key);
    d = YAJL_GET_DOUBLE(v);
    if (!(d >= 0 && d < 8589934592.0))
        return spool_seterr(err, errlen, "key '%s': not a time", key);
    *us = (int64_t)(d * 1e6 + 0.5);
    return 0;
}

/* Sums go into DECIMAL(20,6) seconds (core: (24,6)): 10^14 s at most. */
#define SUM_MAX 100000000000000000000.0
#define US_MAX 99999999999999999ULL   /* < 10^17 us = 10^11 s, well inside the columns */

static int entry(yajl_val o, struct rec_tally_entry *e, char *err, size_t errlen)
{
    char path[4096];
    yajl_val ov;

    if (!YAJL_IS_OBJECT(o))
        return spool_seterr(err, errlen, "tallies: an entry is not an object");
    if (get_str(o, "path", path, sizeof path - 1, 1, err, errlen) < 0 ||
        get_str(o, "class", e->cls, sizeof e->cls - 1, 0, err, errlen) < 0 ||
        get_u64(o, "runs", US_MAX, &e->runs, err, errlen) < 0)
        return -1;
    ov = get(o, "overflow");
    e->overflow = ov && YAJL_IS_TRUE(ov);
    if (e->overflow ? path[0] != '\0' : path[0] != '/')
        return spool_seterr(err, errlen, "tallies: path '%.64s' is not absolute (or not empty "
                            "for the overflow entry)", path);
    if (!e->runs)
        return spool_seterr(err, errlen, "tallies: an entry without runs");
    e->path_len = strlen(path);
    e->path = malloc(e->path_len + 1);
    if (!e->path)
        return spool_seterr(err, errlen, "out of memory");
    memcpy(e->path, path, e->path_len + 1);
    if (strcmp(e->cls, "unknown") == 0)
        return 0;
    if (strcmp(e->cls, "ok") && strcmp(e->cls, "error") && strcmp(e->cls, "signal"))
        return spool_seterr(err, errlen, "tallies: class '%s' is not ok, error, signal or "
                            "unknown", e->cls);
    if (get_u64(o, "wall_us", US_MAX, &e->wall_us, err, errlen) < 0 ||
        get_u64(o, "utime_us", US_MAX, &e->utime_us, err, errlen) < 0 ||
        get_u64(o, "stime_us", US_MAX, &e->stime_us, err, errlen) < 0 ||
        get_u64(o, "core_us", US_MAX, &e->core_us, err, errlen) < 0 ||
        get_time(o, "first_start", &e->first_us, err, errlen) < 0 ||
        get_time(o, "last_start", &e->last_us, err, errlen) < 0)
        return -1;
    if (e->first_us > e->last_us)
        return spool_seterr(err, errlen, "tallies: first_start after last_start");
    return 0;
}

int rec_tally_parse(const char *buf, size_t len, struct rec_tally **out, char *err,
                    size_t errlen)
{
    char *text = NULL, perr[256] = "";
    yajl_val root = NULL, v, job, arr;
    struct rec_tally *t = NULL;
    uint64_t u;
    int rc = -1;

    *out = NULL;
    if (memchr(buf, '\0', len)) {
        spool_seterr(err, errlen, "a NUL byte in the record");
        goto out;
    }
    text = malloc(len + 1);
    t = calloc(1, sizeof *t);
    if (!text || !t) {
        spool_seterr(err, errlen, "out of memory");
        goto out;
    }
    memcpy(text, buf, len);
    text[len] = '\0';
    root = yajl_tree_parse(text, perr, sizeof perr);
    if (!root || !YAJL_IS_OBJECT(root)) {
        perr[strcspn(perr, "\r\n")] = '\0';   /* yajl's message spans lines */
        spool_seterr(err, errlen, "not a JSON object: %.200s", root ? "" : perr);
        goto out;
    }
    v = get(root, "schema");
    if (!v || !YAJL_IS_INTEGER(v) || YAJL_GET_INTEGER(v) != 1) {
        spool_seterr(err, errlen, "key 'schema': expected 1");
        goto out;
    }
    v = get(root, "kind");
    if (!YAJL_IS_STRING(v) || strcmp(v->u.string, "tally") != 0) {
        spool_seterr(err, errlen, "key 'kind': expected tally");
        goto out;
    }
    if (get_str(root, "tally_uuid", t->uuid, 36, 0, err, errlen) < 0)
        goto out;
    if (strlen(t->uuid) != 36 || spool_uuid_parse(t->uuid, NULL) < 0) {
        spool_seterr(err, errlen, "key 'tally_uuid': not a canonical uuid");
        goto out;
    }
    for (const char *c = t->uuid; *c; c++)
        if (*c >= 'A' && *c <= 'F') {
            spool_seterr(err, errlen, "key 'tally_uuid': not lowercase");
            goto out;
        }
    if (get_str(root, "syshost", t->syshost, 64, 0, err, errlen) < 0 ||
        get_str(root, "host", t->host, 255, 0, err, errlen) < 0 ||
        get_str(root, "user", t->user, 64, 0, err, errlen) < 0 ||
        get_u64(root, "uid", 0xfffffffeULL, &u, err, errlen) < 0)
        goto out;
    t->uid = (int64_t)u;
    job = get(root, "job");
    if (!YAJL_IS_OBJECT(job) || get_str(job, "id", t->job, 64, 0, err, errlen) < 0) {
        if (!YAJL_IS_OBJECT(job))
            spool_seterr(err, errlen, "key 'job': missing or not an object");
        goto out;
    }
    if ((get(job, "account") &&
         get_str(job, "account", t->account, SPOOL_JOBTEXT_MAX, 1, err, errlen) < 0) ||
        (get(job, "partition") &&
         get_str(job, "partition", t->partition, SPOOL_JOBTEXT_MAX, 1, err, errlen) < 0))
        goto out;
    if (get_time(root, "time", &t->time_us, err, errlen) < 0 ||
        get_u64(root, "runs", US_MAX, &t->runs, err, errlen) < 0 ||
        get_u64(root, "unknown", US_MAX, &t->unknown, err, errlen) < 0)
        goto out;
    arr = get(root, "tallies");
    if (!YAJL_IS_ARRAY(arr) || arr->u.array.len > REC_TALLY_MAX_ENTRIES) {
        spool_seterr(err, errlen, "key 'tallies': not an array of at most %d entries",
                     REC_TALLY_MAX_ENTRIES);
        goto out;
    }
    uint64_t runs = 0, unknown = 0;
    for (size_t i = 0; i < arr->u.array.len; i++) {
        struct rec_tally_entry *e = &t->e[t->n++];
        if (entry(arr->u.array.values[i], e, err, errlen) < 0)
            goto out;
        if (strcmp(e->cls, "unknown") == 0)
            unknown += e->runs;
        else
            runs += e->runs;
    }
    if (runs != t->runs || unknown != t->unknown) {
        spool_seterr(err, errlen, "keys 'runs'/'unknown' (%llu/%llu) differ from the entries' "
                     "sums (%llu/%llu)", (unsigned long long)t->runs,
                     (unsigned long long)t->unknown, (unsigned long long)runs,
                     (unsigned long long)unknown);
        goto out;
    }
    *out = t;
    t = NULL;
    rc = 0;
out:
    yajl_tree_free(root);
    free(text);
    rec_tally_free(t);
    return rc;
}

int rec_tally_check_name(const struct rec_tally *t, const struct spool_name *n, char *err,
                         size_t errlen)
{
    char comp[SPOOL_NAME_COMP_MAX], date[SPOOL_DATE_LEN + 1];
    struct tm tm;
    time_t named;

    if (n->kind != SPOOL_KIND_TALLY)
        return spool_seterr(err, errlen, "name is not a tally record's");
    spool_name_component(comp, t->syshost);
    if (strcmp(comp, n->syshost) != 0)
        return spool_seterr(err, errlen, "name says syshost %s, record says %s", n->syshost,
                            t->syshost);
    spool_name_component(comp, t->user);
    if (strcmp(comp, n->user) != 0)
        return spool_seterr(err, errlen, "name says user %s, record says %s", n->user, t->user);
    if (strcmp(t->uuid, n->uuid) != 0)
        return spool_seterr(err, errlen, "name says uuid %s, record says %s", n->uuid, t->uuid);
    memcpy(date, n->date, sizeof date);
    memset(&tm, 0, sizeof tm);
    if (sscanf(date, "%4d_%2d_%2d_%2d_%2d_%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
               &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
        return spool_seterr(err, errlen, "bad date in the name");
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    named = timegm(&tm);
    if (llabs((long long)named - t->time_us / 1000000) > 26 * 3600)
        return spool_seterr(err, errlen, "name's date %s is more than 26 h from time %lld",
                            n->date, (long long)(t->time_us / 1000000));
    return 0;
}

void rec_tally_free(struct rec_tally *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++)
        free(t->e[i].path);
    free(t);
}
