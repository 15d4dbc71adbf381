/* The compiler behind a link (see ldcc.h). */
#include "ldcc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define CHAIN_MAX 12

static const char *const drivers[] = {
    "gcc", "g++", "gfortran", "clang", "clang++", "flang", "flang-new",
    "icx", "icpx", "ifx", "icc", "icpc", "ifort", "nvc", "nvc++", "nvfortran",
    "pgcc", "pgc++", "pgfortran", "armclang", "armclang++", "armflang",
    "amdclang", "amdclang++", "amdflang", "cc", "c++", "f77", "f95", NULL,
};
/* Names that say little: the executable behind them (cc -> gcc) is better. */
static const char *const generic[] = { "cc", "c++", "f77", "f95", NULL };

static const char *const wrappers[] = {
    "mpicc", "mpicxx", "mpic++", "mpiCC", "mpif77", "mpif90", "mpif08", "mpifort",
    "mpiicc", "mpiicpc", "mpiifort", "mpiicx", "mpiicpx", "mpiifx", "mpigcc", "mpigxx",
    "mpixlc", "mpixlf", "nvcc", "hipcc", "h5cc", "h5pcc", "h5fc", "h5pfc", NULL,
};

/* Processes between the driver and the linker, or the linker itself. */
static const char *const skipped[] = {
    "collect2", "lto-wrapper", "ld", "ld.bfd", "ld.gold", "ld.lld", "lld", NULL,
};

static const char *const shells[] = {
    "sh", "bash", "dash", "ksh", "zsh", "perl", "python", "python3", NULL,
};

