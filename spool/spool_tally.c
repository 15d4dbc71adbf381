/* spool_tally: the tally file's arithmetic and its strict reader. */
#include "spool_tally.h"

#include <string.h>

#include "spool_err.h"

uint64_t spool_tally_key(const char *path, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ULL;

    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)path[i];
        h *= 0x100000001b3ULL;
    }
    return h ? h : 1;
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
    return a + b < a ? UINT64_MAX : a + b;
}

void spool_tally_acc_add(struct spool_tally_acc *a, const struct spool_tally_run *run)
{
    uint64_t *v = a->v[run->cls];

    v[SPOOL_TALLY_RUNS] = sat_add(v[SPOOL_TALLY_RUNS], 1);
    v[SPOOL_TALLY_WALL] = sat_add(v[SPOOL_TALLY_WALL], run->wall_us);
    v[SPOOL_TALLY_UTIME] = sat_add(v[SPOOL_TALLY_UTIME], run->utime_us);
    v[SPOOL_TALLY_STIME] = sat_add(v[SPOOL_TALLY_STIME], run->stime_us);
    v[SPOOL_TALLY_CORE] = sat_add(v[SPOOL_TALLY_CORE], run->core_us);
    if (v[SPOOL_TALLY_RUNS] == 1 || run->start_us < v[SPOOL_TALLY_FIRST])
        v[SPOOL_TALLY_FIRST] = run->start_us;
    if (run->start_us > v[SPOOL_TALLY_LAST])
        v[SPOOL_TALLY_LAST] = run->start_us;
}

const char *spool_tally_class_name(int cls)
{
    static const char *const names[] = { "ok", "error", "signal" };
    return cls >= 0 && cls < SPOOL_TALLY_CLASSES ? names[cls] : "?";
}

static int all_zero(const void *p, size_t n)
{
    const unsigned char *c = p;
    for (size_t i = 0; i < n; i++)
        if (c[i])
            return 0;
    return 1;
}

/* Checks one class of a slot. 0, or -1 with the reason. */
static int check_class(const uint64_t *v, unsigned slot, int cls, char *err, size_t errlen)
{
    const char *cn = spool_tally_class_name(cls);

    if (v[SPOOL_TALLY_RUNS] == 0) {
        if (!all_zero(v, SPOOL_TALLY_FIELDS * sizeof *v)) {
            spool_seterr(err, errlen, "slot %u class %s: totals without runs", slot, cn);
            return -1;
        }
        return 0;
    }
    if (v[SPOOL_TALLY_FIRST] > v[SPOOL_TALLY_LAST]) {
        spool_seterr(err, errlen, "slot %u class %s: first start %llu after last start %llu",
                     slot, cn, (unsigned long long)v[SPOOL_TALLY_FIRST],
                     (unsigned long long)v[SPOOL_TALLY_LAST]);
        return -1;
    }
    if (v[SPOOL_TALLY_CORE] < v[SPOOL_TALLY_WALL]) {
        spool_seterr(err, errlen, "slot %u class %s: core time %llu us below wall time %llu us",
                     slot, cn, (unsigned long long)v[SPOOL_TALLY_CORE],
                     (unsigned long long)v[SPOOL_TALLY_WALL]);
        return -1;
    }
    return 0;
}

