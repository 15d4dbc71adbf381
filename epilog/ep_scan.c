/* Judging the entries of one spool directory. Users control these files, so
 * every entry is opened with spool_open_regular (never a symlink, FIFO,
 * socket or device; O_NONBLOCK; dev/ino re-checked) and judged by the fstat
 * of what was opened. Decisions (docs/epilog.md):
 *   valid record, owners agree,
 *   claims match the job (ep_trust) -> archive/<YYYYMM>/
 *   anything else that is readable  -> quarantine/<YYYYMM>/ with a .reason
 *   symlink, FIFO, socket, device   -> removed unopened (nothing to keep)
 *   hard link to another uid's file -> link removed, never read
 *   writer's temp file              -> removed (collect: the job is over;
 *                                      sweep: only when older than min-age)
 *   subdirectory                    -> left in place, logged */
#include "ep.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rec_parse.h"
#include "spool_file.h"
#include "spool_log.h"
#include "spool_name.h"

int ep_scan_budget(struct ep_ctx *ctx)
{
    if (ctx->budget > 0) {
        ctx->budget--;
        return 1;
    }
    if (!ctx->budget_warned) {
        spool_log_warn("epilog_max_files = %lu reached (config %s); the rest is left for the "
                       "next run", ctx->cfg.epilog_max_files, ctx->conf_path);
        ctx->budget_warned = 1;
    }
    return 0;
}

static const char *type_name(mode_t m)
{
    if (S_ISLNK(m))
        return "symbolic link";
    if (S_ISFIFO(m))
        return "FIFO";
    if (S_ISSOCK(m))
        return "socket";
    if (S_ISCHR(m) || S_ISBLK(m))
        return "device";
    return "special file";
}

/* Reads at most cap bytes from the start of fd (the head of an oversize
 * file, which is all the quarantine keeps of it). */
