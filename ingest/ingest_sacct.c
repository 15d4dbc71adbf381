#include "ingest_sacct.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "spool_err.h"
#include "spool_json.h"

#define NFIELDS 15
#define LINE_MAX_BYTES 8192

extern char **environ;

int ingest_sacct_final(const char *state)
{
    static const char *const final[] = { "COMPLETED", "FAILED", "TIMEOUT", "CANCELLED",
                                         "NODE_FAIL", "OUT_OF_MEMORY", "PREEMPTED", "DEADLINE",
                                         "BOOT_FAIL", NULL };
    for (int i = 0; final[i]; i++)
        if (strcmp(state, final[i]) == 0)
            return 1;
    return 0;
}

struct field { const char *s; size_t n; };

static const char *const names[NFIELDS] = { "JobIDRaw", "JobID", "Cluster", "User", "Account",
                                            "Partition", "State", "ExitCode", "Submit", "Start",
                                            "End", "ElapsedRaw", "AllocCPUS", "NNodes",
                                            "NTasks" };

/* Copies a field that must be UTF-8 text without control characters and
 * without '|' (the separator: it cannot occur inside a field anyway). */
static int text(const struct field *f, int i, char *dst, size_t cap, char *err, size_t errlen)
{
    const unsigned char *p = (const unsigned char *)f->s;
    if (f->n >= cap)
        return spool_seterr(err, errlen, "%s: %zu bytes, at most %zu", names[i], f->n, cap - 1);
    for (size_t k = 0; k < f->n;) {
        size_t q = spool_utf8_seq(p + k, f->n - k);
        if (q == 0 || p[k] < 0x20 || p[k] == 0x7f)
            return spool_seterr(err, errlen, "%s: not printable UTF-8 text", names[i]);
        k += q;
    }
    memcpy(dst, f->s, f->n);
    dst[f->n] = '\0';
    return 0;
}

/* A decimal integer in [0, max]; empty gives empty_val. Slurm writes
 * "Unknown" or "None" for times it does not have: unknown_ok accepts them
 * as empty_val. */
