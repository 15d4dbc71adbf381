/* rp_opts: track-report's command line, checked before anything connects.
 * Every bad option ends in one line naming the option and what is wrong. */
#ifndef TRACK_RP_OPTS_H
#define TRACK_RP_OPTS_H

#include <stddef.h>
#include "rp_out.h"

/* Exit codes (docs/reports.md). */
enum {
    RP_EXIT_OK = 0,
    RP_EXIT_DB = 1,      /* cannot connect, or a query failed */
    RP_EXIT_USAGE = 2,   /* bad command line */
    RP_EXIT_CONFIG = 3,  /* bad config file, unreadable option file, SQL files not found */
    RP_EXIT_OUTPUT = 4,  /* writing the output failed */
};

struct rp_opts {
    const char *report;          /* one of rp_report_names */
    const char *arg;             /* job: JOBID; env: NAME; else NULL */
    const char *since, *until;   /* YYYY-MM-DD or NULL */
    const char *syshost, *user, *account, *partition;
    long limit;                  /* 0 = the report's default */
    enum rp_format format;
    const char *defaults_file, *config, *sql_dir;
    const char *library;
    char build_id[129];          /* lowercased; "" = not given */
    char signature[37];          /* canonical; "" = not given */
    const char *system_prefixes; /* NULL = from the config */
    char package[256];           /* who-used --package: the name; "" = not given */
    char pkg_version[256];       /* its version; "" = any */
    const char *not_applications; /* NULL = from the config */
    const char *by;              /* daily: user|account|partition|syshost|executable; NULL = none */
    const char *outdir;          /* dashboard: -o DIR */
    char py_package[129];        /* who-used --python-package: the name; "" = not given */
    char py_version[65];         /* its version (exact, or a prefix ending in '*'); "" = any */
    int help, version;
};

extern const char *const rp_report_names[]; /* NULL-terminated */

/* Parses argv into o (pointers into argv). Returns 0, or -1 after writing a
 * one-line reason into err ("--since: ..."). --help/--version set o->help /
 * o->version and return 0 without further checks. */
int rp_opts_parse(int argc, char **argv, struct rp_opts *o, char *err, size_t errlen);

/* Returns 1 if s is exactly YYYY-MM-DD and a real calendar day (1970..9999). */
int rp_opts_date_ok(const char *s);

/* Returns 1 if s is a --by value of the daily report. */
int rp_opts_by_ok(const char *s);

void rp_opts_usage(FILE *f);

#endif
