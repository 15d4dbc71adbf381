/* track-epilog: moves each job's spool into the shared archive, safely, as
 * root (docs/epilog.md). This file: command line, config, exit status. */
#include "ep.h"

#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spool_dir.h"
#include "spool_err.h"
#include "spool_log.h"

static void usage(FILE *f)
{
    fprintf(f,
        "usage: track-epilog [OPTIONS] collect [--job ID] [--uid UID] [JOB FACTS]\n"
        "       track-epilog [OPTIONS] prepare [--uid UID] [--gid GID] [--job ID] [JOB FACTS]\n"
        "       track-epilog [OPTIONS] sweep [--min-age SECONDS]\n"
        "\n"
        "collect  move <spool_dir>/<uid>/<job>/ into <archive_dir>/<YYYYMM>/ (Slurm Epilog);\n"
        "         job and uid from SLURM_JOB_ID / SLURM_JOB_UID unless given\n"
        "prepare  create the spool root (root, 1777) and the user's directory (0700),\n"
        "         repairing what is wrong (Slurm Prolog); uid/gid from SLURM_JOB_UID/GID;\n"
        "         with a job (SLURM_JOB_ID), note its start for the Epilog (job stamp)\n"
        "sweep    move what no Epilog collected: nojob directories, job directories\n"
        "         untouched for --min-age seconds (default 3600); remove stale temp files\n"
        "\n"
        "options:\n"
        "  --config FILE  config file (default: $TRACK_CONFIG, else %s)\n"
        "  --dry-run      print what would be done, change nothing\n"
        "  --strict       exit non-zero on any problem (not under Slurm: a failing\n"
        "                 Epilog drains the node)\n"
        "  --quiet        no info messages (warnings and errors still go out)\n"
        "  --no-syslog    log to stderr only\n"
        "  --help, --version\n"
        "\n"
        "job facts (collect checks each record's claims against them; prepare stamps\n"
        "them for the Epilog; default: slurmd's environment, else unknown):\n"
        "  --array JOB_TASK  the job's array ids, '' for not an array job\n"
        "                    (SLURM_ARRAY_JOB_ID, SLURM_ARRAY_TASK_ID)\n"
        "  --partition P     (SLURM_JOB_PARTITION)   --account A  (SLURM_JOB_ACCOUNT)\n"
        "\n"
        "exit status: 0 done (always, without --strict, once the command line is valid);\n"
        "  with --strict: 1 a problem was logged (a file quarantined, removed or left),\n"
        "  3 setup failed (config, spool root, archive); 2 bad command line.\n",
        TRACK_CONFIG_FILE);
}

/* A config that names where root writes must be root's: owned by us, not
 * writable by anyone else, in a secure directory. */
static int config_trusted(const char *path, uid_t self)
{
    char dir[SPOOL_CONF_PATH_MAX], err[SPOOL_ERR_MAX];
    struct stat st;

    if (lstat(path, &st) < 0)
        return errno == ENOENT ? 0 : -1;   /* the loader reports it */
    if (!S_ISREG(st.st_mode)) {
        spool_log_err("config %s: not a regular file", path);
        return -1;
    }
    if ((st.st_uid != 0 && st.st_uid != self) || (st.st_mode & 022)) {
        spool_log_err("config %s: refused: owned by uid %lu, mode %04o (must be root's and "
                      "not writable by others)", path, (unsigned long)st.st_uid,
                      (unsigned)(st.st_mode & 07777));
        return -1;
    }
    snprintf(dir, sizeof dir, "%s", path);
    if (spool_path_is_secure(dirname(dir), self, err, sizeof err) < 0) {
        spool_log_err("config %s: directory not secure: %s", path, err);
        return -1;
    }
    return 0;
}

static int parse_age(const char *s, time_t *out)
{
    char *end;
    long long v;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v < 0 || v > 100LL * 365 * 86400)
        return -1;
    *out = (time_t)v;
    return 0;
}

