/* lt_signal: the virtual disposition in front of libtrack's fatal-signal
 * handler (lt_signal.h; the cases are in docs/libtrack.md).
 *
 * The kernel's table is the only truth: a signal is "hidden" exactly while
 * the kernel holds libtrack's handler for it. So a query asks the kernel
 * (the same one system call as without libtrack) and only when the answer
 * is our handler does it report the program's view instead: the SIG_DFL
 * action the kernel held before we armed, with its flags, mask and
 * restorer. Whatever else changed the disposition behind our back (a raw
 * rt_sigaction, SA_RESETHAND, glibc's own internal calls) is then seen as
 * it is. No lock: the saved view of a signal is always a SIG_DFL action, so
 * a reader racing a re-arm sees one SIG_DFL action or another.
 *
 * The libc functions are reimplemented on top of one interposed sigaction,
 * as glibc 2.36 writes them (bsd_signal's SA_RESTART unless siginterrupt
 * said otherwise, sysv_signal's one-shot flags, sigset's SIG_HOLD), because
 * glibc's own versions call its internal __sigaction, which no preload
 * library can see. */
#include "lt_signal.h"
#include "lt_sys.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define VIS __attribute__((visibility("default")))

typedef int (*lt_sa_fn)(int, const struct sigaction *, struct sigaction *);

/* Bytes of sa_mask the kernel keeps and glibc copies back (kernel_sigset_t);
 * glibc leaves the rest of the caller's sa_mask untouched, so do we. */
#define LT_KMASK ((_NSIG - 1) / 8)

/* Signals whose default action ends the process: the only ones where a
 * hidden handler changes nothing the program can see (no EINTR, no lost
 * SIGCHLD, no changed job control). */
#define B(s) ((uint64_t)1 << (s))
static const uint64_t lt_fatal_default =
    B(SIGHUP) | B(SIGINT) | B(SIGQUIT) | B(SIGILL) | B(SIGTRAP) | B(SIGABRT) | B(SIGBUS) |
    B(SIGFPE) | B(SIGUSR1) | B(SIGSEGV) | B(SIGUSR2) | B(SIGPIPE) | B(SIGALRM) | B(SIGTERM) |
    B(SIGXCPU) | B(SIGXFSZ) | B(SIGVTALRM) | B(SIGPROF) | B(SIGSYS);

static _Atomic(lt_sa_fn) lt_real;
static lt_sig_handler_fn lt_handler;  /* set once before main, NULL: not armed */
static _Atomic uint64_t lt_armed;     /* signals we may re-arm: set before main, cleared by
                                       * lt_sig_disarm */
static pid_t lt_owner;                /* the process whose records we write */
/* The program's SIG_DFL action per hidden signal: what glibc's sigaction
 * copies out of the kernel, 32 bytes a signal (the whole table in one
 * page; a struct sigaction is 152). */
struct lt_view {
    void (*handler)(int);
    void (*restorer)(void);
    int flags;
    unsigned char mask[LT_KMASK];
};
static struct lt_view lt_view[_NSIG];
static atomic_uint_fast64_t lt_intr;  /* siginterrupt(sig, 1): bit sig - 1 */

/* libc's sigaction, found once. dlsym is not async-signal-safe; the first
 * call is made by the constructor (or by the program's first sigaction,
 * long before any handler of its own can run). */
static lt_sa_fn real_sigaction(void)
{
    lt_sa_fn f = atomic_load_explicit(&lt_real, memory_order_acquire);
    void *p;

    if (f)
        return f;
    p = dlsym(RTLD_NEXT, "sigaction");
    /* ISO C has no conversion between object and function pointers; POSIX
     * guarantees dlsym's result converts. */
    memcpy(&f, &p, sizeof f);
    if (f)
        atomic_store_explicit(&lt_real, f, memory_order_release);
    return f;
}

static int is_ours(const struct sigaction *sa)
{
    return lt_handler && (sa->sa_flags & SA_SIGINFO) && sa->sa_sigaction == lt_handler;
}

/* Keeps what glibc's sigaction copies out of the kernel's record. */
static void view_store(struct lt_view *v, const struct sigaction *sa)
{
    v->handler = sa->sa_handler;
    v->restorer = sa->sa_restorer;
    v->flags = sa->sa_flags;
    memcpy(v->mask, &sa->sa_mask, LT_KMASK);
}

/* Gives it back; the rest of the caller's sa_mask stays as it was, as glibc
 * leaves it. */
static void view_load(struct sigaction *sa, const struct lt_view *v)
{
    sa->sa_handler = v->handler;
    sa->sa_restorer = v->restorer;
    sa->sa_flags = v->flags;
    memcpy(&sa->sa_mask, v->mask, LT_KMASK);
}

