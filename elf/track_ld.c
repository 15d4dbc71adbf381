/* The linker wrapper, installed as <prefix>/libexec/track/ld: adds a fresh
 * watermark object to every final link and records the link in the user's
 * spool. It must never break a build: on any problem before the link it execs
 * the real linker with the arguments unchanged, and the exit status the build
 * sees is always the real linker's. Quiet unless TRACK_DEBUG=1 (configure
 * scripts read the linker's stderr). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <elf.h>

#include "elfinfo.h"
#include "elfstamp.h"
#include "ldargs.h"
#include "ldcc.h"
#include "linkrec.h"
#include "spool_config.h"
#include "spool_dir.h"
#include "spool_err.h"
#include "spool_uuid.h"

#ifndef TRACK_DEFAULT_LD
#define TRACK_DEFAULT_LD "/usr/bin/ld"
#endif
/* Set for the real linker: a TRACK_REAL_LD that leads back here (a script
 * that runs `ld` from PATH, say) is then ignored instead of looping. */
#define ACTIVE_ENV "TRACK_LD_ACTIVE"

static int debug;
static volatile pid_t child_pid;

static void dbg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void dbg(const char *fmt, ...)
{
    va_list ap;
    if (!debug)
        return;
    va_start(ap, fmt);
    fputs("track ld: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* A usable linker that is not this program (same device and inode as
 * /proc/self/exe, whatever the path or symlink that names it). */
static int candidate_ok(const char *path, const struct stat *self)
{
    struct stat st;
    if (!path || !*path || stat(path, &st) < 0 || !S_ISREG(st.st_mode) ||
        access(path, X_OK) < 0)
        return 0;
    if (self && st.st_dev == self->st_dev && st.st_ino == self->st_ino) {
        dbg("%s is this wrapper, skipped", path);
        return 0;
    }
    return 1;
}

static const char *find_real_ld(char *buf, size_t len)
{
    struct stat self_st, *self = NULL;
    const char *env = getenv("TRACK_REAL_LD"), *path = getenv("PATH");

    if (stat("/proc/self/exe", &self_st) == 0)
        self = &self_st;
    if (getenv(ACTIVE_ENV))
        env = NULL;
    if (candidate_ok(env, self))
        return env;
    if (candidate_ok(TRACK_DEFAULT_LD, self))
        return TRACK_DEFAULT_LD;
    while (path && *path) {
        size_t n = strcspn(path, ":");
        if (n > 0 && n + 4 < len) {
            snprintf(buf, len, "%.*s/ld", (int)n, path);
            if (buf[0] == '/' && candidate_ok(buf, self))
                return buf;
        }
        path += n + (path[n] == ':');
    }
    return NULL;
}

/* argv with argv[0] replaced by the real linker (bfd finds its plugin
 * directory relative to argv[0]) and extra appended when non-NULL. */
static char **real_argv(const char *real, int argc, char **argv, const char *extra)
{
    char **v = calloc((size_t)argc + 2, sizeof *v);
    int i;
    if (!v)
        return NULL;
    v[0] = (char *)real;
    for (i = 1; i < argc; i++)
        v[i] = argv[i];
    if (extra)
        v[argc++] = (char *)extra;
    v[argc] = NULL;
    return v;
}

/* The signals a terminal or build tool sends to stop a link. They are held
 * (blocked) from the moment the wrapper has something to clean up until the
 * real linker runs and they can be forwarded to it, so that a stop that
 * arrives while the watermark is being made cannot leave files behind. */
static const int stop_sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
static sigset_t orig_mask;
static int held;

static void hold_stops(void)
{
    sigset_t set;
    sigemptyset(&set);
    for (size_t i = 0; i < sizeof stop_sigs / sizeof stop_sigs[0]; i++)
        sigaddset(&set, stop_sigs[i]);
    if (sigprocmask(SIG_BLOCK, &set, &orig_mask) == 0)
        held = 1;
}

/* Delivers what was held: to the linker through forward() when it runs,
 * else with the default action (after cleaning up). */
static void release_stops(void)
{
    if (held) {
        held = 0;
        sigprocmask(SIG_SETMASK, &orig_mask, NULL);
    }
}

static void exec_unchanged(const char *real, int argc, char **argv)
{
    char **v = real_argv(real, argc, argv, NULL);
    setenv(ACTIVE_ENV, "1", 1);
    release_stops();
    if (v)
        execv(real, v);
    else
        execv(real, argv); /* argv[0] stays ours: still the same arguments */
    fprintf(stderr, "track ld: cannot run the real linker %s: %s\n", real, strerror(errno));
    _exit(127);
}

/* The target of the link: class and machine of the first relocatable ELF
 * input (crt1.o or the user's first object). 0 if none. */
static int link_target(const struct ldargs *a, int *elfclass, unsigned *machine)
{
    size_t i;
    for (i = 0; i < a->ninputs; i++) {
        unsigned type;
        if (elfinfo_ehdr(a->inputs[i], elfclass, machine, &type) == 0 && type == ET_REL)
            return 1;
    }
    return 0;
}

/* Makes the watermark for the link's target in obj. The assembler's default
 * target must match; for x86 the 32-bit and x32 variants of the same
 * assembler are asked for explicitly (gcc -m32 / -mx32). */
static int make_stamp(const struct ldargs *a, const char *obj, const char *uuid)
{
    const char *as = elfstamp_assembler(), *flag = NULL;
    char err[SPOOL_ERR_MAX];
    int tclass, sclass;
    unsigned tmach, smach;

    if (!link_target(a, &tclass, &tmach)) {
        dbg("no relocatable ELF input: target unknown, not stamped");
        return -1;
    }
    if (elfstamp_make(as, NULL, obj, uuid, !debug, &sclass, &smach, err, sizeof err) < 0) {
        dbg("%s", err);
        return -1;
    }
    if (sclass == tclass && smach == tmach)
        return 0;
    unlink(obj);
    if (tclass == 32 && tmach == EM_386 && smach == EM_X86_64)
        flag = "--32";
    else if (tclass == 32 && tmach == EM_X86_64 && smach == EM_X86_64)
        flag = "--x32";
    if (!flag) {
        dbg("assembler %s makes ELF%d machine %u, link is ELF%d machine %u: not stamped",
            as, sclass, smach, tclass, tmach);
        return -1;
    }
    if (elfstamp_make(as, flag, obj, uuid, !debug, &sclass, &smach, err, sizeof err) < 0) {
        dbg("%s", err);
        return -1;
    }
    if (sclass == tclass && smach == tmach)
        return 0;
    unlink(obj);
    dbg("assembler %s %s does not make ELF%d machine %u: not stamped", as, flag, tclass, tmach);
    return -1;
}

static void forward(int sig)
{
    pid_t p = child_pid;
    if (p > 0)
        kill(p, sig);
}

/* Runs the real linker and waits for it. While it runs, the signals a
 * terminal or a build tool sends to stop a link are passed on to it, so the
 * wrapper survives to delete its temporary files. Returns the wait status, or
 * -1 if the linker could not be started (nothing ran). */
static int run_linker(const char *real, char **v)
{
    const int *sigs = stop_sigs;
    struct sigaction sa, old[4];
    int status = -1, pipefd[2], i, e = 0;
    pid_t pid;
    ssize_t n;

    /* A close-on-exec pipe tells us whether execv worked: nothing read
     * means it did; an errno read means the link never started. */
    if (pipe2(pipefd, O_CLOEXEC) < 0)
        return -1;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = forward;
    sigemptyset(&sa.sa_mask);
    for (i = 0; i < 4; i++)
        sigaction(sigs[i], &sa, &old[i]);
    pid = fork();
    if (pid == 0) {
        for (i = 0; i < 4; i++)
            sigaction(sigs[i], &old[i], NULL);
        release_stops();
        close(pipefd[0]);
        setenv(ACTIVE_ENV, "1", 1);
        execv(real, v);
        e = errno;
        if (write(pipefd[1], &e, sizeof e) < 0) {
            /* the parent then sees exit status 127 */
        }
        _exit(127);
    }
    close(pipefd[1]);
    if (pid < 0) {
        close(pipefd[0]);
        status = -1;
        goto out;
    }
    child_pid = pid;
    /* The linker runs and forward() knows it: a stop held meanwhile goes
     * to it now. */
    release_stops();
    while ((n = read(pipefd[0], &e, sizeof e)) < 0 && errno == EINTR)
        ;
    close(pipefd[0]);
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            status = -1;
            break;
        }
    }
    child_pid = 0;
    if (n == (ssize_t)sizeof e) {
        dbg("cannot run %s: %s", real, strerror(e));
        status = -1;
    }
