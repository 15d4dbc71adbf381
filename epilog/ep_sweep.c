/* sweep: cron on compute and login nodes. Moves what no Epilog collected:
 * nojob directories (processes outside any job), job directories untouched
 * for min-age seconds (their job is gone: a crashed node, an Epilog that
 * failed, a login node without one), and removes temp files older than
 * min-age (their writer died) in the spool and in the archive (left by a
 * killed collect). Young job directories are left to their Epilog. Records
 * are checked against what root knows without an Epilog (ep_trust): nojob/
 * holds no job's records, a job directory's job is its name and stamp. */
#include "ep.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spool_dir.h"
#include "spool_err.h"
#include "spool_log.h"
#include "spool_name.h"

static int is_month(const char *s)
{
    size_t i;
    for (i = 0; s[i]; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return i == 6;
}

/* Removes archive temps older than min_age from one month directory. */
static void sweep_archive_month(struct ep_ctx *ctx, int parentfd, const char *ppath,
                                const char *month, time_t min_age)
{
    struct spool_dir_want want = { 1, ctx->self_uid, 0, 0, 0, 0 };
    char path[SPOOL_CONF_PATH_MAX + 600], err[SPOOL_ERR_MAX];
    struct dirent *de;
    struct stat st;
    DIR *d;
    int fd;

    snprintf(path, sizeof path, "%s/%s", ppath, month);
    fd = spool_dir_openat(parentfd, month, &want, err, sizeof err);
    if (fd < 0) {
        spool_log_warn("%s: skipped: %s", path, err);
        return;
    }
    d = fdopendir(fd);
    if (!d) {
        close(fd);
        return;
    }
    while ((de = readdir(d)) != NULL) {
        if (!spool_name_is_temp(de->d_name))
            continue;
        if (fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode) ||
            st.st_mtime > ctx->now - min_age)
            continue;
        if (!ep_scan_budget(ctx))
            break;
        if (ctx->dry_run) {
            printf("remove %s/%s (stale temp file of a killed run)\n", path, de->d_name);
            continue;
        }
        if (ep_spool_unlink_same(fd, de->d_name, st.st_dev, st.st_ino) == 0) {
            spool_log_info("%s/%s: removed a stale temp file", path, de->d_name);
            ctx->removed++;
        }
    }
    closedir(d);
}

static void sweep_archive(struct ep_ctx *ctx, struct ep_archive *a, time_t min_age)
{
    char qpath[SPOOL_CONF_PATH_MAX + 300];
    struct dirent *de;
    DIR *d;
    int fd;

    for (int q = 0; q < 2; q++) {
        int parent = q ? a->quarfd : a->rootfd;
        if (parent < 0)
            return;
        snprintf(qpath, sizeof qpath, "%s%s", a->path, q ? "/quarantine" : "");
        fd = dup(parent);
        if (fd < 0 || !(d = fdopendir(fd))) {
            if (fd >= 0)
                close(fd);
            return;
        }
        rewinddir(d);
        while ((de = readdir(d)) != NULL)
            if (is_month(de->d_name))
                sweep_archive_month(ctx, parent, qpath, de->d_name, min_age);
        closedir(d);
    }
}

