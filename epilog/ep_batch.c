/* Durable copies from the spool (tmpfs) into the archive (another
 * filesystem: no rename across). For each file: write an unnamed O_TMPFILE
 * inode in the archive directory (or, where the filesystem lacks O_TMPFILE,
 * e.g. NFS, a temp name created with O_CREAT|O_EXCL|O_NOFOLLOW). For the
 * batch: one syncfs makes every copy durable, each copy gets its final name
 * without replacing anything (linkat of the unnamed inode, which fails on an
 * existing name; or a no-replace rename of the temp), the touched
 * directories are fsync'd once, and only then are the spool files unlinked.
 * Thousands of records pay one flush, not one each; a kill at any instant
 * leaves every spool file either still in the spool or durably in the
 * archive, and a rerun finds an identical archive copy and just removes the
 * spool file. An unnamed copy of a killed run simply vanishes: there is no
 * temp name to clean up. Existing names are found by the exclusive link or
 * rename itself, not by a lookup first: one metadata operation per record
 * less (a round trip each on NFS). With O_TMPFILE a record costs one
 * directory insert in the archive instead of a create plus a rename. */
#include "ep.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/resource.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spool_err.h"
#include "spool_file.h"
#include "spool_log.h"
#include "spool_name.h"

/* Tests set TRACK_EPILOG_NO_TMPFILE=1 to run the named-temp path that a
 * filesystem without O_TMPFILE (NFS) takes. */
static int ep_no_tmpfile(void)
{
    const char *v = getenv("TRACK_EPILOG_NO_TMPFILE");
    return v && *v && strcmp(v, "0") != 0;
}

/* 1 if the process umask would take bits off mode (then the copies need an
 * fchmod; by default it does not, which saves a syscall per record). */
static int ep_umask_narrows(mode_t mode)
{
    mode_t m = umask(0);
    umask(m);
    return (m & mode) != 0;
}

/* How many O_TMPFILE fds a batch may keep open until its syncfs (at most
 * want), leaving 64 for everything else. Raises the soft RLIMIT_NOFILE
 * towards the hard one when it is lower; items past the room use named
 * temps, which need no fd. */
static size_t ep_fd_room(size_t want)
{
    struct rlimit rl;
    rlim_t need = (rlim_t)want + 64;

    if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
        return 0;
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need &&
        (rl.rlim_max == RLIM_INFINITY || rl.rlim_max > rl.rlim_cur)) {
        struct rlimit up = rl;
        up.rlim_cur = (rl.rlim_max == RLIM_INFINITY || rl.rlim_max > need) ? need : rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &up) == 0)
            rl = up;
    }
    if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= need)
        return want;
    return rl.rlim_cur > 64 ? (size_t)(rl.rlim_cur - 64) : 0;
}

void ep_batch_init(struct ep_batch *b, struct ep_ctx *ctx, struct ep_archive *a)
{
    memset(b, 0, sizeof *b);
    b->ctx = ctx;
    b->arch = a;
    b->spool_fd = -1;
    b->spool_path = "";
    b->fill = &b->half[0];
    pthread_mutex_init(&b->arch_lock, NULL);
    b->tmpfile_ok = !ep_no_tmpfile();
    b->need_fchmod = ep_umask_narrows(0640);
    /* Two batches in flight: each may hold half the room. */
    b->max_fds = ep_fd_room(2 * EP_BATCH_MAX) / 2;
}

int ep_batch_set_dir(struct ep_batch *b, int spool_fd, const char *spool_path)
{
    int rc = ep_batch_commit(b);
    b->spool_fd = spool_fd;
    b->spool_path = spool_path;
    return rc;
}

static void item_free(struct ep_item *it)
{
    if (it->tmp_fd >= 0)
        close(it->tmp_fd);
    free(it->spool_name);
    free(it->dst_name);
    free(it->tmp_name);
    free(it->reason);
    memset(it, 0, sizeof *it);
}

