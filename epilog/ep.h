/* track-epilog internals: the modules of the epilog and what they share.
 *
 *   ep_archive  the archive tree: verified, created with owner/group/mode
 *   ep_batch    durable copies into the archive, fsync'd in batches
 *   ep_scan     judging the entries of one spool directory
 *   ep_trust    what root knows about a job; a record's claims checked against it
 *   ep_stamp    the Prolog's root-owned note of a job's start, read by the Epilog
 *   ep_lock     one epilog run at a time per node
 *   ep_spool    the spool root and helpers every module shares
 *   ep_collect / ep_prepare / ep_sweep   the subcommands
 *
 * Everything runs as root over directories users control: every spool path
 * is reached by openat(O_NOFOLLOW) from a verified directory fd, identity
 * comes from fstat, never from a name or from the JSON (docs/epilog.md). */
#ifndef TRACK_EP_H
#define TRACK_EP_H

#include <pthread.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

#include "rec_parse.h"
#include "rec_tally.h"

#include "spool_config.h"
#include "spool_ident.h"
#include "spool_limits.h"

/* Exit codes (docs/epilog.md). Without --strict every run that got as far
 * as parsing its command line exits EP_EXIT_OK: a failing Slurm Epilog
 * drains the node, and every problem is in syslog anyway. */
enum {
    EP_EXIT_OK = 0,
    EP_EXIT_PROBLEMS = 1,   /* --strict: a file was quarantined, removed or left */
    EP_EXIT_USAGE = 2,      /* bad command line (always) */
    EP_EXIT_SETUP = 3,      /* --strict: config, spool root or archive unusable */
};

/* Run-wide state. */
struct ep_ctx {
    struct spool_config cfg;
    const char *conf_path;
    int dry_run;
    uid_t self_uid;          /* euid: the owner of spool root and archive */
    gid_t archive_gid;       /* archive_group resolved */
    time_t now;
    unsigned long budget;    /* files this run may still handle (epilog_max_files) */
    int budget_warned;
    char *buf;               /* max_record_bytes + 1, for reading records */
    /* counters for the summary line and the exit code */
    unsigned long archived, quarantined, removed, kept, failed;
};

/* ---- ep_archive ---- */
#define EP_ARCHIVE_DIRS 64

struct ep_archive_dir {
    char key[32];            /* "202411" or "quarantine/202411" */
    int fd;
    int dirty;               /* entries renamed in: fsync at commit */
};

struct ep_archive {
    char path[SPOOL_CONF_PATH_MAX]; /* resolved archive root */
    int rootfd;
    int quarfd;              /* <archive>/quarantine, -1 until needed */
    int root_dirty, quar_dirty; /* a subdirectory was created in them */
    uid_t uid;
    gid_t gid;
    struct ep_archive_dir dirs[EP_ARCHIVE_DIRS];
    size_t ndirs;
};

/* Resolves archive_group into ctx->archive_gid. 0, or -1 after logging an
 * error that names the setting. */
int ep_archive_group(struct ep_ctx *ctx);

/* Opens (creating when missing, its parent being secure) the archive root,
 * checks it with spool_path_is_secure, fixes its group/mode, creates done/
 * and quarantine/ (kept open as quarfd). 0, or -1 after logging one error
 * naming the path. */
int ep_archive_open(struct ep_archive *a, struct ep_ctx *ctx);

/* The fd of <archive>/<yyyymm> (quarantine = 0) or
 * <archive>/quarantine/<yyyymm>, created 2770 root:group when missing and
 * verified. The fd is owned by a (cached). -1 after logging. */
int ep_archive_month(struct ep_archive *a, int quarantine, const char *yyyymm);

/* Marks the directory holding fd as changed (fsync'd by ep_archive_sync). */
void ep_archive_touch(struct ep_archive *a, int fd);

/* fsyncs every directory marked changed. 0, or -1 after logging. */
int ep_archive_sync_dirs(struct ep_archive *a);

void ep_archive_close(struct ep_archive *a);

/* ---- ep_batch ---- */
#define EP_BATCH_MAX 1024

