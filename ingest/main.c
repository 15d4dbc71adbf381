/* track-ingest: loads the archive into MariaDB exactly once (docs/ingest.md).
 *
 * Per batch of files: read (bounded, regular files only), parse and validate
 * (rec_parse + name check; a bad file goes to quarantine at once), load the
 * good ones in one transaction, COMMIT, and only then move them to done/ (or
 * delete them). A crash at any instant leaves files whose rows are either
 * committed (loading them again is a no-op) or not. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <getopt.h>
#include <inttypes.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ingest_archive.h"
#include "ingest_db.h"
#include "ingest_load.h"
#include "rec_parse.h"
#include "spool_config.h"
#include "spool_dir.h"
#include "spool_file.h"
#include "spool_log.h"

enum {
    EXIT_OK = 0,        /* everything loaded (quarantined files included) */
    EXIT_USAGE = 1,     /* bad option, config or option file */
    EXIT_DB = 2,        /* database unreachable or lost mid-run; batch rolled back */
    EXIT_LOCKED = 3,    /* another track-ingest holds the archive */
    EXIT_SCHEMA = 4,    /* schema missing/older/newer: run --migrate */
    EXIT_ARCHIVE = 5,   /* archive unreadable, or files could not be moved */
};

static void usage(FILE *f)
{
    fprintf(f,
"usage: track-ingest [--config FILE] [--defaults-file FILE] [--month YYYYMM]\n"
"                    [--batch N] [--quiet] [--no-progress]\n"
"       track-ingest --migrate [--config FILE] [--defaults-file FILE]\n"
"\n"
"Loads the records of <archive_dir>/<YYYYMM>/ into MariaDB, then moves each file\n"
"to done/<YYYYMM>/ (or deletes it: after_ingest = delete). Bad files go to\n"
"quarantine/<YYYYMM>/ with a <name>.reason file. Safe to rerun at any time.\n"
"\n"
"  --config FILE         config file (default $TRACK_CONFIG or %s)\n"
"  --defaults-file FILE  MariaDB option file with the credentials (default: the\n"
"                        config's db_option_file); group [db_group], default [track]\n"
"  --month YYYYMM        only this month\n"
"  --batch N             records per transaction, at most (default 2000)\n"
"  --migrate             create or upgrade the schema (to version %d) and exit\n"
"  --quiet               no progress line, no summary (warnings and errors still)\n"
"  --no-progress         no progress line even on a terminal\n"
"  --help, --version\n"
"\n"
"Exit status: 0 done (quarantined files are warnings), 1 usage or config error,\n"
"2 database error (the batch was rolled back, its files stay), 3 another ingester\n"
"holds the archive lock, 4 schema missing or of another version (run --migrate),\n"
"5 archive unreadable or files could not be moved.\n",
            TRACK_CONFIG_FILE, ingest_db_expected_version());
}