static int number(const struct field *f, int i, int64_t max, int64_t empty_val, int unknown_ok,
                  int64_t *out, char *err, size_t errlen)
{
    int64_t v = 0;
    if (f->n == 0 || (unknown_ok && ((f->n == 7 && memcmp(f->s, "Unknown", 7) == 0) ||
                                     (f->n == 4 && memcmp(f->s, "None", 4) == 0)))) {
        *out = empty_val;
        return 0;
    }
    for (size_t k = 0; k < f->n; k++) {
        if (f->s[k] < '0' || f->s[k] > '9')
            return spool_seterr(err, errlen, "%s: '%.*s' is not a number", names[i],
                                (int)(f->n > 32 ? 32 : f->n), f->s);
        int d = f->s[k] - '0';
        if (v > (max - d) / 10)   /* before multiplying: v * 10 + d > max */
            return spool_seterr(err, errlen, "%s: out of range", names[i]);
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

/* "123" or "123.batch" (JobIDRaw); JobID "12_3", "12_3.batch", "12+1". */
static int split_id(const struct field *f, int i, char *job, char *step, char *err,
                    size_t errlen)
{
    const char *dot = memchr(f->s, '.', f->n);
    size_t jn = dot ? (size_t)(dot - f->s) : f->n;
    struct field j = { f->s, jn };
    if (jn == 0)
        return spool_seterr(err, errlen, "%s: empty", names[i]);
    for (size_t k = 0; k < jn; k++) {
        char c = f->s[k];
        if (!((c >= '0' && c <= '9') || c == '_' || c == '+' || c == '[' || c == ']' ||
              c == '-' || c == ','))
            return spool_seterr(err, errlen, "%s: '%.*s' is not a job id", names[i],
                                (int)(jn > 32 ? 32 : jn), f->s);
    }
    if (text(&j, i, job, 65, err, errlen) < 0)
        return -1;
    if (!step)
        return 0;
    struct field s = { dot ? dot + 1 : "", dot ? f->n - jn - 1 : 0 };
    if (dot && s.n == 0)
        return spool_seterr(err, errlen, "%s: empty step", names[i]);
    return text(&s, i, step, 65, err, errlen);
}

int ingest_sacct_parse(const char *line, size_t len, struct ingest_sacct_row *r, char *err,
                       size_t errlen)
{
    struct field f[NFIELDS];
    size_t nf = 0, start = 0;
    int64_t v;

    memset(r, 0, sizeof *r);
    for (size_t k = 0; k <= len; k++) {
        if (k < len && line[k] != '|')
            continue;
        if (nf == NFIELDS)
            return spool_seterr(err, errlen, "more than %d fields", NFIELDS);
        f[nf].s = line + start;
        f[nf++].n = k - start;
        start = k + 1;
    }
    if (nf != NFIELDS)
        return spool_seterr(err, errlen, "%zu fields, expected %d", nf, NFIELDS);
    if (split_id(&f[0], 0, r->job_id, r->step_id, err, errlen) < 0 ||
        split_id(&f[1], 1, r->job_display, NULL, err, errlen) < 0 ||
        text(&f[2], 2, r->cluster, sizeof r->cluster, err, errlen) < 0 ||
        text(&f[3], 3, r->user, sizeof r->user, err, errlen) < 0 ||
        text(&f[4], 4, r->account, sizeof r->account, err, errlen) < 0 ||
        text(&f[5], 5, r->partition, sizeof r->partition, err, errlen) < 0)
        return -1;
    /* "CANCELLED by 1001": the state is the first word. */
    struct field st = f[6];
    const char *sp = memchr(st.s, ' ', st.n);
    if (sp)
        st.n = (size_t)(sp - st.s);
    if (st.n == 0 || text(&st, 6, r->state, sizeof r->state, err, errlen) < 0)
        return st.n ? -1 : spool_seterr(err, errlen, "State: empty");
    for (const char *p = r->state; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || *p == '_'))
            return spool_seterr(err, errlen, "State: '%s' is not a state", r->state);
    if (f[7].n) {
        const char *colon = memchr(f[7].s, ':', f[7].n);
        struct field e = { f[7].s, colon ? (size_t)(colon - f[7].s) : 0 };
        struct field s = { colon ? colon + 1 : "", colon ? f[7].n - e.n - 1 : 0 };
        if (!colon || !e.n || !s.n)
            return spool_seterr(err, errlen, "ExitCode: expected exit:signal");
        if (number(&e, 7, 255, 0, 0, &v, err, errlen) < 0)
            return -1;
        r->exit_code = (int)v;
        if (number(&s, 7, 255, 0, 0, &v, err, errlen) < 0)
            return -1;
        r->exit_signal = (int)v;
        r->has_exit = 1;
    }
    if (number(&f[8], 8, INT64_MAX / 2, -1, 1, &r->submit, err, errlen) < 0 ||
        number(&f[9], 9, INT64_MAX / 2, -1, 1, &r->start, err, errlen) < 0 ||
        number(&f[10], 10, INT64_MAX / 2, -1, 1, &r->end, err, errlen) < 0 ||
        number(&f[11], 11, INT64_MAX / 2, -1, 0, &r->elapsed, err, errlen) < 0 ||
        number(&f[12], 12, UINT32_MAX, -1, 0, &r->alloc_cpus, err, errlen) < 0 ||
        number(&f[13], 13, UINT32_MAX, -1, 0, &r->nnodes, err, errlen) < 0 ||
        number(&f[14], 14, UINT32_MAX, -1, 0, &r->ntasks, err, errlen) < 0)
        return -1;
    return 0;
}

/* ---- running sacct ------------------------------------------------------ */

struct lines {
    char buf[LINE_MAX_BYTES];
    size_t len;
    int overlong;            /* the current line went past LINE_MAX_BYTES */
    size_t lineno;
};

struct feed {
    int (*row)(void *, const struct ingest_sacct_row *);
    void (*bad)(void *, size_t, const char *);
    void *ctx;
    int stopped;
};

static void one_line(struct feed *fd, struct lines *l)
{
    struct ingest_sacct_row r;
    char why[256];

    l->lineno++;
    if (fd->stopped)
        return;
    if (l->overlong) {
        fd->bad(fd->ctx, l->lineno, "line longer than 8192 bytes");
        return;
    }
    if (l->len == 0)
        return;
    if (ingest_sacct_parse(l->buf, l->len, &r, why, sizeof why) < 0)
        fd->bad(fd->ctx, l->lineno, why);
    else if (fd->row(fd->ctx, &r) != 0)
        fd->stopped = 1;
}

static void feed_bytes(struct feed *fd, struct lines *l, const char *p, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        if (p[k] == '\n') {
            one_line(fd, l);
            l->len = 0;
            l->overlong = 0;
        } else if (l->len < sizeof l->buf) {
            l->buf[l->len++] = p[k];
        } else {
            l->overlong = 1;
        }
    }
}

