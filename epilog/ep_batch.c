/* Durable copies from the spool (tmpfs) into the archive (another
 * filesystem: no rename across). For each file: write a temp name in the
 * archive with O_CREAT|O_EXCL|O_NOFOLLOW. For the batch: one syncfs makes
 * every temp durable, each temp is renamed to its final name without
 * replacing anything, the touched directories are fsync'd once, and only
 * then are the spool files unlinked. Thousands of records pay one flush,
 * not one each; a kill at any instant leaves every spool file either still
 * in the spool or durably in the archive, and a rerun finds an identical
 * archive copy and just removes the spool file. */
#include "ep.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spool_file.h"
#include "spool_log.h"
#include "spool_name.h"

void ep_batch_init(struct ep_batch *b, struct ep_ctx *ctx, struct ep_archive *a)
{
    memset(b, 0, sizeof *b);
    b->ctx = ctx;
    b->arch = a;
    b->spool_fd = -1;
    b->spool_path = "";
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
    free(it->spool_name);
    free(it->dst_name);
    free(it->tmp_name);
    memset(it, 0, sizeof *it);
}

/* 1 if dirfd/name is a regular file holding exactly buf/len, 0 if it holds
 * something else (or is not a regular file), -1 on a read error. */
static int same_content(int dirfd, const char *name, const char *buf, size_t len)
{
    struct stat st;
    char *mine = NULL;
    size_t got = 0;
    int fd, rc = 0;

    fd = spool_open_regular(dirfd, name, &st);
    if (fd < 0)
        return (errno == ELOOP || errno == EINVAL || errno == ESTALE) ? 0 : -1;
    if ((size_t)st.st_size != len)
        goto out;
    mine = malloc(len + 1);
    if (!mine) {
        rc = -1;
        goto out;
    }
    if (spool_read_bounded(fd, mine, len, &got) < 0) {
        rc = errno == EFBIG ? 0 : -1;
        goto out;
    }
    rc = got == len && memcmp(mine, buf, len) == 0;
out:
    free(mine);
    close(fd);
    return rc;
}