static int read_head(int fd, char *buf, size_t cap, size_t *len)
{
    size_t got = 0;
    while (got < cap) {
        ssize_t n = pread(fd, buf + got, cap - got, (off_t)got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        got += (size_t)n;
    }
    *len = got;
    return 0;
}

static void remove_entry(struct ep_ctx *ctx, int dirfd, const char *path, const char *name,
                         const char *safe, const struct stat *st, const char *why, int warn)
{
    if (ctx->dry_run) {
        printf("remove %s/%s (%s)\n", path, safe, why);
        ctx->removed++;
        return;
    }
    if (ep_spool_unlink_same(dirfd, name, st->st_dev, st->st_ino) < 0) {
        if (errno == ENOENT)
            return;
        spool_log_err("%s/%s: cannot remove (%s): %s", path, safe, why,
                      errno == ESTALE ? "replaced meanwhile" : strerror(errno));
        ctx->failed++;
        return;
    }
    if (warn)
        spool_log_warn("%s/%s: removed: %s", path, safe, why);
    else
        spool_log_info("%s/%s: removed: %s", path, safe, why);
    ctx->removed++;
}

/* Opens the entry as a regular file (fd, *st) or handles what it is
 * instead: gone, a directory, a symlink or special file (removed), a swap
 * or an open failure (left, counted). The entry comes from readdir: d_type/
 * d_ino as listed (DT_UNKNOWN when the filesystem does not say), dev the
 * directory's device. Returns the fd, or -1 when the entry is dealt with. */
static int open_entry(struct ep_ctx *ctx, int dirfd, const char *path, struct ep_scan *s,
                      const char *name, const char *safe, unsigned char d_type, ino_t d_ino,
                      dev_t dev, struct stat *st)
{
    char why[128];
    int fd = -1, e;

    /* A file listed as regular is opened straight away and must still be
     * that inode; anything else (or a swap) takes the full check. */
    errno = ESTALE;
    if (d_type == DT_REG)
        fd = spool_open_regular_known(dirfd, name, dev, d_ino, st);
    if (fd < 0 && errno == ESTALE)
        fd = spool_open_regular(dirfd, name, st);
    if (fd >= 0)
        return fd;
    e = errno;
    if (e == ENOENT)
        return -1;   /* gone meanwhile */
    if (e == ELOOP || e == EINVAL) {
        if (fstatat(dirfd, name, st, AT_SYMLINK_NOFOLLOW) < 0)
            return -1;
        if (S_ISDIR(st->st_mode) && s->skip_dirs)
            return -1;
        if (S_ISDIR(st->st_mode)) {
            spool_log_warn("%s/%s: a directory where only record files belong; left in place",
                           path, safe);
            s->left++;
            ctx->kept++;
            return -1;
        }
        snprintf(why, sizeof why, "a %s, not a regular file (never opened)",
                 type_name(st->st_mode));
        remove_entry(ctx, dirfd, path, name, safe, st, why, 1);
        return -1;
    }
    if (e == ESTALE)
        spool_log_warn("%s/%s: replaced while being opened; left for the next run", path, safe);
    else
        spool_log_err("%s/%s: cannot open: %s; left in place", path, safe, strerror(e));
    s->left++;
    ctx->failed++;
    return -1;
}

/* Why the record of len bytes in ctx->buf, named sn (named: the name
 * parsed), must go to quarantine: NULL when it may be archived, else the
 * reason, formatted into why. */
static const char *check_record(struct ep_ctx *ctx, const struct ep_scan *s,
                                const struct spool_name *sn, int named, const struct stat *st,
                                size_t len, char *why, size_t whylen)
{
    char perr[512];
    const char *reason = NULL;
    struct rec r;

    if (st->st_nlink > 1) {
        snprintf(why, whylen, "file has %lu links", (unsigned long)st->st_nlink);
        return why;
    }
    if (!named) {
        snprintf(why, whylen, "name is not a record name (run.<syshost>.<date>.<user>."
                 "<aaa|zzz>.<uuid>.json or link.<syshost>.<date>.<user>.<uuid>.json)");
        return why;
    }
    memset(&r, 0, sizeof r);
    if (rec_parse(ctx->buf, len, &r, perr, sizeof perr) < 0) {
        snprintf(why, whylen, "not a valid record: %s", perr);
        return why;
    }
    if (rec_check_name(&r, sn, perr, sizeof perr) < 0) {
        snprintf(why, whylen, "record does not match its name: %s", perr);
        reason = why;
    } else if (st->st_uid != s->uid || s->dir_owner != s->uid || r.uid != (int64_t)s->uid) {
        snprintf(why, whylen, "owners disagree: file owner uid %lu, directory owner uid %lu, "
                 "record uid %lld, job uid %lu", (unsigned long)st->st_uid,
                 (unsigned long)s->dir_owner, (long long)r.uid, (unsigned long)s->uid);
        reason = why;
    } else if (s->job && ep_trust_check(s->job, &r, why, whylen) < 0) {
        reason = why;   /* a claim about where or when it ran that root knows better */
    }
    rec_free(&r);
    return reason;
}

static void handle_entry(struct ep_ctx *ctx, struct ep_batch *b, int dirfd, const char *path,
                         struct ep_scan *s, const char *name, unsigned char d_type,
                         ino_t d_ino, dev_t dev)
{
    char safe[256], why[1024], month[8];
    const char *reason = NULL;
    struct spool_name sn;
    struct stat st;
    struct tm tm;
    size_t len = 0, cap = ctx->cfg.max_record_bytes;
    int fd, named;

    ep_spool_safe_name(safe, sizeof safe, name);
    fd = open_entry(ctx, dirfd, path, s, name, safe, d_type, d_ino, dev, &st);
    if (fd < 0)
        return;
    if (spool_name_is_temp(name)) {
        close(fd);
        if (s->mode == EP_SCAN_SWEEP && st.st_mtime > ctx->now - s->min_age) {
            s->left++;   /* a live writer's, maybe */
            ctx->kept++;
            return;
        }
        remove_entry(ctx, dirfd, path, name, safe, &st, "a writer's temp file, never completed",
                     0);
        return;
    }
    if (st.st_nlink > 1 && st.st_uid != s->uid) {
        /* Another name of someone else's file: its content is not the
         * user's to hand over, and removing this name loses nothing. */
        close(fd);
        snprintf(why, sizeof why, "a hard link (%lu links) to a file owned by uid %lu; "
                 "not read", (unsigned long)st.st_nlink, (unsigned long)st.st_uid);
        remove_entry(ctx, dirfd, path, name, safe, &st, why, 1);
        return;
    }

    /* Past the job's budget: the tally (one record), the count (nothing). */
    switch (ep_tally_name(name)) {
    case 1:
        ep_tally_handle(ctx, b, path, s, name, fd, &st);
        return;
    case 2:
        close(fd);
        remove_entry(ctx, dirfd, path, name, safe, &st, "the job's count of recorded runs", 0);
        return;
    }

    localtime_r(&ctx->now, &tm);
    strftime(month, sizeof month, "%Y%m", &tm);
    named = spool_name_parse(name, &sn) == 0;
    if (named)
        memcpy(month, sn.yyyymm, sizeof sn.yyyymm);

    int big = (size_t)st.st_size > cap;
    if (!big && spool_read_record(fd, ctx->buf, cap, &len) < 0) {
        if (errno != EFBIG)
            goto read_error;
        big = 1;   /* grew after the fstat */
    }
    if (big) {
        if (read_head(fd, ctx->buf, cap, &len) < 0)
            goto read_error;
        snprintf(why, sizeof why, "file is larger than max_record_bytes = %zu; the quarantined "
                 "copy holds its first %zu bytes", cap, len);
        reason = why;
    }
    close(fd);
    fd = -1;

    if (!reason)
        reason = check_record(ctx, s, &sn, named, &st, len, why, sizeof why);
    if (reason)
        spool_log_warn("%s/%s: quarantined: %s", path, safe, reason);
    if (ep_batch_add(b, name, &st, ctx->buf, len, month, reason) < 0)
        s->left++;
    return;

read_error:
    spool_log_err("%s/%s: read: %s; left in place", path, safe, strerror(errno));
    if (fd >= 0)
        close(fd);
    s->left++;
    ctx->failed++;
}

int ep_scan_dir(struct ep_ctx *ctx, struct ep_batch *b, int dirfd, const char *path,
                struct ep_scan *s)
{
    struct dirent *de;
    struct stat dst;
    DIR *d;
    int fd = -1, rd_err = 0;

    ep_batch_set_dir(b, dirfd, path);
    if (fstat(dirfd, &dst) == 0)
        fd = dup(dirfd);
    if (fd < 0 || !(d = fdopendir(fd))) {
        spool_log_err("%s: cannot read: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    /* fdopendir shares the offset with the dup; start from the beginning. */
    rewinddir(d);
    for (;;) {
        errno = 0;
        de = readdir(d);
        if (!de) {
            rd_err = errno;
            break;
        }
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (!ep_scan_budget(ctx)) {
            s->left++;
            break;
        }
        handle_entry(ctx, b, dirfd, path, s, de->d_name, de->d_type, de->d_ino, dst.st_dev);
    }
    if (rd_err) {
        spool_log_err("%s: readdir: %s", path, strerror(rd_err));
        ctx->failed++;
    }
    closedir(d);
    ep_batch_commit(b);
    return 0;
}
