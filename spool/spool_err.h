/* spool_err: the one-line error messages every module hands back through
 * caller-owned (err, errlen) buffers. */
#ifndef TRACK_SPOOL_ERR_H
#define TRACK_SPOOL_ERR_H

#include <stddef.h>

/* Formats the message into err (always NUL-terminated, cut to errlen). Does
 * nothing when err is NULL or errlen is 0: callers on async-signal-safe
 * paths pass no buffer and no formatting happens. Returns -1, so a failing
 * function can `return spool_seterr(err, errlen, ...);`. */
int spool_seterr(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