/* Reads fd from offset 0, at most cap bytes, into a new buffer. Returns
 * the buffer (caller frees) and its length, or NULL with errno EFBIG
 * (larger) or the read error. */
static char *slurp_fd(int fd, size_t cap, size_t *len)
{
    size_t got = 0;
    char *buf = malloc(cap + 1);

    if (!buf) {
        errno = ENOMEM;
        return NULL;
    }
    for (;;) {
        ssize_t n = pread(fd, buf + got, cap + 1 - got, (off_t)got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            free(buf);
            errno = e;
            return NULL;
        }
        if (n == 0)
            break;
        got += (size_t)n;
        if (got > cap) {
            free(buf);
            errno = EFBIG;
            return NULL;
        }
    }
    *len = got;
    return buf;
}

/* Reads a whole regular file (at most cap bytes) into a new buffer. Returns
 * the buffer (caller frees) and its length, or NULL: errno EFBIG (larger),
 * EINVAL/ELOOP (not a regular file) or the read error. */
static char *slurp(int dirfd, const char *name, size_t cap, size_t *len)
{
    struct stat st;
    char *buf;
    int fd, e;

    fd = spool_open_regular(dirfd, name, &st);
    if (fd < 0)
        return NULL;
    buf = slurp_fd(fd, cap, len);
    e = errno;
    close(fd);
    errno = e;
    return buf;
}

/* 1 if dfd/dname holds exactly the bytes of our copy (the unnamed tmp_fd,
 * or tfd/tname), 0 if not (or is not a regular file), -1 on an error
 * reading. */
static int same_content(int dfd, const char *dname, int tmp_fd, int tfd, const char *tname,
                        size_t cap)
{
    size_t alen = 0, blen = 0;
    char *a = NULL, *b = NULL;
    int rc;

    b = tmp_fd >= 0 ? slurp_fd(tmp_fd, cap, &blen) : slurp(tfd, tname, cap, &blen);
    if (!b)
        return -1;
    a = slurp(dfd, dname, blen, &alen);
    if (!a)
        rc = (errno == EFBIG || errno == EINVAL || errno == ELOOP || errno == ESTALE) ? 0 : -1;
    else
        rc = alen == blen && memcmp(a, b, alen) == 0;
    free(a);
    free(b);
    return rc;
}

/* Drops the copy of an item that will not be placed: closes the unnamed
 * inode (the kernel frees it) or removes the temp name. */
static void drop_temp(struct ep_half *h, struct ep_item *it)
{
    if (it->unnamed) {
        if (it->tmp_fd >= 0) {
            close(it->tmp_fd);
            it->tmp_fd = -1;
            h->nfds--;
        }
    } else {
        unlinkat(it->dst_fd, it->tmp_name, 0);
    }
}

/* Opens an unnamed O_TMPFILE inode in dst_fd, mode 0640, group from the
 * setgid directory. Returns the fd; -1 with errno after a real failure
 * (ENOSPC, EROFS, ...); -2 when O_TMPFILE cannot be used here (the
 * filesystem lacks it: the batch falls back to named temps for good; or no
 * fd room left: this item uses a named temp). */
static int open_unnamed(struct ep_batch *b, struct ep_half *h, int dst_fd)
{
    int fd;

    if (!b->tmpfile_ok || h->nfds >= b->max_fds)
        return -2;
    /* O_RDWR: a collision with an existing name is resolved by reading the
     * copy back. */
    fd = openat(dst_fd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0640);
    if (fd < 0) {
        if (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL) {
            b->tmpfile_ok = 0;
            return -2;
        }
        if (errno == EMFILE || errno == ENFILE)
            return -2;
        return -1;
    }
    /* Exact mode whatever the umask (checked once: root's usual 022 leaves
     * 0640 alone). Nobody can open the inode before it has a name. */
    if (b->need_fchmod && fchmod(fd, 0640) < 0)
        return spool_fail_close(fd);
    h->nfds++;
    return fd;
}

