/* spool_dir: verified directories. Every directory a component writes into
 * or reads from is opened with O_DIRECTORY|O_NOFOLLOW relative to an already
 * verified parent fd, then checked with fstat (owner, group, exact mode bits),
 * so a symlink or a directory swapped in by a user is never trusted
 * (OpenDoas's open-then-fstat; MUNGE's path_is_secure for the ancestors). */
#ifndef TRACK_SPOOL_DIR_H
#define TRACK_SPOOL_DIR_H

#include <stddef.h>
#include <sys/types.h>

struct spool_dir_want {
    int check_uid; uid_t uid;   /* owner must be uid */
    int check_gid; gid_t gid;   /* group must be gid */
    mode_t must;                /* permission bits that must be set (e.g. S_ISVTX) */
    mode_t forbid;              /* permission bits that must be clear (e.g. 0077) */
};

/* fstat-checks an open fd against w: a directory with the wanted owner, group
 * and mode. `what` names it in the message. Returns 0, or -1 with errno
 * (ENOTDIR, EPERM for owner/mode) and a one-line reason in err (may be NULL). */
int spool_dir_check(int fd, const char *what, const struct spool_dir_want *w,
                    char *err, size_t errlen);

/* Opens name relative to dirfd (AT_FDCWD for an absolute path) as a directory
 * without following a symlink in its last component, and checks it with
 * spool_dir_check. Returns an O_CLOEXEC fd the caller closes, or -1 with errno
 * and reason. */
int spool_dir_openat(int dirfd, const char *name, const struct spool_dir_want *w,
                     char *err, size_t errlen);

/* Like spool_dir_openat, but first creates name with create_mode if it does
 * not exist (an existing one is fine). The new directory's mode is fixed with
 * fchmod after creation (the umask does not apply). */
int spool_dir_mkopenat(int dirfd, const char *name, mode_t create_mode,
                       const struct spool_dir_want *w, char *err, size_t errlen);

/* Opens the job directory a writer running as `uid` may write into:
 * <root> a root-owned sticky directory, <root>/<uid> owned by uid with no
 * group or other access, <root>/<uid>/<job> the same. With create set, the
 * last two are created (0700) when missing. job must be "nojob" or digits
 * (at most 20); anything else is EINVAL. Returns the job dir fd or -1 with
 * errno and reason. No allocation: usable before main. */
int spool_open_job_dir(const char *root, uid_t uid, const char *job, int create,
                       char *err, size_t errlen);

/* The checks of spool_open_job_dir without opening anything: judges each
 * level with fstatat (no symlink, owner, mode; see spool_dir.c for why that
 * is safe here), creates what is missing when create is set, and writes the
 * job directory's path into out (outlen bytes). For writers that then
 * create files by path (spool_write_atomic_path): three syscalls instead of
 * six. 0, or -1 with errno and reason. No allocation; async-signal-safe
 * when err is NULL. */
int spool_job_path(const char *root, uid_t uid, const char *job, int create, char *out,
                   size_t outlen, char *err, size_t errlen);

/* Returns 1 if job is a name a job directory may have: "nojob" or 1..20
 * digits. */
int spool_job_name_ok(const char *job);

/* MUNGE-style walk: every directory from "/" down to path (resolved with
 * realpath first) must be owned by root or trusted_uid and not writable by
 * group or others unless sticky; path itself may be group-writable (the
 * archive is shared with the ingester's group) but not world-writable. Returns 0, or -1 with errno and a reason
 * naming the offending directory. */
int spool_path_is_secure(const char *path, uid_t trusted_uid, char *err, size_t errlen);

#endif
