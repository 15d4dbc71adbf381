/* ingest_ccache: exact-content cache in front of the SHA-256 path: maps the
 * serialized bytes of an object, an object list, a module list or an env
 * list to the database id it resolved to. A hit (fast hash and length, then
 * the caller's exact comparison of the full content) skips hashing every
 * element with SHA-256, sorting and the dict lookups; most runs repeat a
 * known executable, so most lookups hit. Cleared with the dicts after a
 * rollback. What the hash is computed over is the caller's business; it
 * must only be the same function of the content for every get and put. */
#ifndef TRACK_INGEST_CCACHE_H
#define TRACK_INGEST_CCACHE_H

#include <stddef.h>
#include <stdint.h>

struct ingest_ccache_ent { uint64_t h; uint32_t id, len; char *bytes; };

struct ingest_ccache {
    struct ingest_ccache_ent *tab;   /* owned, with each entry's bytes */
    size_t cap, n;
    size_t bytes, max_bytes;         /* content held; cleared when over max */
};

/* Combines the hash so far with a fast hash of the next piece of a content
 * made of pieces, its length included: ("ab","c") and ("a","bc") differ.
 * Not cryptographic: every hit is verified. */
uint64_t ingest_ccache_mix(uint64_t h, const void *p, size_t n);
/* The id of the entry with hash h and length n whose bytes eq accepts
 * (eq(bytes, ctx) != 0: the n stored bytes equal the content), 0 if none. */
uint32_t ingest_ccache_get(const struct ingest_ccache *c, uint64_t h, size_t n,
                           int (*eq)(const char *bytes, const void *ctx), const void *ctx);
/* Remembers content p (n bytes, the serialized form) -> id (id != 0) under
 * hash h; the caller has checked it is absent. Failure to allocate, or no
 * free slot within 16 probes of h's home (colliding contents), just forgets;
 * lookups give up after as many probes. */
void ingest_ccache_put(struct ingest_ccache *c, uint64_t h, const void *p, size_t n, uint32_t id);
void ingest_ccache_clear(struct ingest_ccache *c);
void ingest_ccache_free(struct ingest_ccache *c);

#endif
