/* spool_tally: the job's tally file in the spool (docs/libtrack.md "The
 * budget", docs/spec.md "3. The spool").
 *
 * Past the per-job budget (config job_max_records) libtrack writes no
 * records; each run is folded into <spool>/<uid>/<job>/tally.slots, a file of
 * fixed size SPOOL_TALLY_SIZE on tmpfs, mapped MAP_SHARED by every process
 * of the job that ends:
 *
 *   page 0      struct spool_tally_head: magic, version, uid, job, and the
 *               key (path hash) of each slot; 0 = free
 *   page 1..64  struct spool_tally_slot, one per executable path; the last
 *               one (SPOOL_TALLY_OVERFLOW) takes every run whose path found
 *               no free slot or is too long
 *
 * A slot is updated under an OFD lock on its first byte (the kernel drops
 * it when the holder dies) and double-buffered: the holder writes the new
 * totals into acc[!(seq & 1)] and then stores seq + 1, the only commit. A
 * process killed before that store leaves acc[seq & 1] untouched; it did
 * count itself in `begun` (an atomic add before the lock), so `begun` minus
 * the committed runs is the number of runs killed mid-update ("unknown").
 *
 * The layout is native (the file never leaves its node: the Epilog turns it
 * into a JSON tally record) and its hash (spool_tally_key) is stable: it is
 * stored in the file. Everything in it is the job user's word: readers use
 * spool_tally_parse, which checks structure and arithmetic, and the Epilog
 * checks the claims against what root knows. */
#ifndef TRACK_SPOOL_TALLY_H
#define TRACK_SPOOL_TALLY_H

#include <stddef.h>
#include <stdint.h>

#define SPOOL_TALLY_NAME      "tally.slots"   /* the tally file in a job directory */
#define SPOOL_TALLY_COUNT     "tally.count"   /* one byte per run admitted as records */
#define SPOOL_TALLY_MAGIC     0x31594c4154525454ULL /* "TTRTALY1" little-endian */
#define SPOOL_TALLY_VERSION   1
#define SPOOL_TALLY_PAGE      4096
#define SPOOL_TALLY_SLOTS     64
#define SPOOL_TALLY_OVERFLOW  (SPOOL_TALLY_SLOTS - 1)
#define SPOOL_TALLY_SIZE      ((size_t)SPOOL_TALLY_PAGE * (SPOOL_TALLY_SLOTS + 1))
#define SPOOL_TALLY_PATH_MAX  3584              /* bytes of a slot's path; longer: overflow */
#define SPOOL_TALLY_JOB_MAX   24

/* Exit classes. */
enum { SPOOL_TALLY_OK = 0, SPOOL_TALLY_ERROR = 1, SPOOL_TALLY_SIGNAL = 2, SPOOL_TALLY_CLASSES = 3 };
/* Fields of one class: sums in microseconds, first/last start epoch µs. */
enum {
    SPOOL_TALLY_RUNS = 0, SPOOL_TALLY_WALL = 1, SPOOL_TALLY_UTIME = 2, SPOOL_TALLY_STIME = 3,
    SPOOL_TALLY_CORE = 4, SPOOL_TALLY_FIRST = 5, SPOOL_TALLY_LAST = 6, SPOOL_TALLY_FIELDS = 7
};

struct spool_tally_head {
    uint64_t magic;                       /* 0 until the first writer initialised it */
    uint32_t version, slots, uid, page;
    char job[SPOOL_TALLY_JOB_MAX];        /* the job directory's name, NUL-padded */
    uint64_t key[SPOOL_TALLY_SLOTS];      /* spool_tally_key of the slot's path; 0 = free */
};

struct spool_tally_acc {
    uint64_t v[SPOOL_TALLY_CLASSES][SPOOL_TALLY_FIELDS];
};

struct spool_tally_slot {
    uint64_t seq;                         /* commits; acc[seq & 1] is current */
    uint64_t begun;                       /* runs that began an update */
    uint32_t path_len;                    /* written before the head's key */
    uint32_t reserved;
    uint64_t reserved2;
    struct spool_tally_acc acc[2];
    char path[SPOOL_TALLY_PATH_MAX];
};

_Static_assert(sizeof(struct spool_tally_head) <= SPOOL_TALLY_PAGE, "head fits a page");
_Static_assert(sizeof(struct spool_tally_slot) <= SPOOL_TALLY_PAGE, "slot fits a page");

/* The stable key of a path (FNV-1a 64, never 0). */
uint64_t spool_tally_key(const char *path, size_t len);

/* One run, as libtrack folds it in. */
struct spool_tally_run {
    int cls;                              /* SPOOL_TALLY_OK/ERROR/SIGNAL */
    uint64_t wall_us, utime_us, stime_us, core_us, start_us;
};

/* Adds run to the totals a (saturating sums, min/max of the start). */
void spool_tally_acc_add(struct spool_tally_acc *a, const struct spool_tally_run *run);

/* ---- reading an untrusted tally file ---- */
struct spool_tally_entry {
    uint32_t slot;
    int overflow;                         /* the overflow slot: no path */
    size_t path_len;
    const char *path;                     /* into the caller's buffer, not NUL-terminated */
    uint64_t begun;
    uint64_t unknown;                     /* begun minus the committed runs */
    struct spool_tally_acc acc;           /* the committed totals */
};

struct spool_tally {
    uint32_t uid;
    char job[SPOOL_TALLY_JOB_MAX + 1];
    size_t n;                             /* used slots, in slot order */
    struct spool_tally_entry e[SPOOL_TALLY_SLOTS];
    uint64_t runs;                        /* committed runs of all slots */
    uint64_t unknown;
    uint64_t first_us, last_us;           /* over all classes; 0 when no committed run */
};

/* Parses and checks a tally file's bytes (buf, len; the buffer must stay
 * alive while out is used: paths point into it). Checks: size, magic,
 * version, slot count, page size, the job name (digits), each used slot's
 * key against its path (absolute, no NUL, not longer than the slot), no path
 * twice, a free slot holding no counts, each class: all zero without runs,
 * else first <= last start, cpu and core sums consistent with wall
 * (core >= wall), committed runs <= begun. An all-zero file (created, never
 * written) is valid and empty. Returns 0, or -1 with a one-line reason in
 * err (errlen bytes). No allocation. */
int spool_tally_parse(const void *buf, size_t len, struct spool_tally *out, char *err,
                      size_t errlen);

/* The name of an exit class ("ok", "error", "signal"). */
const char *spool_tally_class_name(int cls);

#endif