struct stats {
    size_t files, loaded, fresh, merged, dups, links, quarantined, move_errors;
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int quarantine(struct ingest_archive *a, const struct ingest_file *f, const char *reason,
                      struct stats *st)
{
    char err[1400];
    spool_log_warn("%s/%s/%s: quarantined: %s", a->path, f->month, f->name, reason);
    if (ingest_archive_quarantine(a, f, reason, err, sizeof err) != 0) {
        spool_log_err("%s", err);
        st->move_errors++;
        return -1;
    }
    st->quarantined++;
    return 0;
}

struct batch {
    struct ingest_file **files;
    struct rec **ptrs;
    const struct ingest_prep **preps;   /* NULL entries: the loader makes them */
    size_t n;
};

/* Files whose rows are committed, waiting to be handed to the mover. */
struct done_list {
    struct ingest_file **f;      /* capacity: the batch size */
    size_t n;
};

/* Loads and commits b; on success appends its files to dl (the mover moves
 * them: only committed files ever get there). Returns 0, or an exit code. A
 * statement error that is not a lost connection (a record the database
 * refuses) is retried one file per transaction, and the file that still
 * fails is quarantined with the database's reason. */
static int load_commit(struct ingest_loader *L, struct ingest_archive *a, struct batch *b,
                       struct done_list *dl, struct stats *st)
{
    if (b->n == 0)
        return 0;
    struct ingest_counts c;
    if (ingest_load_batch(L, b->ptrs, b->preps, b->n, &c) != 0 ||
        ingest_db_commit(L->db) != 0) {
        ingest_db_rollback(L->db);
        ingest_load_forget(L);
        if (L->db->lost || b->n == 1) {
            if (!L->db->lost && b->n == 1) {
                quarantine(a, b->files[0], L->db->err, st);
                return 0;
            }
            spool_log_err("database: %s; batch of %zu files rolled back, they stay in %s for "
                          "the next run", L->db->err, b->n, a->path);
            return EXIT_DB;
        }
        spool_log_warn("database refused a batch (%s): retrying its %zu files one by one",
                       L->db->err, b->n);
        struct batch one = *b;
        for (size_t i = 0; i < b->n; i++) {
            one.files = &b->files[i];
            one.ptrs = &b->ptrs[i];
            one.preps = &b->preps[i];
            one.n = 1;
            int rc = load_commit(L, a, &one, dl, st);
            if (rc)
                return rc;
        }
        return 0;
    }
    st->loaded += b->n;
    st->fresh += c.fresh;
    st->merged += c.merged;
    st->dups += c.dups;
    st->links += c.links;
    for (size_t i = 0; i < b->n; i++)
        dl->f[dl->n++] = b->files[i];
    return 0;
}

/* ---- the mover thread -----------------------------------------------------
 * Moving a committed batch to done/ costs a rename per file (on ext4 a
 * quarter of the run, all of it in the kernel's directory code). A third
 * thread does it while the main thread loads the next batch. It is handed
 * only files whose rows are committed, so "moved only after COMMIT" holds;
 * a crash before a move leaves committed files, which the next run loads as
 * duplicates. It has its own archive handle (cached month fds are not
 * shared with the main thread's quarantine moves). */
struct mover {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct ingest_archive a;
    struct ingest_file **slot;   /* the batch being moved (capacity: batch size) */
    size_t n;
    int full, stop, delete_it;
    size_t errors;               /* files that could not be moved */
};

static void *mover_main(void *arg)
{
    struct mover *mv = arg;
    char err[1400];
    pthread_mutex_lock(&mv->mu);
    for (;;) {
        while (!mv->full && !mv->stop)
            pthread_cond_wait(&mv->cv, &mv->mu);
        if (!mv->full)
            break;   /* stopped, nothing left */
        size_t n = mv->n, errs = 0;
        pthread_mutex_unlock(&mv->mu);
        for (size_t i = 0; i < n; i++)
            if (ingest_archive_done(&mv->a, mv->slot[i], mv->delete_it, err, sizeof err) != 0) {
                spool_log_err("%s (its rows are committed; the next run sees a duplicate)", err);
                errs++;
            }
        pthread_mutex_lock(&mv->mu);
        mv->errors += errs;
        mv->full = 0;
        pthread_cond_broadcast(&mv->cv);
    }
    pthread_mutex_unlock(&mv->mu);
    return NULL;
}

/* Hands dl's files to the mover once it has finished the previous batch
 * (the two arrays swap: no copy); dl is empty afterwards. */
static void mover_give(struct mover *mv, struct done_list *dl)
{
    if (dl->n == 0)
        return;
    pthread_mutex_lock(&mv->mu);
    while (mv->full)
        pthread_cond_wait(&mv->cv, &mv->mu);
    struct ingest_file **t = mv->slot;
    mv->slot = dl->f;
    mv->n = dl->n;
    dl->f = t;
    dl->n = 0;
    mv->full = 1;
    pthread_cond_broadcast(&mv->cv);
    pthread_mutex_unlock(&mv->mu);
}

/* Lets the mover finish what it was given, then ends it. */
static void mover_finish(struct mover *mv, pthread_t th)
{
    pthread_mutex_lock(&mv->mu);
    mv->stop = 1;
    pthread_cond_broadcast(&mv->cv);
    pthread_mutex_unlock(&mv->mu);
    pthread_join(th, NULL);
}

/* ---- the reader thread ----------------------------------------------------
 * Reading and parsing (the CPU-heavy half) run in a second thread, one batch
 * ahead of the thread that talks to the database: two chunks alternate. The
 * reader touches nothing in the archive but reads; every move, quarantine
 * and log line happens in the main thread, in file order. */

enum { ST_OK = 0, ST_BAD = 1, ST_GONE = 2 };

struct chunk {
    size_t n;                    /* files in this chunk */
    struct ingest_file **files;
    struct rec *recs;            /* valid where status == ST_OK */
    struct ingest_prep *preps;   /* with recs */
    int *status;
    char (*why)[512];
    int eof;                     /* the last chunk */
    int fatal;                   /* the reader could not go on: msg */
    char msg[1400];
};

struct reader {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct chunk ch[2];
    int full[2];
    int stop;
    struct ingest_file *files;
    size_t nfiles, batch;
    int archfd;
    const char *archpath;
    size_t cap;
};

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

/* Reads, parses and checks f, opened (or not) in *o; closes o->fd. */
static void read_one(struct reader *rd, struct rec_parser *rp, char *buf,
                     struct ingest_file *f, const struct opened *o, struct rec *rec,
                     struct ingest_prep *prep, int *status, char *why, size_t whylen)
{
    struct spool_name nm;
    int fd = o->fd;
    *status = ST_BAD;
    if (spool_name_parse(f->name, &nm) != 0) {
        snprintf(why, whylen, "not a record file name (run.* or link.*, see docs/record-format.md)");
        if (fd >= 0)
            close(fd);
        return;
    }
    if (fd < 0) {
        if (o->err == ENOENT) {
            *status = ST_GONE;   /* gone since the listing (another tool, an admin) */
            return;
        }
        snprintf(why, whylen, "cannot open: %s", o->err == ELOOP ? "a symlink" :
                 o->err == EINVAL ? "not a regular file" : strerror(o->err));
        return;
    }
    size_t len = 0;
    int r = spool_read_record(fd, buf, rd->cap, &len);   /* buf: cap + 1 bytes */
    int e = errno;
    close(fd);
    if (r != 0) {
        if (e == EFBIG)
            snprintf(why, whylen, "larger than max_record_bytes (%zu)", rd->cap);
        else
            snprintf(why, whylen, "read error: %s", strerror(e));
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
    *status = ST_OK;
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
    struct reader *rd = arg;
    struct rec_parser rp = REC_PARSER_INIT;   /* one parse tree's memory, reused */
    char *buf = malloc(rd->cap + 1);
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
        struct chunk *c = &rd->ch[idx];
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

static void chunk_release(struct chunk *c)
{
    for (size_t i = 0; i < c->n; i++)
        if (c->status[i] == ST_OK)
            rec_free(&c->recs[i]);
    c->n = 0;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "config", required_argument, 0, 'c' },
        { "defaults-file", required_argument, 0, 'd' },
        { "month", required_argument, 0, 'm' },
        { "batch", required_argument, 0, 'b' },
        { "migrate", no_argument, 0, 'M' },
        { "quiet", no_argument, 0, 'q' },
        { "no-progress", no_argument, 0, 'P' },
        { "help", no_argument, 0, 'h' },
        { "version", no_argument, 0, 'V' },
        { 0, 0, 0, 0 },
    };
    const char *config = NULL, *defaults = NULL, *month = NULL;
    int migrate = 0, quiet = 0, progress = 1, c, rc = EXIT_OK;
    size_t batch_size = 2000;
    char err[1400], holder[256];
    struct spool_config cfg;
    struct ingest_db db = {0};
    struct ingest_loader L;
    struct ingest_archive a;
    struct ingest_listing lst = { 0 };
    struct batch b = {0};
    struct stats st = {0};
    int have_archive = 0, have_loader = 0;