/* The kernel's struct sigaction (x86_64, arm64 and the generic layout):
 * putting back a disposition found at start goes through the system call
 * itself, because libc's sigaction would add its SA_RESTORER flag and
 * restorer to an inherited SIG_IGN, which a later query would show. */
struct lt_ksigaction {
    void *handler;
    unsigned long flags;
    void *restorer;
    unsigned char mask[LT_KMASK];
};

static int restore_exact(int sig, const struct sigaction *sa)
{
    struct lt_ksigaction k;

    memcpy(&k.handler, &sa->sa_handler, sizeof k.handler);
    k.flags = (unsigned long)(unsigned)sa->sa_flags;
    memcpy(&k.restorer, &sa->sa_restorer, sizeof k.restorer);
    memcpy(k.mask, &sa->sa_mask, LT_KMASK);
    return (int)lt_sys(SYS_rt_sigaction, sig, (long)&k, 0, LT_KMASK, 0, 0);
}

static void hidden_action(struct sigaction *sa)
{
    memset(sa, 0, sizeof *sa);
    sa->sa_sigaction = lt_handler;
    sa->sa_flags = SA_SIGINFO | SA_RESETHAND | SA_ONSTACK;
    sigemptyset(&sa->sa_mask);
}

/* The program has just set SIG_DFL on an armed signal: put our handler back
 * in front and keep the kernel's record of the program's action as its
 * view. Between the two calls the signal is at SIG_DFL: a death there
 * loses the end record, nothing else. */
static void rearm(lt_sa_fn real, int sig)
{
    struct sigaction hid, prog;
    int saved = errno;

    hidden_action(&hid);
    memset(&prog, 0, sizeof prog);
    if (real(sig, &hid, &prog) == 0) {
        if (prog.sa_handler == SIG_DFL)
            view_store(&lt_view[sig], &prog);
        else if (!is_ours(&prog))
            real(sig, &prog, NULL); /* another thread won meanwhile: its action stands */
    }
    errno = saved;
}

/* The one sigaction behind every interposed entry point. */
static int lt_sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
    lt_sa_fn real = real_sigaction();
    int to_dfl, rc;

    if (!real) {
        errno = ENOSYS;
        return -1;
    }
    if (!lt_handler || sig < 1 || sig >= _NSIG)
        return real(sig, act, old);
    /* act and old may be the same struct: look before the call. */
    to_dfl = act && act->sa_handler == SIG_DFL;
    rc = real(sig, act, old);
    if (rc < 0)
        return rc;
    if (old && is_ours(old))
        view_load(old, &lt_view[sig]);
    if (to_dfl && sig < 64 && (atomic_load(&lt_armed) & B(sig)) && getpid() == lt_owner)
        rearm(real, sig);
    return rc;
}

int lt_sig_arm(uint64_t mask, lt_sig_handler_fn handler, pid_t pid)
{
    lt_sa_fn real = real_sigaction();
    struct sigaction hid, old;
    sigset_t all, saved;
    int n = 0;

    if (!real)
        return -1;
    mask &= lt_fatal_default;
    lt_handler = handler;
    lt_owner = pid;
    lt_armed = mask;
    hidden_action(&hid);
    /* Swap and look in one call per signal, putting back the rare
     * disposition that was not the default (an inherited SIG_IGN keeps its
     * meaning). Signals stay blocked meanwhile, so one that arrives in
     * between is delivered to the disposition it was meant for. */
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &saved);
    for (int sig = 1; sig < 64 && sig < _NSIG; sig++) {
        if (!(mask & B(sig)))
            continue;
        memset(&old, 0, sizeof old);
        if (real(sig, &hid, &old) < 0)
            continue;
        if ((old.sa_flags & SA_SIGINFO) || old.sa_handler != SIG_DFL) {
            if (restore_exact(sig, &old) < 0)
                real(sig, &old, NULL);
            continue;
        }
        view_store(&lt_view[sig], &old);
        n++;
    }
    sigprocmask(SIG_SETMASK, &saved, NULL);
    return n;
}

void lt_sig_disarm(void)
{
    lt_sa_fn real = real_sigaction();
    /* A vfork child has its own table of dispositions but shares our
     * memory: it puts back its own and leaves the parent's re-arming. */
    uint64_t mask = getpid() == lt_owner ? atomic_exchange(&lt_armed, 0) : atomic_load(&lt_armed);
    struct sigaction cur, prog;
    sigset_t all, saved;
    int e = errno;

    if (!real || !mask)
        goto out;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &saved);
    for (int sig = 1; sig < 64 && sig < _NSIG; sig++) {
        if (!(mask & B(sig)))
            continue;
        memset(&cur, 0, sizeof cur);
        if (real(sig, NULL, &cur) < 0 || !is_ours(&cur))
            continue;
        /* the program's SIG_DFL action, as the kernel held it */
        memset(&prog, 0, sizeof prog);
        view_load(&prog, &lt_view[sig]);
        if (restore_exact(sig, &prog) < 0)
            real(sig, &prog, NULL);
    }
    sigprocmask(SIG_SETMASK, &saved, NULL);
