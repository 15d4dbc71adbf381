/* The archive tree (docs/spec.md "4. The archive"): <archive>/<YYYYMM>/, done/,
 * quarantine/<YYYYMM>/. Every directory is root:<archive_group>, mode 2770:
 * setgid so files inherit the group, group rwx so the unprivileged ingester
 * can move files out, nothing for others. The archive is group-writable, so
 * each subdirectory is opened O_NOFOLLOW relative to the verified root and
 * judged by fstat: a symlink or a directory the group swapped in is refused. */
#include "ep.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spool_dir.h"
#include "spool_err.h"
#include "spool_log.h"

#define EP_DIR_MODE 02770

int ep_archive_group(struct ep_ctx *ctx)
{
    struct group gr, *res = NULL;
    char buf[16384];
    int rc;

    rc = getgrnam_r(ctx->cfg.archive_group, &gr, buf, sizeof buf, &res);
    if (rc != 0 || !res) {
        spool_log_err("config %s: archive_group = %s: %s (create the group or set "
                      "archive_group)", ctx->conf_path, ctx->cfg.archive_group,
                      rc ? strerror(rc) : "no such group");
        return -1;
    }
    ctx->archive_gid = gr.gr_gid;
    return 0;
}

/* Brings an open directory we own to group gid, mode 2770. `created` says
 * whether we made it just now (then a difference is expected, not news). */
static int fix_dir(int fd, const char *path, gid_t gid, int created)
{
    struct stat st;

    if (fstat(fd, &st) < 0) {
        spool_log_err("%s: fstat: %s", path, strerror(errno));
        return -1;
    }
    if (st.st_gid != gid) {
        if (!created)
            spool_log_warn("%s: group was %lu, setting %lu", path, (unsigned long)st.st_gid,
                           (unsigned long)gid);
        if (fchown(fd, (uid_t)-1, gid) < 0) {
            spool_log_err("%s: cannot set group %lu: %s", path, (unsigned long)gid,
                          strerror(errno));
            return -1;
        }
    }
    /* fchown may clear setgid; set the mode after it. */
    if ((st.st_mode & 07777) != EP_DIR_MODE || st.st_gid != gid) {
        if (!created && (st.st_mode & 07777) != EP_DIR_MODE)
            spool_log_warn("%s: mode was %04o, setting %04o", path,
                           (unsigned)(st.st_mode & 07777), EP_DIR_MODE);
        if (fchmod(fd, EP_DIR_MODE) < 0) {
            spool_log_err("%s: cannot set mode %04o: %s", path, EP_DIR_MODE, strerror(errno));
            return -1;
        }
    }
    return 0;
}

/* Opens (creating if missing) parentfd/name as one of our archive
 * directories. *created is set when it was made here. fd or -1 (logged). */
