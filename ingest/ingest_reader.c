/* ingest_reader: the reader thread (ingest_reader.h). */
#include "ingest_reader.h"
#include "rec_tally.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spool_dir.h"
#include "spool_file.h"
#include "spool_name.h"

/* Files are opened AHEAD places before they are read, and the kernel is
 * asked to start reading each one as it is opened: an archive written
 * hours before the cron run is mostly not in the page cache any more, and
 * a record's read would otherwise wait for the disk while nothing else
 * runs on this thread. Only within one month directory. */
enum { AHEAD = 32 };
struct opened { int fd; int err; };   /* fd, or -1 and the open's errno */

static void open_one(int mfd, const struct ingest_file *f, struct opened *o)
{
    struct stat sb;
    /* The listing said "regular file, this inode": one syscall less per
     * file than the lstat-style check (anything else takes the full one). */
    int fd = -1;
    if (f->dtype == DT_REG)
        fd = spool_open_regular_known(mfd, f->name, f->dev, f->ino, &sb);
    if (f->dtype != DT_REG || (fd < 0 && errno == ESTALE))
        fd = spool_open_regular(mfd, f->name, &sb);
    o->fd = fd;
    o->err = fd < 0 ? errno : 0;
    if (fd >= 0)
        (void)posix_fadvise(fd, 0, 0, POSIX_FADV_WILLNEED);   /* a hint: failure is harmless */
}

/* The read buffer: records up to max_record_bytes, tally records up to
 * REC_TALLY_BYTES_MAX. */
#define READ_CAP(rd) ((rd)->cap > REC_TALLY_BYTES_MAX ? (rd)->cap : REC_TALLY_BYTES_MAX)

/* Reads, parses and checks f, opened (or not) in *o; closes o->fd. */
static void read_one(struct ingest_reader *rd, struct rec_parser *rp, char *buf,
                     struct ingest_file *f, const struct opened *o, struct rec *rec,
                     struct ingest_prep *prep, int *status, char *why, size_t whylen)
{
    struct spool_name nm;
    int fd = o->fd;
    *status = INGEST_READ_BAD;
    if (spool_name_parse(f->name, &nm) != 0) {
        snprintf(why, whylen, "not a record file name (run.*, link.* or tally.*, see "
                 "docs/record-format.md)");
        if (fd >= 0)
            close(fd);
        return;
    }
    if (fd < 0) {
        if (o->err == ENOENT) {
            *status = INGEST_READ_GONE;   /* gone since the listing (another tool, an admin) */
            return;
        }
        snprintf(why, whylen, "cannot open: %s", o->err == ELOOP ? "a symlink" :
                 o->err == EINVAL ? "not a regular file" : strerror(o->err));
        return;
    }
    size_t len = 0;
    /* buf: READ_CAP(rd) + 1 bytes; only a tally record may be larger than
     * max_record_bytes. */
    size_t cap = nm.kind == SPOOL_KIND_TALLY ? READ_CAP(rd) : rd->cap;
    int r = spool_read_record(fd, buf, cap, &len);
    int e = errno;
    close(fd);
    if (r != 0 && nm.kind == SPOOL_KIND_TALLY) {
        snprintf(why, whylen, "tally record: %s", e == EFBIG ? "too large" : strerror(e));
        return;
    }
    if (r != 0) {
        if (e == EFBIG)
            snprintf(why, whylen, "larger than max_record_bytes (%zu)", rd->cap);
        else
            snprintf(why, whylen, "read error: %s", strerror(e));
        return;
    }
    if (nm.kind == SPOOL_KIND_TALLY) {
        struct rec_tally *t;
        memset(rec, 0, sizeof *rec);
        if (rec_tally_parse(buf, len, &t, why, whylen) != 0)
            return;
        if (rec_tally_check_name(t, &nm, why, whylen) != 0) {
            rec_tally_free(t);
            return;
        }
        rec->kind = SPOOL_KIND_TALLY;
        rec->tally = t;
        memset(prep, 0, sizeof *prep);
        *status = INGEST_READ_OK;
        return;
    }
    if (rec_parse_with(rp, buf, len, rec, why, whylen) != 0)
        return;
    if (rec_check_name(rec, &nm, why, whylen) != 0) {
        rec_free(rec);
        return;
    }
    /* The content-cache keys, while the record is in this core's cache. */
    ingest_load_prep(rec, prep);
    *status = INGEST_READ_OK;
}

/* Files for chunk number seq with left files to go: batch, except that the
 * first chunks are smaller (1/8, 1/4, 1/2: the database gets work after a
 * few hundred parses instead of a whole batch) and so are the last ones
 * (the move of the last batch to done/ runs after its COMMIT with nothing
 * left to overlap it). Batches are transactions of any size up to batch:
 * where one ends does not matter for exactly-once. */
static size_t chunk_size(size_t batch, size_t seq, size_t left)
{
    size_t want = batch, least = batch / 8 ? batch / 8 : 1;
    if (seq < 3)
        want >>= 3 - seq;
    if (left <= 2 * batch && left / 2 < want)
        want = left / 2 > least ? left / 2 : least;
    return want ? want : 1;
}

