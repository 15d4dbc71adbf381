/* ingest_reader: track-ingest's reader thread. Reading and parsing (the
 * CPU-heavy half of a run) happen here, one batch ahead of the thread that
 * talks to the database: two chunks alternate. The reader touches nothing in
 * the archive but reads; every move, quarantine and log line happens in the
 * main thread, in file order.
 *
 * Use: ingest_reader_init, ingest_reader_start, then for each chunk
 * ingest_reader_next ... ingest_reader_release, until a chunk says eof (or
 * the caller stops early); then ingest_reader_finish and ingest_reader_free.
 * One consumer thread. */
#ifndef TRACK_INGEST_READER_H
#define TRACK_INGEST_READER_H

#include <pthread.h>
#include <stddef.h>

#include "ingest_archive.h"
#include "ingest_load.h"
#include "rec_parse.h"
#include "spool_err.h"

/* A file's outcome in a chunk. */
enum { INGEST_READ_OK = 0, INGEST_READ_BAD = 1, INGEST_READ_GONE = 2 };


/* Up to a batch of files, read and parsed. Owned by the reader; the
 * consumer reads it between ingest_reader_next and ingest_reader_release. */
struct ingest_chunk {
    size_t n;                       /* files in this chunk */
    struct ingest_file **files;
    struct rec *recs;               /* valid where status == INGEST_READ_OK */
    struct ingest_prep *preps;      /* with recs */
    int *status;
    char (*why)[SPOOL_ERR_MAX];     /* where status == INGEST_READ_BAD: one line */
    int eof;                        /* the last chunk */
    int fatal;                      /* the reader could not go on: msg */
    char msg[SPOOL_ERR_MAX];
};

struct ingest_reader {
    pthread_mutex_t mu;             /* all private */
    pthread_cond_t cv;
    pthread_t th;
    int started;
    struct ingest_chunk ch[2];
    int full[2];
    int next;                       /* the chunk the consumer takes next */
    int stop;
    struct ingest_file *files;
    size_t nfiles, batch;
    int archfd;
    size_t cap;
};

/* Prepares rd to read files[0..nfiles) (the listing; not copied, must
 * outlive rd) from the archive directory archfd in chunks of at most batch
 * files of at most cap bytes each. 0, or -1 when out of memory (rd is then
 * safe to ingest_reader_free). */
int ingest_reader_init(struct ingest_reader *rd, struct ingest_file *files, size_t nfiles,
                       size_t batch, int archfd, size_t cap);

/* Starts the thread. 0, or an errno value. */
int ingest_reader_start(struct ingest_reader *rd);

/* Waits for the next chunk and returns it. */
struct ingest_chunk *ingest_reader_next(struct ingest_reader *rd);

/* Frees the chunk's records and gives it back to the reader; stop asks the
 * reader to stop after the chunk it is filling. */
void ingest_reader_release(struct ingest_reader *rd, int stop);

/* Joins the thread (after the eof chunk, or after a release with stop) and
 * frees the records of a chunk it filled that nobody took. */
void ingest_reader_finish(struct ingest_reader *rd);

/* Frees rd's memory (after ingest_reader_finish when it was started). */
void ingest_reader_free(struct ingest_reader *rd);

#endif
