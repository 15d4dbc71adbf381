/* track-doctor: the checks, one function each, sharing one context. Each
 * check opens its own section of the report (doctor_report.h), records what
 * it found and one line per problem, and never stops the others. */
#ifndef TRACK_DOCTOR_H
#define TRACK_DOCTOR_H

#include <sys/types.h>

#include "doctor_report.h"
#include "spool_config.h"

struct doc_ctx {
    struct spool_config cfg;    /* as loaded (defaults where the file had none) */
    const char *conf_path;      /* the file read, or the path that was missing */
    const char *preload;        /* LD_PRELOAD value for the test program; libtrack last */
    const char *slurm_conf;     /* slurm.conf to read */
    const char *slurm_dir;      /* where track's Slurm scripts are installed */
    const char *defaults_file;  /* MariaDB option file; NULL = cfg.db_option_file */
    int node;                   /* 1 = compute-node checks (track-epilog reads the config) */
};

/* doctor_fs.c */
void doc_check_config_file(struct doc_report *r, const struct doc_ctx *c);
void doc_check_spool(struct doc_report *r, const struct doc_ctx *c);
void doc_check_archive(struct doc_report *r, const struct doc_ctx *c);
/* doctor_run.c */
void doc_check_libtrack(struct doc_report *r, const struct doc_ctx *c);
/* doctor_slurm.c */
void doc_check_slurm(struct doc_report *r, const struct doc_ctx *c);
/* doctor_db.c: the only file that talks to MariaDB. */
void doc_check_database(struct doc_report *r, const struct doc_ctx *c);

/* "user" (uid N) / "group" (gid N) names for messages, into buf. */
const char *doc_user(uid_t uid, char *buf, size_t len);
const char *doc_group(gid_t gid, char *buf, size_t len);

#endif