static void *reader_main(void *arg)
{
    struct ingest_reader *rd = arg;
    struct rec_parser rp = REC_PARSER_INIT;   /* one parse tree's memory, reused */
    char *buf = malloc(READ_CAP(rd) + 1);
    char month[7] = "";
    int mfd = -1, idx = 0;
    size_t pos = 0, seq = 0, ahead = 0;     /* files [pos, ahead) are open in ring */
    struct opened ring[AHEAD];
    static const struct spool_dir_want any = { 0, 0, 0, 0, 0, S_IWOTH };

    for (;;) {
        pthread_mutex_lock(&rd->mu);
        while (rd->full[idx] && !rd->stop)
            pthread_cond_wait(&rd->cv, &rd->mu);
        int stop = rd->stop;
        pthread_mutex_unlock(&rd->mu);
        if (stop)
            break;
        struct ingest_chunk *c = &rd->ch[idx];
        c->n = 0;
        c->eof = c->fatal = 0;
        if (!buf) {
            c->fatal = 1;
            snprintf(c->msg, sizeof c->msg, "out of memory");
        }
        size_t want = chunk_size(rd->batch, seq++, rd->nfiles - pos);
        while (!c->fatal && c->n < want && pos < rd->nfiles) {
            struct ingest_file *f = &rd->files[pos];
            if (mfd < 0 || strcmp(month, f->month) != 0) {
                if (mfd >= 0)
                    close(mfd);
                mfd = spool_dir_openat(rd->archfd, f->month, &any, c->msg, sizeof c->msg);
                if (mfd < 0) {
                    c->fatal = 1;
                    break;
                }
                memcpy(month, f->month, 7);
            }
            /* at a month change nothing is open ahead (ahead == pos) */
            while (ahead < rd->nfiles && ahead < pos + AHEAD &&
                   strcmp(rd->files[ahead].month, month) == 0) {
                open_one(mfd, &rd->files[ahead], &ring[ahead % AHEAD]);
                ahead++;
            }
            c->files[c->n] = f;
            read_one(rd, &rp, buf, f, &ring[pos % AHEAD], &c->recs[c->n], &c->preps[c->n],
                     &c->status[c->n], c->why[c->n], sizeof c->why[c->n]);
            c->n++;
            pos++;
        }
        c->eof = c->fatal || pos == rd->nfiles;
        pthread_mutex_lock(&rd->mu);
        rd->full[idx] = 1;
        pthread_cond_broadcast(&rd->cv);
        pthread_mutex_unlock(&rd->mu);
        if (c->eof)
            break;
        idx ^= 1;
    }
    for (; pos < ahead; pos++)     /* opened, never read: the reader stopped early */
        if (ring[pos % AHEAD].fd >= 0)
            close(ring[pos % AHEAD].fd);
    if (mfd >= 0)
        close(mfd);
    free(buf);
    rec_parser_free(&rp);
    return NULL;
}

static void chunk_release(struct ingest_chunk *c)
{
    for (size_t i = 0; i < c->n; i++)
        if (c->status[i] == INGEST_READ_OK)
            rec_free(&c->recs[i]);
    c->n = 0;
}

int ingest_reader_init(struct ingest_reader *rd, struct ingest_file *files, size_t nfiles,
                       size_t batch, int archfd, size_t cap)
{
    int ok = 1;
    memset(rd, 0, sizeof *rd);
    pthread_mutex_init(&rd->mu, NULL);
    pthread_cond_init(&rd->cv, NULL);
    rd->files = files;
    rd->nfiles = nfiles;
    rd->batch = batch;
    rd->archfd = archfd;
    rd->cap = cap;
    for (int k = 0; k < 2; k++) {
        struct ingest_chunk *ch = &rd->ch[k];
        ch->files = calloc(batch, sizeof *ch->files);
        ch->recs = calloc(batch, sizeof *ch->recs);
        ch->preps = calloc(batch, sizeof *ch->preps);
        ch->status = calloc(batch, sizeof *ch->status);
        ch->why = calloc(batch, sizeof *ch->why);
        ok &= ch->files && ch->recs && ch->preps && ch->status && ch->why;
    }
    return ok ? 0 : -1;
}

int ingest_reader_start(struct ingest_reader *rd)
{
    int e = pthread_create(&rd->th, NULL, reader_main, rd);
    rd->started = e == 0;
    return e;
}

struct ingest_chunk *ingest_reader_next(struct ingest_reader *rd)
{
    pthread_mutex_lock(&rd->mu);
    while (!rd->full[rd->next])
        pthread_cond_wait(&rd->cv, &rd->mu);
    pthread_mutex_unlock(&rd->mu);
    return &rd->ch[rd->next];
}

void ingest_reader_release(struct ingest_reader *rd, int stop)
{
    chunk_release(&rd->ch[rd->next]);
    pthread_mutex_lock(&rd->mu);
    rd->full[rd->next] = 0;
    if (stop)
        rd->stop = 1;
    pthread_cond_broadcast(&rd->cv);
    pthread_mutex_unlock(&rd->mu);
    rd->next ^= 1;
}

void ingest_reader_finish(struct ingest_reader *rd)
{
    if (!rd->started)
        return;
    pthread_join(rd->th, NULL);
    rd->started = 0;
    /* a chunk the reader filled after we stopped */
    for (int k = 0; k < 2; k++)
        if (rd->full[k])
            chunk_release(&rd->ch[k]);
}

void ingest_reader_free(struct ingest_reader *rd)
{
    for (int k = 0; k < 2; k++) {
        free(rd->ch[k].files);
        free(rd->ch[k].recs);
        free(rd->ch[k].preps);
        free(rd->ch[k].status);
        free(rd->ch[k].why);
    }
    pthread_mutex_destroy(&rd->mu);
    pthread_cond_destroy(&rd->cv);
}