static const char *base(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

/* Copies what fits of s into dst (always NUL-terminated). A cut name
 * matches no known name, which is the right answer for it. */
static void copy_cut(char *dst, size_t len, const char *s)
{
    size_t n = strnlen(s, len - 1);
    memcpy(dst, s, n);
    dst[n] = '\0';
}

static int in(const char *const *list, const char *s)
{
    for (int i = 0; list[i]; i++)
        if (strcmp(list[i], s) == 0)
            return 1;
    return 0;
}

/* name appears in b with nothing or "...-" before it and nothing, "-1.2"
 * (digits and dots), or, when dot_ok, ".anything" after it. */
static int matches(const char *b, const char *name, int dot_ok)
{
    size_t n = strlen(name);
    for (const char *p = strstr(b, name); p; p = strstr(p + 1, name)) {
        const char *s = p + n;
        if (p != b && p[-1] != '-')
            continue;
        if (*s == '\0' || (dot_ok && *s == '.' && s[1]))
            return 1;
        if (*s == '-' && s[1] && strspn(s + 1, "0123456789.") == strlen(s + 1))
            return 1;
    }
    return 0;
}

/* The longest known name that matches (clang++ over clang for "clang++-14"). */
static const char *classify(const char *const *list, const char *b, int dot_ok)
{
    const char *best = NULL;
    for (int i = 0; list[i]; i++)
        if (matches(b, list[i], dot_ok) && (!best || strlen(list[i]) > strlen(best)))
            best = list[i];
    return best;
}

const char *ldcc_driver_name(const char *b)
{
    return classify(drivers, b, 0);
}

const char *ldcc_wrapper_name(const char *b)
{
    return classify(wrappers, b, 1);
}

struct proc {
    pid_t ppid;
    char exe[PATH_MAX];   /* "" when unreadable */
    char arg0[256], arg1[256]; /* basenames of argv[0] and argv[1] */
};

/* Reads a small /proc file whole (n - 1 bytes at most, NUL-terminated).
 * Returns the byte count or -1. */
static ssize_t slurp(const char *path, char *buf, size_t n)
{
    ssize_t got = 0, r;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    while ((size_t)got < n - 1 && (r = read(fd, buf + got, n - 1 - (size_t)got)) != 0) {
        if (r < 0) {
            if (errno == EINTR)
                continue;
            close(fd);
            return -1;
        }
        got += r;
    }
    close(fd);
    buf[got] = '\0';
    return got;
}

static int read_proc(pid_t pid, struct proc *p)
{
    char path[64], buf[4096], *rp;
    ssize_t n;
    long ppid;
    memset(p, 0, sizeof *p);
    snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
    if (slurp(path, buf, sizeof buf) <= 0)
        return -1;
    /* "pid (comm) S ppid ...": comm may hold anything, even ')' */
    rp = strrchr(buf, ')');
    if (!rp || sscanf(rp + 1, " %*c %ld", &ppid) != 1)
        return -1;
    p->ppid = (pid_t)ppid;
    snprintf(path, sizeof path, "/proc/%ld/exe", (long)pid);
    n = readlink(path, p->exe, sizeof p->exe - 1);
    p->exe[n > 0 ? n : 0] = '\0';
    snprintf(path, sizeof path, "/proc/%ld/cmdline", (long)pid);
    n = slurp(path, buf, sizeof buf);
    if (n > 0) {
        size_t l0 = strnlen(buf, (size_t)n);
        copy_cut(p->arg0, sizeof p->arg0, base(buf));
        if ((ssize_t)l0 + 1 < n)
            copy_cut(p->arg1, sizeof p->arg1, base(buf + l0 + 1));
    }
    return 0;
}

/* A wrapper process: its name, or for an interpreter the script's. */
static const char *wrapper_of(const struct proc *p)
{
    const char *w = ldcc_wrapper_name(base(p->arg0));
    if (!w && p->arg1[0] && (in(shells, base(p->exe)) || in(shells, base(p->arg0))))
        w = ldcc_wrapper_name(base(p->arg1));
    return w;
}

int ldcc_detect(struct ldcc *cc)
{
    struct proc p, q;
    pid_t pid = getppid();
    const char *env;
    memset(cc, 0, sizeof *cc);
    for (int depth = 0; depth < CHAIN_MAX && pid > 1; depth++) {
        const char *d0, *de, *name;
        if (read_proc(pid, &p) < 0)
            break;
        if (in(skipped, base(p.exe)) || in(skipped, base(p.arg0))) {
            pid = p.ppid;
            continue;
        }
        d0 = ldcc_driver_name(base(p.arg0));
        de = p.exe[0] ? ldcc_driver_name(base(p.exe)) : NULL;
        name = d0 && !(in(generic, d0) && de) ? d0 : de;
        if (!name)
            break; /* make, a shell, ...: the linker was run directly */
        copy_cut(cc->name, sizeof cc->name, name);
        copy_cut(cc->path, sizeof cc->path, p.exe);
        cc->found = "proc";
        /* the wrapper runs the driver as a child: its parent, or one more
         * level up (a launcher in between, such as ccache) */
        pid = p.ppid;
        for (int k = 0; k < 2 && pid > 1 && read_proc(pid, &q) == 0; k++, pid = q.ppid) {
            const char *w = wrapper_of(&q);
            if (w) {
                copy_cut(cc->wrapper, sizeof cc->wrapper, w);
                break;
            }
        }
        return 0;
    }
    /* gcc passes its argv[0] down to collect2 and the linker */
    env = getenv("COLLECT_GCC");
    if (env && *env) {
        const char *name = ldcc_driver_name(base(env));
        if (name) {
            copy_cut(cc->name, sizeof cc->name, name);
            copy_cut(cc->path, sizeof cc->path, env);
            cc->found = "env";
            return 0;
        }
    }
    return -1;
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* environ with TRACK_DISABLE=1 in place of any TRACK_DISABLE. malloc'd
 * array of borrowed strings; NULL on ENOMEM. */
static char **probe_env(void)
{
    static char disable[] = "TRACK_DISABLE=1";
    size_t n = 0, k = 0;
    char **e;
    while (environ && environ[n])
        n++;
    e = calloc(n + 2, sizeof *e);
    if (!e)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (strncmp(environ[i], "TRACK_DISABLE=", 14) != 0)
            e[k++] = environ[i];
    e[k++] = disable;
    e[k] = NULL;
    return e;
}

int ldcc_version(struct ldcc *cc, int timeout_ms)
{
    char *argv[] = { cc->path, "-dumpfullversion", "-dumpversion", NULL };
    char out[LDCC_NAME_MAX];
    posix_spawn_file_actions_t fa;
    int fds[2] = { -1, -1 }, status, rc = -1, fa_ok = 0;
    size_t got = 0;
    pid_t pid = -1;
    char **env = NULL;
    long long deadline = now_ms() + timeout_ms;
    cc->version[0] = '\0';
    if (!cc->path[0] || cc->path[0] != '/' || access(cc->path, X_OK) < 0)
        return -1;
    if (pipe2(fds, O_CLOEXEC) < 0 || !(env = probe_env()))
        goto out;
    if (posix_spawn_file_actions_init(&fa) != 0)
        goto out;
    fa_ok = 1;
    if (posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0) != 0 ||
        posix_spawn_file_actions_adddup2(&fa, fds[1], 1) != 0 ||
        posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0) != 0 ||
        posix_spawn(&pid, cc->path, &fa, NULL, argv, env) != 0) {
        pid = -1;
        goto out;
    }
    close(fds[1]);
    fds[1] = -1;
    for (;;) {
        struct pollfd pfd = { fds[0], POLLIN, 0 };
        long long left = deadline - now_ms();
        ssize_t r;
        if (left <= 0)
            goto out;
        if (poll(&pfd, 1, (int)left) <= 0) {
            if (errno == EINTR)
                continue;
            goto out;
        }
        r = read(fds[0], out + got, sizeof out - 1 - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
        if (got == sizeof out - 1)
            break;
    }
    out[got] = '\0';
    out[strcspn(out, "\n")] = '\0';
    if (out[0] && strspn(out, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.+-")
                      == strlen(out) && out[0] >= '0' && out[0] <= '9') {
        copy_cut(cc->version, sizeof cc->version, out);
        rc = 0;
    }
out:
    if (fds[0] >= 0) {
        close(fds[0]); /* a child still writing gets SIGPIPE */
        fds[0] = -1;
    }
    if (pid > 0) {
        int done = 0;
        for (;;) {
            pid_t w = waitpid(pid, &status, WNOHANG);
            if (w == pid) {
                done = 1;
                break;
            }
            if ((w < 0 && errno != EINTR) || now_ms() >= deadline)
                break;
            usleep(1000);
        }
        if (!done) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
        }
        if (!done || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            cc->version[0] = '\0';
            rc = -1;
        }
    }
    if (fa_ok)
        posix_spawn_file_actions_destroy(&fa);
    if (fds[0] >= 0)
        close(fds[0]);
    if (fds[1] >= 0)
        close(fds[1]);
    free(env);
    return rc;
}
