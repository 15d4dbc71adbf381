/* libtrack.so: the LD_PRELOAD library. A start record before main (the
 * constructor), an end record at exit (on_exit) or on a fatal signal.
 *
 * One gate decides everything at start (Darshan-style): a process that is
 * not tracked gets no state, no environment change, no handlers. A process
 * that is tracked but cannot write its start record is treated the same.
 * Nothing here may change what the program sees: errno is saved around
 * every entry point, no fd outlives a hook, no stdio, no exit(). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lt_debug.h"
#include "lt_env.h"
#include "lt_exe.h"
#include "lt_fsize.h"
#include "lt_record.h"
#include "lt_sandbox.h"
#include "lt_run.h"
#include "lt_signal.h"
#include "lt_sys.h"
#include "lt_tally.h"
#include "spool_config.h"
#include "spool_dir.h"
#include "spool_file.h"
#include "spool_list.h"
#include "spool_name.h"
#include "spool_uuid.h"

static struct lt_run lt;

/* The record buffer for the default max_record_bytes and below: in .bss,
 * where untouched pages cost nothing, like an anonymous mapping. A mapping
 * of our own (mmap, munmap) costs measurably more per process on a VM
 * (munmap of a touched page flushes TLBs across CPUs; see
 * docs/performance.md): larger caps still get one. Not page-aligned, and
 * defined after lt: .bss then starts on the page .data already touched,
 * and small records share it (every page touched is a page fault in
 * every process). */
#define LT_STATIC_CAP (256 * 1024)
static char lt_static_buf[2 * LT_STATIC_CAP];

/* libtrack's error buffers are smaller than the tools' SPOOL_ERR_MAX: they
 * live on the program's stack, in the fatal-signal handler on the
 * program's signal stack (which may be small), and their text only ever
 * feeds a TRACK_DEBUG line, where a cut message costs nothing. */
#define LT_ERR_MAX 256



/* set_run_env keeps a copy of environ with one more slot (lt.environ_copy)
 * for a process whose environment has no TRACK_RUN_UUID yet: putenv would
 * call malloc here, and the first malloc of a process initialises the
 * allocator (two brk, a getrandom and a fresh heap page), for every process
 * of a chain whose parent was not tracked. glibc's setenv copies an environ
 * it did not allocate before growing it, and clearenv does not free it, so
 * the program can do with it whatever it could do with its own. */

/* Sets TRACK_RUN_UUID=<run_uuid> for the children: in place when the
 * variable exists (as putenv does: the first one, the one getenv finds). */
static void set_run_env(void)
{
    size_t n = 0;

    memcpy(lt.env_entry, "TRACK_RUN_UUID=", 15);
    memcpy(lt.env_entry + 15, lt.run_uuid, 37);
    for (; environ && environ[n]; n++) {
        if (strncmp(environ[n], "TRACK_RUN_UUID=", 15) == 0) {
            environ[n] = lt.env_entry;
            return;
        }
    }
    if (n + 2 > LT_ENV_SLOTS) {
        putenv(lt.env_entry);
        return;
    }
    if (n)
        memcpy(lt.environ_copy, environ, n * sizeof *lt.environ_copy);
    lt.environ_copy[n] = lt.env_entry;
    lt.environ_copy[n + 1] = NULL;
    environ = lt.environ_copy;
}

/* Where write_record runs: the signal handler formats no message; on a
 * small alternate stack it does not judge the job directory again either
 * (spool_job_path's path checks need 8 KiB more). */
enum { LT_NORMAL = 0, LT_IN_HANDLER = 1, LT_IN_HANDLER_SMALL = 2 };

/* Writes a record of the given kind. The start record judges the job
 * directory (spool_job_path) and keeps its path; later records write by
 * path and judge it again only when it has gone (a sweep may remove an idle
 * nojob directory). Returns 0 or -1. */