/* Writes the copy: into an unnamed inode (*tmp_fd set) or the temp name tmp
 * in dst_fd (*tmp_fd = -1). 0, or -1 after logging (nothing left behind). */
static int write_temp(struct ep_batch *b, struct ep_half *h, int dst_fd, const char *tmp,
                      const char *buf, size_t len, const char *shown, int *tmp_fd)
{
    int fd, e;

    *tmp_fd = -1;
    fd = open_unnamed(b, h, dst_fd);
    if (fd >= 0) {
        if (spool_write_full(fd, buf, len) < 0) {
            e = errno;
            close(fd);
            h->nfds--;
            spool_log_err("%s/%s: write: %s", b->arch->path, shown, strerror(e));
            return -1;
        }
        *tmp_fd = fd;
        return 0;
    }
    if (fd == -1) {
        spool_log_err("%s/%s: cannot create: %s", b->arch->path, shown, strerror(errno));
        return -1;
    }
    fd = spool_file_create(dst_fd, tmp, 0640);
    if (fd < 0 && errno == EEXIST) {
        /* Left by a run that was killed: it holds nothing we need (the spool
         * file is still here), so start over. */
        unlinkat(dst_fd, tmp, 0);
        fd = spool_file_create(dst_fd, tmp, 0640);
    }
    if (fd < 0) {
        spool_log_err("%s/%s: cannot create: %s", b->arch->path, shown, strerror(errno));
        return -1;
    }
    if (spool_write_full(fd, buf, len) < 0) {
        e = errno;
        close(fd);
        unlinkat(dst_fd, tmp, 0);
        spool_log_err("%s/%s: write: %s", b->arch->path, shown, strerror(e));
        return -1;
    }
    if (close(fd) < 0) {
        e = errno;
        unlinkat(dst_fd, tmp, 0);
        spool_log_err("%s/%s: close: %s", b->arch->path, shown, strerror(e));
        return -1;
    }
    return 0;
}

/* <name>.reason beside a quarantined file, fsync'd (quarantine is rare: it
 * may pay its own flush). Rewritten on every run, so a kill between the
 * data and its reason heals on the rerun. */
static int write_reason(struct ep_batch *b, struct ep_half *h, int dst_fd, const char *dst,
                        const struct ep_item *it, const char *reason)
{
    char rname[SPOOL_NAME_MAX + 16], rtmp[SPOOL_NAME_MAX + 32], text[4096], safe[256];
    int n;

    snprintf(rname, sizeof rname, "%s.reason", dst);
    ep_spool_safe_name(safe, sizeof safe, it->spool_name);
    n = snprintf(text, sizeof text,
                 "file: %s/%s\nreason: %s\nowner: uid %lu gid %lu\nsize: %lld\nlinks: %lu\n"
                 "mode: %04o\nquarantined-by: track-epilog\ntime: %lld\n",
                 h->spool_path, safe, reason, (unsigned long)it->st.st_uid,
                 (unsigned long)it->st.st_gid, (long long)it->st.st_size,
                 (unsigned long)it->st.st_nlink, (unsigned)(it->st.st_mode & 07777),
                 (long long)b->ctx->now);
    if (n < 0 || (size_t)n >= sizeof text)
        n = (int)sizeof text - 1;
    if (spool_tmpname(rtmp, sizeof rtmp, rname) == 0)
        unlinkat(dst_fd, rtmp, 0); /* leftover of a killed run */
    if (spool_write_atomic(dst_fd, rname, text, (size_t)n, 0640, SPOOL_WRITE_SYNC) < 0) {
        spool_log_err("%s/quarantine/%s/%s: cannot write: %s", b->arch->path, it->month, rname,
                      strerror(errno));
        return -1;
    }
    return 0;
}

static void commit_start(struct ep_batch *b);

int ep_batch_add(struct ep_batch *b, const char *name, const struct stat *st,
                 const char *buf, size_t len, const char *yyyymm, const char *reason)
{
    return ep_batch_add_as(b, name, name, st, buf, len, yyyymm, reason);
}

