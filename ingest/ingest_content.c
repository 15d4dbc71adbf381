/* ingest_content: the loader's content caches (ingest_content.h). */
#include "ingest_content.h"

#include <string.h>

static size_t ser_object_len(const struct rec_object *o)
{
    return o->path.len + o->build_id.len + o->signature.len + 3;
}

/* Seeds of the four slots' hashes. The object cache (c_exe) holds exes and
 * members of lists alike, so both are hashed from SEED_OBJECT. */
enum { SEED_OBJECT = 1, SEED_OBJECTS = 2, SEED_MODULES = 3, SEED_ENV = 4 };

static uint64_t hash_object(uint64_t h, const struct rec_object *o)
{
    h = ingest_ccache_mix(h, o->path.s, o->path.len);
    h = ingest_ccache_mix(h, o->build_id.s, o->build_id.len);
    return ingest_ccache_mix(h, o->signature.s, o->signature.len);
}

/* Does the serialized piece at *q equal s? Advances *q past it. */
static int eq_piece(const char **q, const char *s, size_t n)
{
    const char *p = *q;
    *q = p + n + 1;
    return memcmp(p, s, n) == 0 && p[n] == '\0';
}

static int eq_object(const char **q, const struct rec_object *o)
{
    return eq_piece(q, o->path.s, o->path.len) && eq_piece(q, o->build_id.s, o->build_id.len) &&
           eq_piece(q, o->signature.s, o->signature.len);
}

/* ingest_ccache_get's comparisons; the length was checked by the cache, so
 * the pieces cannot run past the stored bytes (every piece ends in a NUL
 * that must match). */
static int eq_one_object(const char *b, const void *ctx)
{
    return eq_object(&b, ctx);
}

static int eq_objects(const char *b, const void *ctx)
{
    const struct rec *r = ctx;
    for (size_t k = 0; k < r->nobjects; k++)
        if (!eq_object(&b, &r->objects[k]))
            return 0;
    return 1;
}

static int eq_modules(const char *b, const void *ctx)
{
    const struct rec *r = ctx;
    for (size_t k = 0; k < r->nmodules; k++)
        if (!eq_piece(&b, r->modules[k].s, r->modules[k].len))
            return 0;
    return 1;
}

static int eq_env(const char *b, const void *ctx)
{
    const struct rec *r = ctx;
    for (size_t k = 0; k < r->nenv; k++)
        if (!eq_piece(&b, r->env[k].name.s, r->env[k].name.len) ||
            !eq_piece(&b, r->env[k].value.s, r->env[k].value.len))
            return 0;
    return 1;
}

static int eq_mem(const char *b, const void *ctx)
{
    const struct ingest_buf *m = ctx;
    return memcmp(b, m->s, m->len) == 0;
}

void ingest_content_prep(const struct rec *r, struct ingest_prep *p)
{
    uint64_t h[4] = { SEED_OBJECT, SEED_OBJECTS, SEED_MODULES, SEED_ENV };
    size_t len[4] = { 0, 0, 0, 0 };
    if (r->kind != SPOOL_KIND_LINK) {
        h[0] = hash_object(h[0], &r->exe);
        len[0] = ser_object_len(&r->exe);
    }
    for (size_t k = 0; k < r->nobjects; k++) {
        h[1] = hash_object(h[1], &r->objects[k]);
        len[1] += ser_object_len(&r->objects[k]);
    }
    for (size_t k = 0; k < r->nmodules; k++) {
        h[2] = ingest_ccache_mix(h[2], r->modules[k].s, r->modules[k].len);
        len[2] += r->modules[k].len + 1;
    }
    for (size_t k = 0; k < r->nenv; k++) {
        h[3] = ingest_ccache_mix(h[3], r->env[k].name.s, r->env[k].name.len);
        h[3] = ingest_ccache_mix(h[3], r->env[k].value.s, r->env[k].value.len);
        len[3] += r->env[k].name.len + r->env[k].value.len + 2;
    }
    memcpy(p->h, h, sizeof h);
    memcpy(p->len, len, sizeof len);
}

static void ser_piece(struct ingest_buf *b, const char *s, size_t n)
{
    ingest_buf_add(b, s, n);
    ingest_buf_add(b, "", 1);
}

static void ser_object(struct ingest_buf *b, const struct rec_object *o)
{
    ser_piece(b, o->path.s, o->path.len);
    ser_piece(b, o->build_id.s, o->build_id.len);
    ser_piece(b, o->signature.s, o->signature.len);
}

/* The serialized form of slot k of r into b (reset first). */
static void ser_slot(struct ingest_buf *b, const struct rec *r, int k)
{
    ingest_buf_reset(b);
    if (k == 0)
        ser_object(b, &r->exe);
    for (size_t i = 0; k == 1 && i < r->nobjects; i++)
        ser_object(b, &r->objects[i]);
    for (size_t i = 0; k == 2 && i < r->nmodules; i++)
        ser_piece(b, r->modules[i].s, r->modules[i].len);
    for (size_t i = 0; k == 3 && i < r->nenv; i++) {
        ser_piece(b, r->env[i].name.s, r->env[i].name.len);
        ser_piece(b, r->env[i].value.s, r->env[i].value.len);
    }
}

uint32_t ingest_content_lookup(struct ingest_ccache *c, const struct rec *r,
                              const struct ingest_prep *p, int k, unsigned *missed)
{
    static int (*const eq[4])(const char *, const void *) = { eq_one_object, eq_objects,
                                                              eq_modules, eq_env };
    uint32_t id = ingest_ccache_get(c, p->h[k], p->len[k], eq[k],
                                    k == 0 ? (const void *)&r->exe : (const void *)r);
    if (!id)
        *missed |= 1u << k;
    return id;
}

void ingest_content_remember(struct ingest_ccache *c, const struct rec *r,
                             const struct ingest_prep *p, int k, uint32_t id,
                             struct ingest_buf *tmp)
{
    ser_slot(tmp, r, k);
    if (tmp->oom || tmp->len != p->len[k])
        return;   /* just not remembered */
    if (!ingest_ccache_get(c, p->h[k], tmp->len, eq_mem, tmp))
        ingest_ccache_put(c, p->h[k], tmp->s, tmp->len, id);
}

uint32_t ingest_content_object(struct ingest_ccache *c, const struct rec_object *o)
{
    return ingest_ccache_get(c, hash_object(SEED_OBJECT, o), ser_object_len(o), eq_one_object, o);
}

void ingest_content_object_remember(struct ingest_ccache *c, const struct rec_object *o,
                                    uint32_t id, struct ingest_buf *tmp)
{
    uint64_t h = hash_object(SEED_OBJECT, o);
    ingest_buf_reset(tmp);
    ser_object(tmp, o);
    if (!tmp->oom && !ingest_ccache_get(c, h, tmp->len, eq_mem, tmp))
        ingest_ccache_put(c, h, tmp->s, tmp->len, id);
}