out:
    for (i = 0; i < 4; i++)
        sigaction(sigs[i], &old[i], NULL);
    return status;
}

static void write_record(const struct spool_config *cfg, int dirfd, const struct ldargs *a,
                         const char *real, int argc, char **argv, const char *uuid)
{
    struct linkrec r;
    struct ldcc cc;
    struct linkrec_object *objs = calloc(a->ninputs ? a->ninputs : 1, sizeof *objs);
    struct spool_note_ids out_ids;
    char **v = real_argv(real, argc, argv, NULL);
    char err[SPOOL_ERR_MAX];
    size_t i;

    if (!objs || !v) {
        dbg("out of memory: no link record");
        goto out;
    }
    memset(&r, 0, sizeof r);
    gettimeofday(&r.time, NULL);
    for (i = 0; i < a->ninputs; i++) {
        objs[i].path = a->inputs[i];
        elfinfo_ids(a->inputs[i], &objs[i].ids);
    }
    if (elfinfo_ids(a->output, &out_ids) < 0)
        dbg("%s: cannot read the output's build-id", a->output);
    r.uuid = uuid;
    r.output = a->output;
    r.output_build_id = out_ids.build_id;
    r.linker = real;
    r.argv = v;
    r.argc = argc;
    r.objects = objs;
    r.nobjects = a->ninputs;
    /* which compiler ran this link: the process chain above us is still
     * there (the driver waits for us); its version costs one run of the
     * driver, bounded (docs/watermarks.md "Compiler") */
    if (ldcc_detect(&cc) == 0) {
        if (ldcc_version(&cc, LDCC_VERSION_TIMEOUT_MS) < 0)
            dbg("%s: no version from -dumpversion", cc.path);
        r.cc_name = cc.name;
        r.cc_path = cc.path;
        r.cc_version = cc.version;
        r.cc_wrapper = cc.wrapper;
        dbg("compiler %s (%s) %s, wrapper '%s', from %s", cc.name, cc.path, cc.version,
            cc.wrapper, cc.found);
    }
    if (linkrec_write(cfg, dirfd, &r, err, sizeof err) < 0)
        dbg("%s", err);
out:
    free(objs);
    free(v);
}