    /* Each batch frees its records and the next one allocates as many
     * again. With glibc's defaults the free top of the reader thread's heap
     * went back to the kernel (MADV_DONTNEED) between batches and was
     * faulted in again: 21,000-46,000 page faults per 40,000 records
     * against 13,900 (the footprint) without trimming, and a fresh page
     * costs several microseconds on a VM. Setting the trim threshold turns
     * off glibc's adaptive mmap threshold, so that one is set too: SQL
     * statements and batch arrays of a few MB stay in the heap. Both are
     * well above a batch's footprint (~50 MB at --batch 2000), not a limit. */
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    spool_log_init("track-ingest", 0, 0);
    while ((c = getopt_long(argc, argv, "c:d:m:b:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'c': config = optarg; break;
        case 'd': defaults = optarg; break;
        case 'm': month = optarg; break;
        case 'b': {
            char *e;
            unsigned long v = strtoul(optarg, &e, 10);
            if (*e || v < 1 || v > 100000) {
                spool_log_err("--batch %s: expected 1..100000", optarg);
                return EXIT_USAGE;
            }
            batch_size = v;
            break;
        }
        case 'M': migrate = 1; break;
        case 'q': quiet = 1; break;
        case 'P': progress = 0; break;
        case 'h': usage(stdout); return EXIT_OK;
        case 'V': printf("track-ingest %s (schema %d)\n", TRACK_VERSION,
                         ingest_db_expected_version());
                  return EXIT_OK;
        default: usage(stderr); return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        spool_log_err("unexpected argument '%s' (see --help)", argv[optind]);
        return EXIT_USAGE;
    }
    spool_log_init("track-ingest", 0, quiet);
    if (month && (strlen(month) != 6 || strspn(month, "0123456789") != 6 ||
                  atoi(month + 4) < 1 || atoi(month + 4) > 12)) {
        spool_log_err("--month %s: expected YYYYMM", month);
        return EXIT_USAGE;
    }
    if (quiet || !isatty(STDERR_FILENO))
        progress = 0;

    spool_config_defaults(&cfg);
    if (!config)
        config = spool_config_default_path();
    if (spool_config_load(&cfg, config, SPOOL_CONF_STRICT | SPOOL_CONF_MISSING_OK, err,
                          sizeof err) != 0) {
        spool_log_err("%s", err);
        return EXIT_USAGE;
    }
    if (!defaults)
        defaults = cfg.db_option_file;
    if (defaults[0] && access(defaults, R_OK) != 0) {
        spool_log_err("%s: option file not readable: %s (set db_option_file in %s or "
                      "--defaults-file)", defaults, strerror(errno), config);
        return EXIT_USAGE;
    }

    if (ingest_db_connect(&db, defaults, cfg.db_group) != 0) {
        spool_log_err("%s", db.err);
        rc = EXIT_DB;
        goto out;
    }
    if (migrate) {
        int from = 0, v = ingest_db_migrate(&db, &from);
        if (v < 0) {
            spool_log_err("migrate: %s", db.err);
            rc = db.lost ? EXIT_DB : EXIT_SCHEMA;
            goto out;
        }
        if (v == from)
            spool_log_info("schema is at version %d, nothing to do", v);
        else
            spool_log_info("schema migrated from version %d to %d", from, v);
        goto out;
    }
    int v = ingest_db_version(&db);
    if (v < 0) {
        spool_log_err("%s", db.err);
        rc = EXIT_DB;
        goto out;
    }
    if (v != ingest_db_expected_version()) {
        if (v == 0)
            spool_log_err("the database has no track schema: run track-ingest --migrate");
        else if (v < ingest_db_expected_version())
            spool_log_err("database schema version %d is older than %d: run track-ingest "
                          "--migrate", v, ingest_db_expected_version());
        else
            spool_log_err("database schema version %d is newer than this track-ingest (%d): "
                          "upgrade track-ingest", v, ingest_db_expected_version());
        rc = EXIT_SCHEMA;
        goto out;
    }

    if (ingest_archive_open(&a, cfg.archive_dir, err, sizeof err) != 0) {
        spool_log_err("archive_dir %s", err);
        rc = EXIT_ARCHIVE;
        goto out;
    }
    have_archive = 1;
    int lk = ingest_archive_lock(&a, holder, sizeof holder, err, sizeof err);
    if (lk == 1) {
        spool_log_err("archive %s is being loaded by another track-ingest (%s); try again "
                      "later", cfg.archive_dir, holder);
        rc = EXIT_LOCKED;
        goto out;
    }
    if (lk < 0) {
        spool_log_err("%s", err);
        rc = EXIT_ARCHIVE;
        goto out;
    }
    if (ingest_archive_list(&a, month, &lst, err, sizeof err) != 0) {
        spool_log_err("%s", err);
        rc = EXIT_ARCHIVE;
        goto out;
    }

    struct reader rd;
    memset(&rd, 0, sizeof rd);
    pthread_mutex_init(&rd.mu, NULL);
    pthread_cond_init(&rd.cv, NULL);
    size_t nfiles = lst.n;
    rd.files = lst.files;
    rd.nfiles = nfiles;
    rd.batch = batch_size;
    rd.archfd = a.fd;
    rd.archpath = a.path;
    rd.cap = cfg.max_record_bytes;
    int alloc_ok = 1;
    for (int k = 0; k < 2; k++) {
        struct chunk *ch = &rd.ch[k];
        ch->files = calloc(batch_size, sizeof *ch->files);
        ch->recs = calloc(batch_size, sizeof *ch->recs);
        ch->preps = calloc(batch_size, sizeof *ch->preps);
        ch->status = calloc(batch_size, sizeof *ch->status);
        ch->why = calloc(batch_size, sizeof *ch->why);
        alloc_ok &= ch->files && ch->recs && ch->preps && ch->status && ch->why;
    }
    b.files = calloc(batch_size, sizeof *b.files);
    b.ptrs = calloc(batch_size, sizeof *b.ptrs);
    b.preps = calloc(batch_size, sizeof *b.preps);
    struct done_list dl = { calloc(batch_size, sizeof *dl.f), 0 };
    struct mover mv;
    memset(&mv, 0, sizeof mv);
    mv.a.fd = mv.a.lockfd = mv.a.donefd = mv.a.quarfd = mv.a.mfd = mv.a.mdonefd =
        mv.a.mquarfd = -1;
    int have_mover = 0;
    pthread_mutex_init(&mv.mu, NULL);
    pthread_cond_init(&mv.cv, NULL);
    mv.slot = calloc(batch_size, sizeof *mv.slot);
    mv.delete_it = cfg.after_ingest == SPOOL_AFTER_DELETE;
    if (!alloc_ok || !b.files || !b.ptrs || !b.preps || !dl.f || !mv.slot) {
        spool_log_err("out of memory");
        rc = EXIT_ARCHIVE;
        goto out_reader;
    }
    ingest_load_init(&L, &db);
    have_loader = 1;

    double t0 = now(), tlast = t0;
    pthread_t th, mvth;
    int have_thread = 0;
    if (nfiles) {
        if (ingest_archive_clone(&a, &mv.a, err, sizeof err) != 0) {
            spool_log_err("%s", err);
            rc = EXIT_ARCHIVE;
            goto out_reader;
        }
        if ((errno = pthread_create(&mvth, NULL, mover_main, &mv)) != 0) {
            spool_log_err("cannot start the mover thread: %s", strerror(errno));
            rc = EXIT_ARCHIVE;
            goto out_reader;
        }
        have_mover = 1;
        if ((errno = pthread_create(&th, NULL, reader_main, &rd)) != 0) {
            spool_log_err("cannot start the reader thread: %s", strerror(errno));
            rc = EXIT_ARCHIVE;
            goto out_reader;
        }
        have_thread = 1;
    }
    for (int idx = 0; have_thread;) {
        pthread_mutex_lock(&rd.mu);
        while (!rd.full[idx])
            pthread_cond_wait(&rd.cv, &rd.mu);
        pthread_mutex_unlock(&rd.mu);
        struct chunk *ch = &rd.ch[idx];
        b.n = 0;
        for (size_t i = 0; i < ch->n; i++) {
            st.files++;
            if (ch->status[i] == ST_BAD)
                quarantine(&a, ch->files[i], ch->why[i], &st);
            else if (ch->status[i] == ST_OK) {
                b.files[b.n] = ch->files[i];
                b.preps[b.n] = &ch->preps[i];
                b.ptrs[b.n++] = &ch->recs[i];
            }
        }
        if (ch->fatal) {
            spool_log_err("%s", ch->msg);
            rc = EXIT_ARCHIVE;
        }
        if (!rc)
            rc = load_commit(&L, &a, &b, &dl, &st);
        mover_give(&mv, &dl);   /* even after an error: these rows are committed */
        int eof = ch->eof;
        chunk_release(ch);
        pthread_mutex_lock(&rd.mu);
        rd.full[idx] = 0;
        if (rc)
            rd.stop = 1;
        pthread_cond_broadcast(&rd.cv);
        pthread_mutex_unlock(&rd.mu);
        if (progress) {
            double t = now();
            if (t - tlast >= 0.5 || eof) {
                double rate = (double)st.files / (t - t0 > 1e-6 ? t - t0 : 1e-6);
                fprintf(stderr, "\rtrack-ingest: %zu/%zu files, %.0f records/s, ETA %.0f s   ",
                        st.files, nfiles, rate, (double)(nfiles - st.files) / (rate > 0 ? rate : 1));
                tlast = t;
            }
        }
        if (eof || rc)
            break;
        idx ^= 1;
    }
    if (have_thread) {
        pthread_join(th, NULL);
        /* a chunk the reader filled after we stopped */
        for (int k = 0; k < 2; k++)
            if (rd.full[k])
                chunk_release(&rd.ch[k]);
    }
    if (have_mover) {
        mover_finish(&mv, mvth);
        have_mover = 0;
        st.move_errors += mv.errors;
    }
    if (rc)
        goto out_reader;
    if (progress && nfiles)
        fputc('\n', stderr);
    {
        double dt = now() - t0;
        spool_log_info("loaded %zu records (%zu new runs, %zu merged, %zu duplicates, %zu links), "
                       "%zu quarantined, in %.2f s (%.0f records/s, database %.2f s)",
                       st.loaded, st.fresh, st.merged, st.dups, st.links, st.quarantined, dt,
                       dt > 0 ? (double)st.files / dt : 0.0, db.busy);
    }
    if (st.move_errors)
        rc = EXIT_ARCHIVE;
out_reader:
    if (have_mover)
        mover_finish(&mv, mvth);
    ingest_archive_close(&mv.a);
    pthread_mutex_destroy(&mv.mu);
    pthread_cond_destroy(&mv.cv);
    free(mv.slot);
    free(dl.f);
    for (int k = 0; k < 2; k++) {
        free(rd.ch[k].files);
        free(rd.ch[k].recs);
        free(rd.ch[k].preps);
        free(rd.ch[k].status);
        free(rd.ch[k].why);
    }
    pthread_mutex_destroy(&rd.mu);
    pthread_cond_destroy(&rd.cv);
out:
    if (have_loader)
        ingest_load_free(&L);
    if (have_archive)
        ingest_archive_close(&a);
    ingest_db_close(&db);
    free(b.files);
    free(b.ptrs);
    free(b.preps);
    ingest_archive_list_free(&lst);
    return rc;
}