static int write_record(enum spool_kind kind, const char *data, size_t len, int in_handler)
{
    char name[SPOOL_NAME_MAX], err[LT_ERR_MAX];
    /* The signal handler passes no message buffer: formatting is not
     * async-signal-safe. */
    char *ebuf = in_handler ? NULL : err;
    size_t elen = in_handler ? 0 : sizeof err;
    int rc, e;

    if (spool_name_build(name, kind, lt.id.syshost, lt.date, lt.id.user, lt.run_uuid) < 0) {
        if (!in_handler)
            lt_debug(lt.debug, "cannot build a file name (syshost or date)");
        return -1;
    }
    /* Judged at start unless the budget check just did (lt.jobpath set). */
    if (!lt.jobpath[0]) {
        if (in_handler == LT_IN_HANDLER_SMALL)
            return -1;
        if (spool_job_path(lt.cfg.spool_dir, lt.uid, lt.job, 1, lt.jobpath, sizeof lt.jobpath,
                           ebuf, elen) < 0) {
            lt.jobpath[0] = '\0';
            if (!in_handler)
                lt_debug(lt.debug, "spool %s: %s", lt.cfg.spool_dir, err);
            return -1;
        }
    }
    rc = spool_write_atomic_path(lt.jobpath, name, data, len, 0600, SPOOL_WRITE_UMASK);
    if (rc < 0 && errno == ENOENT && kind != SPOOL_KIND_START && in_handler != LT_IN_HANDLER_SMALL &&
        spool_job_path(lt.cfg.spool_dir, lt.uid, lt.job, 1, lt.jobpath, sizeof lt.jobpath, ebuf,
                       elen) == 0)
        rc = spool_write_atomic_path(lt.jobpath, name, data, len, 0600, SPOOL_WRITE_UMASK);
    e = errno;
    if (rc < 0 && !in_handler)
        lt_debug(lt.debug, "%s/%s: %s%s", lt.jobpath, name, strerror(e),
                 e == EFBIG ? " (the program's file-size limit, ulimit -f)" : "");
    return rc;
}

static void release(void)
{
    if (lt.buf && lt.maplen)
        munmap(lt.buf, lt.maplen);
    lt.buf = NULL;
}

/* Stack the handler needs on a program's alternate stack (gcc
 * -fstack-usage of its call chain plus libc and a margin; docs/libtrack.md):
 * writing by the saved job path, and judging the job directory again. */
#define LT_STACK_WRITE (8 * 1024)
#define LT_STACK_JUDGE (16 * 1024)

/* Bytes of stack left to the handler: on the program's alternate stack the
 * room is what the program sized for its own handlers (MINSIGSTKSZ is
 * 2 KiB), and running past its end would overwrite the program's memory,
 * since an alternate stack has no guard page. Off it, SIZE_MAX: the kernel
 * delivered the signal on a normal stack (a stack overflow on a thread
 * without an alternate stack never reaches a handler: the kernel kills). */
static size_t stack_room(void)
{
    stack_t ss;
    volatile char here = 0;
    uintptr_t lo, cur = (uintptr_t)&here;

    if (sigaltstack(NULL, &ss) < 0 || !(ss.ss_flags & SS_ONSTACK))
        return SIZE_MAX;
    lo = (uintptr_t)ss.ss_sp;
    return cur > lo ? cur - lo : 0;
}

/* How write_record may run from a handler (or _exit, which handlers
 * call), or -1 when the stack left is too small to write at all. */
static int handler_mode(void)
{
    size_t room = stack_room();

    if (room < LT_STACK_WRITE)
        return -1;
    return room >= LT_STACK_JUDGE ? LT_IN_HANDLER : LT_IN_HANDLER_SMALL;
}

/* Whether this process may end the run: not in a sandbox of its own
 * (tested first, with no system call: its filter may forbid even getpid),
 * the process that started the run (a vfork child shares our memory, a
 * fork child our hooks and handler), and tracked. */
static int end_is_ours(void)
{
    return !lt_sandbox_on(lt.pid) && getpid() == lt.pid && lt.buf;
}

/* Writes the run's end once (the first caller wins a race): the end record,
 * or past the job's budget the tally's count, under the program's
 * file-size limit (lt_fsize). mode as for write_record: LT_NORMAL from
 * exit (the loader's list walked again, messages formatted), a handler
 * mode from _exit and the fatal-signal handler (async-signal-safe). */
