/* The Prolog's stamp: <spool>/.track-jobs/<job>, root's 0600 file in root's
 * 0700 directory (made by `prepare`, which moves aside anything a user
 * planted under that name in the sticky spool root). It is root's note of
 * when the job started on this node and of what slurmd (or squeue, in the
 * Prolog script) said about it, for the Epilog: slurmd gives the Epilog no
 * start time, and Slurm 22.05 gives it no array ids. A user-owned directory
 * is no evidence of either: its owner sets its times and creates it when
 * they like. Format, one key=value per line:
 *   track-epilog job stamp 1
 *   job=77  uid=1001  start=<epoch>  syshost=<cluster>
 *   [array=<job>_<task> | array=]  [partition=<p>]  [account=<a>]
 * A missing key is unknown; an empty value is known to be none. */
#include "ep.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spool_dir.h"
#include "spool_file.h"
#include "spool_log.h"

#define STAMP_MAGIC "track-epilog job stamp 1\n"
#define STAMP_MAX 2048

static void put_known(char *buf, size_t cap, size_t *n, const char *key, const struct ep_known *k)
{
    int w;
    if (!k->known || *n >= cap)
        return;
    w = snprintf(buf + *n, cap - *n, "%s=%s\n", key, k->v);
    if (w > 0)
        *n += (size_t)w;
}

int ep_stamp_write(struct ep_ctx *ctx, int dirfd, const char *dirpath, const struct ep_job *j,
                   uid_t uid)
{
    char buf[STAMP_MAX];
    size_t n;
    int w;

    w = snprintf(buf, sizeof buf, STAMP_MAGIC "job=%s\nuid=%lu\nstart=%lld\nsyshost=%s\n",
                 j->id, (unsigned long)uid, (long long)ctx->now, j->syshost);
    if (w < 0 || (size_t)w >= sizeof buf)
        return -1;
    n = (size_t)w;
    if (j->array_job.known) {
        w = snprintf(buf + n, sizeof buf - n, "array=%s%s%s\n", j->array_job.v,
                     j->array_job.v[0] ? "_" : "", j->array_task.v);
        if (w > 0)
            n += (size_t)w;
    }
    put_known(buf, sizeof buf, &n, "partition", &j->partition);
    put_known(buf, sizeof buf, &n, "account", &j->account);
    if (n >= sizeof buf) {
        spool_log_err("%s/%s: stamp too long", dirpath, j->id);
        return -1;
    }
    if (ctx->dry_run) {
        printf("create %s/%s (job stamp)\n", dirpath, j->id);
        return 0;
    }
    if (spool_write_atomic(dirfd, j->id, buf, n, 0600, 0) < 0) {
        spool_log_err("%s/%s: cannot write the job stamp: %s", dirpath, j->id, strerror(errno));
        return -1;
    }
    return 0;
}

/* The value of key in the stamp text (lines "key=value"), copied into out;
 * 1 found, 0 absent, -1 too long. */
static int stamp_get(const char *text, const char *key, char *out, size_t outlen)
{
    size_t kl = strlen(key);
    const char *p = text;

    while (p && *p) {
        const char *eol = strchr(p, '\n');
        size_t ll = eol ? (size_t)(eol - p) : strlen(p);
        if (ll > kl && strncmp(p, key, kl) == 0 && p[kl] == '=') {
            if (ll - kl - 1 >= outlen)
                return -1;
            memcpy(out, p + kl + 1, ll - kl - 1);
            out[ll - kl - 1] = '\0';
            return 1;
        }
        p = eol ? eol + 1 : NULL;
    }
    return 0;
}

/* Fills k from the stamp unless the caller already knows it (slurmd's own
 * environment of this run wins). */
static int fill_known(const char *text, const char *key, struct ep_known *k)
{
    char v[SPOOL_JOBTEXT_MAX + 1];
    int r = stamp_get(text, key, v, sizeof v);
    if (r < 0)
        return -1;
    if (r == 1 && !k->known) {
        k->known = 1;
        memcpy(k->v, v, sizeof k->v);
    }
    return 0;
}

/* Opens <spool>/.track-jobs if it is root's own directory with no access
 * for others. -1 with errno ENOENT when absent (quietly); else logged. */
static int open_dir(struct ep_ctx *ctx, int rootfd, const char *rootpath)
{
    struct spool_dir_want want = { 1, ctx->self_uid, 0, 0, 0, 077 };
    char err[512];
    int fd = spool_dir_openat(rootfd, EP_STAMP_DIR, &want, err, sizeof err);

    if (fd < 0 && errno != ENOENT)
        spool_log_warn("%s/%s: not used: %s (track-epilog prepare replaces it)", rootpath,
                       EP_STAMP_DIR, err);
    return fd;
}

