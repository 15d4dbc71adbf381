/* ingest_sha256: SHA-256 (FIPS 180-4) for the database's identity keys
 * (track_object.hkey, set skeys). A cryptographic hash because the hashed
 * paths and values come from users: a crafted collision must not let one
 * object pose as another. No allocation. */
#ifndef TRACK_INGEST_SHA256_H
#define TRACK_INGEST_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct ingest_sha256 {
    uint32_t h[8];
    uint64_t len;          /* bytes hashed so far */
    unsigned char buf[64];
    size_t nbuf;
};

void ingest_sha256_init(struct ingest_sha256 *c);
void ingest_sha256_update(struct ingest_sha256 *c, const void *data, size_t n);
void ingest_sha256_final(struct ingest_sha256 *c, unsigned char out[32]);

#endif
