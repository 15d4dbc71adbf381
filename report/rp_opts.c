/* track-report's command line (see rp_opts.h). */
#include "rp_opts.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sw_map.h"
#include "spool_err.h"
#include "spool_uuid.h"

const char *const rp_report_names[] = {
    "summary", "executables", "libraries", "who-used", "modules",
    "users", "job", "failures", "env", "software", "compilers", "jobs", "utilisation",
    "daily", "dashboard", "packages", NULL,
};

#define TEXT_MAX 255  /* syshost, user, account, partition, job id */

enum {
    O_SINCE = 256, O_UNTIL, O_SYSHOST, O_USER, O_ACCOUNT, O_PARTITION, O_LIMIT, O_FORMAT,
    O_DEFAULTS, O_CONFIG, O_SQLDIR, O_LIBRARY, O_BUILDID, O_SIGNATURE, O_PREFIXES, O_PACKAGE, O_NOTAPPS,
    O_BY, O_OUTPUT, O_PYPACKAGE,
    O_HELP, O_VERSION,
};

static const struct option longopts[] = {
    { "since", required_argument, NULL, O_SINCE },
    { "until", required_argument, NULL, O_UNTIL },
    { "syshost", required_argument, NULL, O_SYSHOST },
    { "user", required_argument, NULL, O_USER },
    { "account", required_argument, NULL, O_ACCOUNT },
    { "partition", required_argument, NULL, O_PARTITION },
    { "limit", required_argument, NULL, O_LIMIT },
    { "format", required_argument, NULL, O_FORMAT },
    { "defaults-file", required_argument, NULL, O_DEFAULTS },
    { "config", required_argument, NULL, O_CONFIG },
    { "sql-dir", required_argument, NULL, O_SQLDIR },
    { "library", required_argument, NULL, O_LIBRARY },
    { "build-id", required_argument, NULL, O_BUILDID },
    { "signature", required_argument, NULL, O_SIGNATURE },
    { "system-prefixes", required_argument, NULL, O_PREFIXES },
    { "package", required_argument, NULL, O_PACKAGE },
    { "not-applications", required_argument, NULL, O_NOTAPPS },
    { "by", required_argument, NULL, O_BY },
    { "output", required_argument, NULL, O_OUTPUT },
    { "python-package", required_argument, NULL, O_PYPACKAGE },
    { "help", no_argument, NULL, O_HELP },
    { "version", no_argument, NULL, O_VERSION },
    { NULL, 0, NULL, 0 },
};

void rp_opts_usage(FILE *f)
{
    fputs(
"usage: track-report REPORT [options]\n"
"\n"
"Reports (docs/reports.md):\n"
"  summary            runs, jobs, users, accounts, core-hours; system vs user-built; abnormal ends\n"
"  executables        top executables by core-hours, runs and users (all, parallel, serial)\n"
"  libraries          shared libraries by path and by family: runs, jobs, users, core-hours, builds\n"
"  who-used           runs, jobs and users that loaded a library (--library GLOB,\n"
"                     --build-id HEX, --signature UUID and/or --package NAME[/VERSION]),\n"
"                     or imported a Python package (--python-package NAME[==VERSION])\n"
"  modules            users, jobs and runs per module; loaded modules whose files no run used\n"
"  users              runs, core-hours and distinct executables per user\n"
"  job JOBID          every tracked run of a job as a process tree\n"
"  failures           runs without an end, killed by a signal or with a non-zero status\n"
"  env NAME           distribution of a recorded variable's values per executable\n"
"  software           core-hours by package/version (Lmod map and site rules), executables\n"
"                     and libraries\n"
"  compilers          compiler drivers by links and by core-hours of the programs they built\n"
"  jobs               one row per job: Slurm's facts (or the records'), allocated and\n"
"                     tracked core-hours, job type, failed runs\n"
"  utilisation        allocated and tracked core-hours per user, account and partition\n"
"  daily              per day (and --by group): runs, jobs, users, core-hours, failures\n"
"  dashboard -o DIR   writes DIR/index.html: charts and tables of the window (no network)\n"
"  packages           Python packages and versions imported: runs, jobs, users, core-hours\n"
"\n"
"Options:\n"
"  --since DATE       first day (YYYY-MM-DD, database session time zone); default: --until - 30 days\n"
"  --until DATE       day after the last one (exclusive); default: tomorrow\n"
"  --syshost S, --user U, --account A, --partition P   only runs that match exactly\n"
"  --limit N          rows per ranking (1..1000000; default 20; job/who-used: all)\n"
"  --format F         table (default), csv (RFC 4180), json; html for job (a page)\n"
"  --by G             daily: user, account, partition, syshost, executable or application\n"
"  -o, --output DIR   dashboard: the directory to write index.html into\n"
"  --defaults-file F  MariaDB option file with the credentials (else config db_option_file)\n"
"  --config FILE      config file (else $TRACK_CONFIG, else " TRACK_CONFIG_FILE ")\n"
"  --sql-dir DIR      directory of the report SQL files (else the installed one)\n"
"  --system-prefixes LIST  comma-separated prefixes of system executables (else config)\n"
"  --package NAME[/VERSION]  who-used: objects attributed to the package (docs/software.md)\n"
"  --not-applications LIST  globs of executable names that are not applications (else config)\n"
"  --python-package NAME[==VERSION]  who-used: runs that imported the Python package\n"
"                     (VERSION exact, or a prefix ending in *: numpy==1.*)\n"
"  --help, --version\n"
"\n"
"Exit status: 0 success (also when no run matches), 1 database error, 2 bad command line,\n"
"3 configuration or installation error, 4 output error.\n", f);
}

