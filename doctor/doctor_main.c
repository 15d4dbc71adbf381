/* track-doctor: is everything in place on this node or database host?
 * Parses the config (every setting with its source), then runs the checks
 * that fit the host: a compute node (libtrack.so installed) gets spool,
 * libtrack, archive and slurm; a database host (track-ingest installed)
 * archive and database. Exit 0 when all is well, 1 with one line per problem
 * on stderr, 2 for a bad command line. */
#include "doctor.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spool_config_show.h"
#include "spool_ident.h"

enum { EXIT_OK = 0, EXIT_PROBLEMS = 1, EXIT_USAGE = 2 };
enum { C_SPOOL, C_LIBTRACK, C_ARCHIVE, C_DATABASE, C_SLURM, NCHECKS };
static const char *check_names[NCHECKS] = { "spool", "libtrack", "archive", "database", "slurm" };
static void (*const checks[NCHECKS])(struct doc_report *, const struct doc_ctx *) = {
    doc_check_spool, doc_check_libtrack, doc_check_archive, doc_check_database, doc_check_slurm,
};

static void usage(FILE *f)
{
    fprintf(f,
"usage: track-doctor [--config FILE] [--check LIST] [--json] [--defaults-file FILE]\n"
"                    [--libtrack PRELOAD] [--slurm-conf FILE] [--slurm-scripts DIR]\n"
"Checks that track is in place on this host and says what is wrong, one line per\n"
"problem on stderr.\n"
"  --config FILE         config file (default $TRACK_CONFIG, else %s)\n"
"  --check LIST          comma-separated checks out of spool, libtrack, archive,\n"
"                        database, slurm (default: what is installed here: a compute\n"
"                        node gets spool,libtrack,archive,slurm, a database host\n"
"                        archive,database). The config is always checked\n"
"  --json                the report as one JSON object on stdout\n"
"  --defaults-file FILE  MariaDB option file (default: config db_option_file)\n"
"  --libtrack PRELOAD    LD_PRELOAD value for the test program, libtrack.so last\n"
"                        (default %s)\n"
"  --slurm-conf FILE     slurm.conf to read (default $SLURM_CONF, else %s)\n"
"  --slurm-scripts DIR   where track's Slurm scripts are (default %s)\n"
"  --help, --version\n"
"Exit status: 0 all checks passed, 1 a problem was found, 2 bad command line.\n",
            TRACK_CONFIG_FILE, DOCTOR_LIBTRACK, DOCTOR_SLURM_CONF, DOCTOR_SLURM_DIR);
}

static int parse_checks(const char *list, int *want)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", list);
    for (char *it = strtok(buf, ","); it; it = strtok(NULL, ",")) {
        int i;
        if (!strcmp(it, "config"))
            continue;
        for (i = 0; i < NCHECKS && strcmp(it, check_names[i]) != 0; i++)
            ;
        if (i == NCHECKS) {
            fprintf(stderr, "track-doctor: --check: unknown check '%s' (spool, libtrack, "
                            "archive, database, slurm)\n", it);
            return -1;
        }
        want[i] = 1;
    }
    return 0;
}

struct seen { int line[64]; };

static void on_seen(void *ctx, const char *key, int line)
{
    struct seen *s = ctx;
    for (size_t i = 0; i < spool_config_nkeys() && i < 64; i++)
        if (!strcmp(spool_config_key(i), key))
            s->line[i] = line;
}

/* Loads the config strictly (a bad line is a problem), then leniently so the
 * other checks see what libtrack would use; records every setting. */
