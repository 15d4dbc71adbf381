/* One collect or sweep at a time per node: a sweep and the Epilog of the
 * same job must not copy the same files at once (they would share temp
 * names in the archive). The lock file lives in the spool root, which is
 * world-writable (sticky): a user may plant something under its name, so
 * what we open is judged by fstat and replaced unless it is our own plain
 * file, and we wait with a deadline rather than forever (a lock a user
 * could hold would otherwise hang the Epilog). */
#include "ep.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "spool_log.h"

#define EP_LOCK_NAME ".track-epilog.lock"

static int open_lock(int rootfd, const char *rootpath)
{
    struct stat st;
    int fd, attempt;

    for (attempt = 0; attempt < 3; attempt++) {
        fd = openat(rootfd, EP_LOCK_NAME,
                    O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0600);
        if (fd >= 0) {
            if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() &&
                st.st_nlink == 1 && (st.st_mode & 07777) == 0600)
                return fd;
            close(fd);
        } else if (errno == EISDIR) {
            spool_log_err("%s/%s: a directory is in the way of the lock file", rootpath,
                          EP_LOCK_NAME);
            return -1;
        }
        /* A symlink (ELOOP), someone else's file (EACCES under
         * protected_regular), a FIFO or a wrong mode: not ours. */
        spool_log_warn("%s/%s: not our lock file; replacing it", rootpath, EP_LOCK_NAME);
        if (unlinkat(rootfd, EP_LOCK_NAME, 0) < 0 && errno != ENOENT) {
            spool_log_err("%s/%s: cannot remove: %s", rootpath, EP_LOCK_NAME, strerror(errno));
            return -1;
        }
    }
    spool_log_err("%s/%s: cannot create the lock file", rootpath, EP_LOCK_NAME);
    return -1;
}

int ep_lock_take(int rootfd, const char *rootpath, unsigned wait_s)
{
    struct timespec pause = { 0, 50 * 1000 * 1000 };
    unsigned long tries = 0, max_tries = (unsigned long)wait_s * 20;
    int fd = open_lock(rootfd, rootpath);

    if (fd < 0)
        return -1;
    while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
        if (errno != EWOULDBLOCK && errno != EINTR) {
            spool_log_err("%s/%s: flock: %s", rootpath, EP_LOCK_NAME, strerror(errno));
            close(fd);
            return -1;
        }
        if (tries++ >= max_tries) {
            spool_log_err("%s/%s: another track-epilog held the lock for %u s; giving up "
                          "(files stay in the spool)", rootpath, EP_LOCK_NAME, wait_s);
            close(fd);
            return -1;
        }
        nanosleep(&pause, NULL);
    }
    return fd;
}
