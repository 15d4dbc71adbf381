/* spool_name: record file names (docs/spec.md "2. File names").
 *
 *   run.<syshost>.<YYYY_MM_DD_hh_mm_ss_ffff>.<user>.<aaa|zzz>.<run_uuid>.json
 *   link.<syshost>.<YYYY_MM_DD_hh_mm_ss_ffff>.<user>.<uuid>.json
 *   pkg.<syshost>.<YYYY_MM_DD_hh_mm_ss_ffff>.<user>.<run_uuid>.json
 *   tally.<syshost>.<YYYY_MM_DD_hh_mm_ss_ffff>.<user>.<uuid>.json
 *
 * syshost and user are written through spool_name_component() so that a name
 * always splits back into its fields: bytes outside [A-Za-z0-9_+@-] become
 * '_' and the component is cut at 64 bytes. The record itself keeps the real
 * values; readers compare content to name through the same function. */
#ifndef TRACK_SPOOL_NAME_H
#define TRACK_SPOOL_NAME_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define SPOOL_NAME_MAX      256  /* a complete file name, NUL included */
#define SPOOL_NAME_COMP_MAX 65   /* a component, NUL included */
#define SPOOL_DATE_LEN      24   /* YYYY_MM_DD_hh_mm_ss_ffff */
#define SPOOL_UUID_LEN      36

/* PKG: a Python package record (docs/python.md), one per run, named by the
 * run's uuid and the time it was written. TALLY: tally.<syshost>.<date>.
 * <user>.<uuid>.json, a job's tally record, written by the Epilog into the
 * archive only (spool/rec_tally.h). */
enum spool_kind { SPOOL_KIND_START = 1, SPOOL_KIND_END = 2, SPOOL_KIND_LINK = 3,
                  SPOOL_KIND_PKG = 4, SPOOL_KIND_TALLY = 5 };

struct spool_name {
    enum spool_kind kind;
    char syshost[SPOOL_NAME_COMP_MAX];
    char date[SPOOL_DATE_LEN + 1];
    char user[SPOOL_NAME_COMP_MAX];
    char uuid[SPOOL_UUID_LEN + 1];
    char yyyymm[7];                 /* from the date: the archive month */
};

/* Writes the sanitised form of src into dst (SPOOL_NAME_COMP_MAX bytes).
 * An empty src gives "_". */
void spool_name_component(char dst[SPOOL_NAME_COMP_MAX], const char *src);

/* Formats the local-time date of (sec, usec) as YYYY_MM_DD_hh_mm_ss_ffff
 * (ffff = 1/10000 s) into out (SPOOL_DATE_LEN + 1 bytes). Local time comes
 * from spool_tz (or localtime_r where it cannot decide): call it at
 * start-up, never from a signal handler. Returns 0, -1 if the
 * time cannot be converted. */
int spool_name_date(char out[SPOOL_DATE_LEN + 1], time_t sec, long usec);

/* Builds the file name for a record into out (SPOOL_NAME_MAX bytes).
 * syshost and user are sanitised here; date must come from spool_name_date
 * and uuid must be canonical. Returns 0, or -1 (EINVAL) on a bad date/uuid.
 * Does not allocate; async-signal-safe. */
int spool_name_build(char out[SPOOL_NAME_MAX], enum spool_kind kind, const char *syshost,
                     const char *date, const char *user, const char *uuid);

/* Splits a file name into its fields. Returns 0 if `name` is exactly a valid
 * run, link or package record name, -1 otherwise (dot-files, temp files, anything
 * else). Checks the date's ranges and the uuid's form. */
int spool_name_parse(const char *name, struct spool_name *out);

/* Returns 1 if name is a writer's temp file (".<record name>.tmp"). */
int spool_name_is_temp(const char *name);

#endif