int ep_batch_add_as(struct ep_batch *b, const char *name, const char *dst, const struct stat *st,
                    const char *buf, size_t len, const char *yyyymm, const char *reason)
{
    struct ep_ctx *ctx = b->ctx;
    struct ep_half *h = b->fill;
    struct ep_item *it;
    char base[SPOOL_NAME_MAX], tmp[SPOOL_NAME_MAX + 16], shown[SPOOL_NAME_MAX + 32];
    char safe[256];
    int quarantine = reason != NULL, dst_fd, tmp_fd;

    ep_spool_safe_name(safe, sizeof safe, name);
    if (ctx->dry_run) {
        if (quarantine) {
            printf("quarantine %s/%s -> %s/quarantine/%s/ (%s)\n", b->spool_path, safe,
                   ctx->cfg.archive_dir, yyyymm, reason);
            ctx->quarantined++;
        } else {
            printf("archive %s/%s -> %s/%s/%s\n", b->spool_path, safe, ctx->cfg.archive_dir,
                   yyyymm, dst == name ? "" : dst);
            ctx->archived++;
        }
        return 0;
    }
    pthread_mutex_lock(&b->arch_lock);
    dst_fd = ep_archive_month(b->arch, quarantine, yyyymm);
    pthread_mutex_unlock(&b->arch_lock);
    if (dst_fd < 0)
        goto fail;
    /* Record names are already safe and unique (they carry a uuid). A
     * quarantined name may be anything: make it printable and keep it clear
     * of our ".reason" suffix. */
    if (quarantine) {
        ep_spool_safe_name(base, sizeof base - 8, name);
        size_t bl = strlen(base);
        if (bl >= 7 && strcmp(base + bl - 7, ".reason") == 0)
            strcat(base, "_");
    } else {
        snprintf(base, sizeof base, "%s", dst);
    }
    snprintf(shown, sizeof shown, "%s%s/%s", quarantine ? "quarantine/" : "", yyyymm, base);
    if (spool_tmpname(tmp, sizeof tmp, base) < 0) {
        spool_log_err("%s/%s: name too long", b->arch->path, shown);
        goto fail;
    }
    if (write_temp(b, h, dst_fd, tmp, buf, len, shown, &tmp_fd) < 0)
        goto fail;
    it = &h->items[h->n++];
    it->tmp_fd = tmp_fd;
    it->unnamed = tmp_fd >= 0;
    it->spool_name = strdup(name);
    it->dst_name = strdup(base);
    it->tmp_name = strdup(tmp);
    it->reason = reason ? strdup(reason) : NULL;
    memcpy(it->month, yyyymm, sizeof it->month);
    it->month[6] = '\0';
    it->dst_fd = dst_fd;
    it->quarantine = quarantine;
    it->st = *st;
    if (!it->spool_name || !it->dst_name || !it->tmp_name || (reason && !it->reason)) {
        spool_log_err("out of memory");
        if (it->unnamed)
            drop_temp(h, it);
        else
            unlinkat(dst_fd, tmp, 0);
        item_free(it);
        h->n--;
        goto fail;
    }
    if (h->n == EP_BATCH_MAX)
        commit_start(b);
    return 0;
fail:
    ctx->failed++;
    return -1;
}

/* Gives an unnamed O_TMPFILE inode the name tofd/dst unless that name
 * exists (EEXIST then: linkat never replaces). AT_EMPTY_PATH needs
 * CAP_DAC_READ_SEARCH (root has it); without it, the /proc/self/fd link of
 * the same inode. */
static int link_unnamed(struct ep_batch *b, int tmp_fd, int tofd, const char *dst)
{
    char proc[64];

    if (!b->link_by_proc) {
        if (linkat(tmp_fd, "", tofd, dst, AT_EMPTY_PATH) == 0)
            return 0;
        if (errno != ENOENT && errno != EPERM)
            return -1;
    }
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", tmp_fd);
    if (linkat(AT_FDCWD, proc, tofd, dst, AT_SYMLINK_FOLLOW) < 0)
        return -1;
    b->link_by_proc = 1;
    return 0;
}

