/* spool_uuid: run identifiers. libtrack makes UUIDv7 (time-ordered, so the
 * database's UNIQUE index on run_uuid grows at its end instead of splitting
 * random pages) from getrandom(2): no file descriptor, no library. */
#ifndef TRACK_SPOOL_UUID_H
#define TRACK_SPOOL_UUID_H

#include <stdint.h>
#include <time.h>

/* A new UUIDv7 in canonical lowercase form (36 chars + NUL). Uses
 * getrandom(GRND_NONBLOCK); if the kernel has no entropy yet, mixes clock,
 * pid and addresses instead (documented: still unique in practice, not
 * unpredictable). Returns 0. Async-signal-safe. */
int spool_uuid_v7(char out[37]);

/* The same for a time the caller read (CLOCK_REALTIME): libtrack's run id
 * then carries its start time, without a second clock read. */
int spool_uuid_v7_at(char out[37], const struct timespec *when);

/* Formats 16 bytes as a canonical lowercase UUID. */
void spool_uuid_format(const unsigned char b[16], char out[37]);

/* Returns 0 and fills b (may be NULL) if s is a canonical UUID: 36 chars,
 * lowercase hex, dashes at 8, 13, 18, 23. -1 otherwise. */
int spool_uuid_parse(const char *s, unsigned char b[16]);

#endif