static void sweep_user(struct ep_ctx *ctx, struct ep_batch *b, int rootfd, const char *rootpath,
                       const char *uidname, uid_t uid, time_t min_age)
{
    char upath[SPOOL_CONF_PATH_MAX + 300], jpath[SPOOL_CONF_PATH_MAX + 600];
    struct ep_scan s;
    struct ep_job job;
    struct stat ust, jst;
    struct dirent *de;
    DIR *d = NULL;
    int ufd, fd = -1;

    snprintf(upath, sizeof upath, "%s/%s", rootpath, uidname);
    ufd = ep_spool_open_child(ctx, rootfd, rootpath, uidname, &ust);
    if (ufd < 0)
        return;
    memset(&s, 0, sizeof s);
    s.mode = EP_SCAN_SWEEP;
    s.uid = uid;
    s.dir_owner = ust.st_uid;
    s.min_age = min_age;
    s.skip_dirs = 1;
    /* Files directly in <uid>/ (libtrack never writes there): no directory
     * names a job for them, so a run record there may claim none. */
    ep_job_init(ctx, &job, NULL);
    snprintf(job.where, sizeof job.where, "%.20s/ (no job directory)", uidname);
    s.job = &job;
    ep_scan_dir(ctx, b, ufd, upath, &s);

    fd = dup(ufd);
    if (fd < 0 || !(d = fdopendir(fd))) {
        spool_log_err("%s: cannot read: %s", upath, strerror(errno));
        if (fd >= 0)
            close(fd);
        goto out;
    }
    rewinddir(d);
    while ((de = readdir(d)) != NULL) {
        int jfd, nojob;
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (fstatat(ufd, de->d_name, &jst, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(jst.st_mode))
            continue;   /* handled by the scan above */
        snprintf(jpath, sizeof jpath, "%s/%s", upath, de->d_name);
        if (!spool_job_name_ok(de->d_name)) {
            spool_log_warn("%s: not a job directory; left in place", jpath);
            ctx->kept++;
            continue;
        }
        nojob = strcmp(de->d_name, "nojob") == 0;
        if (!nojob && jst.st_mtime > ctx->now - min_age)
            continue;   /* a job that may still run: its Epilog collects it */
        jfd = ep_spool_open_child(ctx, ufd, upath, de->d_name, &jst);
        if (jfd < 0)
            continue;
        /* What root knows of an abandoned job: its id (the directory's
         * name) and, if the Prolog left one, its stamp. nojob/ holds the
         * records of processes outside any job: they may claim none. */
        ep_job_init(ctx, &job, de->d_name);
        if (!nojob)
            ep_stamp_read(ctx, rootfd, rootpath, &job, uid);
        memset(&s, 0, sizeof s);
        s.mode = EP_SCAN_SWEEP;
        s.job = &job;
        s.uid = uid;
        s.dir_owner = ust.st_uid != uid ? ust.st_uid : jst.st_uid;
        s.min_age = min_age;
        if (s.dir_owner != uid)
            spool_log_warn("%s: owned by uid %lu, not %lu: its files go to quarantine",
                           ust.st_uid != uid ? upath : jpath, (unsigned long)s.dir_owner,
                           (unsigned long)uid);
        ep_scan_dir(ctx, b, jfd, jpath, &s);
        ep_batch_set_dir(b, -1, "");
        close(jfd);
        /* nojob stays: processes outside jobs write there any time. */
        if (!nojob && !ctx->dry_run && s.left == 0) {
            if (unlinkat(ufd, de->d_name, AT_REMOVEDIR) < 0 && errno != ENOENT)
                spool_log_warn("%s: not removed: %s", jpath, strerror(errno));
            else
                ep_stamp_remove(ctx, rootfd, de->d_name);
        }
    }
out:
    if (d)
        closedir(d);
    ep_batch_set_dir(b, -1, "");
    close(ufd);
}

int ep_sweep(struct ep_ctx *ctx, time_t min_age)
{
    struct ep_archive arch;
    struct ep_batch *b = NULL;
    struct dirent *de;
    DIR *d = NULL;
    const char *rootpath = ctx->cfg.spool_dir;
    int rootfd = -1, lockfd = -1, fd, rc = EP_EXIT_SETUP;

    memset(&arch, 0, sizeof arch);
    arch.rootfd = arch.quarfd = -1;
    rootfd = ep_spool_root_open(ctx);
    if (rootfd < 0 && errno != ENOENT)
        goto out;
    if (!ctx->dry_run) {
        if (ep_archive_group(ctx) < 0 || ep_archive_open(&arch, ctx) < 0)
            goto out;
        if (rootfd >= 0 && (lockfd = ep_lock_take(rootfd, rootpath, 60)) < 0)
            goto out;
    }
    b = calloc(1, sizeof *b);
    if (!b) {
        spool_log_err("out of memory");
        goto out;
    }
    ep_batch_init(b, ctx, &arch);
    if (rootfd >= 0) {
        fd = dup(rootfd);
        if (fd < 0 || !(d = fdopendir(fd))) {
            spool_log_err("%s: cannot read: %s", rootpath, strerror(errno));
            if (fd >= 0)
                close(fd);
            goto out;
        }
        rewinddir(d);
        while ((de = readdir(d)) != NULL) {
            uid_t uid;
            if (de->d_name[0] == '.')
                continue;   /* ours (lock, directories moved aside) */
            if (ep_parse_uid(de->d_name, &uid) < 0) {
                spool_log_warn("%s/%s: not a uid directory; left in place", rootpath,
                               de->d_name);
                ctx->kept++;
                continue;
            }
            sweep_user(ctx, b, rootfd, rootpath, de->d_name, uid, min_age);
        }
    }
    if (rootfd >= 0)
        ep_stamp_sweep(ctx, rootfd, rootpath, EP_STAMP_MAX_AGE);
    if (!ctx->dry_run)
        sweep_archive(ctx, &arch, min_age);
    spool_log_info("sweep %s: %lu archived, %lu quarantined, %lu removed, %lu kept, %lu failed",
                   rootpath, ctx->archived, ctx->quarantined, ctx->removed, ctx->kept,
                   ctx->failed);
    rc = EP_EXIT_OK;
out:
    if (d)
        closedir(d);
    free(b);
    ep_archive_close(&arch);
    if (lockfd >= 0)
        close(lockfd);
    if (rootfd >= 0)
        close(rootfd);
    return rc;
}