/* Renames a temp to its final name unless that name exists (EEXIST then).
 * renameat2 NOREPLACE where the filesystem has it, else link + unlink
 * (NFS), which is just as exclusive. */
static int rename_noreplace(int fromfd, const char *tmp, int tofd, const char *dst)
{
    if (renameat2(fromfd, tmp, tofd, dst, RENAME_NOREPLACE) == 0)
        return 0;
    if (errno != EINVAL && errno != ENOSYS)
        return -1;
    if (linkat(fromfd, tmp, tofd, dst, 0) < 0)
        return -1;
    unlinkat(fromfd, tmp, 0);
    return 0;
}

/* Puts one item's temp under its final name. An identical file already
 * there is an earlier run's copy (done); a different record of that name is
 * never replaced: ours goes to quarantine; a different quarantined file of
 * that name gets a number. 0, or -1 after logging (the temp is removed). */
static int place(struct ep_batch *b, struct ep_half *h, struct ep_item *it)
{
    char cand[SPOOL_NAME_MAX + 8], why[SPOOL_CONF_PATH_MAX + 2 * SPOOL_NAME_MAX], safe[256];
    const char *reason = it->reason;
    int fd = it->dst_fd, n, r;

    for (n = 0; n < 100; n++) {
        if (n == 0)
            snprintf(cand, sizeof cand, "%s", it->dst_name);
        else
            snprintf(cand, sizeof cand, "%s.%d", it->dst_name, n);
        if (it->tmp_fd >= 0 ? link_unnamed(b, it->tmp_fd, fd, cand) == 0
                            : rename_noreplace(it->dst_fd, it->tmp_name, fd, cand) == 0) {
            if (it->tmp_fd >= 0)
                drop_temp(h, it);   /* named now: closing keeps it */
            break;
        }
        if (errno != EEXIST)
            goto fail;
        /* A tally record (or a quarantined tally file) may be larger than
         * a record. */
        r = same_content(fd, cand, it->tmp_fd, it->dst_fd, it->tmp_name,
                         b->ctx->cfg.max_record_bytes > EP_TALLY_BYTES_MAX
                             ? b->ctx->cfg.max_record_bytes : EP_TALLY_BYTES_MAX);
        if (r < 0)
            goto fail;
        if (r == 1) {
            drop_temp(h, it);
            break;
        }
        if (!it->quarantine) {
            snprintf(why, sizeof why, "a different file named %s is already in %s/%s", cand,
                     b->arch->path, it->month);
            ep_spool_safe_name(safe, sizeof safe, it->spool_name);
            spool_log_warn("%s/%s: quarantined: %s", h->spool_path, safe, why);
            pthread_mutex_lock(&b->arch_lock);
            fd = ep_archive_month(b->arch, 1, it->month);
            pthread_mutex_unlock(&b->arch_lock);
            if (fd < 0)
                goto fail_logged;
            it->quarantine = 1;
            reason = why;
            n = -1;   /* start over with the plain name, in quarantine */
        }
    }
    if (n == 100) {
        errno = EEXIST;
        goto fail;
    }
    pthread_mutex_lock(&b->arch_lock);
    ep_archive_touch(b->arch, fd);
    pthread_mutex_unlock(&b->arch_lock);
    if (it->quarantine && write_reason(b, h, fd, cand, it, reason) < 0)
        goto fail_logged;
    return 0;
fail:
    spool_log_err("%s/%s%s/%s: cannot put into place: %s; left in %s", b->arch->path,
                  it->quarantine ? "quarantine/" : "", it->month, cand, strerror(errno),
                  h->spool_path);
fail_logged:
    drop_temp(h, it);
    return -1;
}

/* Commits one batch (see ep_batch_commit); counts go into h. Runs in the
 * helper thread, or in the caller's when no thread could be started. */
