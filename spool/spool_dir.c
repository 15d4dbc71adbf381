/* Verified directories: open without following the last component, then
 * judge the open fd, never the path. */
#include "spool_err.h"
#include "spool_dir.h"
#include "spool_config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* strerror is not async-signal-safe: libtrack's signal handler passes no
 * message buffer, and then no message is made at all. */
#define ERRSTR(err, e) ((err) ? strerror(e) : "")

int spool_dir_check(int fd, const char *what, const struct spool_dir_want *w,
                    char *err, size_t errlen)
{
    struct stat st;
    mode_t perm;

    if (fstat(fd, &st) < 0)
        return spool_seterr(err, errlen, "%s: fstat: %s", what, ERRSTR(err, errno));
    if (!S_ISDIR(st.st_mode)) {
        spool_seterr(err, errlen, "%s: not a directory", what);
        errno = ENOTDIR;
        return -1;
    }
    perm = st.st_mode & 07777;
    if (w->check_uid && st.st_uid != w->uid) {
        spool_seterr(err, errlen, "%s: owned by uid %lu, expected %lu", what,
               (unsigned long)st.st_uid, (unsigned long)w->uid);
        errno = EPERM;
        return -1;
    }
    if (w->check_gid && st.st_gid != w->gid) {
        spool_seterr(err, errlen, "%s: group %lu, expected %lu", what, (unsigned long)st.st_gid,
               (unsigned long)w->gid);
        errno = EPERM;
        return -1;
    }
    if ((perm & w->must) != w->must || (perm & w->forbid) != 0) {
        spool_seterr(err, errlen, "%s: mode %04o not acceptable (needs %04o set, %04o clear)", what,
               (unsigned)perm, (unsigned)w->must, (unsigned)w->forbid);
        errno = EPERM;
        return -1;
    }
    return 0;
}

int spool_dir_openat(int dirfd, const char *name, const struct spool_dir_want *w,
                     char *err, size_t errlen)
{
    int fd;

    fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ELOOP || errno == ENOTDIR)
            return spool_seterr(err, errlen, "%s: not a directory or a symbolic link", name);
        return spool_seterr(err, errlen, "%s: %s", name, ERRSTR(err, errno));
    }
    if (spool_dir_check(fd, name, w, err, errlen) < 0)
        return spool_fail_close(fd);
    return fd;
}

int spool_dir_mkopenat(int dirfd, const char *name, mode_t create_mode,
                       const struct spool_dir_want *w, char *err, size_t errlen)
{
    int fd;

    /* Open first: on every run but the first the directory exists, and
     * this is the start-up path of every tracked process. No message for
     * a missing directory, the first run's case: formatting it pulled
     * libc's strerror and vfprintf into the first tracked process of each
     * job (five page faults). Another failure is opened again for its
     * message. */
    fd = spool_dir_openat(dirfd, name, w, NULL, 0);
    if (fd >= 0)
        return fd;
    if (errno != ENOENT)
        return spool_dir_openat(dirfd, name, w, err, errlen);
    if (mkdirat(dirfd, name, create_mode) < 0) {
        if (errno == EEXIST)    /* created by a racing writer: judge theirs */
            return spool_dir_openat(dirfd, name, w, err, errlen);
        return spool_seterr(err, errlen, "%s: cannot create: %s", name, ERRSTR(err, errno));
    }
    fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return spool_seterr(err, errlen, "%s: %s", name, ERRSTR(err, errno));
    /* The umask may have narrowed the mode; set it exactly, on the fd we
     * hold, so a swap after mkdirat cannot redirect it; the check below
     * still judges what we hold. */
    if (fchmod(fd, create_mode) < 0) {
        spool_seterr(err, errlen, "%s: fchmod: %s", name, ERRSTR(err, errno));
        return spool_fail_close(fd);
    }
    if (spool_dir_check(fd, name, w, err, errlen) < 0)
        return spool_fail_close(fd);
    return fd;
}

int spool_job_name_ok(const char *job)
{
    size_t i;
    if (strcmp(job, "nojob") == 0)
        return 1;
    for (i = 0; job[i]; i++)
        if (job[i] < '0' || job[i] > '9' || i >= 20)
            return 0;
    return i > 0;
}

/* fstatat-checks path (no symlink) against w, creating it (mode 0700,
 * fixed with fchmod) when missing and create is set. 0 or -1/errno. */