static void write_end(enum lt_end_how how, int value, int mode)
{
    struct lt_fsize fs;
    size_t len;

    if (atomic_exchange(&lt.done, 1))
        return;
    lt_fsize_hold(&fs);
    if (lt.tally)
        lt_tally_end(&lt, how, value, mode != LT_IN_HANDLER_SMALL, mode == LT_NORMAL);
    else if ((len = lt_rec_end(&lt, how, value, mode == LT_NORMAL)))
        write_record(SPOOL_KIND_END, lt_rec_end_buf(&lt), len, mode);
    else if (mode == LT_NORMAL)
        lt_debug(lt.debug, "end record does not fit max_record_bytes");
    lt_fsize_release(&fs);
}

/* on_exit hook: exit() and return from main. Runs in whichever thread
 * exits; a forked child (other pid) and a second exit race write nothing. */
static void lt_on_exit(int status, void *arg)
{
    int saved = errno;

    /* The status the parent sees is the low 8 bits of exit()'s argument. */
    if (end_is_ours())
        write_end(LT_END_EXIT, status & 0xff, LT_NORMAL);
    errno = saved;
}

/* _exit and _Exit: the only symbols libtrack exports (libtrack.map).
 * Programs that end with _exit skip on_exit, and Debian's /bin/sh (dash)
 * ends every script that way: without this, every batch script would look
 * like a run that never ended. _exit may be called from a signal handler,
 * so this writes the end record the async-signal-safe way (objects as at
 * start), then exits exactly as glibc's _exit does. exit() reaches the
 * kernel through libc's internal _exit, not through this one, and a vfork
 * or fork child has another pid: both write nothing here. */
static void lt_on_exit_syscall(int status)
{
    int saved = errno, mode;

    if (end_is_ours() && (mode = handler_mode()) >= 0)
        write_end(LT_END_EXIT, status & 0xff, mode);
    errno = saved;
}

__attribute__((visibility("default"))) void _exit(int status)
{
    lt_on_exit_syscall(status);
    for (;;)
        lt_sys(SYS_exit_group, status, 0, 0, 0, 0, 0);
}

__attribute__((visibility("default"))) void _Exit(int status)
{
    lt_on_exit_syscall(status);
    for (;;)
        lt_sys(SYS_exit_group, status, 0, 0, 0, 0, 0);
}

/* Fatal-signal handler. Async-signal-safe: the record is the start's
 * identity and objects copied, plus the end keys; no loader walk, no
 * formatting with stdio, no localtime (the name reuses the start's date). */
static void lt_on_signal(int sig, siginfo_t *si, void *uc)
{
    int saved = errno, mode;

    /* Check the pid before touching anything: a vfork child shares our
     * memory, a fork child inherited this handler. No munmap after: other
     * threads may still run; the process is ending. */
    if (end_is_ours() && (mode = handler_mode()) >= 0)
        write_end(LT_END_SIGNAL, sig, mode);
    errno = saved;
    /* SA_RESETHAND put the default action back. A fault raised by the CPU
     * (si_code > 0) happens again when we return, at the same instruction,
     * so the core dump shows the real place. Anything sent (kill, raise,
     * abort) is sent again; it stays blocked until we return. */
    if ((sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGILL) && si &&
        si->si_code > 0)
        return;
    raise(sig);
}

