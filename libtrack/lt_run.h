/* lt_run: the state of one tracked process image, shared by libtrack's
 * modules. There is exactly one, in static storage (lt_main.c): nothing here
 * is allocated, so the end hook and the fatal-signal handler can use it
 * whatever the program did to its heap or environment (clearenv()).
 *
 * Record buffer: 2 * cap bytes (static .bss up to the default cap, else a
 * private anonymous mapping). Region A (buf .. buf + start_len) holds the
 * start record and stays intact until the end: its identity section and
 * objects array are copied into the end record. Region B (cap bytes from
 * buf + start_len) is where the end record is built: right behind the
 * start record, so a small process touches one page for both. Pages never
 * touched cost no memory. */
#ifndef TRACK_LT_RUN_H
#define TRACK_LT_RUN_H

#include <limits.h>
#include <stdatomic.h>
#include <stddef.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>
#include <time.h>

#include "lt_sys.h"
#include "spool_config.h"
#include "spool_ident.h"
#include "spool_limits.h"
#include "spool_list.h"
#include "spool_name.h"


/* Cuts shared with the reader (spool/spool_limits.h): a record over them
 * would be quarantined, so the writer cuts first. */
#define LT_STR_MAX SPOOL_STR_MAX
#define LT_NAME_MAX SPOOL_ID_MAX
#define LT_HOST_MAX SPOOL_HOST_MAX
#define LT_JOBTEXT_MAX SPOOL_JOBTEXT_MAX

/* Bytes of every record kept free for the end keys, "truncated" and the
 * closing brace: the end record reuses the start record's identity section
 * verbatim, so the start must leave this much room. */
#define LT_RESERVE_END 320
/* Bytes kept for the structure (keys and brackets of cmdline, modules, env,
 * objects) while array elements are written, so elements never crowd out a
 * closing bracket. */
#define LT_RESERVE_STRUCT 96

/* Room for environ plus TRACK_RUN_UUID (set_run_env in lt_main.c); larger
 * environments use putenv. */
#define LT_ENV_SLOTS 512

/* Laid out for page faults: every 4 KiB page of static storage a tracked
 * process touches costs a fault in every process (docs/performance.md), and
 * the large arrays are touched only at their start. After the small state:
 * the environ copy (a slot per variable), then cfg, whose tools' fields
 * come first and are never touched, so that its libtrack keys end next to
 * the compiled lists, the identity, the job path and the executable's
 * path. Over every place the linker may put `lt` in a page, a tracked
 * process touches 4-5 of its pages (7 before this order and the in-place
 * lists). */
struct lt_run {
    atomic_int done;                  /* 1 once an end record is being written */
    pid_t pid;                        /* the image we track; others write nothing */
    uid_t uid;
    int debug;                        /* TRACK_DEBUG=1 */
    int tally;                        /* past the job's budget: tallied, no records (lt_tally) */
    unsigned long cores;              /* tallied: the run's cores (lt_tally_cores) */
    struct timespec start;            /* CLOCK_REALTIME at the constructor */
    char *buf;                        /* the buffer; NULL when not tracking */
    size_t cap;                       /* cfg.max_record_bytes: size of each region */
    size_t maplen;                    /* 2 * cap if mmap'd, 0 if static */
    size_t start_len;                 /* bytes of the start record in region A */
    size_t ident_off, ident_end;      /* A: from the ',' after "kind" to before "objects" */
    size_t objs_off, objs_end;        /* A: ',"objects":[...]' */
    int ident_truncated;              /* something before objects was cut */
    int ident_dropped;                /* an array element before objects was dropped:
                                         objects then carry none (priority order) */
    int objs_truncated;               /* the start's objects were cut */
    unsigned long long obj_gen;       /* loader's adds + subs when the objects were listed */
    char run_uuid[37];
    char parent_uuid[37];             /* "" if none */
    char date[SPOOL_DATE_LEN + 1];    /* start time for both file names */
    char job[24];                     /* job directory name: digits or "nojob" */
    /* "TRACK_RUN_UUID=<uuid>", put into environ itself, which keeps the
     * pointer: static like everything here. */
    char env_entry[sizeof "TRACK_RUN_UUID=" + 36];
    /* A copy of environ with one more slot (set_run_env). */
    char *environ_copy[LT_ENV_SLOTS];
    struct spool_config cfg;
    /* cfg's lists, compiled once at start (in place: the items point into
     * cfg): the env allow-list is matched against every environment
     * variable. */
    struct spool_globs env, include, exclude;
    struct spool_ident id;            /* syshost, host, user */
    char jobpath[SPOOL_CONF_PATH_MAX + 48]; /* <spool>/<uid>/<job>, judged at start */
    char exe_path[PATH_MAX];
};

/* CLOCK_REALTIME by the system call rather than the vDSO: the vDSO's first
 * call faults in two data pages, which costs more than the system call
 * in a short process (docs/performance.md), and libtrack reads the clock
 * twice per process. Async-signal-safe. */
static inline int lt_now(struct timespec *ts)
{
    return (int)lt_sys(SYS_clock_gettime, CLOCK_REALTIME, (long)ts, 0, 0, 0, 0);
}

#endif
