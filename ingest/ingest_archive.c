/* ingest_archive: lock, listing, done/ and quarantine/. */
#include "ingest_archive.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spool_dir.h"
#include "spool_file.h"
#include "spool_log.h"

/* Directories the ingester creates: group-writable and setgid like the ones
 * the epilog makes (the group comes from the setgid archive), no access for
 * others. */
#define DIR_MODE 02770
#define FILE_MODE 0640

static const struct spool_dir_want want_any = { 0, 0, 0, 0, 0, S_IWOTH };

void ingest_archive_init(struct ingest_archive *a)
{
    memset(a, 0, sizeof *a);
    a->fd = a->lockfd = a->donefd = a->quarfd = a->mfd = a->mdonefd = a->mquarfd = -1;
}

int ingest_archive_open(struct ingest_archive *a, const char *path, char *err, size_t errlen)
{
    ingest_archive_init(a);
    snprintf(a->path, sizeof a->path, "%s", path);
    a->fd = spool_dir_openat(AT_FDCWD, path, &want_any, err, errlen);
    return a->fd < 0 ? -1 : 0;
}

int ingest_archive_clone(const struct ingest_archive *a, struct ingest_archive *out, char *err,
                         size_t errlen)
{
    ingest_archive_init(out);
    memcpy(out->path, a->path, sizeof out->path);
    out->fd = fcntl(a->fd, F_DUPFD_CLOEXEC, 0);
    if (out->fd < 0) {
        snprintf(err, errlen, "%s: dup: %s", a->path, strerror(errno));
        return -1;
    }
    return 0;
}

static void closefd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

void ingest_archive_close(struct ingest_archive *a)
{
    closefd(&a->mfd);
    closefd(&a->mdonefd);
    closefd(&a->mquarfd);
    closefd(&a->donefd);
    closefd(&a->quarfd);
    closefd(&a->lockfd);   /* releases the flock */
    closefd(&a->fd);
}

