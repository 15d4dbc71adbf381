/* ingest_ccache: content -> id, open addressing, every hit verified by the caller's exact comparison. */
#include "ingest_ccache.h"

#include "spool_hash.h"

#include <stdlib.h>
#include <string.h>

uint64_t ingest_ccache_mix(uint64_t h, const void *p, size_t n)
{
    h = (h ^ spool_hash(p, n)) * 0xff51afd7ed558ccdULL;
    return h ^ (h >> 29);
}

/* Probes per lookup or insert, at most: the hash is not keyed, and the
 * contents come from users' records, so colliding contents could be made on
 * purpose; each probe with an equal hash costs a full comparison. Past the
 * bound a content is not cached (the dicts still answer). */
#define PROBE_MAX 16

uint32_t ingest_ccache_get(const struct ingest_ccache *c, uint64_t h, size_t n,
                           int (*eq)(const char *bytes, const void *ctx), const void *ctx)
{
    if (!c->cap)
        return 0;
    for (size_t k = 0, i = h & (c->cap - 1); k < PROBE_MAX; k++, i = (i + 1) & (c->cap - 1)) {
        const struct ingest_ccache_ent *e = &c->tab[i];
        if (!e->id)
            return 0;
        if (e->h == h && e->len == n && eq(e->bytes, ctx))
            return e->id;
    }
    return 0;
}

/* A free slot for hash h within PROBE_MAX of its home, or -1. */
static long free_slot(const struct ingest_ccache_ent *tab, size_t cap, uint64_t h)
{
    for (size_t k = 0, i = h & (cap - 1); k < PROBE_MAX; k++, i = (i + 1) & (cap - 1))
        if (!tab[i].id)
            return (long)i;
    return -1;
}

void ingest_ccache_clear(struct ingest_ccache *c)
{
    for (size_t i = 0; i < c->cap; i++) {
        free(c->tab[i].bytes);
        memset(&c->tab[i], 0, sizeof c->tab[i]);
    }
    c->n = 0;
    c->bytes = 0;
}

void ingest_ccache_free(struct ingest_ccache *c)
{
    ingest_ccache_clear(c);
    free(c->tab);
    memset(c, 0, sizeof *c);
}

void ingest_ccache_put(struct ingest_ccache *c, uint64_t h, const void *p, size_t n, uint32_t id)
{
    if (n > UINT32_MAX)
        return;
    if (c->max_bytes && c->bytes + n > c->max_bytes)
        ingest_ccache_clear(c);   /* bounded memory; the dicts still answer */
    if ((c->n + 1) * 2 > c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 1024;
        struct ingest_ccache_ent *t = calloc(cap, sizeof *t);
        if (!t)
            return;
        for (size_t i = 0; i < c->cap; i++) {
            struct ingest_ccache_ent *e = &c->tab[i];
            if (!e->id)
                continue;
            long j = free_slot(t, cap, e->h);
            if (j < 0) {   /* unreachable there: dropped */
                c->n--;
                c->bytes -= e->len;
                free(e->bytes);
                continue;
            }
            t[j] = *e;
        }
        free(c->tab);
        c->tab = t;
        c->cap = cap;
    }
    long j = free_slot(c->tab, c->cap, h);
    if (j < 0)
        return;
    char *b = malloc(n ? n : 1);
    if (!b)
        return;
    if (n) /* p may be NULL for empty content: memcpy's arguments must not be */
        memcpy(b, p, n);
    c->tab[j].h = h;
    c->tab[j].id = id;
    c->tab[j].len = (uint32_t)n;
    c->tab[j].bytes = b;
    c->n++;
    c->bytes += n;
}
