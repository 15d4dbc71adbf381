/* lt_json: the two things libtrack needs from the JSON writer beyond
 * spool_json.h, both working on the writer's documented fields:
 *  - a budget: lowering j->cap makes every write past it set `overflow`, so
 *    the caller's mark/rewind drops the element that did not fit (that is how
 *    truncation keeps room for what comes later in priority);
 *  - a raw fragment: already-escaped JSON copied from the start record into
 *    the end record (the identity section, the saved objects array).
 * Async-signal-safe (no calls but memcpy). */
#ifndef TRACK_LT_JSON_H
#define TRACK_LT_JSON_H

#include <string.h>

#include "spool_json.h"

/* Sets the writable end to full - keep, but never below what is written
 * (the writer then simply has no room left). */
static inline void lt_json_budget(struct spool_json *j, size_t full, size_t keep)
{
    size_t c = full > keep ? full - keep : 0;
    if (c < j->len + 1)
        c = j->len + 1;
    j->cap = c;
}

/* Appends n bytes of finished JSON. The fragment must start with its own
 * separator (',') and leave the nesting as it found it. Sets overflow when it
 * does not fit, like every other write. */
static inline void lt_json_raw(struct spool_json *j, const char *s, size_t n)
{
    if (j->overflow)
        return;
    if (n > spool_json_room(j)) {
        j->overflow = 1;
        return;
    }
    memcpy(j->buf + j->len, s, n);
    j->len += n;
    j->first[j->depth] = 0;
}

#endif