/* The gate. Returns 1 if this process image is to be tracked. */
static int gate(void)
{
    const char *v = getenv("TRACK_DISABLE");
    char err[LT_ERR_MAX];
    ssize_t n;

    if (v && strcmp(v, "1") == 0)
        return 0;
    /* setuid/setgid/capabilities: never act in a process more privileged
     * than its caller (the loader normally refuses the preload already). */
    if (getauxval(AT_SECURE))
        return 0;
    v = getenv("TRACK_DEBUG");
    lt.debug = v && strcmp(v, "1") == 0;

    /* lt is static and this runs once per image: cfg is still all zero. The
     * config text is read into the record buffer, which the start record
     * then overwrites (the same pages). */
    spool_config_node_defaults(&lt.cfg);
    if (spool_config_load_buf(&lt.cfg, spool_config_default_path(),
                              SPOOL_CONF_MISSING_OK | SPOOL_CONF_NODE, lt_static_buf,
                              sizeof lt_static_buf, err, sizeof err) < 0) {
        lt_debug(lt.debug, "%s", err);
        return 0;
    }
    if (lt_env_rank_excluded(lt.cfg.ranks_all)) {
        lt_debug(lt.debug, "not tracked: not rank 0 of a parallel step (ranks = 0)");
        return 0;
    }
    /* Scratch: the first KiB of the record buffer, where the config text
     * was and the start record will be (no page of its own). */
    n = lt_exe_path(lt.exe_path, sizeof lt.exe_path, lt_static_buf, 1024);
    if (n < 0) {
        lt_debug(lt.debug, "/proc/self/exe: %s", strerror(errno));
        return 0;
    }
    spool_globs_compile(&lt.include, lt.cfg.include);
    spool_globs_compile(&lt.exclude, lt.cfg.exclude);
    spool_globs_compile(&lt.env, lt.cfg.env);
    if (spool_globs_match(&lt.exclude, lt.exe_path, (size_t)n, 0) ||
        (lt.include.n && !spool_globs_match(&lt.include, lt.exe_path, (size_t)n, 0))) {
        lt_debug(lt.debug, "not tracked: %s excluded by include/exclude", lt.exe_path);
        return 0;
    }
    return 1;
}

/* The start of a run: the job's budget, then the start record. Returns 0
 * when the record is written, 1 when the run is tallied instead (past the
 * job's budget: no records, lt_tally), -1 when it cannot be tracked. */
static int start_record(int argc, char **argv, char **envp)
{
    if (lt_budget_over(&lt)) {
        lt.tally = 1;
        return 1;
    }
    if (lt_rec_start(&lt, argc, argv, envp) < 0) {
        lt_debug(lt.debug, "identity keys do not fit max_record_bytes = %zu", lt.cap);
        return -1;
    }
    return write_record(SPOOL_KIND_START, lt.buf, lt.start_len, LT_NORMAL) < 0 ? -1 : 0;
}

__attribute__((constructor)) static void lt_init(int argc, char **argv, char **envp)
{
    int saved = errno, rc;
    struct lt_fsize fs;
    const char *parent;
    void *map;

    lt_now(&lt.start);
    if (!gate())
        goto out;

    lt.pid = getpid();
    lt.uid = getuid();
    lt.cap = lt.cfg.max_record_bytes;
    if (lt.cap <= LT_STATIC_CAP) {
        lt.buf = lt_static_buf;
        lt.maplen = 0;
    } else {
        lt.maplen = 2 * lt.cap;
        map = mmap(NULL, lt.maplen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (map == MAP_FAILED) {
            lt_debug(lt.debug, "mmap %zu bytes: %s", lt.maplen, strerror(errno));
            goto out;
        }
        lt.buf = map;
    }

    spool_uuid_v7_at(lt.run_uuid, &lt.start);
    parent = getenv("TRACK_RUN_UUID");
    if (parent && spool_uuid_parse(parent, NULL) == 0)
        memcpy(lt.parent_uuid, parent, 37);
    if (spool_name_date(lt.date, lt.start.tv_sec, lt.start.tv_nsec / 1000) < 0) {
        lt_debug(lt.debug, "cannot convert the start time to a date");
        goto fail;
    }
    spool_ident_get(&lt.cfg, lt.uid, &lt.id);
    lt_env_job_dir(lt.job, sizeof lt.job);
    lt_fsize_hold(&fs);
    rc = start_record(argc, argv, envp);
    lt_fsize_release(&fs);
    if (rc < 0)
        goto fail;
    /* Tracked from here on. Children (exec, fork+exec, system, posix_spawn)
     * name us as their parent. */
    if (rc == 0)
        set_run_env();
    if (on_exit(lt_on_exit, NULL) != 0)
        lt_debug(lt.debug, "on_exit failed: no end record");
    if (lt_sig_arm(lt.cfg.signals, lt_on_signal, lt.pid) < 0)
        lt_debug(lt.debug, "cannot find libc's sigaction: no end record on a signal");
    goto out;
fail:
    release();
out:
    errno = saved;
}