static void commit_half(struct ep_batch *b, struct ep_half *h)
{
    size_t i;
    int synced;

    h->rc = 0;
    if (h->n == 0)
        return;
    /* One flush for every copy of the batch. syncfs reports writeback
     * errors of the filesystem since Linux 5.8. */
    synced = syncfs(b->arch->rootfd) == 0;
    if (!synced)
        spool_log_err("%s: syncfs: %s; %zu file(s) stay in %s", b->arch->path, strerror(errno),
                      h->n, h->spool_path);
    for (i = 0; synced && i < h->n; i++) {
        struct ep_item *it = &h->items[i];
        if (place(b, h, it) < 0) {
            free(it->dst_name);
            it->dst_name = NULL;   /* marks the item failed */
            h->failed++;
            h->rc = -1;
        }
    }
    if (synced) {
        pthread_mutex_lock(&b->arch_lock);
        if (ep_archive_sync_dirs(b->arch) < 0) {
            spool_log_err("%s: directories not durable; %zu file(s) stay in %s", b->arch->path,
                          h->n, h->spool_path);
            synced = 0;
        }
        pthread_mutex_unlock(&b->arch_lock);
    }
    for (i = 0; i < h->n; i++) {
        struct ep_item *it = &h->items[i];
        char safe[256];
        if (!synced) {
            drop_temp(h, it);
            h->failed++;
            h->rc = -1;
        } else if (it->dst_name) {
            ep_spool_safe_name(safe, sizeof safe, it->spool_name);
            if (ep_spool_unlink_same(h->spool_fd, it->spool_name, it->st.st_dev,
                                    it->st.st_ino) < 0 && errno != ENOENT)
                spool_log_warn("%s/%s: archived, but not removed from the spool: %s",
                               h->spool_path, safe,
                               errno == ESTALE ? "replaced meanwhile" : strerror(errno));
            if (it->quarantine)
                h->quarantined++;
            else
                h->archived++;
        }
        if (it->tmp_fd >= 0)
            drop_temp(h, it);
        item_free(it);
    }
    h->n = 0;
}

static void *commit_thread(void *arg)
{
    struct ep_batch *b = arg;
    commit_half(b, b->fill == &b->half[0] ? &b->half[1] : &b->half[0]);
    return NULL;
}

/* Adds a committed batch's counts to the run's. */
static int commit_merge(struct ep_batch *b, struct ep_half *h)
{
    b->ctx->archived += h->archived;
    b->ctx->quarantined += h->quarantined;
    b->ctx->failed += h->failed;
    h->archived = h->quarantined = h->failed = 0;
    return h->rc;
}

/* Waits for the background commit, if one runs. Its rc. */
static int commit_wait(struct ep_batch *b)
{
    if (!b->busy)
        return 0;
    pthread_join(b->thr, NULL);
    b->busy = 0;
    return commit_merge(b, b->fill == &b->half[0] ? &b->half[1] : &b->half[0]);
}

/* The fill batch is full: commit it in the background (after the previous
 * commit finished: they stay in order) and fill the other one meanwhile. */
static void commit_start(struct ep_batch *b)
{
    struct ep_half *h = b->fill;

    commit_wait(b);
    h->spool_fd = b->spool_fd;
    h->spool_path = b->spool_path;
    b->fill = h == &b->half[0] ? &b->half[1] : &b->half[0];
    if (pthread_create(&b->thr, NULL, commit_thread, b) == 0) {
        b->busy = 1;
        return;
    }
    b->fill = h;   /* no thread: commit here */
    commit_half(b, h);
    commit_merge(b, h);
}

int ep_batch_commit(struct ep_batch *b)
{
    struct ep_half *h = b->fill;
    int rc = commit_wait(b);

    h->spool_fd = b->spool_fd;
    h->spool_path = b->spool_path;
    commit_half(b, h);
    if (commit_merge(b, h) < 0)
        rc = -1;
    return rc;
}
