/* ingest_archive: the archive side of track-ingest: the one-ingester lock,
 * listing month directories and record files, moving files to done/ or
 * quarantine/ (with a .reason file). Layout in docs/spec.md "4. The archive". */
#ifndef TRACK_INGEST_ARCHIVE_H
#define TRACK_INGEST_ARCHIVE_H

#include <stddef.h>
#include <sys/types.h>

#include "spool_name.h"

/* One listed file. Small on purpose: an archive month can hold millions of
 * files and the whole listing stays in memory for the run (the name is
 * parsed where the file is read, not here). */
struct ingest_file {
    const char *name;     /* NUL-terminated, in the listing's name pool */
    ino_t ino;            /* readdir's d_ino */
    dev_t dev;            /* the month directory's device */
    char month[7];
    unsigned char dtype;  /* readdir's d_type (DT_UNKNOWN on some file systems) */
};

/* What ingest_archive_list returns: files[] and the pool their names point
 * into, one allocation each. Free with ingest_archive_list_free. */
struct ingest_listing {
    struct ingest_file *files;
    size_t n;
    char *pool_;          /* private */
};

struct ingest_archive {
    int fd;               /* the archive directory */
    int lockfd;
    char path[1024];
    int donefd, quarfd;   /* <archive>/done, <archive>/quarantine, lazily */
    char mcur[7];         /* month of the cached month fds below */
    int mfd, mdonefd, mquarfd;
};

/* An empty handle: no fd open; ingest_archive_close on it does nothing.
 * open and clone start with it. */
void ingest_archive_init(struct ingest_archive *a);

/* Opens the archive directory (refusing a world-writable one). 0 or -1 with
 * err (a is then empty, safe to close). */
int ingest_archive_open(struct ingest_archive *a, const char *path, char *err, size_t errlen);
void ingest_archive_close(struct ingest_archive *a);

/* A second handle on the same archive directory (a dup of a's fd; no lock of
 * its own: the process already holds it), for a thread that moves files
 * while the first handle quarantines: the month fds a handle caches are not
 * shared. 0 or -1 with err; close it with ingest_archive_close. */
int ingest_archive_clone(const struct ingest_archive *a, struct ingest_archive *out, char *err,
                         size_t errlen);

/* Takes <archive>/.track-ingest.lock (flock, non-blocking) and writes
 * "pid@host" into it. Returns 0; 1 if another process holds it (holder's
 * text in holder); -1 with err on failure. */
int ingest_archive_lock(struct ingest_archive *a, char *holder, size_t holderlen, char *err,
                        size_t errlen);

/* Lists record candidates of every YYYYMM month directory (only `month` if
 * non-NULL), sorted by month then name, with what readdir said of each
 * (type, inode: spool_open_regular_known then needs no lstat). Dot-files
 * (writers' temp files, the lock) and names too long for a record (a
 * warning) are skipped. 0, or -1 with err (out is then empty and needs no
 * free). */
int ingest_archive_list(struct ingest_archive *a, const char *month, struct ingest_listing *out,
                        char *err, size_t errlen);
void ingest_archive_list_free(struct ingest_listing *l);

/* The fd of <archive>/<month> (cached). -1 with err. */
int ingest_archive_month_fd(struct ingest_archive *a, const char *month, char *err, size_t errlen);

/* After its rows are committed: moves the file to done/<month>/ or deletes
 * it. 0 or -1 with err. */
int ingest_archive_done(struct ingest_archive *a, const struct ingest_file *f, int delete_it,
                        char *err, size_t errlen);

/* Writes quarantine/<month>/<name>.reason, then moves the file there.
 * 0 or -1 with err. */
int ingest_archive_quarantine(struct ingest_archive *a, const struct ingest_file *f,
                              const char *reason, char *err, size_t errlen);

#endif