int rp_opts_date_ok(const char *s)
{
    static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    int y, m, d;
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
            return 0;
    y = atoi(s);
    m = atoi(s + 5);
    d = atoi(s + 8);
    if (y < 1970 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
        return 0;
    if (m == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
        return 0;
    return 1;
}

/* Free text for an exact match: 1..TEXT_MAX bytes, no control characters. */
static int text_ok(const char *s, char *why, size_t whylen)
{
    size_t n = strlen(s);
    if (n == 0) {
        snprintf(why, whylen, "must not be empty");
        return 0;
    }
    if (n > TEXT_MAX) {
        snprintf(why, whylen, "longer than %d bytes", TEXT_MAX);
        return 0;
    }
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
            snprintf(why, whylen, "holds a control character");
            return 0;
        }
    return 1;
}

int rp_opts_by_ok(const char *s)
{
    static const char *const by[] = { "user", "account", "partition", "syshost", "executable",
                                      "application" };
    for (size_t i = 0; i < sizeof by / sizeof by[0]; i++)
        if (strcmp(s, by[i]) == 0)
            return 1;
    return 0;
}

/* The options that belong to one report only: --by (daily), -o (dashboard,
 * which needs it), --format html (job). */
static int rp_opts_extra_check(const struct rp_opts *o, char *err, size_t errlen)
{
    const int dash = strcmp(o->report, "dashboard") == 0;
    if (o->by && strcmp(o->report, "daily") != 0) {
        snprintf(err, errlen, "--by: only the daily report takes it");
        return -1;
    }
    if (dash != (o->outdir != NULL)) {
        snprintf(err, errlen, dash ? "dashboard: needs -o DIR" : "-o: only the dashboard takes it");
        return -1;
    }
    if (o->format == RP_FORMAT_HTML && strcmp(o->report, "job") != 0) {
        snprintf(err, errlen, "--format: html is for the job report (the dashboard is HTML anyway)");
        return -1;
    }
    return 0;
}

static int is_report(const char *s)
{
    for (int i = 0; rp_report_names[i]; i++)
        if (strcmp(s, rp_report_names[i]) == 0)
            return 1;
    return 0;
}

/* job ids as Slurm's environment gives them: "1234", "1234_7", "1234+0". */
static int job_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && !strchr("_.+-", s[i]))
            return 0;
    return 1;
}

static int env_name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 255 || isdigit((unsigned char)s[0]))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '_')
            return 0;
    return 1;
}

/* Long on purpose: one getopt loop with one short case per option, then
 * the report argument and the checks that involve several options. Split,
 * an option would be read in one place and judged in another. */