int main(int argc, char **argv)
{
    enum { O_CONFIG = 256, O_DRY, O_STRICT, O_QUIET, O_NOSYSLOG, O_JOB, O_UID, O_GID, O_AGE,
           O_VERSION, O_ARRAY, O_PARTITION, O_ACCOUNT };
    static const struct option opts[] = {
        { "config", required_argument, NULL, O_CONFIG },
        { "dry-run", no_argument, NULL, O_DRY },
        { "strict", no_argument, NULL, O_STRICT },
        { "quiet", no_argument, NULL, O_QUIET },
        { "no-syslog", no_argument, NULL, O_NOSYSLOG },
        { "job", required_argument, NULL, O_JOB },
        { "uid", required_argument, NULL, O_UID },
        { "gid", required_argument, NULL, O_GID },
        { "min-age", required_argument, NULL, O_AGE },
        { "array", required_argument, NULL, O_ARRAY },
        { "partition", required_argument, NULL, O_PARTITION },
        { "account", required_argument, NULL, O_ACCOUNT },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, O_VERSION },
        { NULL, 0, NULL, 0 },
    };
    static struct ep_ctx ctx;
    static struct ep_job given;
    const char *config = NULL, *job = NULL, *uid = NULL, *gid = NULL, *cmd;
    const char *array = NULL, *partition = NULL, *account = NULL;
    char err[SPOOL_ERR_MAX];
    int c, strict = 0, quiet = 0, use_syslog = 1, rc, flags = SPOOL_CONF_STRICT;
    time_t min_age = 3600;

    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case O_CONFIG: config = optarg; break;
        case O_DRY: ctx.dry_run = 1; break;
        case O_STRICT: strict = 1; break;
        case O_QUIET: quiet = 1; break;
        case O_NOSYSLOG: use_syslog = 0; break;
        case O_JOB: job = optarg; break;
        case O_UID: uid = optarg; break;
        case O_GID: gid = optarg; break;
        case O_ARRAY: array = optarg; break;
        case O_PARTITION: partition = optarg; break;
        case O_ACCOUNT: account = optarg; break;
        case O_AGE:
            if (parse_age(optarg, &min_age) < 0) {
                fprintf(stderr, "track-epilog: --min-age '%s': expected seconds\n", optarg);
                return EP_EXIT_USAGE;
            }
            break;
        case 'h': usage(stdout); return EP_EXIT_OK;
        case O_VERSION: printf("track-epilog %s\n", TRACK_VERSION); return EP_EXIT_OK;
        default: usage(stderr); return EP_EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "track-epilog: expected one command: collect, prepare or sweep\n");
        usage(stderr);
        return EP_EXIT_USAGE;
    }
    cmd = argv[optind];
    if (strcmp(cmd, "collect") && strcmp(cmd, "prepare") && strcmp(cmd, "sweep")) {
        fprintf(stderr, "track-epilog: unknown command '%s' (collect, prepare or sweep)\n", cmd);
        return EP_EXIT_USAGE;
    }
    spool_log_init("track-epilog", use_syslog, quiet);

    ctx.self_uid = geteuid();
    ctx.now = time(NULL);
    spool_config_defaults(&ctx.cfg);
    if (!config) {
        config = spool_config_default_path();
        /* Only the built-in default may be absent (defaults then apply). */
        if (!getenv("TRACK_CONFIG") || !getenv("TRACK_CONFIG")[0])
            flags |= SPOOL_CONF_MISSING_OK;
    }
    ctx.conf_path = config;
    if (config_trusted(config, ctx.self_uid) < 0 ||
        spool_config_load(&ctx.cfg, config, flags, err, sizeof err) < 0) {
        if (err[0])
            spool_log_err("%s", err);
        rc = EP_EXIT_SETUP;
        goto out;
    }
    ctx.budget = ctx.cfg.epilog_max_files;
    ctx.buf = malloc(ctx.cfg.max_record_bytes + 1);
    if (!ctx.buf) {
        spool_log_err("out of memory");
        rc = EP_EXIT_SETUP;
        goto out;
    }

    if (!job)
        job = getenv("SLURM_JOB_ID");
    if (!uid)
        uid = getenv("SLURM_JOB_UID");
    if (!gid)
        gid = getenv("SLURM_JOB_GID");
    if (strcmp(cmd, "sweep") != 0) {
        if (job && !spool_job_name_ok(job)) {
            spool_log_err("%s: job '%s' is not a job id (SLURM_JOB_ID or --job)", cmd, job);
            rc = EP_EXIT_SETUP;
            goto out;
        }
        /* A malformed fact is logged and stays unknown: the spool must be
         * prepared and collected all the same. */
        ep_job_init(&ctx, &given, job);
        ep_job_given(&given, array, partition, account);
    }
    if (strcmp(cmd, "collect") == 0)
        rc = ep_collect(&ctx, job, &given, uid);
    else if (strcmp(cmd, "prepare") == 0)
        rc = ep_prepare(&ctx, job, &given, uid, gid);
    else
        rc = ep_sweep(&ctx, min_age);
out:
    free(ctx.buf);
    if (!strict)
        return EP_EXIT_OK;
    if (rc != EP_EXIT_OK)
        return rc;
    return spool_log_errors() + spool_log_warnings() > 0 ? EP_EXIT_PROBLEMS : EP_EXIT_OK;
}
