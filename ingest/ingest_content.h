/* ingest_content: the content caches of the loader (internal to
 * ingest_load). A record's exe, object list, module list and env list (its
 * four slots: 0 exe, 1 objects, 2 modules, 3 env) map to the id of their
 * row or set in the database. The serialized form of a slot is its strings
 * in order, each NUL-terminated; its hash mixes the same strings one by one
 * (struct ingest_prep). A probe is compared against the record's strings
 * directly, so a hit copies nothing; only a miss is serialized, once, to be
 * remembered. */
#ifndef TRACK_INGEST_CONTENT_H
#define TRACK_INGEST_CONTENT_H

#include <stdint.h>

#include "ingest_buf.h"
#include "ingest_ccache.h"
#include "ingest_load.h"
#include "rec_parse.h"

/* ingest_load_prep's work: fills p for r. Cannot fail. */
void ingest_content_prep(const struct rec *r, struct ingest_prep *p);

/* Looks slot k of r (prep p) up in cache c. Returns the id, or 0 and sets
 * bit k of *missed. */
uint32_t ingest_content_lookup(struct ingest_ccache *c, const struct rec *r,
                              const struct ingest_prep *p, int k, unsigned *missed);

/* Remembers slot k of r (prep p) -> id; tmp is scratch. A slot that cannot
 * be serialized (out of memory) is just not remembered. */
void ingest_content_remember(struct ingest_ccache *c, const struct rec *r,
                             const struct ingest_prep *p, int k, uint32_t id,
                             struct ingest_buf *tmp);

/* The object cache (c_exe) for one member of a list the list cache missed:
 * same hash and form as an exe. The id or 0. */
uint32_t ingest_content_object(struct ingest_ccache *c, const struct rec_object *o);

/* Remembers member o -> id in the object cache; tmp is scratch. */
void ingest_content_object_remember(struct ingest_ccache *c, const struct rec_object *o,
                                    uint32_t id, struct ingest_buf *tmp);

#endif