static int check_slot(const struct spool_tally_head *h, const struct spool_tally_slot *s,
                      unsigned i, struct spool_tally_entry *e, char *err, size_t errlen)
{
    const struct spool_tally_acc *a = &s->acc[s->seq & 1];
    uint64_t runs = 0;

    memset(e, 0, sizeof *e);
    e->slot = i;
    e->overflow = i == SPOOL_TALLY_OVERFLOW;
    if (e->overflow) {
        if (h->key[i] != 0 || s->path_len != 0) {
            spool_seterr(err, errlen, "slot %u (overflow) has a path", i);
            return -1;
        }
    } else if (h->key[i] == 0) {
        /* Free; a writer killed while claiming it may have left its path,
         * never counts (the key is stored before any count). */
        if (s->seq || s->begun || !all_zero(s->acc, sizeof s->acc)) {
            spool_seterr(err, errlen, "slot %u is free but holds counts", i);
            return -1;
        }
        return 0;
    } else {
        if (s->path_len == 0 || s->path_len >= SPOOL_TALLY_PATH_MAX || s->path[0] != '/' ||
            memchr(s->path, '\0', s->path_len)) {
            spool_seterr(err, errlen, "slot %u: bad path (length %u)", i, s->path_len);
            return -1;
        }
        if (spool_tally_key(s->path, s->path_len) != h->key[i]) {
            spool_seterr(err, errlen, "slot %u: key does not match its path", i);
            return -1;
        }
        e->path = s->path;
        e->path_len = s->path_len;
    }
    for (int c = 0; c < SPOOL_TALLY_CLASSES; c++) {
        if (check_class(a->v[c], i, c, err, errlen) < 0)
            return -1;
        if (runs + a->v[c][SPOOL_TALLY_RUNS] < runs) {
            spool_seterr(err, errlen, "slot %u: more runs than a count can hold", i);
            return -1;
        }
        runs += a->v[c][SPOOL_TALLY_RUNS];
    }
    if (runs > s->begun) {
        spool_seterr(err, errlen, "slot %u: %llu runs counted but %llu begun", i,
                     (unsigned long long)runs, (unsigned long long)s->begun);
        return -1;
    }
    if (s->seq < runs) {
        spool_seterr(err, errlen, "slot %u: %llu runs in %llu commits", i,
                     (unsigned long long)runs, (unsigned long long)s->seq);
        return -1;
    }
    e->begun = s->begun;
    e->unknown = s->begun - runs;
    e->acc = *a;
    return runs || e->unknown ? 1 : 0;
}

int spool_tally_parse(const void *buf, size_t len, struct spool_tally *out, char *err,
                      size_t errlen)
{
    const struct spool_tally_head *h = buf;
    const char *base = buf;
    size_t jl;

    memset(out, 0, sizeof *out);
    if (len != SPOOL_TALLY_SIZE) {
        spool_seterr(err, errlen, "size %zu bytes, not %zu", len, SPOOL_TALLY_SIZE);
        return -1;
    }
    if (h->magic == 0 && all_zero(buf, len))
        return 0;
    if (h->magic != SPOOL_TALLY_MAGIC || h->version != SPOOL_TALLY_VERSION ||
        h->slots != SPOOL_TALLY_SLOTS || h->page != SPOOL_TALLY_PAGE) {
        spool_seterr(err, errlen, "not a tally file of version %d (magic, version, slots or "
                     "page size differ)", SPOOL_TALLY_VERSION);
        return -1;
    }
    jl = strnlen(h->job, SPOOL_TALLY_JOB_MAX);
    if (jl == 0 || jl > 20 || !all_zero(h->job + jl, SPOOL_TALLY_JOB_MAX - jl)) {
        spool_seterr(err, errlen, "bad job name in the header");
        return -1;
    }
    for (size_t k = 0; k < jl; k++) {
        if (h->job[k] < '0' || h->job[k] > '9') {
            spool_seterr(err, errlen, "bad job name in the header");
            return -1;
        }
    }
    memcpy(out->job, h->job, jl);
    out->uid = h->uid;
    for (unsigned i = 0; i < SPOOL_TALLY_SLOTS; i++) {
        const struct spool_tally_slot *s =
            (const void *)(base + (size_t)SPOOL_TALLY_PAGE * (i + 1));
        struct spool_tally_entry *e = &out->e[out->n];
        int used = check_slot(h, s, i, e, err, errlen);

        if (used < 0)
            return -1;
        if (!used)
            continue;
        for (size_t k = 0; k < out->n && e->path; k++) {
            if (out->e[k].path && out->e[k].path_len == e->path_len &&
                memcmp(out->e[k].path, e->path, e->path_len) == 0) {
                spool_seterr(err, errlen, "slot %u: path already in slot %u", i,
                             out->e[k].slot);
                return -1;
            }
        }
        for (int c = 0; c < SPOOL_TALLY_CLASSES; c++) {
            const uint64_t *v = e->acc.v[c];
            if (!v[SPOOL_TALLY_RUNS])
                continue;
            if (!out->runs || v[SPOOL_TALLY_FIRST] < out->first_us)
                out->first_us = v[SPOOL_TALLY_FIRST];
            if (v[SPOOL_TALLY_LAST] > out->last_us)
                out->last_us = v[SPOOL_TALLY_LAST];
            out->runs = sat_add(out->runs, v[SPOOL_TALLY_RUNS]);
        }
        out->unknown = sat_add(out->unknown, e->unknown);
        out->n++;
    }
    return 0;
}
