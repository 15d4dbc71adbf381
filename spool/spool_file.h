/* spool_file: the temp-file-then-rename write every writer uses, and the
 * bounded, symlink-proof read every reader uses. */
#ifndef TRACK_SPOOL_FILE_H
#define TRACK_SPOOL_FILE_H

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

enum {
    SPOOL_WRITE_SYNC  = 1 << 0, /* fsync the file before the rename */
    /* Keep the creation mode as the umask narrowed it (no fchmod): for
     * writers whose files only root reads (libtrack's spool), where a
     * narrower mode is harmless and a syscall per record is not. */
    SPOOL_WRITE_UMASK = 1 << 1,
};

/* ".<name>.tmp" into out. Returns 0, -1 (ENAMETOOLONG) if it does not fit. */
int spool_tmpname(char *out, size_t outlen, const char *name);

/* Creates dirfd/tmpname for writing with O_CREAT|O_EXCL|O_NOFOLLOW|O_CLOEXEC
 * and mode exactly (fchmod after open, so the umask cannot widen or narrow
 * it). Returns the fd or -1 with errno. */
int spool_file_create(int dirfd, const char *tmpname, mode_t mode);

/* Writes all len bytes, retrying on EINTR and short writes. 0 or -1/errno. */
int spool_write_full(int fd, const void *buf, size_t len);

/* Writes buf as dirfd/name: creates ".<name>.tmp", writes it whole, (with
 * SPOOL_WRITE_SYNC) fsyncs it, closes it and renames it over name. A reader
 * only ever sees the complete file. On failure the temp file is removed and
 * -1 is returned with the errno of the step that failed. No allocation;
 * async-signal-safe. */
int spool_write_atomic(int dirfd, const char *name, const void *buf, size_t len,
                       mode_t mode, int flags);

/* spool_write_atomic for a directory given by path (from spool_job_path):
 * the same protocol, on "<dir>/.<name>.tmp" and "<dir>/<name>". The last
 * component is never followed (O_NOFOLLOW); the directory itself must have
 * been judged by the caller. Fails with ENOENT when the directory is gone.
 * No allocation; async-signal-safe. */
int spool_write_atomic_path(const char *dir, const char *name, const void *buf, size_t len,
                            mode_t mode, int flags);

/* Opens dirfd/name for reading only if it is a regular file: lstat-style
 * check first (a FIFO or device is never opened), then open with
 * O_NOFOLLOW|O_NONBLOCK|O_NOCTTY|O_CLOEXEC, then fstat and compare device and
 * inode with the first check (no swap in between). O_NOATIME too, where
 * the caller may (owner or privileged; else it is dropped): reading does
 * not write the file's atime. The final fstat goes to *st. Returns the fd
 * or -1 with errno (ELOOP symlink, EINVAL not regular, ESTALE swapped). */
int spool_open_regular(int dirfd, const char *name, struct stat *st);

/* spool_open_regular for a caller that has just listed dirfd (readdir said
 * name is a regular file, d_type DT_REG, with inode ino on device dev, the
 * directory's): the listing stands in for the lstat-style check, which
 * saves a syscall per file of a large directory. The open is the same
 * (O_NOFOLLOW|O_NONBLOCK|O_NOCTTY|O_CLOEXEC, so a FIFO swapped in meanwhile
 * does not block), and the fstat of what was opened must show a regular
 * file with that dev/ino. Returns the fd or -1 with errno (ELOOP symlink,
 * ESTALE not that inode or not regular: call spool_open_regular then). */
int spool_open_regular_known(int dirfd, const char *name, dev_t dev, ino_t ino,
                             struct stat *st);

/* Reads a whole regular file into buf, which has room for cap + 1 bytes
 * (so the caller can add a NUL). Returns 0 and sets *len; -1 with EFBIG if
 * the file holds more than cap bytes (nothing is trusted from st_size), or
 * with the read's errno. It asks for cap + 1 bytes at once: a regular file's
 * read returns less than asked only at its end, so a short read is the end
 * and a record takes one read, not a second one to see 0. A file that grows
 * meanwhile is no more caught by an extra read than by this. */
int spool_read_record(int fd, char *buf, size_t cap, size_t *len);

#endif