out:
    errno = e;
}

/* ---------------------------------------------------------------- libc */

VIS int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
    return lt_sigaction(sig, act, old);
}

VIS int __sigaction(int sig, const struct sigaction *act, struct sigaction *old);
VIS int __sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
    return lt_sigaction(sig, act, old);
}

/* The one-call setters below: installs handler with flags, blocking sig in
 * its own handler when block_self, and returns the old handler. */
static sighandler_t set_handler(int sig, sighandler_t handler, int flags, int block_self)
{
    struct sigaction act, old;

    if (handler == SIG_ERR || sig < 1 || sig >= _NSIG) {
        errno = EINVAL;
        return SIG_ERR;
    }
    act.sa_handler = handler;
    sigemptyset(&act.sa_mask);
    if (block_self)
        sigaddset(&act.sa_mask, sig);
    act.sa_flags = flags;
    if (lt_sigaction(sig, &act, &old) < 0)
        return SIG_ERR;
    return old.sa_handler;
}

/* glibc's signal(): BSD semantics. */
static sighandler_t bsd(int sig, sighandler_t handler)
{
    int restart = sig >= 1 && sig < _NSIG && !(atomic_load(&lt_intr) & ((uint64_t)1 << (sig - 1)));
    return set_handler(sig, handler, restart ? SA_RESTART : 0, 1);
}

VIS sighandler_t signal(int sig, sighandler_t handler)
{
    return bsd(sig, handler);
}

/* Declared by <signal.h> only for old X/Open modes. */
VIS sighandler_t bsd_signal(int sig, sighandler_t handler);
VIS sighandler_t bsd_signal(int sig, sighandler_t handler)
{
    return bsd(sig, handler);
}

VIS sighandler_t ssignal(int sig, sighandler_t handler)
{
    return bsd(sig, handler);
}

/* System V semantics: one shot, not blocked in its own handler. */
static sighandler_t sysv(int sig, sighandler_t handler)
{
    return set_handler(sig, handler, (SA_RESETHAND | SA_NODEFER | SA_INTERRUPT) & ~SA_RESTART, 0);
}

VIS sighandler_t sysv_signal(int sig, sighandler_t handler)
{
    return sysv(sig, handler);
}

VIS sighandler_t __sysv_signal(int sig, sighandler_t handler);
VIS sighandler_t __sysv_signal(int sig, sighandler_t handler)
{
    return sysv(sig, handler);
}

VIS sighandler_t sigset(int sig, sighandler_t disp)
{
    struct sigaction act, old;
    sigset_t set, oset;

    if (disp == SIG_ERR || sig < 1 || sig >= _NSIG) {
        errno = EINVAL;
        return SIG_ERR;
    }
    sigemptyset(&set);
    sigaddset(&set, sig);
    if (disp == SIG_HOLD) {
        if (sigprocmask(SIG_BLOCK, &set, &oset) < 0)
            return SIG_ERR;
        if (sigismember(&oset, sig))
            return SIG_HOLD;
        if (lt_sigaction(sig, NULL, &old) < 0)
            return SIG_ERR;
        return old.sa_handler;
    }
    act.sa_handler = disp;
    sigemptyset(&act.sa_mask);
    act.sa_flags = 0;
    if (lt_sigaction(sig, &act, &old) < 0)
        return SIG_ERR;
    if (sigprocmask(SIG_UNBLOCK, &set, &oset) < 0)
        return SIG_ERR;
    return sigismember(&oset, sig) ? SIG_HOLD : old.sa_handler;
}

VIS int sigignore(int sig)
{
    struct sigaction act;

    act.sa_handler = SIG_IGN;
    sigemptyset(&act.sa_mask);
    act.sa_flags = 0;
    return lt_sigaction(sig, &act, NULL);
}

VIS int siginterrupt(int sig, int interrupt)
{
    struct sigaction act;

    if (lt_sigaction(sig, NULL, &act) < 0)
        return -1;
    if (interrupt) {
        atomic_fetch_or(&lt_intr, (uint64_t)1 << (sig - 1));
        act.sa_flags &= ~SA_RESTART;
    } else {
        atomic_fetch_and(&lt_intr, ~((uint64_t)1 << (sig - 1)));
        act.sa_flags |= SA_RESTART;
    }
    return lt_sigaction(sig, &act, NULL) < 0 ? -1 : 0;
}
