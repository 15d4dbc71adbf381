/* lt_fsize: libtrack's record writes under the program's file-size limit.
 *
 * RLIMIT_FSIZE (`ulimit -f`) counts libtrack's spool files too: a write past
 * it fails with EFBIG and raises SIGXFSZ, whose default action kills the
 * program (before main, for a start record). While held, SIGXFSZ is blocked
 * in the calling thread; on release, a SIGXFSZ the kernel raised for one of
 * our writes is taken off the pending set, so the write just fails (the
 * record is lost, as for a full spool) and the program never sees the signal.
 * With no limit (the usual case) hold costs one getrlimit and release
 * nothing. Async-signal-safe: used from the fatal-signal handler and _exit.
 * Both preserve errno. */
#ifndef TRACK_LT_FSIZE_H
#define TRACK_LT_FSIZE_H

#include <signal.h>

struct lt_fsize {
    int held;          /* SIGXFSZ blocked by lt_fsize_hold */
    int was_pending;   /* a SIGXFSZ was pending before: never ours to take */
    sigset_t old;      /* the thread's mask before lt_fsize_hold */
};

/* Blocks SIGXFSZ if a finite file-size limit is set. Never fails: if the
 * limit or the mask cannot be read, nothing is held (a write past a limit
 * then behaves as without this module). */
void lt_fsize_hold(struct lt_fsize *g);

/* Drops the SIGXFSZ our writes raised since lt_fsize_hold (one that was
 * pending before is left alone, and one sent by another process meanwhile
 * is queued again), then restores the mask. No-op if nothing is held. */
void lt_fsize_release(struct lt_fsize *g);

#endif
