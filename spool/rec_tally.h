/* rec_tally: the reader of tally records (docs/record-format.md "Tally
 * records"), the JSON the Epilog makes from a job's tally file, for the
 * ingester. Strict like rec_parse: every key with its type and range, the
 * uuid canonical, paths absolute (or "" for the overflow entry), at most
 * 4 x 64 entries, sums that fit the database's columns. Tools only (yajl). */
#ifndef TRACK_REC_TALLY_H
#define TRACK_REC_TALLY_H

#include <stddef.h>
#include <stdint.h>

#include "spool_limits.h"
#include "spool_name.h"

#define REC_TALLY_MAX_ENTRIES (4 * 64)
/* Bytes a tally record can need: 64 slots x 4 classes, a path of up to
 * 3583 bytes escaped at 6 bytes each, plus the numbers. */
#define REC_TALLY_BYTES_MAX (64 * (3584 * 6 + 4 * 400) + 4096)

struct rec_tally_entry {
    char *path;                 /* decoded bytes, NUL-terminated ("" = overflow) */
    size_t path_len;
    int overflow;
    char cls[8];                /* ok, error, signal, unknown */
    uint64_t runs, wall_us, utime_us, stime_us, core_us;
    int64_t first_us, last_us;  /* 0 for unknown */
};

struct rec_tally {
    char uuid[37];
    char syshost[65], user[65], job[65];
    char host[256];
    /* The job's account and partition as root knew them (optional keys of
     * "job"; "" = not given). */
    char account[SPOOL_JOBTEXT_MAX + 1], partition[SPOOL_JOBTEXT_MAX + 1];
    int64_t uid;
    int64_t time_us;
    uint64_t runs, unknown;
    size_t n;
    struct rec_tally_entry e[REC_TALLY_MAX_ENTRIES];
};

/* Parses len bytes at buf into a new rec_tally (*out, freed with
 * rec_tally_free). 0, or -1 with a one-line reason in err. */
int rec_tally_parse(const char *buf, size_t len, struct rec_tally **out, char *err,
                    size_t errlen);

/* Checks that t agrees with its file name n: kind, syshost, user (through
 * spool_name_component), uuid, and a date within 26 hours of its time. 0, or
 * -1 with the reason. */
int rec_tally_check_name(const struct rec_tally *t, const struct spool_name *n, char *err,
                         size_t errlen);

void rec_tally_free(struct rec_tally *t);

#endif