/* Ends this process the way the linker ended. */
static void exit_like(int status)
{
    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        sigset_t set;
        signal(sig, SIG_DFL);
        sigemptyset(&set);
        sigaddset(&set, sig);
        sigprocmask(SIG_UNBLOCK, &set, NULL);
        raise(sig);
        _exit(128 + sig);
    }
    exit(WIFEXITED(status) ? WEXITSTATUS(status) : 1);
}

int main(int argc, char **argv)
{
    const char *real, *job, *tmp = getenv("TMPDIR"), *v;
    char realbuf[PATH_MAX], dir[PATH_MAX], obj[PATH_MAX + 32], uuid[37], err[SPOOL_ERR_MAX];
    struct spool_config cfg;
    struct ldargs a;
    int dirfd = -1, status, have_args = 0, have_dir = 0;
    char **nv = NULL;

    v = getenv("TRACK_DEBUG");
    debug = v && strcmp(v, "1") == 0;
    real = find_real_ld(realbuf, sizeof realbuf);
    if (!real) {
        fprintf(stderr, "track ld: no real linker found (tried $TRACK_REAL_LD, %s, ld in PATH)\n",
                TRACK_DEFAULT_LD);
        return 127;
    }
    v = getenv("TRACK_DISABLE");
    if (getenv(ACTIVE_ENV) || (v && strcmp(v, "1") == 0))
        goto unchanged;
    if (ldargs_parse(argc, argv, &a) < 0)
        goto unchanged;
    have_args = 1;
    if (!ldargs_should_stamp(&a)) {
        dbg("not a final link (-r, --version, custom script or no input): not stamped");
        goto unchanged;
    }
    /* The record's home first: without a spool the link is left alone. */
    spool_config_defaults(&cfg);
    if (spool_config_load(&cfg, spool_config_default_path(), SPOOL_CONF_MISSING_OK, err,
                          sizeof err) < 0) {
        dbg("%s", err);
        goto unchanged;
    }
    job = getenv("SLURM_JOB_ID");
    if (!job || !spool_job_name_ok(job))
        job = "nojob";
    dirfd = spool_open_job_dir(cfg.spool_dir, getuid(), job, 1, err, sizeof err);
    if (dirfd < 0) {
        dbg("%s", err);
        goto unchanged;
    }
    if (!tmp || tmp[0] != '/')
        tmp = "/tmp";
    hold_stops();
    if (snprintf(dir, sizeof dir, "%s/track-ld.XXXXXX", tmp) >= (int)sizeof dir ||
        !mkdtemp(dir)) {
        dbg("cannot make a temporary directory in %s: %s", tmp, strerror(errno));
        goto unchanged;
    }
    have_dir = 1;
    snprintf(obj, sizeof obj, "%s/track-signature.o", dir);
    spool_uuid_v7(uuid);
    if (make_stamp(&a, obj, uuid) < 0)
        goto unchanged;
    nv = real_argv(real, argc, argv, obj);
    if (!nv)
        goto unchanged;
    status = run_linker(real, nv);
    unlink(obj);
    rmdir(dir);
    have_dir = 0;
    if (status == -1)
        goto unchanged;  /* the linker never started: try once more, plainly */
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        write_record(&cfg, dirfd, &a, real, argc, argv, uuid);
    free(nv);
    close(dirfd);
    ldargs_free(&a);
    exit_like(status);
    return 1;
unchanged:
    if (have_dir) {
        unlink(obj);
        rmdir(dir);
    }
    free(nv);
    if (dirfd >= 0)
        close(dirfd);
    if (have_args)
        ldargs_free(&a);
    exec_unchanged(real, argc, argv);
    return 127;
}