int ep_stamp_read(struct ep_ctx *ctx, int rootfd, const char *rootpath, struct ep_job *j,
                  uid_t uid)
{
    char text[STAMP_MAX + 1], v[SPOOL_IDENT_MAX], path[SPOOL_CONF_PATH_MAX + 128];
    struct ep_job t;
    struct stat st;
    size_t len = 0;
    long long start;
    int dfd, fd = -1, rc = -1;

    snprintf(path, sizeof path, "%s/%s/%s", rootpath, EP_STAMP_DIR, j->id);
    if (!j->id[0])
        return 0;
    dfd = open_dir(ctx, rootfd, rootpath);
    if (dfd < 0)
        return errno == ENOENT ? 0 : -1;
    fd = spool_open_regular(dfd, j->id, &st);
    if (fd < 0) {
        if (errno == ENOENT)
            rc = 0;
        else
            spool_log_warn("%s: not used: %s", path, strerror(errno));
        goto out;
    }
    if (st.st_uid != ctx->self_uid || st.st_nlink != 1 || (st.st_mode & 077)) {
        spool_log_warn("%s: not used: owner uid %lu, %lu links, mode %04o (not root's own)",
                       path, (unsigned long)st.st_uid, (unsigned long)st.st_nlink,
                       (unsigned)(st.st_mode & 07777));
        goto out;
    }
    if (spool_read_record(fd, text, STAMP_MAX, &len) < 0) {
        spool_log_warn("%s: not used: %s", path, strerror(errno));
        goto out;
    }
    text[len] = '\0';
    if (strncmp(text, STAMP_MAGIC, strlen(STAMP_MAGIC)) != 0 ||
        stamp_get(text, "uid", v, sizeof v) != 1 || strtoul(v, NULL, 10) != (unsigned long)uid) {
        spool_log_warn("%s: not used: not a stamp of uid %lu (a recycled job id?)", path,
                       (unsigned long)uid);
        goto out;
    }
    if (stamp_get(text, "start", v, sizeof v) != 1 || (start = strtoll(v, NULL, 10)) <= 0 ||
        start > (long long)ctx->now + EP_TRUST_SLACK) {
        spool_log_warn("%s: not used: no start, or a start in the future", path);
        goto out;
    }
    t = *j;
    t.start = (time_t)start;
    snprintf(t.start_from, sizeof t.start_from, "the Prolog's stamp");
    if (stamp_get(text, "array", v, sizeof v) == 1 && !t.array_job.known &&
        ep_job_array(&t, v, path) < 0)
        goto out;
    if (fill_known(text, "partition", &t.partition) < 0 ||
        fill_known(text, "account", &t.account) < 0) {
        spool_log_warn("%s: not used: a value too long", path);
        goto out;
    }
    if (!t.syshost_known && stamp_get(text, "syshost", v, sizeof v) == 1 && v[0])
        memcpy(t.syshost, v, sizeof t.syshost);
    *j = t;
    rc = 1;
out:
    if (fd >= 0)
        close(fd);
    close(dfd);
    return rc;
}

void ep_stamp_remove(struct ep_ctx *ctx, int rootfd, const char *job)
{
    struct spool_dir_want want = { 1, ctx->self_uid, 0, 0, 0, 077 };
    int dfd;

    if (ctx->dry_run || !job || !job[0])
        return;
    dfd = spool_dir_openat(rootfd, EP_STAMP_DIR, &want, NULL, 0);
    if (dfd < 0)
        return;
    unlinkat(dfd, job, 0);
    close(dfd);
}

void ep_stamp_sweep(struct ep_ctx *ctx, int rootfd, const char *rootpath, time_t max_age)
{
    char text[STAMP_MAX + 1], uid[24], jobdir[300];
    struct dirent *de;
    struct stat st, jst;
    size_t len;
    DIR *d;
    int dfd, fd;

    dfd = open_dir(ctx, rootfd, rootpath);
    if (dfd < 0)
        return;
    fd = dup(dfd);
    if (fd < 0 || !(d = fdopendir(fd))) {
        if (fd >= 0)
            close(fd);
        close(dfd);
        return;
    }
    while ((de = readdir(d)) != NULL) {
        int sfd;
        if (!spool_job_name_ok(de->d_name) || strcmp(de->d_name, "nojob") == 0)
            continue;
        sfd = spool_open_regular(dfd, de->d_name, &st);
        if (sfd < 0)
            continue;
        len = 0;
        if (st.st_mtime > ctx->now - max_age ||
            spool_read_record(sfd, text, STAMP_MAX, &len) < 0) {
            close(sfd);
            continue;
        }
        close(sfd);
        text[len] = '\0';
        /* The job's directory still there: its Epilog or a sweep will
         * collect it and needs the stamp. */
        if (stamp_get(text, "uid", uid, sizeof uid) == 1) {
            snprintf(jobdir, sizeof jobdir, "%s/%s", uid, de->d_name);
            if (fstatat(rootfd, jobdir, &jst, AT_SYMLINK_NOFOLLOW) == 0)
                continue;
        }
        if (ctx->dry_run) {
            printf("remove %s/%s/%s (job stamp without a job directory)\n", rootpath,
                   EP_STAMP_DIR, de->d_name);
        } else if (ep_spool_unlink_same(dfd, de->d_name, st.st_dev, st.st_ino) == 0) {
            spool_log_info("%s/%s/%s: removed an old job stamp (no job directory)", rootpath,
                           EP_STAMP_DIR, de->d_name);
        }
    }
    closedir(d);
    close(dfd);
}