struct ep_item {
    char *spool_name;        /* entry in the spool directory */
    char *dst_name;          /* wanted name in dst_fd; NULL once the item failed */
    char *tmp_name;          /* temp name in dst_fd (unused while tmp_fd >= 0) */
    int tmp_fd;              /* O_TMPFILE copy, unnamed until linked; else -1 */
    int unnamed;             /* the copy is (was) an O_TMPFILE inode, not tmp_name */
    char *reason;            /* quarantine reason, NULL for a record */
    char month[7];
    int dst_fd;              /* owned by the archive cache */
    int quarantine;
    struct stat st;          /* the spool file we copied: checked before unlink */
};

/* One batch: the items, and what its commit counted (merged into the
 * ctx counters by the thread that started the commit). */
struct ep_half {
    struct ep_item items[EP_BATCH_MAX];
    size_t n;
    size_t nfds;             /* O_TMPFILE fds its items hold */
    int spool_fd;            /* the spool directory of its items (not owned) */
    const char *spool_path;
    unsigned long archived, quarantined, failed;
    int rc;
};

/* Two batches: while one is committed by a helper thread (syncfs, links,
 * directory fsync, spool unlinks), the caller reads the spool and writes
 * the copies of the next one. Only one commit runs at a time, and commits
 * keep their order. */
struct ep_batch {
    struct ep_ctx *ctx;
    struct ep_archive *arch;
    int spool_fd;            /* the spool directory of the items (not owned) */
    const char *spool_path;  /* for messages */
    struct ep_half half[2];
    struct ep_half *fill;    /* the batch being filled */
    int busy;                /* the other batch is being committed by thr */
    pthread_t thr;
    pthread_mutex_t arch_lock; /* the archive cache, used by both threads */
    int tmpfile_ok;          /* O_TMPFILE works in the archive (cleared on EOPNOTSUPP) */
    int need_fchmod;         /* the umask would narrow 0640 */
    size_t max_fds;          /* O_TMPFILE fds one batch may hold open */
    int link_by_proc;        /* linkat(AT_EMPTY_PATH) refused: use /proc/self/fd */
};

void ep_batch_init(struct ep_batch *b, struct ep_ctx *ctx, struct ep_archive *a);

/* Sets the spool directory of the items that follow; commits pending items
 * of the previous directory first. */
int ep_batch_set_dir(struct ep_batch *b, int spool_fd, const char *spool_path);

/* Queues the copy of spool entry `name` (st: its fstat, buf/len: its bytes)
 * into the archive: month yyyymm, as a record (reason == NULL) or into
 * quarantine with reason. The copy is written now (an unnamed O_TMPFILE
 * inode, or a temp name); it is named and the spool file removed by the
 * commit (started here in the background when the batch is full). With --dry-run only prints what would happen.
 * 0, or -1 after logging (the spool file stays). */
int ep_batch_add(struct ep_batch *b, const char *name, const struct stat *st,
                 const char *buf, size_t len, const char *yyyymm, const char *reason);

/* ep_batch_add, the archive copy named dst instead of name (a tally
 * record made from the spool's tally file). */
int ep_batch_add_as(struct ep_batch *b, const char *name, const char *dst, const struct stat *st,
                    const char *buf, size_t len, const char *yyyymm, const char *reason);

/* Makes every queued copy durable (one syncfs), names them without
 * replacing anything (an identical file already there is an earlier run's
 * copy; a different one sends ours to quarantine), fsyncs the directories,
 * then unlinks the spool files. A full batch is committed by a helper
 * thread while the next one fills; this call waits for that commit and
 * commits the rest before returning, and its counts are then in the ctx.
 * Returns 0, or -1 when some items failed (logged; their spool files stay).
 * Must be called before the batch is freed or the archive closed. */
int ep_batch_commit(struct ep_batch *b);

/* ---- ep_scan ---- */
enum { EP_SCAN_COLLECT = 0, EP_SCAN_SWEEP = 1 };

struct ep_job;
struct ep_scan {
    int mode;                /* EP_SCAN_COLLECT or EP_SCAN_SWEEP */
    const struct ep_job *job; /* what root knows of the directory's job: records' claims
                              * are checked against it (ep_trust_check) */
    uid_t uid;               /* the uid the directory belongs to (job uid) */
    uid_t dir_owner;         /* owner of the uid dir and job dir (fstat); mismatch = quarantine */
    int skip_dirs;           /* subdirectories are the caller's: pass over them silently */
    time_t min_age;          /* sweep: leave temps younger than this */
    unsigned long left;      /* out: entries left in the directory */
};

