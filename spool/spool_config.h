/* spool_config: the one config file every component reads (docs/spec.md "7. Config").
 *
 * `key = value` lines, `#` comments, no sections. Tools load it with
 * SPOOL_CONF_STRICT: an unknown key or a bad value is an error naming the
 * file, line and reason. libtrack loads it leniently and skips what it cannot
 * use. No function here allocates: the struct holds everything in fixed
 * buffers, so libtrack can keep it in static storage. */
#ifndef TRACK_SPOOL_CONFIG_H
#define TRACK_SPOOL_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#define SPOOL_CONF_PATH_MAX 1024
#define SPOOL_CONF_NAME_MAX 64
#define SPOOL_CONF_LIST_MAX 2048

enum { SPOOL_AFTER_KEEP = 0, SPOOL_AFTER_DELETE = 1 };

/* The default of not_applications (docs/config.md); the SQL function
 * track_is_application (migration 0011) repeats it for a NULL list. */
#define SPOOL_CONFIG_NOT_APPLICATIONS                                                      \
    "sh,bash,dash,zsh,ksh,mksh,csh,tcsh,fish,busybox,env,time,timeout,nohup,setsid,"      \
    "srun,sbatch,salloc,sattach,mpirun,mpiexec,orterun,orted,prte,prted,prterun,"         \
    "mpirun.*,mpiexec.*,hydra_pmi_proxy,hydra_nameserver,track-*"

/* The keys libtrack reads come last (spool_config_node_key), the scalars
 * and short strings before the lists: a tracked process touches only the
 * start of each, and every page it touches costs a page fault in every
 * process (docs/performance.md). libtrack's struct lt_run puts its own
 * small state right after this one, next to those keys. */
struct spool_config {
    /* Only the tools read these. */
    char archive_dir[SPOOL_CONF_PATH_MAX];      /* default /var/lib/track/archive */
    char archive_group[SPOOL_CONF_NAME_MAX];    /* default "track" */
    int after_ingest;                           /* SPOOL_AFTER_KEEP | SPOOL_AFTER_DELETE */
    char db_option_file[SPOOL_CONF_PATH_MAX];   /* MariaDB option file; "" = client default */
    char db_group[SPOOL_CONF_NAME_MAX];         /* default "track" */
    char system_prefixes[SPOOL_CONF_LIST_MAX];  /* reports: executables under these are "system" */
    char lmod_reverse_map[SPOOL_CONF_PATH_MAX]; /* reports: Lmod spider's xalt_rmapT; "" = none */
    char software_map[SPOOL_CONF_PATH_MAX];     /* reports: the site's software rules; "" = none */
    unsigned long epilog_max_files;             /* files one collect/sweep run handles at most */
    int slurm_accounting;                       /* track-ingest also loads sacct's jobs (yes) or not (no, default) */
    char not_applications[SPOOL_CONF_LIST_MAX]; /* reports: executable-name globs that are not applications */
    char path[SPOOL_CONF_PATH_MAX];             /* the file that was read, "" if none */
    /* libtrack's keys. */
    int ranks_all;                              /* ranks = 0 (default) | all */
    size_t max_record_bytes;                    /* default 262144, range 4096..16 MiB */
    uint64_t signals;                           /* bit n set = catch signal n for an end record */
    unsigned long job_max_records;              /* runs recorded per job and node; then tallies (0 = no limit) */
    char syshost[SPOOL_CONF_NAME_MAX];          /* "" = derive (SLURM_CLUSTER_NAME, short hostname) */
    char spool_dir[SPOOL_CONF_PATH_MAX];        /* default /dev/shm/track */
    char include[SPOOL_CONF_LIST_MAX];          /* comma-separated path globs; "" = everything */
    char exclude[SPOOL_CONF_LIST_MAX];          /* comma-separated path globs; exclude wins */
    char env[SPOOL_CONF_LIST_MAX];              /* comma-separated variable-name globs */
};

enum {
    SPOOL_CONF_STRICT     = 1 << 0, /* unknown key / bad value is an error */
    SPOOL_CONF_MISSING_OK = 1 << 1, /* a missing file leaves the defaults, no error */
    SPOOL_CONF_NODE       = 1 << 2, /* apply only the keys libtrack reads, skip the
                                       others unchecked; path is not recorded */
};

/* Fills every field with its documented default (docs/config.md). */
void spool_config_defaults(struct spool_config *cfg);

/* libtrack's form: cfg must be all zero bytes already (static storage);
 * sets the defaults of the keys libtrack reads and writes nothing else, so
 * the pages of the tools' fields are never touched. */
void spool_config_node_defaults(struct spool_config *cfg);

/* 1 if libtrack reads `key` (the keys SPOOL_CONF_NODE applies), else 0. */
int spool_config_node_key(const char *key);

/* The path to read: $TRACK_CONFIG if set and non-empty, else the build-time
 * TRACK_CONFIG_FILE. Returns a pointer into the environment or a constant;
 * the caller does not free it. */
const char *spool_config_default_path(void);

/* Loads `path` over the current contents of cfg (call spool_config_defaults
 * first). Returns 0 on success. On failure returns -1, sets errno, and when
 * err is non-NULL writes one line "FILE:LINE: reason" (or "FILE: reason") into
 * err (errlen bytes, always NUL-terminated). Files over 64 KiB are rejected.
 * In lenient mode (no SPOOL_CONF_STRICT) bad lines are skipped and only an
 * unreadable file fails. Reads with open/read only: safe before main. */
int spool_config_load(struct spool_config *cfg, const char *path, int flags,
                      char *err, size_t errlen);

/* spool_config_load reading into the caller's buffer of buflen bytes
 * instead of 64 KiB of stack (files of buflen - 1 bytes and more, or over
 * 64 KiB, are rejected). The buffer's contents are garbage afterwards.
 * libtrack passes its record buffer: the pages the config text touches
 * are the ones the start record is written into next. */
int spool_config_load_buf(struct spool_config *cfg, const char *path, int flags,
                          char *buf, size_t buflen, char *err, size_t errlen);

/* spool_config_load, and for every line it applied, seen(ctx, key, line)
 * (key is valid during the call only). A line that failed in lenient mode is
 * not reported. For track-doctor, which shows where each setting came from. */
typedef void (*spool_config_seen_fn)(void *ctx, const char *key, int line);
int spool_config_load_seen(struct spool_config *cfg, const char *path, int flags,
                           char *err, size_t errlen, spool_config_seen_fn seen, void *ctx);

/* Parses one "key = value" assignment into cfg, as a line of the file would.
 * Returns 0, or -1 with a reason in err. Used by the loader and by tools that
 * accept overrides. */
int spool_config_set(struct spool_config *cfg, const char *key, const char *value,
                     char *err, size_t errlen);

/* The signal list in config form ("SIGSEGV,SIGBUS,...") for a mask; used by
 * --help and docs. Writes into buf, returns buf. */
const char *spool_config_signals_str(uint64_t mask, char *buf, size_t len);

#endif