int rp_opts_parse(int argc, char **argv, struct rp_opts *o, char *err, size_t errlen)
{
    char why[SPOOL_ERR_MAX];
    int c;
    memset(o, 0, sizeof *o);
    o->format = RP_FORMAT_TABLE;
    opterr = 0;
    optind = 1;
    /* ":" first: a missing value is reported as such, not as an unknown option */
    while ((c = getopt_long(argc, argv, ":o:", longopts, NULL)) != -1) {
        const char *v = optarg;
        switch (c) {
        case O_SINCE:
        case O_UNTIL:
            if (!rp_opts_date_ok(v)) {
                snprintf(err, errlen, "%s: '%s' is not a date (YYYY-MM-DD)",
                         c == O_SINCE ? "--since" : "--until", v);
                return -1;
            }
            if (c == O_SINCE)
                o->since = v;
            else
                o->until = v;
            break;
        case O_SYSHOST:
        case O_USER:
        case O_ACCOUNT:
        case O_PARTITION: {
            const char *name = c == O_SYSHOST ? "--syshost" : c == O_USER ? "--user"
                             : c == O_ACCOUNT ? "--account" : "--partition";
            if (!text_ok(v, why, sizeof why)) {
                snprintf(err, errlen, "%s: %s", name, why);
                return -1;
            }
            if (c == O_SYSHOST)
                o->syshost = v;
            else if (c == O_USER)
                o->user = v;
            else if (c == O_ACCOUNT)
                o->account = v;
            else
                o->partition = v;
            break;
        }
        case O_LIMIT: {
            char *end;
            errno = 0;
            long n = strtol(v, &end, 10);
            if (errno || end == v || *end || n < 1 || n > 1000000 || !isdigit((unsigned char)v[0])) {
                snprintf(err, errlen, "--limit: '%s' is not a number from 1 to 1000000", v);
                return -1;
            }
            o->limit = n;
            break;
        }
        case O_FORMAT:
            if (strcmp(v, "table") == 0)
                o->format = RP_FORMAT_TABLE;
            else if (strcmp(v, "csv") == 0)
                o->format = RP_FORMAT_CSV;
            else if (strcmp(v, "json") == 0)
                o->format = RP_FORMAT_JSON;
            else if (strcmp(v, "html") == 0)
                o->format = RP_FORMAT_HTML;
            else {
                snprintf(err, errlen, "--format: '%s' is not one of table, csv, json, html", v);
                return -1;
            }
            break;
        case O_DEFAULTS:
        case O_CONFIG:
        case O_SQLDIR:
            if (!*v) {
                snprintf(err, errlen, "%s: must not be empty",
                         c == O_DEFAULTS ? "--defaults-file" : c == O_CONFIG ? "--config" : "--sql-dir");
                return -1;
            }
            if (c == O_DEFAULTS)
                o->defaults_file = v;
            else if (c == O_CONFIG)
                o->config = v;
            else
                o->sql_dir = v;
            break;
        case O_LIBRARY:
            if (!*v || strlen(v) > 1024) {
                snprintf(err, errlen, "--library: the glob must be 1 to 1024 bytes");
                return -1;
            }
            o->library = v;
            break;
        case O_BUILDID: {
            size_t n = strlen(v);
            if (n < 2 || n > 128 || n % 2) {
                snprintf(err, errlen, "--build-id: '%s' is not an even number (2..128) of hex digits", v);
                return -1;
            }
            for (size_t i = 0; i < n; i++) {
                if (!isxdigit((unsigned char)v[i])) {
                    snprintf(err, errlen, "--build-id: '%s' is not hexadecimal", v);
                    return -1;
                }
                o->build_id[i] = (char)tolower((unsigned char)v[i]);
            }
            o->build_id[n] = '\0';
            break;
        }
        case O_SIGNATURE: {
            size_t n = strlen(v);
            for (size_t i = 0; i < n && i < 36; i++)
                o->signature[i] = (char)tolower((unsigned char)v[i]);
            o->signature[n < 36 ? n : 36] = '\0';
            if (n != 36 || spool_uuid_parse(o->signature, NULL) < 0) {
                snprintf(err, errlen, "--signature: '%s' is not a UUID", v);
                return -1;
            }
            break;
        }
        case O_PREFIXES:
            if (strlen(v) > 2047) {
                snprintf(err, errlen, "--system-prefixes: longer than 2047 bytes");
                return -1;
            }
            o->system_prefixes = v;
            break;
        case O_PACKAGE: {
            size_t n = strlen(v), pkglen;
            const char *ver;
            if (!text_ok(v, why, sizeof why)) {
                snprintf(err, errlen, "--package: %s", why);
                return -1;
            }
            sw_split(v, n, &pkglen, &ver, NULL);
            if (pkglen == 0 || v[n - 1] == '/') {
                snprintf(err, errlen, "--package: '%s' is not NAME or NAME/VERSION", v);
                return -1;
            }
            snprintf(o->package, sizeof o->package, "%.*s", (int)pkglen, v);
            if (ver)
                snprintf(o->pkg_version, sizeof o->pkg_version, "%s", ver);
            break;
        }
        case O_PYPACKAGE: {
            const char *eq = strstr(v, "==");
            size_t nl = eq ? (size_t)(eq - v) : strlen(v);
            if (!text_ok(v, why, sizeof why)) {
                snprintf(err, errlen, "--python-package: %s", why);
                return -1;
            }
            if (nl == 0 || nl >= sizeof o->py_package || (eq && (!eq[2] ||
                strlen(eq + 2) >= sizeof o->py_version))) {
                snprintf(err, errlen, "--python-package: '%s' is not NAME or NAME==VERSION "
                         "(name at most 128 bytes, version 64)", v);
                return -1;
            }
            snprintf(o->py_package, sizeof o->py_package, "%.*s", (int)nl, v);
            if (eq)
                snprintf(o->py_version, sizeof o->py_version, "%s", eq + 2);
            break;
        }
        case O_NOTAPPS:
            if (strlen(v) > 2047) {
                snprintf(err, errlen, "--not-applications: longer than 2047 bytes");
                return -1;
            }
            o->not_applications = v;
            break;
        case O_BY:
            if (!rp_opts_by_ok(v)) {
                snprintf(err, errlen, "--by: '%s' is not one of user, account, partition, "
                         "syshost, executable, application", v);
                return -1;
            }
            o->by = v;
            break;
        case 'o':
        case O_OUTPUT:
            if (!*v) {
                snprintf(err, errlen, "--output: must not be empty");
                return -1;
            }
            o->outdir = v;
            break;
        case O_HELP:
            o->help = 1;
            return 0;
        case O_VERSION:
            o->version = 1;
            return 0;
        case ':':
            snprintf(err, errlen, "%s: needs a value", argv[optind - 1]);
            return -1;
        default:
            snprintf(err, errlen, "%s: unknown option (see --help)", argv[optind - 1]);
            return -1;
        }
    }
    if (optind >= argc) {
        snprintf(err, errlen, "no report given (one of summary executables libraries who-used "
                 "modules users job failures env software compilers jobs utilisation daily dashboard "
                 "packages; see --help)");
        return -1;
    }
    o->report = argv[optind++];
    if (!is_report(o->report)) {
        snprintf(err, errlen, "'%s' is not a report (one of summary executables libraries "
                 "who-used modules users job failures env software compilers jobs utilisation daily dashboard "
                 "packages)", o->report);
        return -1;
    }
    if (strcmp(o->report, "job") == 0 || strcmp(o->report, "env") == 0) {
        int job = o->report[0] == 'j';
        if (optind >= argc) {
            snprintf(err, errlen, "%s: needs %s", o->report, job ? "a JOBID" : "a variable NAME");
            return -1;
        }
        o->arg = argv[optind++];
        if (job ? !job_ok(o->arg) : !env_name_ok(o->arg)) {
            snprintf(err, errlen, job ? "job: '%s' is not a job id" : "env: '%s' is not a variable name",
                     o->arg);
            return -1;
        }
    }
    if (optind < argc) {
        snprintf(err, errlen, "'%s': unexpected argument", argv[optind]);
        return -1;
    }
    if (o->since && o->until && strcmp(o->since, o->until) >= 0) {
        snprintf(err, errlen, "--since: %s is not before --until %s", o->since, o->until);
        return -1;
    }
    if (rp_opts_extra_check(o, err, errlen) < 0)
        return -1;
    int objects = o->library || o->build_id[0] || o->signature[0] || o->package[0];
    if (strcmp(o->report, "who-used") == 0) {
        if (!objects && !o->py_package[0]) {
            snprintf(err, errlen, "who-used: needs --library GLOB, --build-id HEX, --signature UUID, "
                     "--package NAME[/VERSION] or --python-package NAME[==VERSION]");
            return -1;
        }
        if (objects && o->py_package[0]) {
            snprintf(err, errlen, "who-used: --python-package is a report of its own; it does not "
                     "combine with --library, --build-id, --signature or --package");
            return -1;
        }
    } else if (objects || o->py_package[0]) {
        snprintf(err, errlen, "%s: only the who-used report takes it",
                 o->library ? "--library" : o->build_id[0] ? "--build-id"
                 : o->signature[0] ? "--signature" : o->package[0] ? "--package"
                 : "--python-package");
        return -1;
    }
    return 0;
}