/* Handles every entry of the spool directory dirfd (path for messages):
 * records go to the archive, bad files to quarantine, what cannot be read
 * (symlinks, FIFOs, sockets, devices) and stale temp files are removed,
 * subdirectories are left. Commits the batch before returning. 0, or -1 if
 * the directory could not be read (logged). */
int ep_scan_dir(struct ep_ctx *ctx, struct ep_batch *b, int dirfd, const char *path,
                struct ep_scan *s);

/* Takes one unit of the per-run file budget. 1 if granted, 0 when the budget
 * is exhausted (logged once). */
int ep_scan_budget(struct ep_ctx *ctx);

/* ---- ep_tally: the job's tally file (spool/spool_tally.h) ---- */
/* Bytes of a tally record (rec_tally.h); more than the raw tally file. */
#define EP_TALLY_BYTES_MAX REC_TALLY_BYTES_MAX

/* 1 for the tally file's name (tally.slots), 2 for the count's
 * (tally.count), else 0. */
int ep_tally_name(const char *name);

/* Judges the tally file `name` of the directory being scanned (fd opened by
 * the caller and closed here, st its fstat): a valid file whose claims hold
 * goes to the archive as one tally record, anything else to quarantine
 * with its reason; an empty one is removed. 0, or -1 after logging. */
int ep_tally_handle(struct ep_ctx *ctx, struct ep_batch *b, const char *path, struct ep_scan *s,
                    const char *name, int fd, const struct stat *st);

/* ---- ep_trust: what root knows about a job, and a record's claims checked
 * against it (docs/trust.md). The file owner proves who wrote a record;
 * this proves that what it says about where and when it ran is what root
 * knows about the job whose directory it was collected from. ---- */

/* Seconds a record's times may lie outside the job's known lifetime: the
 * Prolog's clock and the records' are the same node's; this only absorbs a
 * clock step (NTP) during the job. */
#define EP_TRUST_SLACK 300

/* A job attribute root may or may not know. known with v "" means root knows
 * the job has none (not an array job, no account). */
struct ep_known {
    int known;
    char v[SPOOL_JOBTEXT_MAX + 1];
};

struct ep_job {
    char id[SPOOL_ID_MAX + 1];    /* "" = the directory names no job (nojob/, files in <uid>/):
                                   * a run record there must claim none */
    char where[48];               /* for reasons: "job 77", "nojob/" */
    struct ep_known array_job, array_task, partition, account;
    char syshost[SPOOL_IDENT_MAX]; /* this cluster: config syshost, else SLURM_CLUSTER_NAME of
                                   * slurmd's environment or the stamp, else the short host */
    int syshost_known;            /* from the config or slurmd's environment, not derived */
    char host[SPOOL_IDENT_MAX];   /* this node (uname) */
    time_t start;                 /* the job's start on this node (Prolog stamp); 0 = unknown */
    time_t end;                   /* latest a record may claim: this run's time */
    char start_from[64];          /* where start came from, for reasons */
};

/* Sets what holds for every record of this node and run: syshost and host
 * (spool_ident_get with ctx's config and this process's environment), end
 * = ctx->now; id = job (NULL or "nojob": none; where then says "nojob/"),
 * nothing else known. */
void ep_job_init(struct ep_ctx *ctx, struct ep_job *j, const char *job);

/* Marks as known what the caller was told: each argument non-NULL (options
 * of the command line; "" = none) wins, else slurmd's environment when the
 * variable is set (SLURM_ARRAY_JOB_ID + SLURM_ARRAY_TASK_ID,
 * SLURM_JOB_PARTITION, SLURM_JOB_ACCOUNT). array is "JOB_TASK" or "" (not an
 * array job). 0, or -1 after logging a malformed value (which stays
 * unknown; the others are still set). */
int ep_job_given(struct ep_job *j, const char *array, const char *partition,
                 const char *account);

/* Sets j's array ids from "JOB_TASK", or known-none from "". 0, or -1
 * after logging (what names the source). */
int ep_job_array(struct ep_job *j, const char *array, const char *what);

/* Checks r's claims against j: job.id (run records), job.array_id,
 * job.array_task, job.partition, job.account where j knows them, syshost,
 * host, and the times against [start - slack, end + slack]. 0, or -1 with a
 * one-line reason in why that starts with the claim's key. */
