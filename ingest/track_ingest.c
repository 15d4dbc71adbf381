/* track-ingest: loads the archive into MariaDB exactly once (docs/ingest.md).
 *
 * Per batch of files: read (bounded, regular files only), parse and validate
 * (rec_parse + name check; a bad file goes to quarantine at once), load the
 * good ones in one transaction, COMMIT, and only then move them to done/ (or
 * delete them). A crash at any instant leaves files whose rows are either
 * committed (loading them again is a no-op) or not.
 *
 * Three threads: the reader (ingest_reader.c) reads and parses one batch
 * ahead, this one loads and commits, the mover (ingest_mover.c) moves the
 * committed files. main() runs the steps below in order: options, config,
 * database and schema, archive (lock, listing), then the batch loop. */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ingest_archive.h"
#include "ingest_db.h"
#include "ingest_jobs.h"
#include "ingest_load.h"
#include "ingest_rollup.h"
#include "sw_map.h"
#include "ingest_mover.h"
#include "ingest_reader.h"
#include "rec_parse.h"
#include "spool_config.h"
#include "spool_err.h"
#include "spool_log.h"

enum {
    EXIT_OK = 0,        /* everything loaded (quarantined files included) */
    EXIT_USAGE = 1,     /* bad option, config or option file */
    EXIT_DB = 2,        /* database unreachable or lost mid-run; batch rolled back */
    EXIT_LOCKED = 3,    /* another track-ingest holds the archive */
    EXIT_SCHEMA = 4,    /* schema missing/older/newer: run --migrate */
    EXIT_ARCHIVE = 5,   /* archive unreadable, or files could not be moved */
    EXIT_SLURM = 6,     /* slurm_accounting = yes and sacct failed (records were loaded) */
    EXIT_ROLLUP = 7,    /* --verify-rollup: the roll-up differs from a recomputation */
};

static void usage(FILE *f)
{
    fprintf(f,
"usage: track-ingest [--config FILE] [--defaults-file FILE] [--month YYYYMM]\n"
"                    [--batch N] [--quiet] [--no-progress]\n"
"       track-ingest --migrate [--config FILE] [--defaults-file FILE]\n"
"       track-ingest --refresh-rollup | --verify-rollup [--config FILE] [--defaults-file FILE]\n"
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
"  --refresh-rollup      recompute the days of the daily roll-up marked as changed, exit\n"
"  --verify-rollup       compare the daily roll-up with a recomputation from scratch\n"
"                        (changes nothing), exit 6 if they differ\n"
"  --quiet               no progress line, no summary (warnings and errors still)\n"
"  --no-progress         no progress line even on a terminal\n"
"  --help, --version\n"
"\n"
"Exit status: 0 done (quarantined files are warnings), 1 usage or config error,\n"
"2 database error (the batch was rolled back, its files stay), 3 another ingester\n"
"holds the archive lock, 4 schema missing or of another version (run --migrate),\n"
"5 archive unreadable or files could not be moved, 6 slurm_accounting = yes and\n"
"sacct failed (the records were loaded), 7 the roll-up differs\n"
"(--verify-rollup).\n",
            TRACK_CONFIG_FILE, ingest_db_expected_version());
}

struct stats {
    size_t files, loaded, fresh, merged, dups, links, pkgs, tallies, quarantined, move_errors;
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
    char err[SPOOL_ERR_MAX];
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

/* Loads and commits b; on success appends its files to dl (the mover moves
 * them: only committed files ever get there). Returns 0, or an exit code. A
 * statement error that is not a lost connection (a record the database
 * refuses) is retried one file per transaction, and the file that still
 * fails is quarantined with the database's reason. */
static int load_commit(struct ingest_loader *L, struct ingest_archive *a, struct batch *b,
                       struct ingest_done_list *dl, struct stats *st)
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
    st->pkgs += c.pkgs;
    st->tallies += c.tallies;
    for (size_t i = 0; i < b->n; i++)
        dl->f[dl->n++] = b->files[i];
    return 0;
}

/* ---- the steps of main ---------------------------------------------------- */

struct opts {
    const char *config, *defaults, *month;
    int migrate, rollup_only, quiet, progress;
    size_t batch;
};

/* Each batch frees its records and the next one allocates as many again.
 * With glibc's defaults the free top of the reader thread's heap went back
 * to the kernel (MADV_DONTNEED) between batches and was faulted in again, a
 * page fault per page per batch (figures in docs/performance.md "Figures
 * behind comments"). Setting the trim threshold turns off glibc's adaptive
 * mmap threshold, so that one is set too: SQL statements and batch arrays
 * of a few MB stay in the heap. Both are well above a batch's footprint
 * at the default --batch, not a limit. */
static void tune_malloc(void)
{
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
}

