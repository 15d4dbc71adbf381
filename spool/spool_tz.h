/* spool_tz: the local UTC offset without glibc's tzset, which reads the
 * zone file through stdio and malloc: a large part of libtrack's start-up
 * on a small program (docs/performance.md). Only the common case
 * is handled here (TZ unset, /etc/localtime a TZif file whose transition
 * table covers the time asked); anything else answers -1 and the caller uses
 * localtime_r, so the result is always glibc's. */
#ifndef TRACK_SPOOL_TZ_H
#define TRACK_SPOOL_TZ_H

#include <time.h>

/* UTC offset (seconds east) of the zone in TZif file `path` at time t.
 * Returns 0 and sets *off, or -1 when the file cannot be used here: missing,
 * 8 KiB or larger, malformed, with leap seconds, or t past the last transition
 * of a zone whose footer rule has daylight saving time. Reads with one open,
 * read and close into a stack buffer; no allocation. */
int spool_tz_offset_file(const char *path, time_t t, long *off);

/* The same for the process's local zone: -1 whenever TZ is set (glibc then
 * has its own rules), else spool_tz_offset_file("/etc/localtime", ...). */
int spool_tz_offset(time_t t, long *off);

/* Broken-down UTC civil time of t (proleptic Gregorian), like gmtime_r but
 * pure arithmetic. */
void spool_tz_civil(time_t t, struct tm *tm);

#endif