int ingest_archive_lock(struct ingest_archive *a, char *holder, size_t holderlen, char *err,
                        size_t errlen)
{
    int fd = openat(a->fd, ".track-ingest.lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0660);
    if (fd < 0) {
        snprintf(err, errlen, "%s/.track-ingest.lock: %s", a->path, strerror(errno));
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        if (e == EWOULDBLOCK) {
            ssize_t k = pread(fd, holder, holderlen - 1, 0);
            holder[k > 0 ? k : 0] = '\0';
            holder[strcspn(holder, "\n")] = '\0';
            if (!holder[0])
                snprintf(holder, holderlen, "unknown process");
            close(fd);
            return 1;
        }
        snprintf(err, errlen, "%s/.track-ingest.lock: flock: %s", a->path, strerror(e));
        close(fd);
        return -1;
    }
    char host[256] = "", text[320];
    gethostname(host, sizeof host - 1);
    int k = snprintf(text, sizeof text, "%ld@%s\n", (long)getpid(), host);
    if (ftruncate(fd, 0) != 0 || pwrite(fd, text, (size_t)k, 0) != k) {
        snprintf(err, errlen, "%s/.track-ingest.lock: write: %s", a->path, strerror(errno));
        close(fd);
        return -1;
    }
    a->lockfd = fd;
    return 0;
}

static int month_ok(const char *s)
{
    if (strlen(s) != 6)
        return 0;
    for (int i = 0; i < 6; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    int m = (s[4] - '0') * 10 + (s[5] - '0');
    return m >= 1 && m <= 12;
}

static int cmp_file(const void *x, const void *y)
{
    const struct ingest_file *a = x, *b = y;
    int c = strcmp(a->month, b->month);
    return c ? c : strcmp(a->name, b->name);
}

/* Names go into one growing pool while listing (offsets: the pool moves
 * when it grows) and become pointers once it is complete. */
struct pool { char *p; size_t n, cap; };

static int pool_add(struct pool *pl, const char *s, size_t len, size_t *off)
{
    if (pl->cap - pl->n < len + 1) {
        size_t cap = pl->cap ? pl->cap : 1 << 16;
        while (cap - pl->n < len + 1)
            cap *= 2;
        char *t = realloc(pl->p, cap);
        if (!t)
            return -1;
        pl->p = t;
        pl->cap = cap;
    }
    memcpy(pl->p + pl->n, s, len + 1);
    *off = pl->n;
    pl->n += len + 1;
    return 0;
}

int ingest_archive_list(struct ingest_archive *a, const char *month, struct ingest_listing *out,
                        char *err, size_t errlen)
{
    struct ingest_file *v = NULL;
    size_t nv = 0, cap = 0;
    struct pool pl = { NULL, 0, 0 };
    int rc = -1, dfd = -1;
    DIR *top = NULL, *md = NULL;
    struct dirent *de;

    memset(out, 0, sizeof *out);
    dfd = dup(a->fd);
    if (dfd < 0 || !(top = fdopendir(dfd))) {
        snprintf(err, errlen, "%s: %s", a->path, strerror(errno));
        if (dfd >= 0)
            close(dfd);
        goto out;
    }
    rewinddir(top);
    while ((de = readdir(top))) {
        if (!month_ok(de->d_name) || (month && strcmp(month, de->d_name) != 0))
            continue;
        int mfd = spool_dir_openat(a->fd, de->d_name, &want_any, err, errlen);
        if (mfd < 0)
            goto out;
        if (!(md = fdopendir(mfd))) {
            snprintf(err, errlen, "%s/%s: %s", a->path, de->d_name, strerror(errno));
            close(mfd);
            goto out;
        }
        struct stat mst;
        if (fstat(mfd, &mst) != 0) {
            snprintf(err, errlen, "%s/%s: %s", a->path, de->d_name, strerror(errno));
            goto out;
        }
        struct dirent *fe;
        while ((fe = readdir(md))) {
            if (fe->d_name[0] == '.')
                continue;   /* ".", "..", writers' temp files */
            size_t l = strlen(fe->d_name), off;
            if (l >= SPOOL_NAME_MAX) {
                /* Cannot be a record and does not fit our buffers: left alone. */
                spool_log_warn("%s/%s/%.60s...: name too long for a record, skipped", a->path,
                               de->d_name, fe->d_name);
                continue;
            }
            if (nv == cap) {
                cap = cap ? cap * 2 : 1024;
                struct ingest_file *t = realloc(v, cap * sizeof *t);
                if (!t) {
                    snprintf(err, errlen, "out of memory listing %s", a->path);
                    goto out;
                }
                v = t;
            }
            if (pool_add(&pl, fe->d_name, l, &off) != 0) {
                snprintf(err, errlen, "out of memory listing %s", a->path);
                goto out;
            }
            struct ingest_file *f = &v[nv++];
            f->name = (const char *)(uintptr_t)off;
            memcpy(f->month, de->d_name, 7);
            f->dtype = fe->d_type;
            f->ino = fe->d_ino;
            f->dev = mst.st_dev;
        }
        closedir(md);
        md = NULL;
    }
    for (size_t i = 0; i < nv; i++)
        v[i].name = pl.p + (uintptr_t)v[i].name;
    if (nv)
        qsort(v, nv, sizeof *v, cmp_file);
    out->files = v;
    out->n = nv;
    out->pool_ = pl.p;
    v = NULL;
    pl.p = NULL;
    rc = 0;
out:
    if (md)
        closedir(md);
    if (top)
        closedir(top);
    free(v);
    free(pl.p);
    return rc;
}

void ingest_archive_list_free(struct ingest_listing *l)
{
    free(l->files);
    free(l->pool_);
    memset(l, 0, sizeof *l);
}

static int select_month(struct ingest_archive *a, const char *month, char *err, size_t errlen)
{
    if (a->mfd >= 0 && strcmp(a->mcur, month) == 0)
        return 0;
    closefd(&a->mfd);
    closefd(&a->mdonefd);
    closefd(&a->mquarfd);
    a->mfd = spool_dir_openat(a->fd, month, &want_any, err, errlen);
    if (a->mfd < 0)
        return -1;
    memcpy(a->mcur, month, 7);
    return 0;
}

int ingest_archive_month_fd(struct ingest_archive *a, const char *month, char *err, size_t errlen)
{
    return select_month(a, month, err, errlen) < 0 ? -1 : a->mfd;
}

/* <archive>/<top>/<month>, created when missing. */
static int sub_fd(struct ingest_archive *a, int *topfd, int *mfd, const char *top,
                  char *err, size_t errlen)
{
    if (*mfd >= 0)
        return *mfd;
    if (*topfd < 0) {
        *topfd = spool_dir_mkopenat(a->fd, top, DIR_MODE, &want_any, err, errlen);
        if (*topfd < 0)
            return -1;
    }
    *mfd = spool_dir_mkopenat(*topfd, a->mcur, DIR_MODE, &want_any, err, errlen);
    return *mfd;
}

int ingest_archive_done(struct ingest_archive *a, const struct ingest_file *f, int delete_it,
                        char *err, size_t errlen)
{
    if (select_month(a, f->month, err, errlen) < 0)
        return -1;
    if (delete_it) {
        if (unlinkat(a->mfd, f->name, 0) != 0 && errno != ENOENT) {
            snprintf(err, errlen, "%s/%s/%s: unlink: %s", a->path, f->month, f->name,
                     strerror(errno));
            return -1;
        }
        return 0;
    }
    int d = sub_fd(a, &a->donefd, &a->mdonefd, "done", err, errlen);
    if (d < 0)
        return -1;
    if (renameat(a->mfd, f->name, d, f->name) != 0) {
        snprintf(err, errlen, "%s/%s/%s: move to done/%s: %s", a->path, f->month, f->name,
                 f->month, strerror(errno));
        return -1;
    }
    return 0;
}

int ingest_archive_quarantine(struct ingest_archive *a, const struct ingest_file *f,
                              const char *reason, char *err, size_t errlen)
{
    char rname[SPOOL_NAME_MAX + 16], text[1200];
    if (select_month(a, f->month, err, errlen) < 0)
        return -1;
    int q = sub_fd(a, &a->quarfd, &a->mquarfd, "quarantine", err, errlen);
    if (q < 0)
        return -1;
    snprintf(rname, sizeof rname, "%s.reason", f->name);
    int k = snprintf(text, sizeof text, "%s\n", reason);
    if ((size_t)k >= sizeof text)
        k = (int)sizeof text - 1;
    /* The reason first: a crash in between leaves a reason without its file
     * (harmless) rather than a quarantined file without a reason. */
    if (spool_write_atomic(q, rname, text, (size_t)k, FILE_MODE, 0) != 0) {
        snprintf(err, errlen, "%s/quarantine/%s/%s: %s", a->path, f->month, rname,
                 strerror(errno));
        return -1;
    }
    if (renameat(a->mfd, f->name, q, f->name) != 0) {
        snprintf(err, errlen, "%s/%s/%s: move to quarantine/%s: %s", a->path, f->month, f->name,
                 f->month, strerror(errno));
        return -1;
    }
    return 0;
}
