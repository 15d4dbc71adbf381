/* What every module of the epilog shares about the spool: the spool root
 * as the collect and sweep subcommands find it (its ancestors must be
 * secure, MUNGE's walk; the root itself ours and sticky; they never repair
 * it, `track-epilog prepare` does), its directories, and the two helpers
 * ep_scan and ep_batch both use for spool entries (printable names, removal
 * of the very inode that was judged). It calls no other epilog module. */
#include "ep.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spool_dir.h"
#include "spool_err.h"
#include "spool_log.h"

int ep_parse_uid(const char *s, uid_t *out)
{
    unsigned long long v = 0;
    size_t i;

    if (!s || !s[0] || strlen(s) > 10)
        return -1;
    for (i = 0; s[i]; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    if (v >= 0xffffffffULL)
        return -1;
    *out = (uid_t)v;
    return 0;
}

int ep_spool_root_open(struct ep_ctx *ctx)
{
    struct spool_dir_want want = { 1, ctx->self_uid, 0, 0, S_ISVTX, 0 };
    char parent[SPOOL_CONF_PATH_MAX], err[SPOOL_ERR_MAX];
    const char *path = ctx->cfg.spool_dir;
    int fd;

    if (path[0] != '/') {
        spool_log_err("config %s: spool_dir = '%s' is not an absolute path", ctx->conf_path,
                      path);
        errno = EINVAL;
        return -1;
    }
    snprintf(parent, sizeof parent, "%s", path);
    if (spool_path_is_secure(dirname(parent), ctx->self_uid, err, sizeof err) < 0) {
        int e = errno;
        spool_log_err("spool_dir %s: parent is not secure: %s", path, err);
        errno = e == ENOENT ? EINVAL : e;
        return -1;
    }
    fd = spool_dir_openat(AT_FDCWD, path, &want, err, sizeof err);
    if (fd < 0) {
        if (errno != ENOENT)   /* spool_log keeps errno for the caller */
            spool_log_err("spool_dir %s: refused: %s (track-epilog prepare repairs it)", path,
                          err);
        return -1;
    }
    return fd;
}

int ep_spool_open_child(struct ep_ctx *ctx, int parentfd, const char *parentpath,
                        const char *name, struct stat *st)
{
    int fd, e;

    fd = openat(parentfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd >= 0) {
        if (fstat(fd, st) == 0)
            return fd;
        spool_log_err("%s/%s: fstat: %s", parentpath, name, strerror(errno));
        return spool_fail_close(fd);
    }
    e = errno;
    if (e == ENOENT)
        return -1;
    if ((e == ELOOP || e == ENOTDIR) && fstatat(parentfd, name, st, AT_SYMLINK_NOFOLLOW) == 0 &&
        !S_ISREG(st->st_mode) && !S_ISDIR(st->st_mode)) {
        /* A symlink (or FIFO, socket, device) where a directory belongs:
         * never followed; removing it loses nothing. */
        if (ctx->dry_run) {
            printf("remove %s/%s (not a directory)\n", parentpath, name);
        } else if (unlinkat(parentfd, name, 0) == 0) {
            spool_log_warn("%s/%s: removed: a symbolic link or special file where a directory "
                           "belongs (never followed)", parentpath, name);
            ctx->removed++;
        } else {
            spool_log_err("%s/%s: cannot remove: %s", parentpath, name, strerror(errno));
            ctx->failed++;
        }
        errno = ELOOP;
        return -1;
    }
    spool_log_err("%s/%s: cannot open as a directory: %s; left in place", parentpath, name,
                  strerror(e));
    ctx->failed++;
    errno = e;
    return -1;
}

void ep_spool_safe_name(char *out, size_t outlen, const char *name)
{
    size_t i, n = 0;
    for (i = 0; name[i] && n + 1 < outlen && n < 200; i++) {
        unsigned char c = (unsigned char)name[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '.' || c == '_' || c == '+' || c == '@' || c == '-';
        out[n++] = ok ? (char)c : '_';
    }
    if (n == 0 && outlen > 1)
        out[n++] = '_';
    out[n] = '\0';
    if (out[0] == '.')
        out[0] = '_';
}

int ep_spool_unlink_same(int dirfd, const char *name, dev_t dev, ino_t ino)
{
    struct stat st;
    if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return -1;
    if (st.st_dev != dev || st.st_ino != ino) {
        errno = ESTALE;
        return -1;
    }
    return unlinkat(dirfd, name, 0);
}
