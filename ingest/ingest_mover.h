/* ingest_mover: track-ingest's mover thread. Moving a committed batch to
 * done/ costs a rename per file (a large share of a run, all of it in the
 * kernel's directory code: docs/performance.md); this thread does it while
 * the main thread loads the next batch. It is handed only files whose rows
 * are committed, so "moved only after COMMIT" holds; a crash before a move
 * leaves committed files, which the next run loads as duplicates. It has
 * its own archive handle (cached month fds are not shared with the main
 * thread's quarantine moves).
 *
 * Use: ingest_mover_init, ingest_mover_start, ingest_mover_give per
 * committed batch, ingest_mover_finish, ingest_mover_free. One producer
 * thread. */
#ifndef TRACK_INGEST_MOVER_H
#define TRACK_INGEST_MOVER_H

#include <pthread.h>
#include <stddef.h>

#include "ingest_archive.h"

/* Files whose rows are committed, waiting to be handed to the mover. The
 * caller allocates f with the batch size as capacity (see
 * ingest_mover_give: the mover swaps arrays with it). */
struct ingest_done_list {
    struct ingest_file **f;
    size_t n;
};

struct ingest_mover {
    pthread_mutex_t mu;          /* all private */
    pthread_cond_t cv;
    pthread_t th;
    int started;
    struct ingest_archive a;
    struct ingest_file **slot;   /* the batch being moved (capacity: batch size) */
    size_t n;
    int full, stop, delete_it;
    size_t errors;               /* files that could not be moved */
};

/* Prepares mv for batches of at most batch files; delete_it: delete the
 * files instead of moving them to done/ (after_ingest = delete). 0, or -1
 * when out of memory (mv is then safe to ingest_mover_free). */
int ingest_mover_init(struct ingest_mover *mv, size_t batch, int delete_it);

/* Opens the mover's own handle on archive a and starts the thread. 0, or -1
 * with a one-line reason in err. */
int ingest_mover_start(struct ingest_mover *mv, const struct ingest_archive *a, char *err,
                       size_t errlen);

/* Hands dl's files to the mover once it has finished the previous batch
 * (the two arrays swap: no copy); dl is empty afterwards. */
void ingest_mover_give(struct ingest_mover *mv, struct ingest_done_list *dl);

/* Lets the mover finish what it was given, then ends it. Returns the number
 * of files that could not be moved (each was logged). Does nothing (0) when
 * the thread was not started. */
size_t ingest_mover_finish(struct ingest_mover *mv);

/* Closes the mover's archive handle and frees its memory. */
void ingest_mover_free(struct ingest_mover *mv);

#endif