/* Reads the command line into o. Returns -1 to go on, or the exit status
 * (--help, --version, a usage error: already reported). */
static int parse_args(int argc, char **argv, struct opts *o)
{
    static const struct option opts[] = {
        { "config", required_argument, 0, 'c' },
        { "defaults-file", required_argument, 0, 'd' },
        { "month", required_argument, 0, 'm' },
        { "batch", required_argument, 0, 'b' },
        { "migrate", no_argument, 0, 'M' },
        { "refresh-rollup", no_argument, 0, 'R' },
        { "verify-rollup", no_argument, 0, 'Y' },
        { "quiet", no_argument, 0, 'q' },
        { "no-progress", no_argument, 0, 'P' },
        { "help", no_argument, 0, 'h' },
        { "version", no_argument, 0, 'V' },
        { 0, 0, 0, 0 },
    };
    int c;
    memset(o, 0, sizeof *o);
    o->progress = 1;
    o->batch = 2000;
    while ((c = getopt_long(argc, argv, "c:d:m:b:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'c': o->config = optarg; break;
        case 'd': o->defaults = optarg; break;
        case 'm': o->month = optarg; break;
        case 'b': {
            char *e;
            unsigned long v = strtoul(optarg, &e, 10);
            if (*e || v < 1 || v > 100000) {
                spool_log_err("--batch %s: expected 1..100000", optarg);
                return EXIT_USAGE;
            }
            o->batch = v;
            break;
        }
        case 'M': o->migrate = 1; break;
        case 'R': o->rollup_only = 'R'; break;
        case 'Y': o->rollup_only = 'Y'; break;
        case 'q': o->quiet = 1; break;
        case 'P': o->progress = 0; break;
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
    spool_log_init("track-ingest", 0, o->quiet);
    const char *m = o->month;
    if (m && (strlen(m) != 6 || strspn(m, "0123456789") != 6 ||
              atoi(m + 4) < 1 || atoi(m + 4) > 12)) {
        spool_log_err("--month %s: expected YYYYMM", m);
        return EXIT_USAGE;
    }
    if (o->quiet || !isatty(STDERR_FILENO))
        o->progress = 0;
    return -1;
}

/* Loads the config and settles the option file. 0 or EXIT_USAGE. */
static int load_config(struct opts *o, struct spool_config *cfg)
{
    char err[SPOOL_ERR_MAX];
    spool_config_defaults(cfg);
    if (!o->config)
        o->config = spool_config_default_path();
    if (spool_config_load(cfg, o->config, SPOOL_CONF_STRICT | SPOOL_CONF_MISSING_OK, err,
                          sizeof err) != 0) {
        spool_log_err("%s", err);
        return EXIT_USAGE;
    }
    if (!o->defaults)
        o->defaults = cfg->db_option_file;
    if (o->defaults[0] && access(o->defaults, R_OK) != 0) {
        spool_log_err("%s: option file not readable: %s (set db_option_file in %s or "
                      "--defaults-file)", o->defaults, strerror(errno), o->config);
        return EXIT_USAGE;
    }
    return 0;
}

/* --migrate: creates or upgrades the schema. The exit status. */
static int migrate(struct ingest_db *db)
{
    int from = 0, v = ingest_db_migrate(db, &from);
    if (v < 0) {
        spool_log_err("migrate: %s", db->err);
        return db->lost ? EXIT_DB : EXIT_SCHEMA;
    }
    if (v == from)
        spool_log_info("schema is at version %d, nothing to do", v);
    else
        spool_log_info("schema migrated from version %d to %d", from, v);
    return EXIT_OK;
}

/* The schema must be exactly the version this program writes. 0 or the
 * exit status. */
static int check_schema(struct ingest_db *db)
{
    int v = ingest_db_version(db);
    if (v < 0) {
        spool_log_err("%s", db->err);
        return EXIT_DB;
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
        return EXIT_SCHEMA;
    }
    return 0;
}

/* Takes the archive's lock and lists the files to load. a is open. 0 or the
 * exit status. */
static int lock_and_list(struct ingest_archive *a, const char *month, struct ingest_listing *lst)
{
    char err[SPOOL_ERR_MAX], holder[256];
    int lk = ingest_archive_lock(a, holder, sizeof holder, err, sizeof err);
    if (lk == 1) {
        spool_log_err("archive %s is being loaded by another track-ingest (%s); try again "
                      "later", a->path, holder);
        return EXIT_LOCKED;
    }
    if (lk < 0) {
        spool_log_err("%s", err);
        return EXIT_ARCHIVE;
    }
    if (ingest_archive_list(a, month, lst, err, sizeof err) != 0) {
        spool_log_err("%s", err);
        return EXIT_ARCHIVE;
    }
    return 0;
}

/* ---- the batch loop ---------------------------------------------------------- */

/* What one run of the batch loop holds. */
struct run {
    struct ingest_loader *L;
    struct ingest_archive *a;
    struct ingest_reader rd;
    struct ingest_mover mv;
    struct batch b;
    struct ingest_done_list dl;
    struct stats st;
    size_t nfiles;
    int progress;
    double t0, tlast;
};

/* Takes a chunk's good files into the batch and quarantines the bad ones. */
static void take_chunk(struct run *R, struct ingest_chunk *ch)
{
    R->b.n = 0;
    for (size_t i = 0; i < ch->n; i++) {
        R->st.files++;
        if (ch->status[i] == INGEST_READ_BAD)
            quarantine(R->a, ch->files[i], ch->why[i], &R->st);
        else if (ch->status[i] == INGEST_READ_OK) {
            R->b.files[R->b.n] = ch->files[i];
            R->b.preps[R->b.n] = &ch->preps[i];
            R->b.ptrs[R->b.n++] = &ch->recs[i];
        }
    }
}

static void show_progress(struct run *R, int eof)
{
    double t = now();
    if (t - R->tlast >= 0.5 || eof) {
        double rate = (double)R->st.files / (t - R->t0 > 1e-6 ? t - R->t0 : 1e-6);
        fprintf(stderr, "\rtrack-ingest: %zu/%zu files, %.0f records/s, ETA %.0f s   ",
                R->st.files, R->nfiles, rate,
                (double)(R->nfiles - R->st.files) / (rate > 0 ? rate : 1));
        R->tlast = t;
    }
}

/* Loads every chunk the reader gives, in order, until the last one or the
 * first error. 0 or the exit status. */
static int load_chunks(struct run *R)
{
    int rc = EXIT_OK;
    for (;;) {
        struct ingest_chunk *ch = ingest_reader_next(&R->rd);
        take_chunk(R, ch);
        if (ch->fatal) {
            spool_log_err("%s", ch->msg);
            rc = EXIT_ARCHIVE;
        }
        if (!rc)
            rc = load_commit(R->L, R->a, &R->b, &R->dl, &R->st);
        ingest_mover_give(&R->mv, &R->dl);   /* even after an error: these rows are committed */
        int eof = ch->eof;
        ingest_reader_release(&R->rd, rc != 0);
        if (R->progress)
            show_progress(R, eof);
        if (eof || rc)
            return rc;
    }
}

/* The batch arrays, the reader, the mover and the loader for a run over
 * lst. 0 or the exit status. */
static int run_setup(struct run *R, const struct opts *o, const struct spool_config *cfg,
                     struct ingest_archive *a, struct ingest_listing *lst)
{
    size_t n = o->batch;
    int ok = ingest_reader_init(&R->rd, lst->files, lst->n, n, a->fd, cfg->max_record_bytes) == 0;
    ok &= ingest_mover_init(&R->mv, n, cfg->after_ingest == SPOOL_AFTER_DELETE) == 0;
    R->b.files = calloc(n, sizeof *R->b.files);
    R->b.ptrs = calloc(n, sizeof *R->b.ptrs);
    R->b.preps = calloc(n, sizeof *R->b.preps);
    R->dl.f = calloc(n, sizeof *R->dl.f);
    if (!ok || !R->b.files || !R->b.ptrs || !R->b.preps || !R->dl.f) {
        spool_log_err("out of memory");
        return EXIT_ARCHIVE;
    }
    return 0;
}

static void run_free(struct run *R)
{
    ingest_mover_finish(&R->mv);
    ingest_mover_free(&R->mv);
    ingest_reader_free(&R->rd);
    free(R->dl.f);
    free(R->b.files);
    free(R->b.ptrs);
    free(R->b.preps);
}

/* The software map the software roll-up attributes with, read as
 * track-report reads it (docs/software.md); NULL when a configured file
 * cannot be read: said here in one line naming it, and loading goes on
 * without refreshing that roll-up (the reports then attribute at report
 * time; the run exits 1 at the end). */
static const struct sw_map *load_swmap(const struct spool_config *cfg, struct sw_map *map)
{
    char err[SPOOL_ERR_MAX];
    if ((cfg->software_map[0] && sw_map_load(cfg->software_map, 0, map, err, sizeof err) < 0) ||
        (cfg->lmod_reverse_map[0] &&
         sw_map_load(cfg->lmod_reverse_map, 1, map, err, sizeof err) < 0)) {
        spool_log_err("%s (the software roll-up is not refreshed)", err);
        return NULL;
    }
    return map;
}

/* Loads the listed files: reader, loader and mover until the last batch,
 * then the summary. 0 or the exit status. */
static int run(const struct opts *o, const struct spool_config *cfg, const struct sw_map *sw,
               struct ingest_db *db,
               struct ingest_loader *L, struct ingest_archive *a, struct ingest_listing *lst)
{
    char err[SPOOL_ERR_MAX];
    struct run R;
    int rc;

    memset(&R, 0, sizeof R);
    R.L = L;
    R.a = a;
    R.nfiles = lst->n;
    R.progress = o->progress;
    if ((rc = run_setup(&R, o, cfg, a, lst)) != 0)
        goto out;
    R.t0 = R.tlast = now();
    if (R.nfiles) {
        if (ingest_mover_start(&R.mv, a, err, sizeof err) != 0) {
            spool_log_err("%s", err);
            rc = EXIT_ARCHIVE;
            goto out;
        }
        if ((errno = ingest_reader_start(&R.rd)) != 0) {
            spool_log_err("cannot start the reader thread: %s", strerror(errno));
            rc = EXIT_ARCHIVE;
            goto out;
        }
        rc = load_chunks(&R);
        ingest_reader_finish(&R.rd);
    }
    size_t move_errors = ingest_mover_finish(&R.mv);
    if (rc)
        goto out;
    R.st.move_errors += move_errors;
    if (R.progress && R.nfiles)
        fputc('\n', stderr);
    if (ingest_rollup_after_load(db, cfg->not_applications, sw) != 0) {
        rc = EXIT_DB;
        goto out;
    }
    double dt = now() - R.t0;
    spool_log_info("loaded %zu records (%zu new runs, %zu merged, %zu duplicates, %zu links, "
                   "%zu package records), %zu quarantined, in %.2f s (%.0f records/s, "
                   "database %.2f s)",
                   R.st.loaded, R.st.fresh, R.st.merged, R.st.dups, R.st.links, R.st.pkgs,
                   R.st.quarantined, dt, dt > 0 ? (double)R.st.files / dt : 0.0, db->busy);
    if (R.st.tallies)
        spool_log_info("loaded %zu tally records (runs past a job's job_max_records)",
                       R.st.tallies);
    if (R.st.move_errors)
        rc = EXIT_ARCHIVE;
out:
    run_free(&R);
    return rc;
}

int main(int argc, char **argv)
{
    struct opts o;
    struct spool_config cfg;
    struct sw_map swmap = SW_MAP_INIT;
    const struct sw_map *sw = NULL;
    int sw_bad = 0;   /* the map could not be read: exit 1 after the work */
    struct ingest_db db = {0};
    struct ingest_loader L;
    struct ingest_archive a;
    struct ingest_listing lst = { 0 };
    char err[SPOOL_ERR_MAX];
    int rc;

    tune_malloc();
    spool_log_init("track-ingest", 0, 0);
    ingest_archive_init(&a);
    ingest_load_init(&L, &db);
    if ((rc = parse_args(argc, argv, &o)) >= 0)
        return rc;
    if ((rc = load_config(&o, &cfg)) != 0)
        return rc;
    if (ingest_db_connect(&db, o.defaults, cfg.db_group) != 0) {
        spool_log_err("%s", db.err);
        rc = EXIT_DB;
        goto out;
    }
    if (o.migrate) {
        rc = migrate(&db);
        goto out;
    }
    if ((rc = check_schema(&db)) != 0)
        goto out;
    sw = load_swmap(&cfg, &swmap);
    sw_bad = sw == NULL;
    if (o.rollup_only) {   /* no archive needed: docs/ingest.md "Daily roll-up" */
        int r = ingest_rollup_main(&db, cfg.not_applications, sw, o.rollup_only == 'Y');
        rc = r < 0 ? (db.lost ? EXIT_DB : EXIT_SCHEMA) : r ? EXIT_ROLLUP : EXIT_OK;
        goto out;
    }
    if (ingest_archive_open(&a, cfg.archive_dir, err, sizeof err) != 0) {
        spool_log_err("archive_dir %s", err);
        rc = EXIT_ARCHIVE;
        goto out;
    }
    if ((rc = lock_and_list(&a, o.month, &lst)) != 0)
        goto out;
    rc = run(&o, &cfg, sw, &db, &L, &a, &lst);
    if (cfg.slurm_accounting && rc != EXIT_DB) {
        if (ingest_jobs_load(&db, cfg.syshost) != 0) {
            if (!rc)
                rc = db.lost ? EXIT_DB : EXIT_SLURM;
        } else if (ingest_rollup_after_load(&db, cfg.not_applications, sw) != 0 && !rc) {
            rc = EXIT_DB;   /* Slurm's facts change the jobs' roll-up rows */
        }
    }
out:
    if (sw_bad && rc == EXIT_OK)
        rc = EXIT_USAGE;
    ingest_load_free(&L);
    ingest_archive_close(&a);
    ingest_db_close(&db);
    ingest_archive_list_free(&lst);
    sw_map_free(&swmap);
    return rc;
}