int ep_trust_check(const struct ep_job *j, const struct rec *r, char *why, size_t whylen);

/* ---- ep_stamp: <spool>/.track-jobs/<job>, written by `prepare` (root, the
 * Prolog), read and removed by collect and sweep. A root 0700 directory in
 * the sticky root: no user can create, change or remove a stamp. ---- */
#define EP_STAMP_DIR ".track-jobs"

/* Writes the stamp of job j->id for uid into dirfd (the stamp directory,
 * made by prepare): start = ctx->now, j's syshost and whatever j knows.
 * 0, or -1 after logging. */
int ep_stamp_write(struct ep_ctx *ctx, int dirfd, const char *dirpath, const struct ep_job *j,
                   uid_t uid);

/* Reads the stamp of j->id: fills j->start and whatever j does not know yet
 * (syshost only when the config sets none and slurmd's environment gave
 * none). A stamp of another uid (a recycled job id) or from the future is
 * ignored with a warning. 1 if a stamp was used, 0 if none (quietly), -1
 * after logging (j unchanged). */
int ep_stamp_read(struct ep_ctx *ctx, int rootfd, const char *rootpath, struct ep_job *j,
                  uid_t uid);

/* Removes the stamp of job (if any). */
void ep_stamp_remove(struct ep_ctx *ctx, int rootfd, const char *job);

/* How old a stamp without a job directory must be before sweep removes it
 * (its Epilog never ran); a job may run that long before its first record. */
#define EP_STAMP_MAX_AGE (31 * 86400)

/* sweep: removes stamps older than max_age whose job directory
 * <uid>/<job> is gone (their Epilog never ran). */
void ep_stamp_sweep(struct ep_ctx *ctx, int rootfd, const char *rootpath, time_t max_age);

/* ---- ep_lock ---- */
/* Takes the node-wide epilog lock: <spool root fd>/.track-epilog.lock,
 * root-owned 0600 (a planted one is replaced), flock'ed exclusively, waiting
 * at most wait_s seconds. Returns the lock fd (close releases it) or -1
 * after logging. */
int ep_lock_take(int rootfd, const char *rootpath, unsigned wait_s);

/* ---- ep_spool: the spool root and helpers shared by every module (it
 * calls no other module: ep_scan -> ep_batch -> ep_spool, one way) ---- */
/* Opens the spool root for reading: spool_path_is_secure on its parent,
 * then O_NOFOLLOW, owned by us, sticky. -1 with errno ENOENT (quietly) when
 * it does not exist, else -1 after logging. */
int ep_spool_root_open(struct ep_ctx *ctx);

/* Opens parentfd/name as a directory without following a symlink; fills st
 * from fstat. -1 with errno ENOENT when missing (quietly); a symlink or
 * special file there is removed (logged) and -1/ELOOP returned; other
 * failures are logged. */
int ep_spool_open_child(struct ep_ctx *ctx, int parentfd, const char *parentpath,
                        const char *name, struct stat *st);

/* A printable form of a name for messages and quarantine files: bytes
 * outside [A-Za-z0-9._+@-] become '_' and it is cut at 200 bytes; a leading
 * '.' becomes '_'. Writes into out (outlen >= 2). */
void ep_spool_safe_name(char *out, size_t outlen, const char *name);

/* Removes dirfd/name if it is still the file (dev, ino) we judged. 0, or -1
 * with errno (ESTALE when it was replaced meanwhile). */
int ep_spool_unlink_same(int dirfd, const char *name, dev_t dev, ino_t ino);

/* Parses a uid given as text (digits, < 2^32 - 1). 0 or -1. */
int ep_parse_uid(const char *s, uid_t *out);

/* ---- subcommands: return an EP_EXIT_* value ---- */
/* given: the job as the command line and slurmd's environment tell it
 * (ep_job_given; its id is the job to collect or stamp). */
int ep_collect(struct ep_ctx *ctx, const char *job, struct ep_job *given, const char *uid);
int ep_prepare(struct ep_ctx *ctx, const char *job, struct ep_job *given, const char *uid,
               const char *gid);
int ep_sweep(struct ep_ctx *ctx, time_t min_age);

#endif
