/* collect: the Slurm Epilog. Moves <spool>/<uid>/<job>/ into the archive
 * and removes the emptied job directory. The job is over when the Epilog
 * runs (Slurm has killed its processes), so temp files in it are stale. */
#include "ep.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spool_dir.h"
#include "spool_log.h"

int ep_collect(struct ep_ctx *ctx, const char *job, struct ep_job *given, const char *uidstr)
{
    struct ep_archive arch;
    struct ep_batch *b = NULL;
    struct ep_scan s;
    struct stat ust, jst;
    char rootpath[SPOOL_CONF_PATH_MAX], uidpath[SPOOL_CONF_PATH_MAX + 16];
    char jobpath[SPOOL_CONF_PATH_MAX + 48], uidname[16];
    uid_t uid;
    int rootfd = -1, lockfd = -1, uidfd = -1, jobfd = -1, rc = EP_EXIT_SETUP;

    memset(&arch, 0, sizeof arch);
    arch.rootfd = arch.quarfd = -1;
    if (!job || !spool_job_name_ok(job)) {
        spool_log_err("collect: job '%s' is not a job id (set SLURM_JOB_ID or --job)",
                      job ? job : "");
        goto out;
    }
    if (ep_parse_uid(uidstr, &uid) < 0) {
        spool_log_err("collect: uid '%s' is not a uid (set SLURM_JOB_UID or --uid)",
                      uidstr ? uidstr : "");
        goto out;
    }
    snprintf(uidname, sizeof uidname, "%lu", (unsigned long)uid);
    snprintf(rootpath, sizeof rootpath, "%s", ctx->cfg.spool_dir);
    snprintf(uidpath, sizeof uidpath, "%s/%s", rootpath, uidname);
    snprintf(jobpath, sizeof jobpath, "%s/%s", uidpath, job);

    rootfd = ep_spool_root_open(ctx);
    if (rootfd < 0) {
        if (errno == ENOENT) {
            spool_log_info("%s: no spool; nothing to collect", rootpath);
            rc = EP_EXIT_OK;
        }
        goto out;
    }
    uidfd = ep_spool_open_child(ctx, rootfd, rootpath, uidname, &ust);
    if (uidfd >= 0)
        jobfd = ep_spool_open_child(ctx, uidfd, uidpath, job, &jst);
    if (jobfd < 0) {
        if (errno == ENOENT || errno == ELOOP) {
            if (errno == ENOENT)
                spool_log_info("%s: no records for this job", jobpath);
            ep_stamp_remove(ctx, rootfd, given->id);
            rc = EP_EXIT_OK;
        }
        goto out;
    }
    /* What root knows of the job: slurmd's environment (given), and the
     * start and array ids the Prolog noted. Without a stamp, record times
     * are checked against the end only. */
    if (ep_stamp_read(ctx, rootfd, rootpath, given, uid) == 0 && given->id[0])
        spool_log_info("%s/%s/%s: no job stamp (is Prolog=prolog.sh set?): record times are "
                       "not checked against the job's start", rootpath, EP_STAMP_DIR,
                       given->id);
    if (!ctx->dry_run) {
        if (ep_archive_group(ctx) < 0 || ep_archive_open(&arch, ctx) < 0) {
            spool_log_err("%s: records stay in the spool", jobpath);
            goto out;
        }
        lockfd = ep_lock_take(rootfd, rootpath, 60);
        if (lockfd < 0)
            goto out;
    }

    memset(&s, 0, sizeof s);
    s.mode = EP_SCAN_COLLECT;
    s.job = given;
    s.uid = uid;
    /* The directories must belong to the job's user too: one planted by
     * someone else sends everything in it to quarantine. */
    s.dir_owner = ust.st_uid != uid ? ust.st_uid : jst.st_uid;
    if (s.dir_owner != uid)
        spool_log_warn("%s: owned by uid %lu, not the job's uid %lu: its files go to "
                       "quarantine", ust.st_uid != uid ? uidpath : jobpath,
                       (unsigned long)s.dir_owner, (unsigned long)uid);
    b = calloc(1, sizeof *b);
    if (!b) {
        spool_log_err("out of memory");
        goto out;
    }
    ep_batch_init(b, ctx, &arch);
    ep_scan_dir(ctx, b, jobfd, jobpath, &s);

    if (!ctx->dry_run) {
        if (s.left == 0 && ctx->failed == 0) {
            if (unlinkat(uidfd, job, AT_REMOVEDIR) < 0 && errno != ENOENT)
                spool_log_warn("%s: not removed: %s", jobpath, strerror(errno));
            else
                ep_stamp_remove(ctx, rootfd, given->id);
        } else {
            spool_log_warn("%s: %lu entr%s left in place", jobpath, s.left,
                           s.left == 1 ? "y" : "ies");
        }
    }
    spool_log_info("collect %s: %lu archived, %lu quarantined, %lu removed, %lu left, "
                   "%lu failed", jobpath, ctx->archived, ctx->quarantined, ctx->removed,
                   s.left, ctx->failed);
    rc = EP_EXIT_OK;
out:
    free(b);
    if (jobfd >= 0)
        close(jobfd);
    if (uidfd >= 0)
        close(uidfd);
    ep_archive_close(&arch);
    if (lockfd >= 0)
        close(lockfd);
    if (rootfd >= 0)
        close(rootfd);
    return rc;
}
