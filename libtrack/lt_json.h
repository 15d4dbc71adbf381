/* lt_json: a budget on top of the JSON writer: lowering j->cap makes every
 * write past it set `overflow`, so the caller's mark/rewind drops the
 * element that did not fit (that is how truncation keeps room for what comes
 * later in priority). Async-signal-safe. */
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

#endif
