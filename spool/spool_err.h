/* spool_err: the one-line error messages every module hands back through
 * caller-owned (err, errlen) buffers, and errno kept across the cleanup of a
 * failed call. */
#ifndef TRACK_SPOOL_ERR_H
#define TRACK_SPOOL_ERR_H

#include <stddef.h>

/* The size of an error buffer: a path of SPOOL_CONF_PATH_MAX bytes, a file
 * name and the reason fit. Every tool declares its buffers with it
 * (libtrack keeps smaller ones: lt_main.c says why). */
#define SPOOL_ERR_MAX 1536

/* Formats the message into err (always NUL-terminated, cut to errlen), with
 * every control byte (newline included) replaced by '?': quoted untrusted
 * text cannot split the line. Does
 * nothing when err is NULL or errlen is 0: callers on async-signal-safe
 * paths pass no buffer and no formatting happens. errno is left as it was,
 * so a function whose system call just failed can report it and still hand
 * the call's errno to its caller:
 *     return spool_seterr(err, errlen, "%s: %s", path, strerror(errno));
 * Returns -1. */
int spool_seterr(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Closes fd (when >= 0) and leaves errno as it was: the cleanup after a
 * failed call on an fd the function opened. Returns -1, so that
 * `return spool_fail_close(fd);` ends the function. */
int spool_fail_close(int fd);

#endif
