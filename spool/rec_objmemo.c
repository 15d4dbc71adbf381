/* rec_objmemo: exact text of an "objects" array -> its decoded objects; open
 * addressing over entries that each hold the text, an index and the strings
 * in one block. */
#include "rec_objmemo.h"

#include <stdlib.h>
#include <string.h>

#define SLOTS 8192   /* at most 3/4 used: ~6,000 distinct lists before emptying */
/* Probes per lookup or insert, at most. The hash is not keyed, so a user who
 * writes records could make many lists collide; unbounded chains would then
 * cost a full comparison each per record. Past the bound a list is simply
 * not remembered (a full parse, never a wrong answer). */
#define PROBE_MAX 16

struct rec_objmemo_ent {
    uint64_t h;
    size_t span_len, nobj, strbytes;
    const uint32_t *ix;     /* per object: path, build_id, signature as (offset, length) */
    const char *strs;       /* the non-empty strings, each NUL-terminated */
    char span[];            /* the array's JSON text, then ix, then strs */
};

struct rec_objmemo {
    struct rec_objmemo_ent *tab[SLOTS];
    size_t n, bytes;
};

const struct rec_objmemo_ent *rec_objmemo_find(const struct rec_objmemo *m, uint64_t h,
                                               const char *span, size_t n)
{
    if (!m)
        return NULL;
    for (size_t k = 0, i = h & (SLOTS - 1); k < PROBE_MAX; k++, i = (i + 1) & (SLOTS - 1)) {
        const struct rec_objmemo_ent *e = m->tab[i];
        if (!e)
            return NULL;
        if (e->h == h && e->span_len == n && memcmp(e->span, span, n) == 0)
            return e;
    }
    return NULL;
}

static void clear(struct rec_objmemo *m)
{
    for (size_t i = 0; i < SLOTS; i++) {
        free(m->tab[i]);
        m->tab[i] = NULL;
    }
    m->n = m->bytes = 0;
}

static size_t str_bytes(const struct rec_str *s)
{
    return s->len ? s->len + 1 : 0;
}

/* Appends s (when not empty) at strs + *off and records where in ix. */
static void put_str(const struct rec_str *s, uint32_t *ix, char *strs, size_t *off)
{
    ix[0] = (uint32_t)*off;
    ix[1] = (uint32_t)s->len;
    if (s->len) {
        memcpy(strs + *off, s->s, s->len);
        strs[*off + s->len] = '\0';
        *off += s->len + 1;
    }
}

int rec_objmemo_put(struct rec_objmemo **mp, uint64_t h, const char *span, size_t n,
                    const struct rec_object *objs, size_t nobj)
{
    struct rec_objmemo *m = *mp;
    size_t sb = 0;
    /* Offsets and lengths are 32-bit: the span bound keeps both far below. */
    if (n > REC_OBJMEMO_SPAN_MAX)
        return -1;
    for (size_t k = 0; k < nobj; k++)
        sb += str_bytes(&objs[k].path) + str_bytes(&objs[k].build_id) +
              str_bytes(&objs[k].signature);
    size_t ixoff = (n + sizeof(uint32_t) - 1) & ~(sizeof(uint32_t) - 1);
    size_t size = sizeof(struct rec_objmemo_ent) + ixoff + nobj * 6 * sizeof(uint32_t) + sb;
    if (!m) {
        if (!(m = calloc(1, sizeof *m)))
            return -1;
        *mp = m;
    }
    if (m->bytes + size > REC_OBJMEMO_BYTES || m->n + 1 > SLOTS / 4 * 3)
        clear(m);
    size_t i = h & (SLOTS - 1), probes = 0;
    while (m->tab[i] && ++probes < PROBE_MAX)
        i = (i + 1) & (SLOTS - 1);
    if (m->tab[i])
        return -1;   /* a chain this long is a collision attack or bad luck */
    struct rec_objmemo_ent *e = malloc(size);
    if (!e)
        return -1;
    e->h = h;
    e->span_len = n;
    e->nobj = nobj;
    e->strbytes = sb;
    memcpy(e->span, span, n);
    uint32_t *ix = (uint32_t *)(void *)(e->span + ixoff);
    char *strs = (char *)(ix + nobj * 6);
    size_t off = 0;
    for (size_t k = 0; k < nobj; k++) {
        put_str(&objs[k].path, ix + 6 * k, strs, &off);
        put_str(&objs[k].build_id, ix + 6 * k + 2, strs, &off);
        put_str(&objs[k].signature, ix + 6 * k + 4, strs, &off);
    }
    e->ix = ix;
    e->strs = strs;
    m->tab[i] = e;
    m->n++;
    m->bytes += size;
    return 0;
}

size_t rec_objmemo_count(const struct rec_objmemo_ent *e)
{
    return e->nobj;
}

size_t rec_objmemo_strbytes(const struct rec_objmemo_ent *e)
{
    return e->strbytes;
}

static struct rec_str get_str(const uint32_t *ix, const char *dst)
{
    static const char empty[] = "";
    struct rec_str s = { ix[1] ? dst + ix[0] : empty, ix[1] };
    return s;
}

void rec_objmemo_copy(const struct rec_objmemo_ent *e, struct rec_object *out, char *dst)
{
    memcpy(dst, e->strs, e->strbytes);
    for (size_t k = 0; k < e->nobj; k++) {
        const uint32_t *ix = e->ix + 6 * k;
        out[k].path = get_str(ix, dst);
        out[k].build_id = get_str(ix + 2, dst);
        out[k].signature = get_str(ix + 4, dst);
    }
}

void rec_objmemo_free(struct rec_objmemo *m)
{
    if (!m)
        return;
    clear(m);
    free(m);
}