static void check_config(struct doc_report *r, struct doc_ctx *c, int explicit_path)
{
    struct seen seen;
    struct spool_ident id;
    char err[1200], val[SPOOL_CONF_LIST_MAX + 64];
    int flags = SPOOL_CONF_STRICT | (explicit_path ? 0 : SPOOL_CONF_MISSING_OK);

    memset(&seen, 0, sizeof seen);
    doc_section(r, "config");
    spool_config_defaults(&c->cfg);
    r->config_path = strdup(c->conf_path);
    if (spool_config_load_seen(&c->cfg, c->conf_path, flags, err, sizeof err, on_seen,
                               &seen) < 0) {
        doc_problem(r, "%s", err);
        memset(&seen, 0, sizeof seen);
        spool_config_defaults(&c->cfg);
        spool_config_load_seen(&c->cfg, c->conf_path, SPOOL_CONF_MISSING_OK, NULL, 0, on_seen,
                               &seen);
    } else {
        r->config_loaded = 1;
        if (!c->cfg.path[0])
            doc_fact(r, "%s: no such file: every setting is its default", c->conf_path);
    }
    for (size_t i = 0; i < spool_config_nkeys(); i++) {
        const char *k = spool_config_key(i);
        spool_config_get(&c->cfg, k, val, sizeof val);
        doc_setting(r, k, val, i < 64 ? seen.line[i] : 0);
    }
    if (!c->cfg.syshost[0]) {
        spool_ident_get(&c->cfg, getuid(), &id);
        doc_fact(r, "syshost not set: records here say '%s' (SLURM_CLUSTER_NAME, else the "
                    "short host name)", id.syshost);
    }
    doc_check_config_file(r, c);
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "config", required_argument, NULL, 'c' },
        { "check", required_argument, NULL, 'k' },
        { "json", no_argument, NULL, 'j' },
        { "defaults-file", required_argument, NULL, 'd' },
        { "libtrack", required_argument, NULL, 'l' },
        { "slurm-conf", required_argument, NULL, 's' },
        { "slurm-scripts", required_argument, NULL, 'S' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    struct doc_report r;
    struct doc_ctx c;
    int want[NCHECKS] = { 0 }, chosen = 0, json = 0, opt, rc;
    const char *conf = NULL, *env_slurm = getenv("SLURM_CONF");

    memset(&c, 0, sizeof c);
    c.preload = DOCTOR_LIBTRACK;
    c.slurm_conf = env_slurm && *env_slurm ? env_slurm : DOCTOR_SLURM_CONF;
    c.slurm_dir = DOCTOR_SLURM_DIR;
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (opt) {
        case 'c': conf = optarg; break;
        case 'k':
            if (parse_checks(optarg, want) < 0)
                return EXIT_USAGE;
            chosen = 1;
            break;
        case 'j': json = 1; break;
        case 'd': c.defaults_file = optarg; break;
        case 'l': c.preload = optarg; break;
        case 's': c.slurm_conf = optarg; break;
        case 'S': c.slurm_dir = optarg; break;
        case 'h': usage(stdout); return EXIT_OK;
        case 'V': printf("track-doctor %s\n", TRACK_VERSION); return EXIT_OK;
        default: usage(stderr); return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "track-doctor: unexpected argument '%s' (see --help)\n", argv[optind]);
        return EXIT_USAGE;
    }
    if (!chosen) {
        /* What is installed says what this host is. */
        int node = access(DOCTOR_LIBTRACK, F_OK) == 0;
        int db = access(DOCTOR_INGEST, F_OK) == 0;
        if (!node && !db)
            node = db = 1;
        want[C_SPOOL] = want[C_LIBTRACK] = want[C_SLURM] = node;
        want[C_DATABASE] = db;
        want[C_ARCHIVE] = 1;
    }
    c.node = want[C_SPOOL] || want[C_SLURM];
    c.conf_path = conf ? conf : spool_config_default_path();

    doc_report_init(&r);
    check_config(&r, &c, conf != NULL || getenv("TRACK_CONFIG") != NULL);
    for (int i = 0; i < NCHECKS; i++) {
        if (want[i]) {
            checks[i](&r, &c);
            continue;
        }
        doc_section(&r, check_names[i]);
        if (chosen)
            doc_skip(&r, "not in --check");
        else if (i == C_DATABASE)
            doc_skip(&r, "not a database host (no %s; --check database runs it)", DOCTOR_INGEST);
        else
            doc_skip(&r, "not a compute node (no %s; --check %s runs it)", DOCTOR_LIBTRACK,
                     check_names[i]);
    }
    rc = r.nproblems || r.oom ? EXIT_PROBLEMS : EXIT_OK;
    if (doc_report_print(&r, stdout, json) < 0) {
        fprintf(stderr, "track-doctor: out of memory writing the report\n");
        rc = EXIT_PROBLEMS;
    }
    doc_report_free(&r);
    if (fflush(stdout) != 0)
        rc = EXIT_PROBLEMS;
    return rc;
}