static int ensure_dir(struct ep_archive *a, int parentfd, const char *name, const char *path,
                      int *created)
{
    struct spool_dir_want want = { 1, a->uid, 0, 0, 0, 0 };
    char err[SPOOL_ERR_MAX];
    int fd;

    *created = mkdirat(parentfd, name, 0700) == 0;
    if (!*created && errno != EEXIST) {
        spool_log_err("%s: cannot create: %s", path, strerror(errno));
        return -1;
    }
    fd = spool_dir_openat(parentfd, name, &want, err, sizeof err);
    if (fd < 0) {
        spool_log_err("%s: refused: %s", path, err);
        return -1;
    }
    if (fix_dir(fd, path, a->gid, *created) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

int ep_archive_open(struct ep_archive *a, struct ep_ctx *ctx)
{
    struct spool_dir_want want = { 1, ctx->self_uid, 0, 0, 0, 0 };
    char err[SPOOL_ERR_MAX], parent[SPOOL_CONF_PATH_MAX + 16], real[PATH_MAX], *dir;
    int fd = -1, created = 0, rc = -1;

    memset(a, 0, sizeof *a);
    a->rootfd = a->quarfd = -1;
    a->uid = ctx->self_uid;
    a->gid = ctx->archive_gid;

    if (ctx->cfg.archive_dir[0] != '/') {
        spool_log_err("config %s: archive_dir = '%s' is not an absolute path", ctx->conf_path,
                      ctx->cfg.archive_dir);
        goto out;
    }
    /* A missing root is created, but only under a secure parent: the
     * archive then lives where nobody but root could have redirected it. */
    if (access(ctx->cfg.archive_dir, F_OK) < 0 && errno == ENOENT) {
        snprintf(parent, sizeof parent, "%s", ctx->cfg.archive_dir);
        dir = dirname(parent);
        if (spool_path_is_secure(dir, ctx->self_uid, err, sizeof err) < 0) {
            spool_log_err("archive_dir %s: parent is not secure: %s", ctx->cfg.archive_dir, err);
            goto out;
        }
        if (mkdir(ctx->cfg.archive_dir, 0700) < 0 && errno != EEXIST) {
            spool_log_err("archive_dir %s: cannot create: %s", ctx->cfg.archive_dir,
                          strerror(errno));
            goto out;
        }
        created = 1;
    }
    if (spool_path_is_secure(ctx->cfg.archive_dir, ctx->self_uid, err, sizeof err) < 0) {
        spool_log_err("archive_dir %s: not secure: %s", ctx->cfg.archive_dir, err);
        goto out;
    }
    /* realpath writes up to PATH_MAX bytes: never straight into a->path,
     * which is smaller (_FORTIFY_SOURCE aborts on that, as in the packages). */
    if (!realpath(ctx->cfg.archive_dir, real)) {
        spool_log_err("archive_dir %s: %s", ctx->cfg.archive_dir, strerror(errno));
        goto out;
    }
    if (strlen(real) >= sizeof a->path) {
        spool_log_err("archive_dir %s: resolved path longer than %zu bytes", ctx->cfg.archive_dir,
                      sizeof a->path - 1);
        goto out;
    }
    memcpy(a->path, real, strlen(real) + 1);
    fd = spool_dir_openat(AT_FDCWD, a->path, &want, err, sizeof err);
    if (fd < 0) {
        spool_log_err("archive_dir %s: refused: %s", ctx->cfg.archive_dir, err);
        goto out;
    }
    if (fix_dir(fd, a->path, a->gid, created) < 0)
        goto out;
    a->rootfd = fd;
    fd = -1;
    /* done/ belongs to the ingester's protocol; we only make sure it exists
     * with the right owner so that the ingester never has to create it. */
    snprintf(parent, sizeof parent, "%s/done", a->path);
    fd = ensure_dir(a, a->rootfd, "done", parent, &created);
    if (fd < 0)
        goto out;
    a->root_dirty |= created;
    close(fd);
    snprintf(parent, sizeof parent, "%s/quarantine", a->path);
    fd = ensure_dir(a, a->rootfd, "quarantine", parent, &created);
    if (fd < 0)
        goto out;
    a->root_dirty |= created;
    a->quarfd = fd;
    fd = -1;
    rc = 0;
out:
    if (fd >= 0)
        close(fd);
    if (rc < 0 && a->rootfd >= 0) {
        close(a->rootfd);
        a->rootfd = -1;
    }
    return rc;
}

int ep_archive_month(struct ep_archive *a, int quarantine, const char *yyyymm)
{
    char key[32], path[SPOOL_CONF_PATH_MAX + 64];
    int fd, created;
    size_t i;

    snprintf(key, sizeof key, "%s%s", quarantine ? "quarantine/" : "", yyyymm);
    for (i = 0; i < a->ndirs; i++)
        if (strcmp(a->dirs[i].key, key) == 0)
            return a->dirs[i].fd;
    if (a->ndirs == EP_ARCHIVE_DIRS) {
        spool_log_err("%s/%s: more than %d archive months in one run", a->path, key,
                      EP_ARCHIVE_DIRS);
        return -1;
    }
    if (quarantine && a->quarfd < 0) {
        snprintf(path, sizeof path, "%s/quarantine", a->path);
        a->quarfd = ensure_dir(a, a->rootfd, "quarantine", path, &created);
        if (a->quarfd < 0)
            return -1;
        a->root_dirty |= created;
    }
    snprintf(path, sizeof path, "%s/%s", a->path, key);
    fd = ensure_dir(a, quarantine ? a->quarfd : a->rootfd, yyyymm, path, &created);
    if (fd < 0)
        return -1;
    if (created) {
        if (quarantine)
            a->quar_dirty = 1;
        else
            a->root_dirty = 1;
    }
    snprintf(a->dirs[a->ndirs].key, sizeof a->dirs[a->ndirs].key, "%s", key);
    a->dirs[a->ndirs].fd = fd;
    a->dirs[a->ndirs].dirty = 0;
    a->ndirs++;
    return fd;
}

void ep_archive_touch(struct ep_archive *a, int fd)
{
    for (size_t i = 0; i < a->ndirs; i++)
        if (a->dirs[i].fd == fd)
            a->dirs[i].dirty = 1;
}

static int sync_one(int fd, const char *path, int *dirty)
{
    if (!*dirty)
        return 0;
    if (fsync(fd) < 0) {
        spool_log_err("%s: fsync: %s", path, strerror(errno));
        return -1;
    }
    *dirty = 0;
    return 0;
}

int ep_archive_sync_dirs(struct ep_archive *a)
{
    char path[SPOOL_CONF_PATH_MAX + 64];
    int rc = 0;

    /* Children first, then the parents that got new children: a rename is
     * durable once its directory is, and a new directory once its parent is. */
    for (size_t i = 0; i < a->ndirs; i++) {
        snprintf(path, sizeof path, "%s/%s", a->path, a->dirs[i].key);
        if (sync_one(a->dirs[i].fd, path, &a->dirs[i].dirty) < 0)
            rc = -1;
    }
    snprintf(path, sizeof path, "%s/quarantine", a->path);
    if (a->quarfd >= 0 && sync_one(a->quarfd, path, &a->quar_dirty) < 0)
        rc = -1;
    if (a->rootfd >= 0 && sync_one(a->rootfd, a->path, &a->root_dirty) < 0)
        rc = -1;
    return rc;
}

void ep_archive_close(struct ep_archive *a)
{
    for (size_t i = 0; i < a->ndirs; i++)
        close(a->dirs[i].fd);
    a->ndirs = 0;
    if (a->quarfd >= 0)
        close(a->quarfd);
    if (a->rootfd >= 0)
        close(a->rootfd);
    a->quarfd = a->rootfd = -1;
}