static int spawn_sacct(int64_t since, int out[2], int errp[2], pid_t *pid, char *err,
                       size_t errlen)
{
    char start[32], **env = NULL;
    struct tm tm;
    time_t t = (time_t)since;
    posix_spawn_file_actions_t fa;
    size_t n = 0;
    int rc = -1;

    localtime_r(&t, &tm);
    strftime(start, sizeof start, "%Y-%m-%dT%H:%M:%S", &tm);
    const char *sacct = getenv("TRACK_SACCT");
    if (!sacct || !*sacct)
        sacct = "sacct";
    char *argv[] = { (char *)sacct, "-a", "-n", "-P", "-S", start, "-E", "now",
                     "--format=" INGEST_SACCT_FORMAT, NULL };
    while (environ[n])
        n++;
    env = malloc((n + 2) * sizeof *env);
    if (!env)
        return spool_seterr(err, errlen, "out of memory");
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (strncmp(environ[i], "SLURM_TIME_FORMAT=", 18) != 0)
            env[m++] = environ[i];
    env[m++] = "SLURM_TIME_FORMAT=%s";
    env[m] = NULL;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_adddup2(&fa, errp[1], 2);
    posix_spawn_file_actions_addclose(&fa, out[0]);
    posix_spawn_file_actions_addclose(&fa, errp[0]);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    /* Not the database connection or anything else of ours (glibc >= 2.34). */
    posix_spawn_file_actions_addclosefrom_np(&fa, 3);
    int e = posix_spawnp(pid, sacct, &fa, NULL, argv, env);
    posix_spawn_file_actions_destroy(&fa);
    if (e != 0) {
        spool_seterr(err, errlen, "cannot run %s: %s", sacct, strerror(e));
        goto out;
    }
    rc = 0;
out:
    free(env);
    return rc;
}

int ingest_sacct_run(int64_t since, int (*row)(void *, const struct ingest_sacct_row *),
                     void (*bad)(void *, size_t, const char *), void *ctx, char *err,
                     size_t errlen)
{
    int out[2] = { -1, -1 }, errp[2] = { -1, -1 }, status = 0, rc = -1;
    char ebuf[512], chunk[65536];
    size_t elen = 0;
    struct lines *l = calloc(1, sizeof *l);
    struct feed fd = { row, bad, ctx, 0 };
    pid_t pid = -1;

    if (!l)
        return spool_seterr(err, errlen, "out of memory");
    if (pipe2(out, O_CLOEXEC) != 0 || pipe2(errp, O_CLOEXEC) != 0) {
        spool_seterr(err, errlen, "pipe: %s", strerror(errno));
        goto out;
    }
    if (spawn_sacct(since, out, errp, &pid, err, errlen) < 0)
        goto out;
    close(out[1]);
    close(errp[1]);
    out[1] = errp[1] = -1;
    /* Both pipes at once: sacct blocks if either fills. */
    struct pollfd p[2] = { { out[0], POLLIN, 0 }, { errp[0], POLLIN, 0 } };
    int open_fds = 2;
    while (open_fds > 0) {
        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            spool_seterr(err, errlen, "poll: %s", strerror(errno));
            kill(pid, SIGTERM);
            goto reap;
        }
        for (int i = 0; i < 2; i++) {
            if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            ssize_t n = read(p[i].fd, chunk, sizeof chunk);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0) {
                p[i].fd = -1;
                open_fds--;
                continue;
            }
            if (i == 0) {
                feed_bytes(&fd, l, chunk, (size_t)n);
            } else {
                size_t c = (size_t)n < sizeof ebuf - 1 - elen ? (size_t)n : sizeof ebuf - 1 - elen;
                memcpy(ebuf + elen, chunk, c);
                elen += c;
            }
        }
    }
    if (l->len)
        one_line(&fd, l);   /* a last line without '\n' */
    rc = 0;
reap:
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (rc == 0 && fd.stopped) {
        rc = -1;            /* the callback said why */
    } else if (rc == 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
        ebuf[elen] = '\0';
        char *nl = strchr(ebuf, '\n');
        if (nl)
            *nl = '\0';
        if (WIFEXITED(status))
            spool_seterr(err, errlen, "sacct exited with status %d: %s", WEXITSTATUS(status),
                         elen ? ebuf : "(no message)");
        else
            spool_seterr(err, errlen, "sacct killed by signal %d", WTERMSIG(status));
        rc = -1;
    }
out:
    for (int i = 0; i < 2; i++) {
        if (out[i] >= 0)
            close(out[i]);
        if (errp[i] >= 0)
            close(errp[i]);
    }
    free(l);
    return rc;
}
