/* Atomic writes and safe reads. spool_write_atomic runs in libtrack's
 * fatal-signal handler: only async-signal-safe calls here. */
#include "spool_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "spool_err.h"

#define SPOOL_PATH_BUF 1400   /* a spool_dir path + a record name */

int spool_tmpname(char *out, size_t outlen, const char *name)
{
    size_t n = strlen(name);
    if (n + 6 > outlen) {
        errno = ENAMETOOLONG;
        return -1;
    }
    out[0] = '.';
    memcpy(out + 1, name, n);
    memcpy(out + 1 + n, ".tmp", 5);
    return 0;
}

int spool_file_create(int dirfd, const char *tmpname, mode_t mode)
{
    int fd = openat(dirfd, tmpname, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                    mode & 0600);
    if (fd < 0)
        return -1;
    /* Exact mode whatever the umask; opened 0600 at most so no other user
     * could open it in between. */
    if (fchmod(fd, mode) < 0) {
        int e = errno;
        close(fd);
        unlinkat(dirfd, tmpname, 0);
        errno = e;
        return -1;
    }
    return fd;
}

int spool_write_full(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (n == 0) {
            errno = EIO;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* The write protocol, for a directory given as an fd (dir == NULL) or as a
 * path (dirfd == AT_FDCWD): ".<name>.tmp", written whole, renamed. */
static int write_atomic(int dirfd, const char *dir, const char *name, const void *buf,
                        size_t len, mode_t mode, int flags)
{
    char tmp[SPOOL_PATH_BUF], final[SPOOL_PATH_BUF];
    const char *tmpname = tmp, *finalname = name;
    int fd = -1, e = 0;

    if (dir) {
        size_t dl = strlen(dir), nl = strlen(name);
        if (dl + nl + 7 > sizeof tmp) {
            errno = ENAMETOOLONG;
            return -1;
        }
        memcpy(final, dir, dl);
        final[dl] = '/';
        memcpy(final + dl + 1, name, nl + 1);
        memcpy(tmp, final, dl + 1);
        if (spool_tmpname(tmp + dl + 1, sizeof tmp - dl - 1, name) < 0)
            return -1;
        finalname = final;
    } else if (spool_tmpname(tmp, sizeof tmp, name) < 0) {
        return -1;
    }
    if (flags & SPOOL_WRITE_UMASK)
        fd = openat(dirfd, tmpname, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    else
        fd = spool_file_create(dirfd, tmpname, mode);
    if (fd < 0)
        return -1;
    if (spool_write_full(fd, buf, len) < 0)
        goto fail;
    if ((flags & SPOOL_WRITE_SYNC) && fsync(fd) < 0)
        goto fail;
    if (close(fd) < 0) {
        fd = -1;
        goto fail;
    }
    fd = -1;
    if (renameat(dirfd, tmpname, dirfd, finalname) < 0)
        goto fail;
    return 0;
fail:
    e = errno;
    if (fd >= 0)
        close(fd);
    unlinkat(dirfd, tmpname, 0);
    errno = e;
    return -1;
}

int spool_write_atomic(int dirfd, const char *name, const void *buf, size_t len,
                       mode_t mode, int flags)
{
    return write_atomic(dirfd, NULL, name, buf, len, mode, flags);
}

int spool_write_atomic_path(const char *dir, const char *name, const void *buf, size_t len,
                            mode_t mode, int flags)
{
    return write_atomic(AT_FDCWD, dir, name, buf, len, mode, flags);
}

int spool_open_regular(int dirfd, const char *name, struct stat *st)
{
    struct stat before;

    if (fstatat(dirfd, name, &before, AT_SYMLINK_NOFOLLOW) < 0)
        return -1;
    if (S_ISLNK(before.st_mode)) {
        errno = ELOOP;
        return -1;
    }
    if (!S_ISREG(before.st_mode)) {
        errno = EINVAL;
        return -1;
    }
    return spool_open_regular_known(dirfd, name, before.st_dev, before.st_ino, st);
}

/* O_NOATIME: the first read of a freshly written file writes its atime
 * (relatime), an inode update and a journal entry per record: a large share
 * of the ingester's open-and-read cost on ext4, for an atime nobody reads
 * (the file is moved to done/ next). Only the file's owner or a privileged
 * process may ask; anyone else gets EPERM, and after the first EPERM this
 * process stops asking. A lock-free int: safe in a signal handler. */
static atomic_int noatime_refused;

int spool_open_regular_known(int dirfd, const char *name, dev_t dev, ino_t ino,
                             struct stat *st)
{
    /* O_NONBLOCK: should the file have been swapped for a FIFO after it was
     * seen, the open still returns at once and the fstat below rejects it. */
    const int flags = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
    int fd = -1, first_errno = EPERM;
    if (!atomic_load_explicit(&noatime_refused, memory_order_relaxed)) {
        fd = openat(dirfd, name, flags | O_NOATIME);
        first_errno = errno;
    }
    if (fd < 0 && first_errno == EPERM) {
        atomic_store_explicit(&noatime_refused, 1, memory_order_relaxed);
        fd = openat(dirfd, name, flags);
    }
    if (fd < 0)
        return -1;
    if (fstat(fd, st) < 0)
        return spool_fail_close(fd);
    if (!S_ISREG(st->st_mode) || st->st_dev != dev || st->st_ino != ino) {
        close(fd);
        errno = ESTALE;
        return -1;
    }
    return fd;
}

int spool_read_record(int fd, char *buf, size_t cap, size_t *len)
{
    size_t got = 0;
    for (;;) {
        size_t want = cap + 1 - got;
        ssize_t n = read(fd, buf + got, want);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        got += (size_t)n;
        if (got > cap) {
            errno = EFBIG;
            return -1;
        }
        if (n == 0 || (size_t)n < want)
            break;
    }
    *len = got;
    return 0;
}