static int write_temp(struct ep_batch *b, int dst_fd, const char *tmp, const char *buf,
                      size_t len, const char *shown)
{
    int fd, e;

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

static int write_reason(struct ep_batch *b, int dst_fd, const char *month, const char *dst,
                        const char *name, const struct stat *st, const char *reason)
{
    char rname[SPOOL_NAME_MAX + 16], rtmp[SPOOL_NAME_MAX + 32], text[4096], safe[256];
    int n;

    snprintf(rname, sizeof rname, "%s.reason", dst);
    ep_scan_safe_name(safe, sizeof safe, name);
    n = snprintf(text, sizeof text,
                 "file: %s/%s\nreason: %s\nowner: uid %lu gid %lu\nsize: %lld\nlinks: %lu\n"
                 "mode: %04o\nquarantined-by: track-epilog\ntime: %lld\n",
                 b->spool_path, safe, reason, (unsigned long)st->st_uid,
                 (unsigned long)st->st_gid, (long long)st->st_size,
                 (unsigned long)st->st_nlink, (unsigned)(st->st_mode & 07777),
                 (long long)b->ctx->now);
    if (n < 0 || (size_t)n >= sizeof text)
        n = (int)sizeof text - 1;
    if (spool_tmpname(rtmp, sizeof rtmp, rname) == 0)
        unlinkat(dst_fd, rtmp, 0); /* leftover of a killed run */
    if (spool_write_atomic(dst_fd, rname, text, (size_t)n, 0640, 0) < 0) {
        spool_log_err("%s/quarantine/%s/%s: cannot write: %s", b->arch->path, month, rname,
                      strerror(errno));
        return -1;
    }
    return 0;
}

int ep_batch_add(struct ep_batch *b, const char *name, const struct stat *st,
                 const char *buf, size_t len, const char *yyyymm, const char *reason)
{
    struct ep_ctx *ctx = b->ctx;
    struct ep_item *it;
    char base[SPOOL_NAME_MAX], cand[SPOOL_NAME_MAX + 8], tmp[SPOOL_NAME_MAX + 16];
    char shown[SPOOL_NAME_MAX + 32], safe[256];
    int quarantine = reason != NULL, dst_fd, same = 0, n;

    ep_scan_safe_name(safe, sizeof safe, name);
    if (ctx->dry_run) {
        if (quarantine) {
            printf("quarantine %s/%s -> %s/quarantine/%s/ (%s)\n", b->spool_path, safe,
                   ctx->cfg.archive_dir, yyyymm, reason);
            ctx->quarantined++;
        } else {
            printf("archive %s/%s -> %s/%s/\n", b->spool_path, safe, ctx->cfg.archive_dir,
                   yyyymm);
            ctx->archived++;
        }
        return 0;
    }
    dst_fd = ep_archive_month(b->arch, quarantine, yyyymm);
    if (dst_fd < 0)
        goto fail;

    /* Record names are already safe and unique (they carry a uuid). A
     * quarantined name may be anything: make it printable, keep it clear of
     * our ".reason" suffix, and number it if a different file holds it. */
    if (quarantine) {
        ep_scan_safe_name(base, sizeof base - 8, name);
        size_t bl = strlen(base);
        if (bl >= 7 && strcmp(base + bl - 7, ".reason") == 0)
            strcat(base, "_");
    } else {
        snprintf(base, sizeof base, "%s", name);
    }
    for (n = 0;; n++) {
        int r;
        if (n == 0)
            snprintf(cand, sizeof cand, "%s", base);
        else
            snprintf(cand, sizeof cand, "%s.%d", base, n);
        if (n > 99) {
            spool_log_err("%s/%s: %s/%s/%s: 100 different files hold this name already",
                          b->spool_path, safe, b->arch->path, yyyymm, base);
            goto fail;
        }
        struct stat dst;
        if (fstatat(dst_fd, cand, &dst, AT_SYMLINK_NOFOLLOW) < 0) {
            if (errno == ENOENT)
                break;
            spool_log_err("%s/%s/%s: %s", b->arch->path, yyyymm, cand, strerror(errno));
            goto fail;
        }
        r = same_content(dst_fd, cand, buf, len);
        if (r < 0) {
            spool_log_err("%s/%s/%s: cannot compare: %s", b->arch->path, yyyymm, cand,
                          strerror(errno));
            goto fail;
        }
        if (r == 1) {
            same = 1;   /* copied by an earlier (killed) run */
            break;
        }
        if (!quarantine) {
            char why[SPOOL_CONF_PATH_MAX + 2 * SPOOL_NAME_MAX];
            snprintf(why, sizeof why, "a different file named %s is already in %s/%s",
                     cand, b->arch->path, yyyymm);
            spool_log_warn("%s/%s: quarantined: %s", b->spool_path, safe, why);
            return ep_batch_add(b, name, st, buf, len, yyyymm, why);
        }
    }
    snprintf(shown, sizeof shown, "%s%s/%s", quarantine ? "quarantine/" : "", yyyymm, cand);
    if (quarantine && write_reason(b, dst_fd, yyyymm, cand, name, st, reason) < 0)
        goto fail;
    if (!same) {
        if (spool_tmpname(tmp, sizeof tmp, cand) < 0) {
            spool_log_err("%s/%s: name too long", b->arch->path, shown);
            goto fail;
        }
        if (write_temp(b, dst_fd, tmp, buf, len, shown) < 0)
            goto fail;
    }
    it = &b->items[b->n++];
    it->spool_name = strdup(name);
    it->dst_name = strdup(cand);
    it->tmp_name = same ? NULL : strdup(tmp);
    it->dst_fd = dst_fd;
    it->quarantine = quarantine;
    it->dev = st->st_dev;
    it->ino = st->st_ino;
    if (!it->spool_name || !it->dst_name || (!same && !it->tmp_name)) {
        spool_log_err("out of memory");
        if (!same)
            unlinkat(dst_fd, tmp, 0);
        item_free(it);
        b->n--;
        goto fail;
    }
    if (same)
        ep_archive_touch(b->arch, dst_fd); /* the earlier run may not have fsync'd it */
    if (b->n == EP_BATCH_MAX)
        ep_batch_commit(b);
    return 0;
fail:
    ctx->failed++;
    return -1;
}

/* Renames tmp to dst in dirfd unless dst exists. renameat2 NOREPLACE where
 * the filesystem has it, else link+unlink (NFS), which is just as exclusive. */
static int rename_noreplace(int dirfd, const char *tmp, const char *dst)
{
    if (renameat2(dirfd, tmp, dirfd, dst, RENAME_NOREPLACE) == 0)
        return 0;
    if (errno != EINVAL && errno != ENOSYS)
        return -1;
    if (linkat(dirfd, tmp, dirfd, dst, 0) < 0)
        return -1;
    unlinkat(dirfd, tmp, 0);
    return 0;
}

int ep_batch_commit(struct ep_batch *b)
{
    struct ep_ctx *ctx = b->ctx;
    size_t i;
    int rc = 0, synced;

    if (b->n == 0)
        return 0;
    /* One flush for every temp of the batch. syncfs reports writeback
     * errors of the filesystem since Linux 5.8. */
    synced = syncfs(b->arch->rootfd) == 0;
    if (!synced)
        spool_log_err("%s: syncfs: %s; %zu file(s) stay in %s", b->arch->path, strerror(errno),
                      b->n, b->spool_path);
    for (i = 0; synced && i < b->n; i++) {
        struct ep_item *it = &b->items[i];
        if (!it->tmp_name)
            continue;
        if (rename_noreplace(it->dst_fd, it->tmp_name, it->dst_name) < 0) {
            spool_log_err("%s/%s: cannot rename into place: %s; left in %s", b->arch->path,
                          it->dst_name, strerror(errno), b->spool_path);
            unlinkat(it->dst_fd, it->tmp_name, 0);
            free(it->dst_name);
            it->dst_name = NULL;   /* marks the item failed */
            ctx->failed++;
            rc = -1;
            continue;
        }
        ep_archive_touch(b->arch, it->dst_fd);
    }
    if (synced && ep_archive_sync_dirs(b->arch) < 0) {
        spool_log_err("%s: directories not durable; %zu file(s) stay in %s", b->arch->path,
                      b->n, b->spool_path);
        synced = 0;
    }
    for (i = 0; i < b->n; i++) {
        struct ep_item *it = &b->items[i];
        char safe[256];
        if (!synced) {
            if (it->tmp_name)
                unlinkat(it->dst_fd, it->tmp_name, 0);
            ctx->failed++;
            rc = -1;
        } else if (it->dst_name) {
            ep_scan_safe_name(safe, sizeof safe, it->spool_name);
            if (ep_scan_unlink_same(b->spool_fd, it->spool_name, it->dev, it->ino) < 0 &&
                errno != ENOENT)
                spool_log_warn("%s/%s: archived, but not removed from the spool: %s",
                               b->spool_path, safe,
                               errno == ESTALE ? "replaced meanwhile" : strerror(errno));
            if (it->quarantine)
                ctx->quarantined++;
            else
                ctx->archived++;
        }
        item_free(it);
    }
    b->n = 0;
    return rc;
}