static int check_or_make(const char *path, const char *what, int create,
                         const struct spool_dir_want *w, char *err, size_t errlen)
{
    struct stat st;
    int fd;

    if (fstatat(AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW) == 0) {
        if (S_ISLNK(st.st_mode)) {
            spool_seterr(err, errlen, "%s: a symbolic link", path);
            errno = ELOOP;
            return -1;
        }
        if (!S_ISDIR(st.st_mode)) {
            spool_seterr(err, errlen, "%s: not a directory", path);
            errno = ENOTDIR;
            return -1;
        }
        if ((w->check_uid && st.st_uid != w->uid) ||
            (st.st_mode & w->must) != w->must || (st.st_mode & w->forbid) != 0) {
            spool_seterr(err, errlen, "%s: owner %lu mode %04o not acceptable for %s", path,
                   (unsigned long)st.st_uid, (unsigned)(st.st_mode & 07777), what);
            errno = EPERM;
            return -1;
        }
        return 0;
    }
    if (errno != ENOENT || !create)
        return spool_seterr(err, errlen, "%s: %s", path, ERRSTR(err, errno));
    fd = spool_dir_mkopenat(AT_FDCWD, path, 0700, w, err, errlen);
    if (fd < 0)
        return -1;
    close(fd);
    return 0;
}

int spool_job_path(const char *root, uid_t uid, const char *job, int create, char *out,
                   size_t outlen, char *err, size_t errlen)
{
    struct spool_dir_want root_w = { 1, 0, 0, 0, S_ISVTX, 0 };
    struct spool_dir_want user_w = { 1, uid, 0, 0, 0, 077 };
    char num[24];
    size_t rl = strlen(root), i = sizeof num - 1, ul, jl = strlen(job);
    unsigned long v = (unsigned long)uid;

    if (!spool_job_name_ok(job)) {
        spool_seterr(err, errlen, "job name '%s' is not 'nojob' or a number", job);
        errno = EINVAL;
        return -1;
    }
    num[i] = '\0';
    do {
        num[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    ul = sizeof num - 1 - i;
    if (rl == 0 || rl + 1 + ul + 1 + jl + 1 > outlen) {
        spool_seterr(err, errlen, "spool root '%s' is not a usable path", root);
        errno = ENAMETOOLONG;
        return -1;
    }
    /* This runs in every tracked process, so it judges paths with fstatat
     * instead of opening each level. That is as safe as walking fds: the
     * root is root-owned and sticky, so once <root>/<uid> is seen to be a
     * real directory owned by uid, nobody but uid or root can rename or
     * replace it or anything below it; a writer fooling itself gains
     * nothing. */
    if (check_or_make(root, "the spool root (root-owned, sticky)", 0, &root_w, err, errlen) < 0)
        return -1;
    memcpy(out, root, rl);
    out[rl] = '/';
    memcpy(out + rl + 1, num + i, ul + 1);
    if (check_or_make(out, "a user directory (owned by the user, 0700)", create, &user_w, err,
                      errlen) < 0)
        return -1;
    out[rl + 1 + ul] = '/';
    memcpy(out + rl + 2 + ul, job, jl + 1);
    return check_or_make(out, "a job directory (owned by the user, 0700)", create, &user_w, err,
                         errlen);
}

int spool_open_job_dir(const char *root, uid_t uid, const char *job, int create,
                       char *err, size_t errlen)
{
    struct spool_dir_want user_w = { 1, uid, 0, 0, 0, 077 };
    char path[SPOOL_CONF_PATH_MAX + 48];

    if (spool_job_path(root, uid, job, create, path, sizeof path, err, errlen) < 0)
        return -1;
    return spool_dir_openat(AT_FDCWD, path, &user_w, err, errlen);
}

int spool_path_is_secure(const char *path, uid_t trusted_uid, char *err, size_t errlen)
{
    char real[PATH_MAX], *slash;
    struct stat st;

    if (!realpath(path, real))
        return spool_seterr(err, errlen, "%s: %s", path, ERRSTR(err, errno));
    /* Walk from the full path up to "/", judging each directory. The path
     * itself may be group-writable: the archive is shared with the
     * ingester's group by design (mode 2770); its ancestors may not. */
    for (int self = 1;; self = 0) {
        if (lstat(real[0] ? real : "/", &st) < 0)
            return spool_seterr(err, errlen, "%s: %s", real[0] ? real : "/", ERRSTR(err, errno));
        if (!S_ISDIR(st.st_mode)) {
            spool_seterr(err, errlen, "%s: not a directory", real[0] ? real : "/");
            errno = ENOTDIR;
            return -1;
        }
        if (st.st_uid != 0 && st.st_uid != trusted_uid) {
            spool_seterr(err, errlen, "%s: owned by uid %lu, which is not trusted",
                   real[0] ? real : "/", (unsigned long)st.st_uid);
            errno = EPERM;
            return -1;
        }
        if ((st.st_mode & (self ? S_IWOTH : (S_IWGRP | S_IWOTH))) && !(st.st_mode & S_ISVTX)) {
            spool_seterr(err, errlen, "%s: writable by group or others (mode %04o) and not sticky",
                   real[0] ? real : "/", (unsigned)(st.st_mode & 07777));
            errno = EPERM;
            return -1;
        }
        if (!real[0])
            break;
        slash = strrchr(real, '/');
        if (!slash)
            break;
        *slash = '\0';
    }
    return 0;
}
