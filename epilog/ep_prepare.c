/* prepare: the Slurm Prolog (or boot). Makes the spool root (ours, 1777)
 * and the job user's directory (theirs, 0700) what libtrack expects, and
 * replaces whatever is wrong there. The root lives in a world-writable
 * directory (/dev/shm) and the user directories in a world-writable root,
 * so a user can plant a symlink or their own directory under either name
 * before we come: a symlink or special file is removed, a directory owned
 * by someone else is renamed aside (kept for the admin to look at: it may
 * hold evidence or records), a wrong mode is fixed. Each repair is logged. */
#include "ep.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "spool_dir.h"
#include "spool_err.h"
#include "spool_log.h"

/* Makes parentfd/name a directory owned by uid:gid (gid -1: leave) with
 * exactly `mode`. Returns its fd or -1 (logged). */
static int ensure(struct ep_ctx *ctx, int parentfd, const char *path, const char *name,
                  uid_t uid, gid_t gid, mode_t mode)
{
    struct stat st;
    char aside[128];
    int attempt, fd = -1;

    for (attempt = 0; attempt < 5; attempt++) {
        if (fstatat(parentfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
            if (errno != ENOENT) {
                spool_log_err("%s: %s", path, strerror(errno));
                return -1;
            }
            if (ctx->dry_run) {
                printf("create %s (mode %04o, uid %lu)\n", path, (unsigned)mode,
                       (unsigned long)uid);
                return -2;
            }
            /* Created 0700 and ours, and only then given away: until the
             * fchown nobody else can use or swap it (the parent is sticky). */
            if (mkdirat(parentfd, name, 0700) < 0) {
                if (errno == EEXIST)
                    continue;   /* someone was quicker: judge what is there */
                spool_log_err("%s: cannot create: %s", path, strerror(errno));
                return -1;
            }
            fd = openat(parentfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (fd < 0 || fstat(fd, &st) < 0 || st.st_uid != ctx->self_uid) {
                if (fd >= 0)
                    close(fd);
                fd = -1;
                continue;
            }
            if (fchown(fd, uid, gid) < 0 || fchmod(fd, mode) < 0) {
                spool_log_err("%s: cannot set owner %lu and mode %04o: %s", path,
                              (unsigned long)uid, (unsigned)mode, strerror(errno));
                close(fd);
                return -1;
            }
            spool_log_info("%s: created (uid %lu, mode %04o)", path, (unsigned long)uid,
                           (unsigned)mode);
            return fd;
        }
        if (!S_ISDIR(st.st_mode)) {
            spool_log_warn("%s: a %s where a directory belongs; removing it", path,
                           S_ISLNK(st.st_mode) ? "symbolic link" : "non-directory");
            if (ctx->dry_run)
                return -2;
            if (unlinkat(parentfd, name, 0) < 0 && errno != ENOENT) {
                spool_log_err("%s: cannot remove: %s", path, strerror(errno));
                return -1;
            }
            continue;
        }
        if (st.st_uid != uid) {
            snprintf(aside, sizeof aside, ".%s.bad.%lld.%ld", name, (long long)ctx->now,
                     (long)getpid());
            spool_log_warn("%s: owned by uid %lu, not %lu; moving it aside to %s", path,
                           (unsigned long)st.st_uid, (unsigned long)uid, aside);
            if (ctx->dry_run)
                return -2;
            if (renameat(parentfd, name, parentfd, aside) < 0 && errno != ENOENT) {
                spool_log_err("%s: cannot move aside: %s", path, strerror(errno));
                return -1;
            }
            continue;
        }
        fd = openat(parentfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 || fstat(fd, &st) < 0) {
            if (fd >= 0)
                close(fd);
            fd = -1;
            continue;   /* changed under us: judge again */
        }
        if (!S_ISDIR(st.st_mode) || st.st_uid != uid) {
            close(fd);
            fd = -1;
            continue;
        }
        if ((st.st_mode & 07777) != mode) {
            spool_log_warn("%s: mode was %04o, setting %04o", path,
                           (unsigned)(st.st_mode & 07777), (unsigned)mode);
            if (!ctx->dry_run && fchmod(fd, mode) < 0) {
                spool_log_err("%s: cannot set mode %04o: %s", path, (unsigned)mode,
                              strerror(errno));
                close(fd);
                return -1;
            }
        }
        return fd;
    }
    spool_log_err("%s: keeps changing under us; giving up", path);
    return -1;
}

/* The Prolog's note of the job for the Epilog (ep_stamp.c), in a directory
 * only root can use. 0, or -1 (logged). */
static int stamp(struct ep_ctx *ctx, int rootfd, const char *path, const struct ep_job *j,
                 uid_t uid)
{
    char dpath[SPOOL_CONF_PATH_MAX + 32];
    int fd, rc;

    snprintf(dpath, sizeof dpath, "%s/%s", path, EP_STAMP_DIR);
    fd = ensure(ctx, rootfd, dpath, EP_STAMP_DIR, ctx->self_uid, ctx->self_uid ? (gid_t)-1 : 0,
                0700);
    if (fd == -2)
        return ep_stamp_write(ctx, -1, dpath, j, uid);   /* dry run */
    if (fd < 0)
        return -1;
    rc = ep_stamp_write(ctx, fd, dpath, j, uid);
    close(fd);
    return rc;
}

int ep_prepare(struct ep_ctx *ctx, const char *job, struct ep_job *given, const char *uidstr,
               const char *gidstr)
{
    char parent[SPOOL_CONF_PATH_MAX], base[SPOOL_CONF_PATH_MAX], err[SPOOL_ERR_MAX];
    char uidpath[SPOOL_CONF_PATH_MAX + 16], uidname[16];
    const char *path = ctx->cfg.spool_dir;
    uid_t uid = 0;
    gid_t gid = (gid_t)-1;
    int parentfd = -1, rootfd = -1, uidfd = -1, rc = EP_EXIT_SETUP;

    if (uidstr && ep_parse_uid(uidstr, &uid) < 0) {
        spool_log_err("prepare: uid '%s' is not a uid (SLURM_JOB_UID or --uid)", uidstr);
        goto out;
    }
    if (gidstr && ep_parse_uid(gidstr, &gid) < 0) {
        spool_log_err("prepare: gid '%s' is not a gid (SLURM_JOB_GID or --gid)", gidstr);
        goto out;
    }
    if (path[0] != '/' || strlen(path) < 2) {
        spool_log_err("config %s: spool_dir = '%s' is not an absolute path", ctx->conf_path,
                      path);
        goto out;
    }
    snprintf(parent, sizeof parent, "%s", path);
    snprintf(base, sizeof base, "%s", basename(parent));
    snprintf(parent, sizeof parent, "%s", path);
    dirname(parent);
    if (spool_path_is_secure(parent, ctx->self_uid, err, sizeof err) < 0) {
        spool_log_err("spool_dir %s: parent is not secure: %s", path, err);
        goto out;
    }
    parentfd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (parentfd < 0) {
        spool_log_err("spool_dir %s: parent %s: %s", path, parent, strerror(errno));
        goto out;
    }
    rootfd = ensure(ctx, parentfd, path, base, ctx->self_uid, ctx->self_uid ? (gid_t)-1 : 0,
                    01777);
    if (rootfd == -1)
        goto out;
    if (uidstr && rootfd >= 0) {
        snprintf(uidname, sizeof uidname, "%lu", (unsigned long)uid);
        snprintf(uidpath, sizeof uidpath, "%s/%s", path, uidname);
        uidfd = ensure(ctx, rootfd, uidpath, uidname, uid, gid, 0700);
        if (uidfd == -1)
            goto out;
        if (job && given->id[0] && stamp(ctx, rootfd, path, given, uid) < 0)
            goto out;
    }
    rc = EP_EXIT_OK;
out:
    if (uidfd >= 0)
        close(uidfd);
    if (rootfd >= 0)
        close(rootfd);
    if (parentfd >= 0)
        close(parentfd);
    return rc;
}
