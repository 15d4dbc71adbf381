/* ingest_ccache: exact-content cache in front of the SHA-256 path: maps the
 * serialized bytes of an object, an object list, a module list or an env
 * list to the database id it resolved to. A hit (fast hash, then memcmp of
 * the full content) skips hashing every element with SHA-256, sorting and
 * the dict lookups; most runs repeat a known executable, so most lookups
 * hit. Cleared with the dicts after a rollback. */
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

uint64_t ingest_ccache_hash(const void *p, size_t n);
/* id for content, 0 if absent. */
uint32_t ingest_ccache_get(const struct ingest_ccache *c, uint64_t h, const void *p, size_t n);
/* Remembers content -> id (id != 0). Failure to allocate just forgets. */
void ingest_ccache_put(struct ingest_ccache *c, uint64_t h, const void *p, size_t n, uint32_t id);
void ingest_ccache_clear(struct ingest_ccache *c);
void ingest_ccache_free(struct ingest_ccache *c);

#endif
