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

uint32_t ingest_ccache_get(const struct ingest_ccache *c, uint64_t h, size_t n,
                           int (*eq)(const char *bytes, const void *ctx), const void *ctx)
{
    if (!c->cap)
        return 0;
    for (size_t i = h & (c->cap - 1);; i = (i + 1) & (c->cap - 1)) {
        const struct ingest_ccache_ent *e = &c->tab[i];
        if (!e->id)
            return 0;
        if (e->h == h && e->len == n && eq(e->bytes, ctx))
            return e->id;
    }
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
            size_t j = e->h & (cap - 1);
            while (t[j].id)
                j = (j + 1) & (cap - 1);
            t[j] = *e;
        }
        free(c->tab);
        c->tab = t;
        c->cap = cap;
    }
    char *b = malloc(n ? n : 1);
    if (!b)
        return;
    memcpy(b, p, n);
    size_t j = h & (c->cap - 1);
    while (c->tab[j].id)
        j = (j + 1) & (c->cap - 1);
    c->tab[j].h = h;
    c->tab[j].id = id;
    c->tab[j].len = (uint32_t)n;
    c->tab[j].bytes = b;
    c->n++;
    c->bytes += n;
}
