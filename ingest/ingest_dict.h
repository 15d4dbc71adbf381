/* ingest_dict: in-memory map from a 32-byte SHA-256 key to a database id,
 * so that a repeated object, module, variable or set costs no round trip.
 * Open addressing; the key's first bytes are already uniformly spread.
 * Entries are only valid while the transaction that created them commits:
 * the loader clears every dict after a rollback. */
#ifndef TRACK_INGEST_DICT_H
#define TRACK_INGEST_DICT_H

#include <stddef.h>
#include <stdint.h>

struct ingest_dict_ent { unsigned char key[32]; uint32_t id; };

struct ingest_dict {
    struct ingest_dict_ent *tab;  /* owned; id 0 = empty slot */
    size_t cap, n;
};

/* Returns the id for key, or 0 if absent. */
uint32_t ingest_dict_get(const struct ingest_dict *d, const unsigned char key[32]);
/* Adds or overwrites; id must be non-zero. 0 or -1 (ENOMEM). */
int ingest_dict_put(struct ingest_dict *d, const unsigned char key[32], uint32_t id);
void ingest_dict_clear(struct ingest_dict *d);   /* keeps memory */
void ingest_dict_free(struct ingest_dict *d);

#endif
