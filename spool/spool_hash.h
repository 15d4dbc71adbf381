/* spool_hash: a fast 64-bit hash of bytes for in-memory caches (the ingester's
 * content cache, the record parser's object-list memo). Not cryptographic
 * and not stable across versions: never store it, and verify every hit
 * against the full bytes. */
#ifndef TRACK_SPOOL_HASH_H
#define TRACK_SPOOL_HASH_H

#include <stddef.h>
#include <stdint.h>

/* Hash of n bytes at p (n included); never 0, so 0 can mean "empty slot". */
uint64_t spool_hash(const void *p, size_t n);

#endif
